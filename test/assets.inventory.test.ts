// The election systems inventory through the API: add and change systems with their addresses, domains and
// dates (bad values refused field by field), privacy (the office and its state, nobody else), a CSV import
// with bad rows, a totals row and Windows-1252 text, the export that reads back in, and equipment near or past
// its end of support counted per state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { parseCsv } from '../src/platform/text/csv-parse.js';

describe('inventory of election systems', () => {
  let node: TestNode;
  const org = {} as Record<'ga' | 'fulton' | 'cobb' | 'az' | 'center', { id: string }>;
  const tok: Record<string, string> = {};
  const api = (who: string) => client(node, tok[who]);

  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false });
    org.center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    org.ga = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    org.az = await seedOrg(node.ctx, 'Arizona Elections Division', 'state', undefined, { fips: '04', stateCode: 'AZ' });
    org.fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', org.ga.id, { fips: '13121', stateCode: 'GA' });
    org.cobb = await seedOrg(node.ctx, 'Cobb County Elections', 'local', org.ga.id, { fips: '13067', stateCode: 'GA' });
    for (const [name, o, role] of [['fulton', 'fulton', 'member'], ['fultonViewer', 'fulton', 'viewer'], ['cobb', 'cobb', 'member'], ['gaAnalyst', 'ga', 'analyst'], ['gaMember', 'ga', 'member'], ['az', 'az', 'analyst'], ['center', 'center', 'analyst']] as const) {
      const u = await seedUser(node.ctx, org[o].id, role);
      tok[name] = await tokenFor(node.ctx, u.id, role === 'viewer' ? ['read'] : ['read', 'write']);
    }
  });
  afterAll(async () => node?.close());

  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

  it('keeps each office\'s systems, checked field by field, visible to the office and its state only', async () => {
    const res = await api('fulton').post(`/api/v1/orgs/${org.fulton.id}/assets`, {
      name: 'Results site', component: 'election-night-results-site', hostnames: ['Results.Fulton.example.GOV.'], ipRanges: ['198.51.100.77/24', '2001:db8:0:0:1::1/64'], domains: ['fultonvotes.example', 'bücher.example'],
      vendor: 'Civic Cloud', product: 'ResultsPress', version: '4.2.1', certification: 'not-applicable', acquiredOn: '2021-03-01', endOfSupport: inDays(200), connectivity: 'network-connected',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ hostnames: ['results.fulton.example.gov'], ipRanges: ['198.51.100.0/24', '2001:db8::/64'], domains: ['fultonvotes.example', 'xn--bcher-kva.example'] });
    const bad = await api('fulton').post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'x', component: 'toaster', ipRanges: ['10.0.0.0/33', 'nonsense'], domains: ['not a domain'], acquiredOn: '2024-02-30', endOfSupport: '2020-01-01', connectivity: 'wifi' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['acquiredOn', 'component', 'connectivity', 'domains', 'ipRanges', 'ipRanges']);
    expect((await api('fulton').post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'Results site', component: 'public-website', connectivity: 'network-connected' })).statusCode).toBe(409);
    expect((await api('fultonViewer').post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'y', component: 'public-website', connectivity: 'network-connected' })).statusCode).toBe(403);
    expect((await api('cobb').post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'y', component: 'public-website', connectivity: 'network-connected' })).statusCode).toBe(403);
    // Readers: the office and its state's analysts; not a neighbouring county, another state, the state's members, the operations center.
    expect((await api('fultonViewer').get(`/api/v1/orgs/${org.fulton.id}/assets`)).json().items).toHaveLength(1);
    expect((await api('gaAnalyst').get(`/api/v1/orgs/${org.fulton.id}/assets`)).json().items).toHaveLength(1);
    for (const who of ['cobb', 'az', 'gaMember', 'center']) expect((await api(who).get(`/api/v1/orgs/${org.fulton.id}/assets`)).statusCode, who).toBe(404);
    const id = res.json().id as string;
    expect((await api('cobb').put(`/api/v1/assets/${id}`, { name: 'x', component: 'public-website', connectivity: 'network-connected' })).statusCode).toBe(404);
    const changed = await api('fulton').put(`/api/v1/assets/${id}`, { name: 'Results site', component: 'election-night-results-site', ipRanges: ['198.51.100.0/24'], version: '4.3.0', endOfSupport: inDays(200), connectivity: 'network-connected' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ version: '4.3.0', domains: [], ipRanges: ['198.51.100.0/24'] });
  });

  it('imports a CSV with bad rows, a totals row and Windows-1252 text, and exports it back', async () => {
    const rows = [
      'Name,Component,Hostnames,IP ranges,Domains,Vendor,Product,Version,Certification,Acquired on,End of support,Connectivity,Notes',
      `Pollbooks,e-pollbook,,,,KnowInk,Poll Pad,3.4,state-certified,2019-08-01,${inDays(-30)},indirect-removable-media,Caf\u00e9 precinct units`,
      `Tabulators,scanner-tabulator,,,,ES&S,DS200,2.17,eac-certified,2018-01-15,${inDays(100)},never-connected,`,
      'Office network,network-range,,203.0.113.0/25;2001:db8:1::/48,,,,,not-applicable,,,network-connected,',
      'Broken,scanner,,,,,,,,,,never-connected,',
      'Bad dates,ballot-marking-device,,,,,,,unknown,2020-13-01,,never-connected,',
      'Total,,,,,,,,,,,,',
      ',,,,,,,,,,3,,',
      'Pollbooks,e-pollbook,,,,,,,,,,never-connected,',
    ].join('\r\n');
    const bytes = Buffer.from(rows, 'latin1'); // "Café" as Windows-1252, as a spreadsheet saves it
    const res = await node.node.app!.inject({ method: 'POST', url: `/api/v1/orgs/${org.cobb.id}/assets/import`, headers: { authorization: `Bearer ${tok.cobb}`, 'content-type': 'text/csv', 'x-filename': 'inventory.csv' }, payload: bytes });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ rows: 8, created: 3, updated: 0 });
    expect(report.skipped).toEqual([{ line: 7, reason: 'a totals row' }, { line: 8, reason: 'a totals row' }]);
    expect(report.problems.map((p: { line: number; field: string }) => [p.line, p.field])).toEqual([[5, 'component'], [6, 'acquiredOn'], [9, 'name']]);
    const listed = (await api('cobb').get(`/api/v1/orgs/${org.cobb.id}/assets`)).json().items as Array<{ name: string; notes: string | null; ipRanges: string[] }>;
    expect(listed.map((a) => a.name)).toEqual(['Office network', 'Pollbooks', 'Tabulators']);
    expect(listed.find((a) => a.name === 'Pollbooks')!.notes).toBe('Café precinct units');
    expect(listed.find((a) => a.name === 'Office network')!.ipRanges).toEqual(['203.0.113.0/25', '2001:db8:1::/48']);

    const exported = await api('cobb').get(`/api/v1/orgs/${org.cobb.id}/assets/export`);
    expect(exported.headers['content-type']).toContain('text/csv');
    const parsed = parseCsv(exported.body);
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.rows).toHaveLength(4);
    const again = await node.node.app!.inject({ method: 'POST', url: `/api/v1/orgs/${org.cobb.id}/assets/import`, headers: { authorization: `Bearer ${tok.cobb}`, 'content-type': 'text/csv' }, payload: exported.body });
    expect(again.json()).toMatchObject({ created: 0, updated: 3, problems: [] });
    const noHeader = await node.node.app!.inject({ method: 'POST', url: `/api/v1/orgs/${org.cobb.id}/assets/import`, headers: { authorization: `Bearer ${tok.cobb}`, 'content-type': 'text/csv' }, payload: 'Pollbooks,e-pollbook\n' });
    expect(noHeader.statusCode).toBe(400);
  });

  it('counts equipment past and near its end of support per state, and lists a state\'s offices\' systems for it', async () => {
    const eos = (await api('gaAnalyst').get('/api/v1/assets/end-of-support')).json();
    const ga = eos.byState.find((s: { stateCode: string }) => s.stateCode === 'GA');
    expect(ga).toMatchObject({ past: 1, near: 2, ok: 0 });
    expect(eos.attention.map((a: { name: string; orgName: string }) => `${a.orgName}: ${a.name}`)).toEqual(['Cobb County Elections: Pollbooks', 'Cobb County Elections: Tabulators', 'Fulton County Elections: Results site']);
    // A county sees the counts, and only its own systems.
    const cobb = (await api('cobb').get('/api/v1/assets/end-of-support')).json();
    expect(cobb.attention.map((a: { orgName: string }) => a.orgName)).toEqual(['Cobb County Elections', 'Cobb County Elections']);
    const az = (await api('az').get('/api/v1/assets/end-of-support')).json();
    expect(az.attention).toEqual([]);
  });
});

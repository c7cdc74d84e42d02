// The vulnerability catalog end to end: the operations center imports CISA's KEV catalog and CVE records
// over the API; every inventory is checked at once and the office running an affected version — and only it —
// is told privately, with what to do; a fixed version is not told; a system added later is checked against the
// catalog; a STIX vulnerability object teaches the catalog a new CVE; an advisory shows each reader which of
// its own systems its CVEs touch. Bad input is refused with a problem and changes nothing.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedGeorgia, startTestNode, until, type GeorgiaOrg, type TestNode } from './harness.js';
import { sharedData } from './shared-data.js';
import { TaxiiClient } from './taxii-client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';

const readJson = (...parts: string[]) => JSON.parse(fs.readFileSync(sharedData(...parts), 'utf8')) as unknown;

describe('vulnerability catalog and product matching', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;

  beforeAll(async () => {
    node = await startTestNode({ listen: true });
    ({ org, tok } = await seedGeorgia(node.ctx, { analyst: ['center', 'analyst'], reviewer: ['center', 'analyst'], fulton: ['fulton', 'member'], cobb: ['cobb', 'member'] }));
  });
  afterAll(async () => node?.close());

  const matches = async (who: string) => (await client(node, tok[who]).get('/api/v1/victim-matches')).json().items as Array<Record<string, any>>;

  it('tells the office running an affected version, and not the one that patched', { timeout: 90_000 }, async () => {
    const fulton = client(node, tok.fulton);
    const firewall = { name: 'Firewall', component: 'network-range', ipRanges: ['198.51.100.0/28'], vendor: 'Palo Alto Networks', product: 'PAN-OS', version: '10.2.8', connectivity: 'network-connected' };
    expect((await fulton.post(`/api/v1/orgs/${org.fulton.id}/assets`, firewall)).statusCode).toBe(201);
    expect((await client(node, tok.cobb).post(`/api/v1/orgs/${org.cobb.id}/assets`, { ...firewall, ipRanges: ['203.0.113.0/28'], version: '10.2.9-h1' })).statusCode).toBe(201);

    // Only the operations center keeps the catalog; bad documents are refused and change nothing.
    const kev = readJson('kev', 'known_exploited_vulnerabilities.json');
    expect((await fulton.post('/api/v1/vulnerabilities/import', kev)).statusCode).toBe(403);
    const analyst = client(node, tok.analyst);
    const bad = await analyst.post('/api/v1/vulnerabilities/import', { hello: 'world' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await analyst.get('/api/v1/vulnerabilities')).json().total).toBe(0);

    const imported = await analyst.post('/api/v1/vulnerabilities/import', kev);
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ kevCatalogVersion: '2025.08.25', received: 1404, changed: 1404, refused: [] });
    expect((await analyst.post('/api/v1/vulnerabilities/import', kev)).json()).toMatchObject({ received: 1404, changed: 0, unchanged: 1404 });
    const records = fs.readdirSync(sharedData('vulnrichment')).filter((f) => f.endsWith('.json')).map((f) => readJson('vulnrichment', f));
    const withBad = await analyst.post('/api/v1/vulnerabilities/import', [...records, { dataType: 'CVE_RECORD', cveMetadata: { cveId: 'not-a-cve' } }]);
    expect(withBad.json()).toMatchObject({ received: 31, changed: 31, refused: [{ index: 31 }] });

    // The KEV catalog alone names the product without versions ("check your version"); the CVE record then
    // shows 10.2.8 affected, which makes it a confirmed notice.
    const hit = await until('the KEV match for Fulton', async () => (await matches('fulton')).find((m) => m.indicator.value === 'CVE-2024-3400' && m.reason === 'known-exploited'));
    expect(hit).toMatchObject({ reason: 'known-exploited', asset: { name: 'Firewall' }, matched: 'Palo Alto Networks PAN-OS 10.2.8', indicator: { type: 'cve' } });
    expect(hit.why).toMatch(/exploiting now/);
    expect(hit.todo).toMatch(/before election day/);
    expect((await fulton.post(`/api/v1/victim-matches/${hit.id}/disclose`)).statusCode).toBe(409); // no producer to tell
    await until('the in-app notification', async () => (await fulton.get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title.startsWith('CVE-2024-3400')) || null);
    // Cobb runs the fixed version: other PAN-OS entries of the KEV catalog ask it to check its version, and the
    // notice it may have had for this one from the KEV catalog alone is resolved once the record shows it fixed.
    const open = async () => (await client(node, tok.cobb).get('/api/v1/victim-matches?open=true')).json().items as Array<Record<string, any>>;
    await until('Cobb checked', async () => ((await open()).length > 0 && !(await open()).some((m) => m.indicator.value === 'CVE-2024-3400')) || null);
    expect((await open()).every((m) => m.reason === 'known-exploited-check-version')).toBe(true);
    const resolved = (await matches('cobb')).find((m) => m.indicator.value === 'CVE-2024-3400');
    if (resolved) expect(resolved.resolution).toMatch(/not affected/);
    expect((await matches('fulton')).every((m) => m.asset.name === 'Firewall')).toBe(true);

    const one = (await fulton.get('/api/v1/vulnerabilities/cve-2024-3400')).json();
    expect(one).toMatchObject({ cveId: 'CVE-2024-3400', kev: { dateAdded: '2024-04-12' }, yourSystems: [{ name: 'Firewall', reason: 'known-exploited' }] });
    expect((await client(node, tok.cobb).get('/api/v1/vulnerabilities/CVE-2024-3400')).json().yourSystems).toEqual([]);
    expect((await fulton.get('/api/v1/vulnerabilities/CVE-1999-0001')).statusCode).toBe(404);
    const search = (await fulton.get('/api/v1/vulnerabilities?q=PAN-OS&kev=true&limit=200')).json();
    expect(search.items.map((v: { cveId: string }) => v.cveId)).toContain('CVE-2024-3400');
  });

  it('checks a system added later against the catalog', { timeout: 60_000 }, async () => {
    const fulton = client(node, tok.fulton);
    expect((await fulton.post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'Webmail', component: 'email-domain', domains: ['mail.fulton.example'], vendor: 'Roundcube', product: 'Webmail', version: '1.6.2', connectivity: 'network-connected' })).statusCode).toBe(201);
    const hit = await until('the Roundcube match', async () => (await matches('fulton')).find((m) => m.indicator.value === 'CVE-2023-43770'));
    expect(hit).toMatchObject({ reason: 'known-exploited', asset: { name: 'Webmail' } });
    expect((await matches('cobb')).some((m) => m.asset.name === 'Webmail')).toBe(false);
  });

  it('learns CVEs from STIX vulnerability objects, and shows each advisory reader its own systems', { timeout: 60_000 }, async () => {
    const collection = (await createCollection(node.ctx, SYSTEM, { title: 'Community', readers: 'all', writers: [org.center.id] })).id;
    const vuln = { type: 'vulnerability', spec_version: '2.1', id: `vulnerability--${randomUUID()}`, created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', name: 'Results publisher path traversal', description: 'A path traversal in a results publishing product.', external_references: [{ source_name: 'cve', external_id: 'CVE-2026-31337' }], object_marking_refs: [TLP2_MARKINGS.GREEN] };
    expect((await TaxiiClient.bearer(node.url, tok.analyst!).post(`/taxii2/api/collections/${collection}/objects/`, [vuln])).body.success_count).toBe(1);
    const learned = await until('the catalog entry', async () => {
      const r = await client(node, tok.fulton).get('/api/v1/vulnerabilities/CVE-2026-31337');
      return r.statusCode === 200 ? r.json() : null;
    });
    expect(learned).toMatchObject({ title: 'Results publisher path traversal', kev: null });

    const analyst = client(node, tok.analyst);
    const body = { title: 'Patch PAN-OS GlobalProtect now', summary: 'Exploited in the wild.', actions: 'Upgrade to a fixed release.', severity: 'critical', tlp: 'GREEN', cves: ['cve-2024-3400'] };
    const refused = await analyst.post('/api/v1/advisories', { ...body, cves: ['CVE-2024-3400', 'PAN-OS'] });
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json())).toContain('cves');
    const draft = (await analyst.post('/api/v1/advisories', body)).json();
    expect((await analyst.post(`/api/v1/advisories/${draft.id}/submit`)).statusCode).toBe(200);
    expect((await client(node, tok.reviewer).post(`/api/v1/advisories/${draft.id}/publish`)).statusCode).toBe(200);
    const seenByFulton = (await client(node, tok.fulton).get(`/api/v1/advisories/${draft.id}`)).json();
    expect(seenByFulton.cves).toEqual([{ cveId: 'CVE-2024-3400', title: expect.stringContaining('PAN-OS'), knownExploited: true, severity: expect.anything(), yourSystems: [{ id: expect.any(String), name: 'Firewall', reason: 'known-exploited' }] }]);
    expect((await client(node, tok.cobb).get(`/api/v1/advisories/${draft.id}`)).json().cves[0].yourSystems).toEqual([]);
  });
});

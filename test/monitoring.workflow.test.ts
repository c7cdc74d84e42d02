// Election-day monitoring over the API, against loopback services that the test breaks and mends: a results
// page whose content changes (a clock and a visit counter do not count), a health page that slows down, a DNS
// answer that moves elsewhere (a small DNS server of the test), a certificate about to expire, a port that
// closes and a page that fails. Each is detected with the right status, an incident for Fulton — operational
// until an analyst says otherwise — and a notification; recovery is recorded with the outage's duration.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedGeorgia, startTestNode, until, type GeorgiaOrg, type TestNode } from './harness.js';
import { makeCert, startDnsServer, type KeyAndCert } from './scan-fixtures.js';
import { MonitorRunner } from '../src/monitoring/runner.js';

const DAY = 86_400_000;
type Monitor = { id: string; status: string; message: string | null; incidentId: string | null; outages: Array<{ endedAt: string | null; durationSeconds: number | null; incidentId: string | null }> };

describe('election-day monitoring over the API', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  const closers: Array<() => Promise<unknown> | void> = [];
  const state = { results: 'Candidate A: 1,204\nCandidate B: 1,180', visitors: 1, slowMs: 0, failing: false };
  let tcp: net.Server | null = null;
  const ids: Record<string, string> = {};
  let soon: KeyAndCert;

  const listen = (server: net.Server, port: number, host: string) => new Promise<void>((r) => server.listen(port, host, () => r()));
  const startTcp = async () => {
    // A test that timed out may have left the port open: the next one must not fail on that too.
    if (tcp?.listening) await new Promise((r) => tcp!.close(r));
    tcp = net.createServer((s) => s.on('error', () => undefined).end());
    await listen(tcp, 5000, '127.0.6.83');
  };

  beforeAll(async () => {
    dns = await startDnsServer({ 'results.fulton.test': { A: ['127.0.6.81'] }, 'fulton.test': { A: ['127.0.6.81'] } });
    closers.push(() => dns.close());
    // The county's certificate comes from a private authority the monitors are told to trust.
    const ca = await makeCert({ cn: 'Fulton County Authority', ca: true });
    soon = await makeCert({ cn: 'results.fulton.test', ips: ['127.0.6.82'], issuer: ca, notAfter: new Date(Date.now() + 5 * DAY) });
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, ca.cert);
    node = await startTestNode({ env: { EOC_SCAN_DNS: `${dns.address}:${dns.port}`, EOC_SCAN_CA_FILE: caFile } });
    ({ org, tok } = await seedGeorgia(node.ctx, { analyst: ['center', 'analyst'], fulton: ['fulton', 'member'], cobb: ['cobb', 'member'] }));
    const site = http.createServer((req, res) => {
      if (req.url === '/health') return void setTimeout(() => res.end('OK'), state.slowMs);
      res.setHeader('content-type', 'text/html');
      res.end(`<html><head><title>Fulton results</title><script>var t=${Date.now()}</script></head><body><h1>Unofficial results</h1><p>Last updated ${new Date().toLocaleTimeString('en-US')}</p><p>${state.results.replace(/\n/g, '</p><p>')}</p><footer>Visitors: ${state.visitors++}</footer></body></html>`);
    });
    await listen(site, 80, '127.0.6.81');
    const failing = http.createServer((_req, res) => res.writeHead(state.failing ? 503 : 200).end(state.failing ? 'maintenance' : 'ok'));
    await listen(failing, 80, '127.0.6.84');
    const tls = https.createServer({ key: soon.key, cert: soon.cert }, (_q, r) => r.end('ok'));
    await listen(tls, 443, '127.0.6.82');
    await startTcp();
    for (const s of [site, failing, tls]) closers.push(() => new Promise((r) => { s.closeAllConnections(); s.close(r); }));
    closers.push(() => new Promise((r) => (tcp ? tcp.close(r) : r(undefined))));
    // Fulton's inventory names the network and the domain: its approved targets.
    const asset = await client(node, tok.fulton).post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'Election-night results', component: 'election-night-results-site', ipRanges: ['127.0.6.80/29'], domains: ['fulton.test'], connectivity: 'network-connected' });
    expect(asset.statusCode).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await node?.close();
    for (const c of closers.reverse()) await c();
  });

  const untilLong = <T,>(what: string, fn: () => Promise<T | undefined | null | false>) => until(what, fn, 90_000);
  const get = async (id: string) => (await client(node, tok.fulton).get(`/api/v1/monitors/${id}`)).json() as Monitor;
  const waitFor = (name: string, status: string) => until(`${name} to be ${status}`, async () => {
    const m = await get(ids[name]!);
    return m.status === status ? m : null;
    // Generous: on a loaded two-core machine (the PostgreSQL pass with browsers beside it) checks start late.
  }, 90_000);

  it('refuses targets the office has not approved, and bad monitors, with a 400 that changes nothing', async () => {
    const fulton = client(node, tok.fulton);
    const outside = await fulton.post('/api/v1/monitors', { kind: 'http', target: 'http://127.0.7.1/', intervalSeconds: 30 });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().detail).toContain("not among the office's approved targets");
    expect((await fulton.post('/api/v1/monitors', { kind: 'http', target: 'http://127.0.6.81/', intervalSeconds: 5 })).statusCode).toBe(400);
    expect((await fulton.post('/api/v1/monitors', { kind: 'dns', target: 'results.fulton.test', intervalSeconds: 30 })).statusCode).toBe(400);
    expect((await fulton.post('/api/v1/monitors', { kind: 'tcp', target: '127.0.6.83', intervalSeconds: 30 })).statusCode).toBe(400);
    expect((await fulton.post('/api/v1/monitors', { kind: 'ftp', target: 'x', intervalSeconds: 30 })).statusCode).toBe(400);
    expect((await fulton.get('/api/v1/monitors')).json().items).toEqual([]);
  });

  it('watches every kind of service and sees each go wrong, opening incidents and telling the office', { timeout: 300_000 }, async () => {
    const fulton = client(node, tok.fulton);
    const make = async (name: string, body: Record<string, unknown>) => {
      const r = await fulton.post('/api/v1/monitors', { intervalSeconds: 10, timeoutSeconds: 5, failuresBeforeDown: 1, name, ...body });
      expect(r.statusCode, JSON.stringify(r.json())).toBe(201);
      expect(r.json()).toMatchObject({ status: 'pending', kind: body.kind });
      ids[name] = r.json().id;
    };
    await make('results page', { kind: 'http', target: 'http://127.0.6.81/', integrity: true, ignore: ['Visitors'] });
    await make('health', { kind: 'http', target: 'http://fulton.test/health', keyword: 'OK', degradedMs: 400 });
    await make('results DNS', { kind: 'dns', target: 'results.fulton.test', records: { A: ['127.0.6.81'] } });
    await make('certificate', { kind: 'tls', target: '127.0.6.82:443', warnDays: 14 });
    await make('VPN port', { kind: 'tcp', target: '127.0.6.83:5000' });
    await make('lookup', { kind: 'http', target: 'http://127.0.6.84/' });
    expect((await client(node, tok.cobb).get(`/api/v1/monitors/${ids['results page']}`)).statusCode).toBe(404);

    for (const name of ['results page', 'health', 'results DNS', 'VPN port', 'lookup']) await waitFor(name, 'up');
    const cert = await waitFor('certificate', 'degraded');
    expect(cert.message).toContain('expires in');
    expect(cert.incidentId).toBeNull();
    await untilLong('Fulton to hear of the expiring certificate', async () => ((await fulton.get('/api/v1/notifications')).json().items as Array<{ title: string }>).find((n) => n.title.startsWith('certificate: the certificate expires in')));
    // The clock and the visit counter move on every load; the monitor stays up.
    await new Promise((r) => setTimeout(r, 11_000));
    expect((await get(ids['results page']!)).status).toBe('up');

    state.results = 'Candidate A: 204\nCandidate B: 9,180';
    state.slowMs = 800;
    state.failing = true;
    dns.zone['results.fulton.test'] = { A: ['127.0.6.99'] };
    await new Promise<void>((r) => (tcp ? tcp.close(() => r()) : r()));
    tcp = null;

    const changed = await waitFor('results page', 'changed');
    expect(changed.message).toContain('Candidate A: 1,204');
    expect(changed.message).toContain('Candidate A: 204');
    const slow = await waitFor('health', 'degraded');
    expect(slow.message).toMatch(/slow: \d+ ms/);
    expect(slow.incidentId).toBeNull();
    const moved = await waitFor('results DNS', 'changed');
    expect(moved.message).toContain('127.0.6.99');
    expect(moved.message).toContain('approved: 127.0.6.81');
    const closed = await waitFor('VPN port', 'down');
    const failed = await waitFor('lookup', 'down');
    expect(failed.message).toContain('HTTP 503');

    for (const m of [changed, moved, closed, failed]) {
      const withIncident = await untilLong('the incident', async () => (await get(m.id)).incidentId);
      const incident = (await fulton.get(`/api/v1/incidents/${withIncident}`)).json();
      expect(incident).toMatchObject({ category: 'software-error', status: 'new' });
      expect(incident.description).toContain('operational until an analyst assesses it');
    }
    const notes = await untilLong('Fulton to be told', async () => {
      const items = (await fulton.get('/api/v1/notifications')).json().items as Array<{ title: string }>;
      return items.filter((n) => n.title.startsWith('lookup is down') || n.title.startsWith('results page: content')).length >= 2 ? items : null;
    });
    expect(notes.some((n) => n.title.includes('HTTP 503'))).toBe(true);
    expect((await client(node, tok.cobb).get('/api/v1/notifications')).json().items.filter((n: { title: string }) => n.title.includes('lookup'))).toEqual([]);
    // The operations center sees the outages on its list of every monitored service.
    const board = (await client(node, tok.analyst).get('/api/v1/monitors')).json();
    expect(board.counts).toMatchObject({ down: 2, changed: 2, degraded: 2 });
  });

  it('records the recovery with how long the outage lasted, in the incident too', { timeout: 200_000 }, async () => {
    const fulton = client(node, tok.fulton);
    state.failing = false;
    state.slowMs = 0;
    await startTcp();
    dns.zone['results.fulton.test'] = { A: ['127.0.6.81'] };
    // The new results are expected: the office accepts them as the known-good content.
    expect((await fulton.patch(`/api/v1/monitors/${ids['results page']}`, { acceptContent: true })).statusCode).toBe(200);
    for (const name of ['lookup', 'VPN port', 'results DNS', 'health', 'results page']) await waitFor(name, 'up');
    const lookup = await get(ids.lookup!);
    expect(lookup.outages[0]).toMatchObject({ endedAt: expect.any(String), incidentId: lookup.incidentId });
    expect(lookup.outages[0]!.durationSeconds).toBeGreaterThanOrEqual(0);
    const incident = (await fulton.get(`/api/v1/incidents/${lookup.incidentId}`)).json();
    expect(incident.timeline.map((t: { text: string }) => t.text).join('\n')).toMatch(/Recovered \(up\) after \d+ minutes?/);
    const history = await untilLong('the history to be written', async () => {
      const h = (await fulton.get(`/api/v1/monitors/${ids.lookup}/history?hours=1`)).json();
      return h.checks > 2 ? h : null;
    });
    expect(history.uptime).toBeGreaterThan(0);
    expect(history.uptime).toBeLessThan(1);
  });

  it('records an outage inside a maintenance window, without a new incident or a notification', { timeout: 200_000 }, async () => {
    const fulton = client(node, tok.fulton);
    const before = await get(ids.lookup!);
    const aboutLookup = async () => ((await fulton.get('/api/v1/notifications')).json().items as Array<{ title: string }>).filter((n) => n.title.startsWith('lookup')).length;
    // Earlier alerts (the recoveries just seen) may still be on their way: wait until they are in.
    await untilLong('the recovery notice', async () => ((await fulton.get('/api/v1/notifications')).json().items as Array<{ title: string }>).some((n) => n.title.startsWith('lookup recovered')));
    const told = await aboutLookup();
    const window = { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3600_000).toISOString(), note: 'Moving the lookup to a new host' };
    expect((await fulton.patch(`/api/v1/monitors/${ids.lookup}`, { maintenance: [window] })).statusCode).toBe(200);
    state.failing = true;
    const down = await waitFor('lookup', 'down');
    expect(down.outages[0]).toMatchObject({ endedAt: null, incidentId: null });
    expect(down.incidentId).toBe(before.incidentId);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await aboutLookup()).toBe(told);
    state.failing = false;
    await waitFor('lookup', 'up');
  });

  it('notes a service failing again right after recovering on the same incident, and tells no one again (flapping)', { timeout: 200_000 }, async () => {
    const fulton = client(node, tok.fulton);
    expect((await fulton.patch(`/api/v1/monitors/${ids.lookup}`, { maintenance: [] })).statusCode).toBe(200);
    const before = await get(ids.lookup!);
    const aboutLookup = async () => ((await fulton.get('/api/v1/notifications')).json().items as Array<{ title: string }>).filter((n) => n.title.startsWith('lookup')).length;
    const told = await aboutLookup();
    state.failing = true;
    await waitFor('lookup', 'down');
    const incident = await untilLong('the flapping note', async () => {
      const i = (await fulton.get(`/api/v1/incidents/${before.incidentId}`)).json();
      return (i.timeline as Array<{ text: string }>).some((t) => t.text.includes('(flapping)')) ? i : null;
    });
    expect(incident.id).toBe(before.incidentId);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await aboutLookup()).toBe(told);
    state.failing = false;
    await waitFor('lookup', 'up');
  });

  it('shows only the services an office makes public on its status page, to anyone', async () => {
    const fulton = client(node, tok.fulton);
    expect((await client(node).get(`/api/v1/status-pages/${org.fulton.id}`)).statusCode).toBe(404);
    expect((await fulton.patch(`/api/v1/monitors/${ids['results page']}`, { public: true })).statusCode).toBe(200);
    const page = await client(node).get(`/api/v1/status-pages/${org.fulton.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ office: 'Fulton County Elections', services: [{ name: 'results page', status: 'up', since: expect.any(String) }] });
    const html = await client(node).get(`/status/${org.fulton.id}`);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Fulton County Elections: status of our online services');
    expect(html.body).toContain('Working normally');
    expect(html.body).not.toContain('lookup');
    expect((await client(node).get(`/status/${org.cobb.id}`)).statusCode).toBe(404);
    expect((await client(node, tok.cobb).patch(`/api/v1/monitors/${ids['results page']}`, { public: false })).statusCode).toBe(404);
  });

  it('takes up a monitor again only when it changed, so its checks keep their interval', async () => {
    // A second runner, never started: only its look at the table is exercised.
    const runner = new MonitorRunner(node.ctx);
    expect(await runner.reload()).toBe(Object.keys(ids).length);
    expect(await runner.reload()).toBe(0);
    expect((await client(node, tok.fulton).patch(`/api/v1/monitors/${ids['health']}`, { maintenance: [] })).statusCode).toBe(200);
    expect(await runner.reload()).toBe(1);
    expect(await runner.reload()).toBe(0);
    await runner.stop();
  });
});

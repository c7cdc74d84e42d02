// Hygiene scanning as a service, over the API as an outside client uses it: Fulton asks to be scanned and
// accepts the terms; nothing runs until the operations center approves; a scan on the scanner worker finds an
// expired certificate (critical) and an open Remote Desktop port on Fulton's loopback "results site"; Fulton
// is told at once; the fix is due before the coming election; a rescan after RDP is closed marks that
// finding mitigated; an accepted false positive stays accepted; the reports (HTML, PDF, CSV, JSON) and
// Georgia's roll-up show exactly what the policy lets each viewer see; bad input changes nothing.
import https from 'node:https';
import net from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAuthorizations } from '../src/scanning/schema.js';
import { queueDueScans } from '../src/scanning/service.js';
import { client, seedGeorgia, startTestNode, until, type GeorgiaOrg, type TestNode } from './harness.js';
import { makeCert } from './scan-fixtures.js';

const TARGET = '127.0.6.40';
const DAY = 86_400_000;

describe('hygiene scanning over the API', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;
  let site: https.Server;
  let rdp: net.Server;
  const rdpSockets = new Set<net.Socket>();
  let authId: string;

  beforeAll(async () => {
    node = await startTestNode();
    ({ org, tok } = await seedGeorgia(node.ctx, { analyst: ['center', 'analyst'], gaAnalyst: ['ga', 'analyst'], fulton: ['fulton', 'member'], cobb: ['cobb', 'member'] }));
    const expired = await makeCert({ cn: 'results.fulton.test', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
    site = https.createServer({ key: expired.key, cert: expired.cert }, (_req, res) => res.end('<html><title>Fulton results</title></html>'));
    rdp = net.createServer((s) => rdpSockets.add(s.on('error', () => undefined)));
    await new Promise<void>((r) => site.listen(443, TARGET, () => r()));
    await new Promise<void>((r) => rdp.listen(3389, TARGET, () => r()));
    // Election day for Fulton in ten days: critical and high fixes are due before it.
    const election = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const r = await client(node, tok.gaAnalyst).post('/api/v1/elections', { name: 'Runoff', kind: 'runoff', day: election, jurisdictions: [org.fulton.id] });
    expect(r.statusCode).toBe(201);
  }, 60_000);

  afterAll(async () => {
    site?.closeAllConnections();
    await new Promise((r) => site?.close(r));
    for (const s of rdpSockets) s.destroy();
    await new Promise((r) => rdp?.close(r));
    await node?.close();
  });

  const scanAndWait = async (token: string) => {
    const r = await client(node, token).post('/api/v1/scans', { authorizationId: authId });
    expect(r.statusCode).toBe(202);
    const id = r.json().id as string;
    return until('the scan to finish', async () => {
      const s = (await client(node, token).get(`/api/v1/scans/${id}`)).json();
      return s.status === 'done' || s.status === 'failed' ? s : null;
    }, 60_000);
  };
  const openFindings = async (token: string) => (await client(node, token).get(`/api/v1/scan-findings?orgId=${org.fulton.id}&status=open`)).json().items as Array<{ id: string; check: string; severity: string; status: string; dueAt: string; dueElectionDay: string | null }>;

  it('takes a request only with the terms accepted and a valid scope, and runs nothing before approval', async () => {
    const fulton = client(node, tok.fulton);
    const noTerms = await fulton.post('/api/v1/scan-authorizations', { scope: [TARGET], accept: false });
    expect(noTerms.statusCode).toBe(400);
    expect(noTerms.headers['content-type']).toContain('application/problem+json');
    const tooWide = await fulton.post('/api/v1/scan-authorizations', { scope: ['10.0.0.0/8'], accept: true });
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().detail).toContain('too large a range');
    const junk = await fulton.post('/api/v1/scan-authorizations', { scope: ['results site!'], accept: true });
    expect(junk.statusCode).toBe(400);
    expect((await fulton.get('/api/v1/scan-authorizations')).json()).toEqual([]);

    const terms = (await fulton.get('/api/v1/scan-authorizations/terms')).json();
    const made = await fulton.post('/api/v1/scan-authorizations', { scope: [TARGET], accept: true, ratePerSecond: 200 });
    expect(made.statusCode).toBe(201);
    const a = made.json();
    authId = a.id;
    expect(a).toMatchObject({ status: 'requested', scope: [TARGET], acceptance: { text: terms.text, version: terms.version } });
    expect(a.acceptance.acceptedBy).toMatch(/@/);

    expect((await fulton.post('/api/v1/scans', { authorizationId: authId })).statusCode).toBe(409);
    expect((await fulton.post(`/api/v1/scan-authorizations/${authId}/decision`, { decision: 'approve' })).statusCode).toBe(403);
    // Cobb does not see Fulton's request; Georgia and the center do.
    expect((await client(node, tok.cobb).get(`/api/v1/scan-authorizations/${authId}`)).statusCode).toBe(404);
    expect((await client(node, tok.gaAnalyst).get(`/api/v1/scan-authorizations/${authId}`)).statusCode).toBe(200);
    const approved = await client(node, tok.analyst).post(`/api/v1/scan-authorizations/${authId}/decision`, { decision: 'approve', note: 'Results site confirmed with the county IT lead.' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decision: { note: 'Results site confirmed with the county IT lead.' } });
    // The first scheduled scan is a quarter of an hour away; "scan now" does not wait.
    const firstIn = (Date.parse(approved.json().nextScanAt) - Date.now()) / 60_000;
    expect(firstIn).toBeGreaterThan(14);
    expect(firstIn).toBeLessThanOrEqual(15);
    // A target outside the scope is refused before anything is queued.
    const outside = await fulton.post('/api/v1/scans', { authorizationId: authId, targets: ['127.0.6.41'] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().detail).toContain('outside the authorised scope');
    expect((await fulton.get('/api/v1/scans')).json()).toEqual([]);
  });

  it('scans on the scanner worker, tracks the findings with deadlines before the election, and tells the office', { timeout: 90_000 }, async () => {
    const scan = await scanAndWait(tok.fulton!);
    expect(scan.status).toBe('done');
    expect(scan.report.hosts[0].ports.map((p: { port: number }) => p.port)).toEqual([443, 3389]);
    const open = await openFindings(tok.fulton!);
    const expired = open.find((f) => f.check === 'tls-cert-expired')!;
    const rdpFinding = open.find((f) => f.check === 'service-rdp')!;
    expect(expired).toMatchObject({ severity: 'critical', status: 'new' });
    expect(rdpFinding).toMatchObject({ severity: 'high', status: 'new' });
    // Fifteen and thirty days would fall after election day: both are brought forward to its eve.
    expect(expired.dueElectionDay).not.toBeNull();
    expect(new Date(expired.dueAt).getTime()).toBeLessThan(Date.now() + 10 * DAY);
    expect(scan.summary).toMatchObject({ new: open.length, mitigated: 0 });
    const note = await until('the office to be told of the critical finding', async () => {
      const items = (await client(node, tok.fulton).get('/api/v1/notifications')).json().items as Array<{ title: string; link: string }>;
      return items.find((n) => n.title.startsWith('Critical finding'));
    });
    expect(note.title).toContain('The certificate has expired');
    expect((await client(node, tok.cobb).get('/api/v1/notifications')).json().items).toEqual([]);
    // Cobb sees none of it; Georgia sees its county's findings.
    expect((await client(node, tok.cobb).get(`/api/v1/scan-findings?orgId=${org.fulton.id}`)).json().total).toBe(0);
    expect((await client(node, tok.gaAnalyst).get(`/api/v1/scan-findings?orgId=${org.fulton.id}&status=open`)).json().total).toBe(open.length);
  });

  it('marks a fixed finding mitigated on the next scan and keeps an accepted one accepted', { timeout: 90_000 }, async () => {
    for (const s of rdpSockets) s.destroy();
    await new Promise((r) => rdp.close(r));
    const before = await openFindings(tok.fulton!);
    const header = before.find((f) => f.check !== 'tls-cert-expired' && f.check !== 'service-rdp')!;
    const fulton = client(node, tok.fulton);
    expect((await fulton.post(`/api/v1/scan-findings/${header.id}/accept`, { reason: 'x', until: new Date(Date.now() - DAY).toISOString() })).statusCode).toBe(400);
    expect((await client(node, tok.cobb).post(`/api/v1/scan-findings/${header.id}/accept`, { reason: 'not mine', until: new Date(Date.now() + 30 * DAY).toISOString() })).statusCode).toBe(404);
    const accepted = await fulton.post(`/api/v1/scan-findings/${header.id}/accept`, { reason: 'The page is an API; no browser renders it.', until: new Date(Date.now() + 30 * DAY).toISOString() });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().status).toBe('accepted');

    const scan = await scanAndWait(tok.fulton!);
    expect(scan.summary).toMatchObject({ mitigated: 1, new: 0 });
    const all = (await fulton.get(`/api/v1/scan-findings?orgId=${org.fulton.id}`)).json().items as Array<{ id: string; check: string; status: string; mitigatedAt: string | null }>;
    expect(all.find((f) => f.check === 'service-rdp')).toMatchObject({ status: 'mitigated' });
    expect(all.find((f) => f.check === 'tls-cert-expired')).toMatchObject({ status: 'active' });
    expect(all.find((f) => f.id === header.id)).toMatchObject({ status: 'accepted' });
  });

  it('reports per office (HTML, PDF, CSV, JSON) and per state, within the policy', { timeout: 60_000 }, async () => {
    const fulton = client(node, tok.fulton);
    const html = await fulton.get(`/api/v1/scan-reports/${org.fulton.id}`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Cyber hygiene report');
    expect(html.body).toContain('Fulton County Elections');
    expect(html.body).toContain('The certificate has expired');
    expect(html.body).toContain('<svg');
    const json = (await fulton.get(`/api/v1/scan-reports/${org.fulton.id}?format=json`)).json();
    expect(json.card.open.critical).toBe(1);
    expect(json.card.dueBeforeElection).toBeGreaterThanOrEqual(1);
    expect(json.changes.mitigated.map((f: { check: string }) => f.check)).toEqual(['service-rdp']);
    expect(json.trend).toHaveLength(2);
    expect(json.daysToMitigate.find((d: { severity: string }) => d.severity === 'high').count).toBe(1);
    expect(json.methodology.scope).toEqual([TARGET]);
    const pdf = await fulton.get(`/api/v1/scan-reports/${org.fulton.id}?format=pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const csv = await fulton.get(`/api/v1/scan-reports/${org.fulton.id}?format=csv`);
    expect(csv.body.split('\r\n')[0]).toContain('severity,status,check');
    expect(csv.body).toContain('tls-cert-expired');
    expect((await client(node, tok.cobb).get(`/api/v1/scan-reports/${org.fulton.id}`)).statusCode).toBe(404);
    expect((await fulton.get(`/api/v1/scan-reports/${org.fulton.id}?format=docx`)).statusCode).toBe(400);

    const rollup = (await client(node, tok.gaAnalyst).get(`/api/v1/scan-reports/state/${org.ga.id}?format=json`)).json();
    expect(rollup.offices).toEqual([expect.objectContaining({ name: 'Fulton County Elections', critical: 1 })]);
    expect((await client(node, tok.cobb).get(`/api/v1/scan-reports/state/${org.ga.id}?format=json`)).json().offices).toEqual([]);
  });

  it('rescans on its own when the next scan is due (12 hours after a critical finding)', { timeout: 90_000 }, async () => {
    const [a] = await node.ctx.db.select().from(scanAuthorizations).where(eq(scanAuthorizations.id, authId));
    const hours = (a!.nextScanAt!.getTime() - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    await node.ctx.db.update(scanAuthorizations).set({ nextScanAt: new Date(Date.now() - 1000) }).where(eq(scanAuthorizations.id, authId));
    expect(await queueDueScans(node.ctx)).toBe(1);
    expect(await queueDueScans(node.ctx)).toBe(0);
    const scheduled = await until('the scheduled scan to finish', async () => {
      const list = (await client(node, tok.fulton).get('/api/v1/scans')).json() as Array<{ trigger: string; status: string }>;
      return list.find((s) => s.trigger === 'schedule' && s.status === 'done');
    }, 60_000);
    expect(scheduled).toBeTruthy();
  });

  it('stops scanning once the authorisation is revoked', async () => {
    const fulton = client(node, tok.fulton);
    expect((await client(node, tok.cobb).post(`/api/v1/scan-authorizations/${authId}/revoke`, {})).statusCode).toBe(404);
    const revoked = await fulton.post(`/api/v1/scan-authorizations/${authId}/revoke`, { note: 'Moving the site to a new host.' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().status).toBe('revoked');
    expect((await fulton.post('/api/v1/scans', { authorizationId: authId })).statusCode).toBe(409);
  });
});

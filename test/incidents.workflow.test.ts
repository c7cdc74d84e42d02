// Incidents through the REST API as an outside client uses them: report, triage, the status flow with a
// playbook, merge and un-merge, escalation under the policy, elections and election-day SLAs, attachments,
// the board, after-action exports, live events and notifications — and bad input that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { client, seedOrg, seedUser, startTestNode, tokenFor, until, type TestNode } from './harness.js';
import { openSse } from './sse-client.js';
import { rowsOf } from '../src/platform/db/client.js';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('incidents', () => {
  let node: TestNode;
  const org = {} as Record<'center' | 'federal' | 'ga' | 'az' | 'fulton' | 'cobb' | 'maricopa', { id: string }>;
  const tok: Record<string, string> = {};
  const uid: Record<string, string> = {};
  const api = (who: string) => client(node, tok[who]);

  beforeAll(async () => {
    node = await startTestNode({ listen: true });
    org.center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    org.federal = await seedOrg(node.ctx, 'Federal Partner Agency', 'federal');
    org.ga = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    org.az = await seedOrg(node.ctx, 'Arizona Elections Division', 'state', undefined, { fips: '04', stateCode: 'AZ' });
    org.fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', org.ga.id, { fips: '13121' });
    org.cobb = await seedOrg(node.ctx, 'Cobb County Elections', 'local', org.ga.id, { fips: '13067' });
    org.maricopa = await seedOrg(node.ctx, 'Maricopa County Elections', 'local', org.az.id, { fips: '04013' });
    const people: Array<[string, string, 'member' | 'analyst' | 'viewer']> = [
      ['fulton', 'fulton', 'member'], ['cobb', 'cobb', 'member'], ['maricopa', 'maricopa', 'member'],
      ['gaAnalyst', 'ga', 'analyst'], ['gaMember', 'ga', 'member'], ['azAnalyst', 'az', 'analyst'],
      ['analyst', 'center', 'analyst'], ['federal', 'federal', 'analyst'], ['fultonViewer', 'fulton', 'viewer'],
    ];
    for (const [name, o, role] of people) {
      const u = await seedUser(node.ctx, org[o as keyof typeof org].id, role);
      uid[name] = u.id;
      tok[name] = await tokenFor(node.ctx, u.id, role === 'viewer' ? ['read'] : ['read', 'write']);
    }
  });
  afterAll(async () => node?.close());

  const powerOutage = () => ({
    title: 'Power outage at Precinct 12',
    description: 'Lights out at the **library** polling place since 7:40. Voters still voting on emergency ballots.',
    category: 'power-outage',
    component: 'facility',
    occurredAt: minutesAgo(10),
    symptom: 'degraded',
    location: 'Central Library, Precinct 12',
    address: '1 Margaret Mitchell Sq, Atlanta, GA',
    votingAffected: true,
  });

  it('a county reports; its state and the operations center see it, other counties and states get 404', async () => {
    const res = await api('fulton').post('/api/v1/incidents', powerOutage());
    expect(res.statusCode, res.body).toBe(201);
    const i = res.json();
    expect(i).toMatchObject({ tlp: 'AMBER', status: 'new', category: 'power-outage', kind: 'operational', severity: 'high', stateCode: 'GA', countyFips: '13121', channel: 'api', jurisdiction: { id: org.fulton.id } });
    expect(i.ref).toMatch(/^INC-\d{6}$/);
    expect(new Set(i.recipients.orgs)).toEqual(new Set([org.ga.id, org.center.id]));
    expect(i.descriptionHtml).toContain('<strong>library</strong>');
    expect(i.sla.triage.state).toBe('ok');
    for (const who of ['fulton', 'gaAnalyst', 'analyst', 'fultonViewer']) expect((await api(who).get(`/api/v1/incidents/${i.id}`)).statusCode).toBe(200);
    for (const who of ['cobb', 'maricopa', 'azAnalyst', 'federal']) {
      const r = await api(who).get(`/api/v1/incidents/${i.id}`);
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const list = await api(who).get('/api/v1/incidents?status=all&q=outage');
      expect(list.json().items.map((x: { id: string }) => x.id)).not.toContain(i.id);
    }
    const queue = await api('analyst').get('/api/v1/incidents?sort=due');
    expect(queue.json().items.map((x: { id: string }) => x.id)).toContain(i.id);
    // The analysts of the recipient organisations are told of the new report; nobody else is.
    for (const who of ['gaAnalyst', 'analyst']) {
      await until(`new-report notification for ${who}`, async () => (await api(who).get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title === `New report ${i.ref}: Power outage at Precinct 12`) || null);
    }
    for (const who of ['azAnalyst', 'federal', 'cobb', 'fulton']) {
      expect(JSON.stringify((await api(who).get('/api/v1/notifications')).json())).not.toContain(i.ref);
    }
  });

  it('refuses bad reports with a message per field and saves nothing', async () => {
    const count = async () => rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from incidents`))[0]!.n;
    const before = await count();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...powerOutage(), occurredAt: new Date(Date.now() + 3 * 3_600_000).toISOString() }, 400, 'occurredAt'],
      [{ ...powerOutage(), jurisdiction: '00000000-0000-4000-8000-000000000000' }, 400, 'jurisdiction'],
      [{ ...powerOutage(), symptom: 'observed' }, 400, 'symptom'],
      [{ ...powerOutage(), category: 'alien-invasion' }, 400, 'category'],
      [{ ...powerOutage(), tlp: 'RED', recipients: { orgs: [org.ga.id], users: [] } }, 400, 'recipients'],
      [{ ...powerOutage(), title: undefined }, 400, 'title'],
      [{ ...powerOutage(), extra: 1 }, 400, ''],
      [{ ...powerOutage(), jurisdiction: org.maricopa.id }, 403, 'jurisdiction'],
      [{ ...powerOutage(), hotline: { callerName: 'Pat' }, jurisdiction: org.fulton.id }, 400, 'hotline'],
    ];
    for (const [body, status, field] of cases) {
      const r = await api('fulton').post('/api/v1/incidents', body);
      expect(r.statusCode, `${field}: ${r.body}`).toBe(status);
      expect(r.headers['content-type']).toContain('application/problem+json');
      if (field) expect(JSON.stringify(r.json())).toContain(field);
    }
    expect((await api('fultonViewer').post('/api/v1/incidents', powerOutage())).statusCode).toBe(403);
    expect(await count()).toBe(before);
    // Script in text fields is kept as text and never rendered as markup.
    const xss = await api('fulton').post('/api/v1/incidents', { ...powerOutage(), title: '<script>alert(1)</script> outage', description: 'Hi <img src=x onerror=alert(1)> <script>alert(2)</script>' });
    expect(xss.statusCode).toBe(201);
    expect(xss.json().title).toBe('<script>alert(1)</script> outage');
    expect(xss.json().descriptionHtml).not.toMatch(/<script|onerror/);
  });

  it('reports sent at the same moment are written together, each checked on its own', async () => {
    const count = async () => rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from incidents`))[0]!.n;
    const before = await count();
    const sends = Array.from({ length: 40 }, (_, k) => {
      const who = k % 2 ? 'cobb' : 'fulton';
      const bad = k % 5 === 0;
      return api(who).post('/api/v1/incidents', { ...powerOutage(), title: `Burst ${k}`, ...(bad ? { occurredAt: new Date(Date.now() + 3_600_000).toISOString() } : {}) }).then((r) => ({ k, who, bad, r }));
    });
    const results = await Promise.all(sends);
    for (const { k, who, bad, r } of results) {
      expect(r.statusCode, `report ${k}`).toBe(bad ? 400 : 201);
      if (!bad) expect(r.json()).toMatchObject({ title: `Burst ${k}`, jurisdiction: { id: who === 'cobb' ? org.cobb.id : org.fulton.id }, ownerOrg: who === 'cobb' ? org.cobb.id : org.fulton.id });
    }
    expect(await count()).toBe(before + 32);
    const refs = results.filter((x) => !x.bad).map((x) => x.r.json().ref);
    expect(new Set(refs).size).toBe(32);
    // Each is readable by its own county only (besides the state and the center).
    const cobbList = (await api('cobb').get('/api/v1/incidents?q=Burst&limit=200')).json().items.map((i: { title: string }) => i.title);
    expect(cobbList.every((t: string) => Number(t.split(' ')[1]) % 2 === 1)).toBe(true);
  });

  it('an analyst triages, applies the playbook and resolves; the county sees each step live and is notified', async () => {
    const stream = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.fulton}` });
    const other = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.maricopa}` });
    try {
      const i = (await api('fulton').post('/api/v1/incidents', { ...powerOutage(), title: 'Power cut in Precinct 7' })).json();
      await stream.waitFor((e) => e.event === 'incident.reported' && e.data.includes(i.id));
      const a = api('analyst');
      expect((await api('fulton').post(`/api/v1/incidents/${i.id}/triage`, { assessment: 'operational', rationale: 'x' })).statusCode).toBe(403);
      expect((await a.post(`/api/v1/incidents/${i.id}/triage`, { assessment: 'operational' })).json()).toMatchObject({ code: 'validation-failed' });
      const triaged = await a.post(`/api/v1/incidents/${i.id}/triage`, { assessment: 'operational', rationale: 'Utility outage on the whole block; no sign of tampering.', priority: 'p2', assigneeId: uid.gaAnalyst });
      expect(triaged.statusCode, triaged.body).toBe(200);
      expect(triaged.json()).toMatchObject({ status: 'triaged', assessment: 'operational', priority: 'p2', assignee: { id: uid.gaAnalyst } });
      expect(triaged.json().sla.triage.state).toBe('met');
      expect(triaged.json().playbooks[0].id).toBe('power-or-facility');
      const withTasks = (await a.post(`/api/v1/incidents/${i.id}/playbooks`, { playbook: 'power-or-facility' })).json();
      expect(withTasks.tasks.length).toBe(5);
      expect((await a.post(`/api/v1/incidents/${i.id}/playbooks`, { playbook: 'power-or-facility' })).statusCode).toBe(409);
      const task = withTasks.tasks[0];
      expect((await a.patch(`/api/v1/incidents/${i.id}/tasks/${task.id}`, { done: true, title: 'Voters can still vote (emergency ballots)' })).json().tasks[0]).toMatchObject({ done: true, title: 'Voters can still vote (emergency ballots)' });
      expect((await a.post(`/api/v1/incidents/${i.id}/tasks`, { title: 'Call Georgia Power for an estimate' })).json().tasks.length).toBe(6);
      expect((await a.post(`/api/v1/incidents/${i.id}/status`, { status: 'new' })).statusCode).toBe(409);
      expect((await a.post(`/api/v1/incidents/${i.id}/status`, { status: 'investigating' })).statusCode).toBe(200);
      expect((await api('fulton').post(`/api/v1/incidents/${i.id}/notes`, { text: 'Power back at 9:05.' })).statusCode).toBe(201);
      const resolved = await a.post(`/api/v1/incidents/${i.id}/status`, { status: 'resolved', note: 'Power restored' });
      expect(resolved.json()).toMatchObject({ status: 'resolved', open: false });
      expect(resolved.json().resolvedAt).not.toBeNull();
      const reopened = await a.post(`/api/v1/incidents/${i.id}/status`, { status: 'investigating' });
      expect(reopened.json()).toMatchObject({ status: 'investigating', resolvedAt: null });
      await a.post(`/api/v1/incidents/${i.id}/status`, { status: 'resolved' });
      const closed = await a.post(`/api/v1/incidents/${i.id}/status`, { status: 'closed' });
      expect(closed.json().status).toBe('closed');

      // The county sees the whole case file, and each step arrived on its live stream.
      const seen = (await api('fulton').get(`/api/v1/incidents/${i.id}`)).json();
      expect(seen.timeline.map((t: { kind: string }) => t.kind)).toEqual(expect.arrayContaining(['reported', 'assessment', 'status', 'playbook', 'task-done', 'note']));
      expect(seen.permissions.work).toBe(false);
      await stream.waitFor((e) => e.event === 'incident.status-changed' && e.data.includes('"closed"'));
      expect(other.events.some((e) => e.data.includes(i.id))).toBe(false);

      // The county's members are told of every status change, in the app.
      const notes = await until('status notifications', async () => {
        const r = (await api('fulton').get('/api/v1/notifications')).json();
        const mine = r.items.filter((n: { link: string }) => n.link === `/incidents/${i.id}`);
        return mine.some((n: { title: string }) => n.title.includes('→ closed')) && mine;
      });
      // One for every status change: triaged, investigating, resolved, reopened, resolved again, closed.
      expect(notes.length).toBe(6);
      const maricopaNotes = (await api('maricopa').get('/api/v1/notifications')).json();
      expect(JSON.stringify(maricopaNotes)).not.toContain(i.id);
      // The assignee was told too (nobody is told of what they did themselves).
      await until('assignment notification', async () => (await api('gaAnalyst').get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title.startsWith('Assigned to you')) || null);
      expect((await api('analyst').get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title.startsWith('Assigned to you'))).toBe(false);
    } finally {
      stream.close();
      other.close();
    }
  });

  it('merges a duplicate and un-merges it', async () => {
    const a = api('analyst');
    const first = (await api('fulton').post('/api/v1/incidents', { ...powerOutage(), title: 'Results site slow', category: 'ddos', component: 'election-night-results-site', votingAffected: false, symptom: 'degraded' })).json();
    const dup = (await api('gaMember').post('/api/v1/incidents', { ...powerOutage(), title: 'Fulton results page not loading', category: 'software-error', component: 'election-night-results-site', votingAffected: false, symptom: 'unavailable', jurisdiction: org.fulton.id })).json();
    expect(dup.ownerOrg).toBe(org.ga.id);
    const merged = await a.post(`/api/v1/incidents/${dup.id}/merge`, { into: first.id });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json()).toMatchObject({ merged: true, mergedInto: { id: first.id } });
    expect((await a.get(`/api/v1/incidents/${first.id}`)).json().duplicates.map((d: { id: string }) => d.id)).toEqual([dup.id]);
    const open = (await a.get('/api/v1/incidents?limit=200')).json().items.map((x: { id: string }) => x.id);
    expect(open).toContain(first.id);
    expect(open).not.toContain(dup.id);
    expect((await a.post(`/api/v1/incidents/${first.id}/merge`, { into: dup.id })).statusCode).toBe(409);
    expect((await a.post(`/api/v1/incidents/${dup.id}/status`, { status: 'triaged' })).statusCode).toBe(409);
    const un = await a.post(`/api/v1/incidents/${dup.id}/unmerge`);
    expect(un.json()).toMatchObject({ merged: false, mergedInto: null });
    expect((await a.get('/api/v1/incidents?limit=200')).json().items.map((x: { id: string }) => x.id)).toContain(dup.id);
    const linked = await a.post(`/api/v1/incidents/${dup.id}/links`, { incidentId: first.id });
    expect(linked.json().links.map((l: { id: string }) => l.id)).toEqual([first.id]);
    expect((await a.get(`/api/v1/incidents/${first.id}`)).json().links.map((l: { id: string }) => l.id)).toEqual([dup.id]);
  });

  it('escalation shares upward under the policy; AMBER+STRICT stays where the county put it', async () => {
    // A phishing report to the state only.
    const strict = (await api('cobb').post('/api/v1/incidents', { title: 'Phishing wave: fake poll-worker pay portal', description: 'Six poll workers got the same mail.', category: 'phishing', component: 'email', occurredAt: minutesAgo(30), symptom: 'observed', tlp: 'AMBER+STRICT', recipients: { orgs: [org.ga.id], users: [] } })).json();
    expect(strict.kind).toBe('nefarious');
    expect((await api('analyst').get(`/api/v1/incidents/${strict.id}`)).statusCode).toBe(404);
    const denied = await api('gaAnalyst').post(`/api/v1/incidents/${strict.id}/escalate`, { to: 'operations-center' });
    expect(denied.statusCode).toBe(403);
    expect((await api('analyst').get(`/api/v1/incidents/${strict.id}`)).statusCode).toBe(404);
    // The county itself escalates: the operations center sees it now.
    const up = await api('cobb').post(`/api/v1/incidents/${strict.id}/escalate`, { to: 'operations-center', note: 'Looks targeted' });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json().escalationLevel).toBe('operations-center');
    expect((await api('analyst').get(`/api/v1/incidents/${strict.id}`)).statusCode).toBe(200);
    expect((await api('federal').get(`/api/v1/incidents/${strict.id}`)).statusCode).toBe(404);
    // AMBER: an analyst who received it escalates further, to federal partners.
    const amber = (await api('cobb').post('/api/v1/incidents', { title: 'Account takeover of the county clerk mailbox', description: 'MFA reset from abroad.', category: 'account-compromise', component: 'email', occurredAt: minutesAgo(40), symptom: 'compromised' })).json();
    const fed = await api('analyst').post(`/api/v1/incidents/${amber.id}/escalate`, { to: 'federal' });
    expect(fed.statusCode, fed.body).toBe(200);
    expect((await api('federal').get(`/api/v1/incidents/${amber.id}`)).statusCode).toBe(200);
    expect((await api('analyst').post(`/api/v1/incidents/${amber.id}/escalate`, { to: 'state' })).statusCode).toBe(409);
    await until('escalation notification', async () => (await api('federal').get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title.startsWith('Escalated to you')) || null);
    // Arizona never sees Georgia's AMBER incidents: list, search, board, export.
    for (const who of ['azAnalyst', 'maricopa']) {
      const all = JSON.stringify((await api(who).get('/api/v1/incidents?status=all&limit=200')).json());
      const search = JSON.stringify((await api(who).get('/api/v1/incidents?status=all&q=phishing')).json());
      const board = JSON.stringify((await api(who).get('/api/v1/incidents/board')).json());
      const csv = (await api(who).get('/api/v1/incidents/after-action?format=csv')).body;
      for (const text of [all, search, board, csv]) {
        expect(text).not.toContain(strict.id);
        expect(text).not.toContain(amber.id);
        expect(text).not.toContain('Phishing wave');
        expect(text).not.toContain('"GA"');
      }
      expect((await api(who).get(`/api/v1/incidents/${amber.id}/report?format=pdf`)).statusCode).toBe(404);
    }
  });

  it('elections: the countdown, and election-day reports get tighter SLAs and a higher severity', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: node.config.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    expect((await api('fulton').post('/api/v1/elections', { name: 'Special election', kind: 'special', day: today, jurisdictions: [org.ga.id] })).statusCode).toBe(403);
    expect((await api('gaAnalyst').post('/api/v1/elections', { name: 'Arizona runoff', kind: 'runoff', day: today, jurisdictions: [org.az.id] })).statusCode).toBe(403);
    expect((await api('gaAnalyst').post('/api/v1/elections', { name: 'Bad', kind: 'special', day: '2026-02-30', jurisdictions: [org.ga.id] })).statusCode).toBe(400);
    const e = await api('gaAnalyst').post('/api/v1/elections', { name: 'Georgia special election', kind: 'special', day: today, jurisdictions: [org.ga.id] });
    expect(e.statusCode, e.body).toBe(201);
    expect((await api('fulton').get('/api/v1/elections/countdown')).json()).toMatchObject({ daysLeft: 0, electionDay: true, next: { id: e.json().id } });
    expect((await api('maricopa').get('/api/v1/elections/countdown')).json()).toMatchObject({ electionDay: false, next: null });
    const i = (await api('fulton').post('/api/v1/incidents', { title: 'E-pollbook slow', description: 'Check-in takes 3 minutes.', category: 'software-error', component: 'e-pollbook', occurredAt: minutesAgo(2), symptom: 'observed' })).json();
    expect(i).toMatchObject({ electionDay: true, electionId: e.json().id, severity: 'high' });
    const window = (Date.parse(i.sla.triage.dueAt) - Date.parse(i.createdAt)) / 60_000;
    expect(window).toBe(15);
    expect(i.severityReasons.join(' ')).toContain('election day');
    const summary = (await api('gaAnalyst').get(`/api/v1/incidents/after-action?election=${e.json().id}&format=json`)).json();
    expect(summary.total).toBeGreaterThanOrEqual(1);
    expect(summary.byCategory.map((c: { category: string }) => c.category)).toContain('software-error');
  });

  it('attachments are hashed and checked: a program named .pdf is refused', async () => {
    const i = (await api('fulton').post('/api/v1/incidents', { ...powerOutage(), title: 'Suspicious USB found' })).json();
    const app = node.node.app!;
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    const ok = await app.inject({ method: 'POST', url: `/api/v1/incidents/${i.id}/attachments`, headers: { authorization: `Bearer ${tok.fulton}`, 'content-type': 'application/pdf', 'x-filename': 'photo-log.pdf' }, payload: pdf });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)]);
    const bad = await app.inject({ method: 'POST', url: `/api/v1/incidents/${i.id}/attachments`, headers: { authorization: `Bearer ${tok.fulton}`, 'content-type': 'application/pdf', 'x-filename': 'ballot-report.pdf' }, payload: exe });
    expect(bad.statusCode).toBe(415);
    expect(bad.json().detail).toContain('is a program');
    const file = (await api('fulton').get(`/api/v1/incidents/${i.id}`)).json().attachments;
    expect(file.map((f: { filename: string }) => f.filename)).toEqual(['photo-log.pdf']);
    const dl = await api('gaAnalyst').get(`/api/v1/incidents/${i.id}/attachments/${ok.json().id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['x-content-sha256']).toBe(ok.json().sha256);
    expect((await api('maricopa').get(`/api/v1/incidents/${i.id}/attachments/${ok.json().id}`)).statusCode).toBe(404);
  });

  it('the board counts only what the viewer may see; exports are PDF and CSV', async () => {
    const board = (await api('analyst').get('/api/v1/incidents/board')).json();
    const ga = board.states.find((s: { stateCode: string }) => s.stateCode === 'GA');
    expect(ga.open).toBeGreaterThan(0);
    expect(['low', 'medium', 'high', 'critical']).toContain(ga.worst);
    expect(board.totals.open).toBe(board.states.reduce((n: number, s: { open: number }) => n + s.open, 0));
    expect(board.series.length).toBeGreaterThan(0);
    const drill = (await api('analyst').get('/api/v1/incidents/board?state=GA')).json();
    expect(drill.counties.map((c: { countyFips: string }) => c.countyFips)).toContain('13121');
    expect(drill.counties.find((c: { countyFips: string }) => c.countyFips === '13121').name).toBe('Fulton County Elections');
    const az = (await api('azAnalyst').get('/api/v1/incidents/board')).json();
    expect(az.states).toEqual([]);
    expect(az.totals.open).toBe(0);
    const list = (await api('analyst').get('/api/v1/incidents?status=all&limit=1')).json();
    const pdf = await api('gaAnalyst').get(`/api/v1/incidents/${list.items[0].id}/report?format=pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const csv = await api('gaAnalyst').get('/api/v1/incidents/after-action?format=csv');
    expect(csv.body.split('\r\n')[0]).toContain('minutes to triage');
    expect(csv.body).toContain('Power cut in Precinct 7');
    const period = await api('gaAnalyst').get('/api/v1/incidents/after-action?format=pdf');
    expect(period.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('lists categories and components in the OpenAPI document', async () => {
    const doc = (await node.node.app!.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const body = JSON.stringify(doc.paths['/api/v1/incidents'].post);
    for (const id of ['power-outage', 'phishing', 'physical-threat', 'e-pollbook', 'election-night-results-site']) expect(body).toContain(id);
  });
});

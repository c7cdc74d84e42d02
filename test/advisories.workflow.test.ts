// Advisories through the REST API as an outside client uses them: a draft seen only by its organisation,
// review by a second analyst (return with a note, then publish), notifications on publication (live event,
// in-app, email) to the recipients the policy allows, responses that only the owner organisation sees in
// full, linked indicators shown only where the reader may see them, withdrawal, and bad input.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { client, seedOrg, seedUser, startTestNode, tokenFor, until, type TestNode } from './harness.js';
import { openSse } from './sse-client.js';
import { rowsOf } from '../src/platform/db/client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';
import { TaxiiClient } from './taxii-client.js';

describe('advisories', () => {
  let node: TestNode;
  const org = {} as Record<'center' | 'ga' | 'fulton' | 'az' | 'vendor', { id: string }>;
  const tok: Record<string, string> = {};
  const uid: Record<string, string> = {};
  const api = (who: string) => client(node, tok[who]);

  // Georgia's webhook receiver, on loopback.
  const received: Array<{ type?: string; record?: { id?: string } }> = [];
  let receiver: http.Server;
  let hookUrl = '';

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        try {
          received.push(JSON.parse(body) as (typeof received)[number]);
        } catch {
          // not JSON: ignored
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    node = await startTestNode({ listen: true, env: { EOC_WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    org.center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    org.ga = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    org.fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', org.ga.id, { fips: '13121' });
    org.az = await seedOrg(node.ctx, 'Arizona Elections Division', 'state', undefined, { fips: '04', stateCode: 'AZ' });
    org.vendor = await seedOrg(node.ctx, 'Pollbook Vendor', 'private');
    const people: Array<[string, keyof typeof org, 'member' | 'analyst' | 'org-admin']> = [['writer', 'center', 'analyst'], ['reviewer', 'center', 'analyst'], ['centerMember', 'center', 'member'], ['ga', 'ga', 'analyst'], ['gaAdmin', 'ga', 'org-admin'], ['fulton', 'fulton', 'member'], ['az', 'az', 'member'], ['vendor', 'vendor', 'member']];
    for (const [name, o, role] of people) {
      const u = await seedUser(node.ctx, org[o].id, role);
      uid[name] = u.id;
      tok[name] = await tokenFor(node.ctx, u.id, role === 'org-admin' ? ['read', 'write', 'admin'] : ['read', 'write']);
    }
    const hook = await api('gaAdmin').post(`/api/v1/orgs/${org.ga.id}/webhooks`, { url: hookUrl, eventTypes: ['advisory.published'] });
    expect(hook.statusCode, hook.body).toBe(201);
  });
  afterAll(async () => {
    await node?.close();
    receiver?.close();
  });

  const draft = (extra: Record<string, unknown> = {}) => ({
    title: 'Phishing wave against county election offices',
    summary: 'Emails pretending to come from the **state** ask clerks to “re-verify” their pollbook passwords.',
    actions: '1. Do not click links in these emails.\n2. Report any you receive as an incident.',
    components: ['email', 'e-pollbook'],
    severity: 'high',
    tlp: 'GREEN',
    recipients: { orgs: [org.ga.id], users: [] },
    ...extra,
  });

  it('goes from draft through review to publication, and everyone the policy allows is told', { timeout: 60_000 }, async () => {
    // Linked indicators: a GREEN one everyone may see, an AMBER one only Georgia's side reads.
    const col = await createCollection(node.ctx, SYSTEM, { title: 'Phishing indicators', readers: [org.ga.id], writers: [org.center.id] });
    const green = { type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', name: 'Sender', pattern: "[email-addr:value = 'it-support@ga-elections.example']", pattern_type: 'stix', valid_from: '2026-11-01T00:00:00Z', object_marking_refs: [TLP2_MARKINGS.GREEN] };
    const amber = { ...green, id: `indicator--${randomUUID()}`, name: 'Landing page', pattern: "[url:value = 'https://ga-elections.example/verify']", object_marking_refs: [TLP2_MARKINGS.AMBER] };
    expect((await TaxiiClient.bearer(node.url, tok.writer!).post(`/taxii2/api/collections/${col.id}/objects/`, [green, amber])).body.success_count).toBe(2);

    const created = await api('writer').post('/api/v1/advisories', draft({ stixRefs: [green.id, amber.id] }));
    expect(created.statusCode, created.body).toBe(201);
    const a = created.json();
    expect(a).toMatchObject({ status: 'draft', severity: 'high', tlp: 'GREEN', mayEdit: true, mayReview: false });
    expect(a.summaryHtml).toContain('<strong>state</strong>');
    // A draft is the owner organisation's alone.
    expect((await api('centerMember').get(`/api/v1/advisories/${a.id}`)).statusCode).toBe(200);
    for (const who of ['ga', 'fulton', 'vendor']) {
      expect((await api(who).get(`/api/v1/advisories/${a.id}`)).statusCode).toBe(404);
      expect((await api(who).get('/api/v1/advisories')).json().items.map((x: { id: string }) => x.id)).not.toContain(a.id);
    }
    // Members do not write advisories; nothing is published without review, nor by its own author.
    expect((await api('fulton').post('/api/v1/advisories', draft())).statusCode).toBe(403);
    expect((await api('reviewer').post(`/api/v1/advisories/${a.id}/publish`)).statusCode).toBe(409);
    expect((await api('writer').post(`/api/v1/advisories/${a.id}/submit`)).json().status).toBe('in-review');
    expect((await api('writer').post(`/api/v1/advisories/${a.id}/publish`)).statusCode).toBe(403);
    expect((await api('writer').put(`/api/v1/advisories/${a.id}`, draft())).statusCode).toBe(409);
    const returned = await api('reviewer').post(`/api/v1/advisories/${a.id}/return`, { note: 'Name the sender address in the summary.' });
    expect(returned.json()).toMatchObject({ status: 'draft', reviewNote: 'Name the sender address in the summary.' });
    const edited = await api('writer').put(`/api/v1/advisories/${a.id}`, draft({ summary: 'Emails from it-support@ga-elections.example ask clerks to re-verify passwords.', stixRefs: [green.id, amber.id] }));
    expect(edited.statusCode, edited.body).toBe(200);
    await api('writer').post(`/api/v1/advisories/${a.id}/submit`);

    const gaStream = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.ga}` });
    try {
      const published = await api('reviewer').post(`/api/v1/advisories/${a.id}/publish`);
      expect(published.statusCode, published.body).toBe(200);
      expect(published.json()).toMatchObject({ status: 'published', reviewer: { id: uid.reviewer } });
      await gaStream.waitFor((e) => e.event === 'advisory.published' && JSON.parse(e.data).recordId === a.id);
    } finally {
      gaStream.close();
    }
    // Addressed (Georgia) and community (GREEN: Fulton, Arizona, the vendor) are told in-app and by email.
    for (const who of ['ga', 'fulton', 'az', 'vendor']) {
      await until(`advisory notification for ${who}`, async () => (await api(who).get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title === 'High advisory: Phishing wave against county election offices') || null);
    }
    await until('the advisory webhook call', async () => received.find((r) => r.type === 'advisory.published') ?? null);
    await until('advisory emails', async () => {
      const rows = rowsOf<{ user_id: string; subject: string }>(await node.ctx.db.execute(sql`select user_id, subject from email_log where subject like '%advisory: Phishing wave%'`));
      return rows.length >= 4 ? rows : null;
    });
    expect(JSON.stringify((await api('writer').get('/api/v1/notifications')).json())).not.toContain('Phishing wave');

    // Each reader sees the linked indicators the policy lets them see.
    const fultonView = (await api('fulton').get(`/api/v1/advisories/${a.id}`)).json();
    expect(fultonView.indicators.map((i: { stixId: string }) => i.stixId)).toEqual([green.id]);
    const gaView = (await api('ga').get(`/api/v1/advisories/${a.id}`)).json();
    expect(gaView.indicators.map((i: { stixId: string }) => i.stixId).sort()).toEqual([green.id, amber.id].sort());
    expect(gaView).toMatchObject({ mayRespond: true, mayEdit: false, reviewNote: null });
    // Downloading them gives the same: a bundle or a CSV list of what the advisory names that the reader may see.
    const bundleOf = async (who: string) => {
      const res = await api(who).get(`/api/v1/intel/export?format=stix&advisory=${a.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toContain(`stix-advisory-${a.id.slice(0, 8)}-`);
      return (res.json() as { objects: Array<{ id: string; type: string }> }).objects.filter((o) => o.type !== 'marking-definition').map((o) => o.id).sort();
    };
    expect(await bundleOf('fulton')).toEqual([green.id]);
    expect(await bundleOf('ga')).toEqual([green.id, amber.id].sort());
    const gaCsv = (await api('ga').get(`/api/v1/intel/export?format=csv&advisory=${a.id}`)).body.trim().split('\n');
    expect(gaCsv).toHaveLength(3);
    expect((await api('ga').get(`/api/v1/intel/export?format=csv&advisory=${randomUUID()}`)).statusCode).toBe(404);
    expect((await api('ga').get('/api/v1/intel/export?format=csv&advisory=not-an-id')).statusCode).toBe(400);

    // Responses: the owner sees who said what; a recipient sees only its own.
    expect((await api('fulton').post(`/api/v1/advisories/${a.id}/responses`, { kind: 'affected', note: 'Two clerks got it; nobody clicked.' })).statusCode).toBe(200);
    expect((await api('ga').post(`/api/v1/advisories/${a.id}/responses`, { kind: 'acknowledged' })).statusCode).toBe(200);
    expect((await api('writer').post(`/api/v1/advisories/${a.id}/responses`, { kind: 'seen' })).statusCode).toBe(409);
    expect((await api('fulton').post(`/api/v1/advisories/${a.id}/responses`, { kind: 'panic' })).statusCode).toBe(400);
    const ownerView = (await api('reviewer').get(`/api/v1/advisories/${a.id}`)).json();
    expect(ownerView.responseCounts).toEqual({ acknowledged: 1, affected: 1, seen: 0 });
    expect(ownerView.responses.find((r: { kind: string }) => r.kind === 'affected')).toMatchObject({ orgName: 'Fulton County Elections', note: 'Two clerks got it; nobody clicked.' });
    const gaAgain = (await api('ga').get(`/api/v1/advisories/${a.id}`)).json();
    expect(gaAgain.responses.map((r: { orgName: string }) => r.orgName)).toEqual(['Georgia Elections Division']);
    expect(gaAgain.responseCounts).toBeNull();
    await until('response notification', async () => (await api('writer').get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title.startsWith('Fulton County Elections is affected by')) || null);
    expect(JSON.stringify((await api('az').get('/api/v1/notifications')).json())).not.toContain('is affected by');
    const list = (await api('fulton').get('/api/v1/advisories?status=published')).json();
    expect(list.items.find((x: { id: string }) => x.id === a.id)).toMatchObject({ myResponses: ['affected'], ownerName: 'Operations Center' });

    // Withdrawal needs a reason and tells the recipients.
    expect((await api('reviewer').post(`/api/v1/advisories/${a.id}/withdraw`, { reason: '' })).statusCode).toBe(400);
    expect((await api('reviewer').post(`/api/v1/advisories/${a.id}/withdraw`, { reason: 'Superseded by the joint advisory.' })).json()).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Superseded by the joint advisory.' });
    await until('withdrawal notification', async () => (await api('ga').get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title === 'Withdrawn: Phishing wave against county election offices') || null);
  });

  it('keeps AMBER advisories to their recipients and refuses bad input without changing anything', async () => {
    const a = (await api('writer').post('/api/v1/advisories', draft({ tlp: 'AMBER', title: 'Georgia only' }))).json();
    await api('writer').post(`/api/v1/advisories/${a.id}/submit`);
    expect((await api('reviewer').post(`/api/v1/advisories/${a.id}/publish`)).statusCode).toBe(200);
    expect((await api('ga').get(`/api/v1/advisories/${a.id}`)).statusCode).toBe(200);
    for (const who of ['fulton', 'az', 'vendor']) {
      expect((await api(who).get(`/api/v1/advisories/${a.id}`)).statusCode).toBe(404);
      expect((await api(who).get(`/api/v1/intel/export?format=stix&advisory=${a.id}`)).statusCode).toBe(404);
    }
    const before = rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from advisories`))[0]!.n;
    const bad = [
      draft({ summary: '   ' }),
      draft({ severity: 'apocalyptic' }),
      draft({ stixRefs: ['not-an-id'] }),
      draft({ components: ['toaster'] }),
      draft({ recipients: { orgs: [randomUUID()], users: [] } }),
      { ...draft(), extra: 'field' },
    ];
    for (const body of bad) {
      const r = await api('writer').post('/api/v1/advisories', body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect(rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from advisories`))[0]!.n).toBe(before);
    expect((await api('writer').get('/api/v1/advisories/not-a-uuid')).statusCode).toBe(400);
  });

  it('sends a TLP:RED advisory to the people it names only, reviewed by one of them', async () => {
    const before = rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from advisories`))[0]!.n;
    // RED goes to named people: not to organisations (the default recipients), not to nobody.
    for (const [body, field] of [
      [draft({ tlp: 'RED', recipients: undefined }), 'recipients/users'],
      [draft({ tlp: 'RED', recipients: { orgs: [], users: [] } }), 'recipients/users'],
      [draft({ tlp: 'RED', recipients: { orgs: [org.ga.id], users: [uid.ga] } }), 'recipients/orgs'],
    ] as const) {
      const r = await api('writer').post('/api/v1/advisories', body);
      expect(r.statusCode).toBe(400);
      expect(r.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from advisories`))[0]!.n).toBe(before);

    // Named for Georgia's analyst alone: no one of the center could review it, so it cannot go for review.
    const a = (await api('writer').post('/api/v1/advisories', draft({ tlp: 'RED', title: 'For named people', recipients: { orgs: [], users: [uid.ga] } }))).json();
    const refused = await api('writer').post(`/api/v1/advisories/${a.id}/submit`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/add another analyst of your organisation/);
    expect((await api('reviewer').get(`/api/v1/advisories/${a.id}`)).statusCode).toBe(404);
    // With the reviewer named too, it goes through; then exactly the named people read it.
    expect((await api('writer').put(`/api/v1/advisories/${a.id}`, draft({ tlp: 'RED', title: 'For named people', recipients: { orgs: [], users: [uid.ga, uid.reviewer] } }))).statusCode).toBe(200);
    expect((await api('writer').post(`/api/v1/advisories/${a.id}/submit`)).statusCode).toBe(200);
    expect((await api('reviewer').post(`/api/v1/advisories/${a.id}/publish`)).statusCode).toBe(200);
    for (const who of ['writer', 'reviewer', 'ga']) expect((await api(who).get(`/api/v1/advisories/${a.id}`)).statusCode, who).toBe(200);
    // Its page names the people it is for.
    const people = (await api('ga').get(`/api/v1/advisories/${a.id}`)).json().recipients.people as Array<{ id: string; name: string }>;
    expect(people.map((p) => p.id)).toEqual([uid.ga, uid.reviewer]);
    expect(people.every((p) => p.name.length > 0)).toBe(true);
    for (const who of ['centerMember', 'gaAdmin', 'fulton', 'az', 'vendor']) expect((await api(who).get(`/api/v1/advisories/${a.id}`)).statusCode, who).toBe(404);
  });
});

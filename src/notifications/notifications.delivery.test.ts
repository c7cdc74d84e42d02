// Notifications end to end with real components: an SMTP server and an HTTP webhook receiver on loopback.
// Who is told follows the sharing policy; retries deliver; preferences and deactivation are respected.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { client, freshDatabase, seedOrg, seedUser, startTestNode, tokenFor, until, type TestDatabase, type TestNode } from '../../test/harness.js';
import { notifications, webhookDeliveries } from './schema.js';
import { rowsOf } from '../platform/db/client.js';
import { startSmtp, type TestSmtp } from '../../test/smtp.js';

describe('notifications: in-app, email over SMTP, signed webhooks', () => {
  let smtp: TestSmtp;
  let mails: TestSmtp['mails'];
  let receiver: http.Server;
  const hits: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let failuresLeft = 2;
  let node: TestNode;
  let db: TestDatabase;

  beforeAll(async () => {
    smtp = await startSmtp();
    mails = smtp.mails;
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hits.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/flaky' && failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(503).end('busy');
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    db = await freshDatabase();
    node = await startTestNode({
      database: db,
      env: { SMTP_URL: smtp.url, EOC_WEBHOOK_ALLOW_LOOPBACK: 'true', EOC_PUBLIC_URL: 'https://eoc.example.gov' },
    });
  });
  afterAll(async () => {
    await node?.close();
    await db?.drop();
    await smtp.close();
    await new Promise((r) => receiver.close(r));
  });

  it('tells exactly the people and organisations the policy allows, through every channel', async () => {
    const ctx = node.ctx;
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const ga = await seedOrg(ctx, 'Georgia', 'state');
    const fulton = await seedOrg(ctx, 'Fulton', 'local', ga.id);
    const cobb = await seedOrg(ctx, 'Cobb', 'local', ga.id);
    const az = await seedOrg(ctx, 'Arizona', 'state');
    const author = await seedUser(ctx, ga.id, 'analyst');
    const fultonClerk = await seedUser(ctx, fulton.id, 'member', { email: 'clerk@fulton.example.gov' });
    const fultonQuiet = await seedUser(ctx, fulton.id, 'member', { email: 'quiet@fulton.example.gov' });
    const fultonGone = await seedUser(ctx, fulton.id, 'member', { email: 'gone@fulton.example.gov' });
    const fultonAdmin = await seedUser(ctx, fulton.id, 'org-admin', { email: 'admin@fulton.example.gov' });
    const cobbClerk = await seedUser(ctx, cobb.id, 'member', { email: 'clerk@cobb.example.gov' });
    const cobbAdmin = await seedUser(ctx, cobb.id, 'org-admin', { email: 'admin@cobb.example.gov' });
    const azStaff = await seedUser(ctx, az.id, 'member', { email: 'staff@az.example.gov' });
    const admins = new Set([fultonAdmin.id, cobbAdmin.id]);
    const api = (userId: string) => tokenFor(ctx, userId, admins.has(userId) ? ['read', 'write', 'admin'] : ['read', 'write']).then((t) => client(node, t));

    // Preferences: one Fulton user turns email off; validation refuses unknown kinds.
    const quiet = await api(fultonQuiet.id);
    expect((await quiet.put('/api/v1/me/notifications', { 'bulletin.addressed': { inApp: true, email: false } })).statusCode).toBe(200);
    const bad = await quiet.put('/api/v1/me/notifications', { 'bulletin.everything': { inApp: true, email: true } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    // A deactivated user is told nothing.
    expect((await client(node, await tokenFor(ctx, fultonAdmin.id, ['read', 'write', 'admin'])).post(`/api/v1/users/${fultonGone.id}/deactivate`)).statusCode).toBe(200);

    // Webhooks: Fulton's receiver fails twice before it accepts; Cobb registers one too.
    const fultonHook = await (await api(fultonAdmin.id)).post(`/api/v1/orgs/${fulton.id}/webhooks`, { url: `${hook}/flaky`, eventTypes: ['bulletin.created'] });
    expect(fultonHook.statusCode, fultonHook.body).toBe(201);
    const secret = fultonHook.json().secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect((await (await api(cobbAdmin.id)).post(`/api/v1/orgs/${cobb.id}/webhooks`, { url: `${hook}/cobb` })).statusCode).toBe(201);
    // Someone else's organisation: not found, not forbidden.
    expect((await (await api(cobbAdmin.id)).get(`/api/v1/orgs/${fulton.id}/webhooks`)).statusCode).toBe(403);
    const ssrf = await (await api(cobbAdmin.id)).post(`/api/v1/orgs/${cobb.id}/webhooks`, { url: 'http://169.254.169.254/latest' });
    expect(ssrf.statusCode).toBe(400);

    const posted = await (await api(author.id)).post('/api/v1/bulletins', { title: 'Reset the e-pollbook password', body: 'Several failed logins overnight.', tlp: 'AMBER', recipients: { orgs: [fulton.id], users: [] } });
    expect(posted.statusCode).toBe(201);
    const bulletinId = posted.json().id as string;

    // Email to the Fulton clerk, with the label in the subject and a link.
    const mail = await until('the email to the Fulton clerk', async () => mails.find((m) => m.to === fultonClerk.email));
    expect(mail.subject).toBe('[TLP:AMBER] Reset the e-pollbook password');
    expect(mail.text).toContain(`https://eoc.example.gov/bulletins/${bulletinId}`);
    expect(mail.text).toContain('Several failed logins overnight.');
    expect(mail.html).toContain(`href="https://eoc.example.gov/bulletins/${bulletinId}"`);
    // In-app for both active Fulton members.
    for (const u of [fultonClerk, fultonQuiet]) {
      const list = await (await api(u.id)).get('/api/v1/notifications');
      await until(`in-app notification for ${u.email}`, async () => ((await (await api(u.id)).get('/api/v1/notifications')).json().items as unknown[]).length > 0);
      expect(list.statusCode).toBe(200);
    }
    // The webhook arrives after two failed attempts, signed.
    const delivered = await until('the Fulton webhook', async () => hits.filter((h) => h.path === '/flaky' && h.headers['x-eoc-event'] === 'bulletin.created').length >= 3 && hits.filter((h) => h.path === '/flaky').at(-1), 40_000);
    const sig = String(delivered.headers['x-eoc-signature']);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig) ?? [];
    expect(createHmac('sha256', secret).update(`${t}.${delivered.body}`).digest('hex')).toBe(v1);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'bulletin.created', record: { kind: 'bulletin', id: bulletinId, tlp: 'AMBER' } });
    // The worker records the answer once the receiver has replied: wait for that, not just for the hit.
    const d = await until('the delivery recorded', async () => {
      const [row] = await ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, String(delivered.headers['x-eoc-delivery'])));
      return row?.status === 'delivered' && row;
    });
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });

    // Nobody else heard of it: no email, no in-app row, no Cobb webhook.
    await node.ctx.relay.kick();
    await new Promise((r) => setTimeout(r, 1500));
    // Fulton's clerk and administrator by email; the quiet one turned email off; the deactivated one hears nothing.
    expect(mails.map((m) => m.to).sort()).toEqual([fultonAdmin.email, fultonClerk.email]);
    for (const u of [cobbClerk, azStaff, fultonGone, author]) {
      const [row] = rowsOf<{ n: number }>(await ctx.db.execute(sql`select count(*)::int as n from notifications where user_id = ${u.id}::uuid`));
      expect(row!.n, u.email).toBe(0);
    }
    expect(hits.filter((h) => h.path === '/cobb')).toEqual([]);

    // RED to one named Cobb clerk: only they hear, and the email names nothing.
    const red = await (await api(author.id)).post('/api/v1/bulletins', { title: 'Compromised account: call us now', body: 'Secret details.', tlp: 'RED', recipients: { orgs: [], users: [cobbClerk.id] } });
    expect(red.statusCode).toBe(201);
    const redMail = await until('the RED email', async () => mails.find((m) => m.to === cobbClerk.email));
    expect(redMail.subject).toBe('[TLP:RED] A new bulletin for you');
    for (const part of [redMail.subject, redMail.text, redMail.html]) {
      expect(part).not.toContain('Compromised account');
      expect(part).not.toContain('Secret details');
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(mails.filter((m) => m.to !== fultonClerk.email && m.to !== fultonAdmin.email).map((m) => m.to)).toEqual([cobbClerk.email]);
    expect(hits.filter((h) => h.path === '/cobb')).toEqual([]); // organisations never receive RED

    // Unread count and marking read.
    const clerk = await api(fultonClerk.id);
    expect((await clerk.get('/api/v1/notifications/unread-count')).json()).toEqual({ unread: 1 });
    expect((await clerk.post('/api/v1/notifications/read-all')).statusCode).toBe(204);
    expect((await clerk.get('/api/v1/notifications/unread-count')).json()).toEqual({ unread: 0 });
    const [n] = await ctx.db.select().from(notifications).where(eq(notifications.userId, fultonClerk.id));
    expect(n!.link).toBe(`/bulletins/${bulletinId}`);

    // A test ping, signed the same way.
    const ping = await (await api(cobbAdmin.id)).get(`/api/v1/orgs/${cobb.id}/webhooks`);
    const cobbHookId = ping.json().items[0].id as string;
    expect((await (await api(cobbAdmin.id)).post(`/api/v1/webhooks/${cobbHookId}/test`)).statusCode).toBe(202);
    await until('the ping', async () => hits.find((h) => h.path === '/cobb' && h.headers['x-eoc-event'] === 'ping'));
  });

  it('tells of community-wide bulletins only those who asked to be told', async () => {
    const ctx = node.ctx;
    const oh = await seedOrg(ctx, 'Ohio', 'state');
    const franklin = await seedOrg(ctx, 'Franklin', 'local', oh.id);
    const author = await seedUser(ctx, oh.id, 'analyst');
    const keen = await seedUser(ctx, franklin.id, 'member', { email: 'keen@franklin.example.gov' });
    const busy = await seedUser(ctx, franklin.id, 'member', { email: 'busy@franklin.example.gov' });
    const keenApi = client(node, await tokenFor(ctx, keen.id));
    expect((await keenApi.put('/api/v1/me/notifications', { 'bulletin.community': { inApp: true, email: false } })).statusCode).toBe(200);
    const posted = await client(node, await tokenFor(ctx, author.id)).post('/api/v1/bulletins', { title: 'Statewide phishing test next week', body: 'Expect it.', tlp: 'GREEN', recipients: { orgs: [], users: [] } });
    expect(posted.statusCode).toBe(201);
    const link = `/bulletins/${posted.json().id as string}`;
    await until('the in-app notice for the user who asked', async () => ((await keenApi.get('/api/v1/notifications')).json().items as Array<{ link: string }>).some((n) => n.link === link));
    const told = rowsOf<{ user_id: string }>(await ctx.db.execute(sql`select user_id from notifications where link = ${link}`)).map((r) => r.user_id);
    expect(told).toContain(keen.id);
    expect(told).not.toContain(busy.id);
    expect(mails.some((m) => m.to === keen.email || m.to === busy.email)).toBe(false);
  });

  it('the event consumer resumes where it stopped, without repeating', async () => {
    const ctx = node.ctx;
    const state = await seedOrg(ctx, 'Wisconsin', 'state');
    const county = await seedOrg(ctx, 'Dane', 'local', state.id);
    const author = await seedUser(ctx, state.id, 'analyst');
    const reader = await seedUser(ctx, county.id, 'member');
    await node.close();
    // A node without workers: bulletins are written and sequenced, nobody is told yet.
    const apiOnly = await startTestNode({ database: db, workers: false, env: { EOC_WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    const c = client(apiOnly, await tokenFor(apiOnly.ctx, author.id));
    for (let i = 0; i < 5; i += 1) expect((await c.post('/api/v1/bulletins', { title: `Update ${i}`, body: '-', tlp: 'AMBER', recipients: { orgs: [county.id], users: [] } })).statusCode).toBe(201);
    await until('events sequenced', async () => rowsOf<{ n: number }>(await apiOnly.ctx.db.execute(sql`select count(*)::int as n from outbox where seq is null`))[0]!.n === 0);
    const count = async (n: TestNode) => rowsOf<{ n: number }>(await n.ctx.db.execute(sql`select count(*)::int as n from notifications where user_id = ${reader.id}::uuid`))[0]!.n;
    expect(await count(apiOnly)).toBe(0);
    await apiOnly.close();
    // Workers start: each event is applied once; a second restart applies nothing again.
    node = await startTestNode({ database: db, env: { EOC_WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    await until('five notifications', async () => (await count(node)) === 5);
    await node.close();
    node = await startTestNode({ database: db, env: { EOC_WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count(node)).toBe(5);
  });
});

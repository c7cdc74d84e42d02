// The directory and its people: organisation rules, contacts, who may change what, invitations by email
// (a real SMTP server), API tokens (hashed, scoped, expiring, revocable) and deactivation that ends
// every session and token at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { client, seedOrg, seedUser, startTestNode, tokenFor, TEST_PASSWORD, type TestNode } from './harness.js';
import { apiTokens, invitations } from '../src/access/schema.js';
import { rowsOf } from '../src/platform/db/client.js';
import { startSmtp, type TestSmtp } from './smtp.js';

describe('directory, invitations, tokens and deactivation', () => {
  let node: TestNode;
  let smtp: TestSmtp;
  let sysToken: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    node = await startTestNode({ workers: false, env: { SMTP_URL: smtp.url, EOC_PUBLIC_URL: 'https://eoc.example.gov' } });
    const center = await seedOrg(node.ctx, 'Operations center', 'operations-center');
    const sys = await seedUser(node.ctx, center.id, 'org-admin', { systemAdmin: true });
    sysToken = await tokenFor(node.ctx, sys.id, ['read', 'write', 'admin']);
  });
  afterAll(async () => {
    await node?.close();
    await smtp.close();
  });

  it('keeps the hierarchy: local offices under a state, county FIPS inside the state', async () => {
    const sys = client(node, sysToken);
    const state = await sys.post('/api/v1/orgs', { name: 'Nevada Secretary of State', type: 'state', fips: '32', stateCode: 'NV' });
    expect(state.statusCode).toBe(201);
    const stateId = state.json().id as string;
    const county = await sys.post('/api/v1/orgs', { name: 'Clark County Election Department', type: 'local', parentId: stateId, fips: '32003' });
    expect(county.statusCode).toBe(201);
    expect(county.json().stateCode).toBe('NV');
    const vendor = await sys.post('/api/v1/orgs', { name: 'Ballot Printer Inc', type: 'private', privateKind: 'vendor' });
    expect(vendor.statusCode).toBe(201);
    const bad: Array<[unknown, number]> = [
      [{ name: 'Orphan County', type: 'local', parentId: vendor.json().id }, 400],
      [{ name: 'Wrong FIPS County', type: 'local', parentId: stateId, fips: '06037' }, 400],
      [{ name: 'Clark County Election Department', type: 'local', parentId: stateId }, 409],
      [{ name: 'Nowhere', type: 'city' }, 400],
      [{ name: 'Extra', type: 'state', color: 'blue' }, 400],
    ];
    for (const [body, status] of bad) {
      const res = await sys.post('/api/v1/orgs', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    // Searching: by name, state code and FIPS.
    const found = await sys.get('/api/v1/orgs?q=32003');
    expect(found.json().items.map((o: { name: string }) => o.name)).toEqual(['Clark County Election Department']);
    expect((await sys.get(`/api/v1/orgs?parentId=${stateId}`)).json().items).toHaveLength(1);
  });

  it('lets an organisation administrator set primary and backup contacts; others may only read them', async () => {
    const state = await seedOrg(node.ctx, 'Oregon Elections Division', 'state');
    const admin = await seedUser(node.ctx, state.id, 'org-admin');
    const member = await seedUser(node.ctx, state.id, 'member');
    const contacts = [
      { role: 'director', rank: 'primary', name: 'Dana Cruz', email: 'dana@sos.or.example.gov', phone: '+1 503 555 0100' },
      { role: 'director', rank: 'backup', name: 'Lee Park', email: null, phone: null },
      { role: 'e-pollbook-lead', rank: 'primary', name: 'Sam Ode' },
    ];
    const put = await client(node, await tokenFor(node.ctx, admin.id, ['read', 'write', 'admin'])).put(`/api/v1/orgs/${state.id}/contacts`, { contacts });
    expect(put.statusCode, put.body).toBe(200);
    const memberApi = client(node, await tokenFor(node.ctx, member.id));
    expect((await memberApi.put(`/api/v1/orgs/${state.id}/contacts`, { contacts })).statusCode).toBe(403);
    const org = (await memberApi.get(`/api/v1/orgs/${state.id}`)).json();
    expect(org.contacts.map((c: { role: string; rank: string }) => `${c.role}/${c.rank}`).sort()).toEqual(['director/backup', 'director/primary', 'e-pollbook-lead/primary']);
    const dup = await client(node, await tokenFor(node.ctx, admin.id, ['read', 'write', 'admin'])).put(`/api/v1/orgs/${state.id}/contacts`, { contacts: [contacts[0], contacts[0]] });
    expect(dup.statusCode).toBe(400);
  });

  it('invites by an email link that works once and expires', async () => {
    const county = await seedOrg(node.ctx, 'Multnomah County Elections', 'local', (await seedOrg(node.ctx, 'Oregon SoS', 'state')).id);
    const admin = await seedUser(node.ctx, county.id, 'org-admin');
    const api = client(node, await tokenFor(node.ctx, admin.id, ['read', 'write', 'admin']));
    const invited = await api.post(`/api/v1/orgs/${county.id}/invitations`, { email: 'new.clerk@multnomah.example.gov', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json().link).toBeUndefined(); // with SMTP configured, the link goes only by email
    const mail = await smtp.waitFor('new.clerk@multnomah.example.gov');
    const token = /https:\/\/eoc\.example\.gov\/invite#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBeTruthy();
    const anon = client(node);
    const weak = await anon.post('/api/v1/invitations/accept', { token, name: 'New Clerk', password: 'password1234' });
    expect(weak.statusCode).toBe(400);
    const ok = await anon.post('/api/v1/invitations/accept', { token, name: 'New Clerk', password: TEST_PASSWORD });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ email: 'new.clerk@multnomah.example.gov', role: 'member', orgId: county.id });
    expect((await anon.post('/api/v1/invitations/accept', { token, name: 'Again', password: TEST_PASSWORD })).statusCode).toBe(410);
    expect((await anon.post('/api/v1/auth/login', { email: 'new.clerk@multnomah.example.gov', password: TEST_PASSWORD })).statusCode).toBe(200);

    // An expired invitation.
    const second = await api.post(`/api/v1/orgs/${county.id}/invitations`, { email: 'late@multnomah.example.gov', role: 'viewer' });
    await node.ctx.db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, second.json().id));
    const lateToken = /invite#token=([A-Za-z0-9_-]+)/.exec((await smtp.waitFor('late@multnomah.example.gov')).text)![1];
    const late = await anon.post('/api/v1/invitations/accept', { token: lateToken, name: 'Late', password: TEST_PASSWORD });
    expect(late.statusCode).toBe(410);
    expect(late.json().detail).toMatch(/expired/);
    // A member cannot invite.
    const member = await seedUser(node.ctx, county.id, 'member');
    expect((await client(node, await tokenFor(node.ctx, member.id)).post(`/api/v1/orgs/${county.id}/invitations`, { email: 'x@example.gov', role: 'org-admin' })).statusCode).toBe(403);
  });

  it('stores API tokens hashed; scopes, expiry, revocation and forgeries are enforced', async () => {
    const org = await seedOrg(node.ctx, 'Idaho SoS', 'state');
    const u = await seedUser(node.ctx, org.id, 'member');
    // Tokens are made from a signed-in session (never with another token).
    const login = await node.node.app!.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: u.email, password: TEST_PASSWORD }) });
    const cookie = `eoc_session=${login.cookies.find((c) => c.name === 'eoc_session')!.value}`;
    const csrf = login.json().csrfToken as string;
    const make = async (body: unknown) =>
      node.node.app!.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const readOnly = await make({ name: 'dashboard', scopes: ['read'], expiresInDays: 30 });
    expect(readOnly.statusCode).toBe(201);
    const token = readOnly.json().token as string;
    expect(token).toMatch(/^eoc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    const rows = rowsOf<{ token_hash: string }>(await node.ctx.db.execute(sql`select token_hash from api_tokens where user_id = ${u.id}::uuid`));
    expect(rows.every((r) => r.token_hash !== token && !token.includes(r.token_hash))).toBe(true);
    const listed = await node.node.app!.inject({ method: 'GET', url: '/api/v1/tokens', headers: { cookie } });
    expect(JSON.stringify(listed.json())).not.toContain(token.slice(13));
    expect((await make({ name: 'admin please', scopes: ['admin'] })).statusCode).toBe(403);

    const api = client(node, token);
    expect((await api.get('/api/v1/bulletins')).statusCode).toBe(200);
    const write = await api.post('/api/v1/bulletins', { title: 'x', body: 'x', tlp: 'GREEN' });
    expect(write.statusCode).toBe(403);
    // With a token, no other token can be made.
    expect((await api.post('/api/v1/tokens', { name: 'chain', scopes: ['read'] })).statusCode).toBe(403);

    for (const forged of ['eoc_deadbeef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-token', `${token.slice(0, -1)}x`]) {
      const res = await client(node, forged).get('/api/v1/bulletins');
      expect(res.statusCode, forged).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await node.node.app!.inject({ method: 'GET', url: '/api/v1/bulletins', headers: { cookie: 'eoc_session=forged-cookie-value-that-is-not-real-000000000' } })).statusCode).toBe(401);

    // Expired.
    await node.ctx.db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, readOnly.json().id));
    // A change made beside the API reaches the node's identity cache as a database notification; wait until
    // the node has heard it, as the API itself does before answering a change.
    await node.ctx.changes.sync();
    expect((await api.get('/api/v1/bulletins')).statusCode).toBe(401);
    // Revoked.
    const second = (await make({ name: 'script', scopes: ['read', 'write'] })).json();
    expect((await client(node, second.token).get('/api/v1/bulletins')).statusCode).toBe(200);
    const revoke = await node.node.app!.inject({ method: 'DELETE', url: `/api/v1/tokens/${second.id}`, headers: { cookie, 'x-csrf-token': csrf } });
    expect(revoke.statusCode).toBe(204);
    expect((await client(node, second.token).get('/api/v1/bulletins')).statusCode).toBe(401);
  });

  it('deactivation ends every session and token at once', async () => {
    const org = await seedOrg(node.ctx, 'Maine SoS', 'state');
    const admin = await seedUser(node.ctx, org.id, 'org-admin');
    const u = await seedUser(node.ctx, org.id, 'member');
    const token = await tokenFor(node.ctx, u.id);
    const login = await client(node).post('/api/v1/auth/login', { email: u.email, password: TEST_PASSWORD });
    const cookie = `eoc_session=${login.cookies.find((c) => c.name === 'eoc_session')!.value}`;
    expect((await client(node, token).get('/api/v1/bulletins')).statusCode).toBe(200);
    expect((await node.node.app!.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    // Another organisation's admin cannot.
    const other = await seedUser(node.ctx, (await seedOrg(node.ctx, 'Vermont SoS', 'state')).id, 'org-admin');
    expect([403, 404]).toContain((await client(node, await tokenFor(node.ctx, other.id, ['read', 'write', 'admin'])).post(`/api/v1/users/${u.id}/deactivate`)).statusCode);
    const res = await client(node, await tokenFor(node.ctx, admin.id, ['read', 'write', 'admin'])).post(`/api/v1/users/${u.id}/deactivate`);
    expect(res.statusCode).toBe(200);
    expect((await client(node, token).get('/api/v1/bulletins')).statusCode).toBe(401);
    expect((await node.node.app!.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await client(node).post('/api/v1/auth/login', { email: u.email, password: TEST_PASSWORD })).statusCode).toBe(401);
  });
});

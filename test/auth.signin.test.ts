// Sign-in as a security office would check it: passwords, lockout, TOTP enrolment with recovery codes,
// replay protection, cookie flags, CSRF on cookie-authenticated changes, logout, and the password policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { seedOrg, seedUser, startTestNode, TEST_PASSWORD, type TestNode } from './harness.js';
import { currentTotp } from '../src/access/mfa.js';
import { users } from '../src/access/schema.js';

type Inject = Awaited<ReturnType<NonNullable<TestNode['node']['app']>['inject']>>;

/** A browser-like session: keeps the session cookie and the CSRF token. */
function browser(node: TestNode) {
  let cookie = '';
  let csrf = '';
  const app = node.node.app!;
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, opts: { csrf?: string | null } = {}): Promise<Inject> => {
    const token = opts.csrf === undefined ? csrf : opts.csrf;
    const res = await app.inject({
      method,
      url,
      headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token && method !== 'GET' ? { 'x-csrf-token': token } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const set = res.cookies.find((c) => c.name === 'eoc_session');
    if (set) cookie = set.value ? `eoc_session=${set.value}` : '';
    return res;
  };
  return {
    send,
    get cookie() {
      return cookie;
    },
    async login(email: string, password = TEST_PASSWORD) {
      const res = await send('POST', '/api/v1/auth/login', { email, password });
      if (res.statusCode === 200) csrf = res.json().csrfToken;
      return res;
    },
  };
}

describe('sign-in', () => {
  let node: TestNode;
  let orgId: string;
  beforeAll(async () => {
    node = await startTestNode({ workers: false });
    orgId = (await seedOrg(node.ctx, 'Ohio Secretary of State', 'state')).id;
  });
  afterAll(async () => node?.close());

  it('signs a member in with a session cookie that is HttpOnly and SameSite; wrong passwords get one answer', async () => {
    const u = await seedUser(node.ctx, orgId, 'member');
    const b = browser(node);
    const wrong = await b.login(u.email, 'not the password at all');
    const unknown = await b.login('nobody@example.gov', 'not the password at all');
    for (const r of [wrong, unknown]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('invalid-credentials');
    }
    const ok = await b.login(u.email);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().next).toBe('done');
    const set = String(ok.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=(Lax|Strict)/i);
    expect(set).not.toMatch(/Secure/); // plain http on loopback
    const me = await b.send('GET', '/api/v1/auth/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe(u.email);
  });

  it('marks the cookie Secure behind TLS', async () => {
    const tls = await startTestNode({ workers: false, env: { EOC_SECURE_COOKIES: 'true' } });
    try {
      const u = await seedUser(tls.ctx, (await seedOrg(tls.ctx, 'Utah', 'state')).id, 'member');
      const res = await browser(tls).login(u.email);
      expect(String(res.headers['set-cookie'])).toMatch(/;\s*Secure/i);
    } finally {
      await tls.close();
    }
  });

  it('locks an account for 15 minutes after five wrong passwords, then lets it in again', async () => {
    const u = await seedUser(node.ctx, orgId, 'member');
    const b = browser(node);
    for (let i = 0; i < 5; i += 1) expect((await b.login(u.email, `wrong password number ${i}`)).statusCode).toBe(401);
    const locked = await b.login(u.email);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    // Fifteen minutes later (moved in the database rather than waited for):
    await node.ctx.db.update(users).set({ lockedUntil: new Date(Date.now() - 1000) }).where(eq(users.id, u.id));
    expect((await b.login(u.email)).statusCode).toBe(200);
  });

  it('requires an administrator to enrol an authenticator; recovery codes work once; a code cannot be replayed', async () => {
    const admin = await seedUser(node.ctx, orgId, 'org-admin');
    const b = browser(node);
    const first = await b.login(admin.email);
    expect(first.json().next).toBe('mfa-enroll');
    // Until enrolled, the session opens nothing but the enrolment.
    expect((await b.send('GET', '/api/v1/bulletins')).statusCode).toBe(401);
    const enrol = await b.send('POST', '/api/v1/auth/mfa/enroll');
    expect(enrol.statusCode).toBe(200);
    const { secret, qrDataUrl, otpauthUrl } = enrol.json() as { secret: string; qrDataUrl: string; otpauthUrl: string };
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(otpauthUrl).toContain(`secret=${secret}`);
    const wrong = await b.send('POST', '/api/v1/auth/mfa/enroll/confirm', { code: '000000' === currentTotp(secret) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    const enrolCode = currentTotp(secret);
    const confirm = await b.send('POST', '/api/v1/auth/mfa/enroll/confirm', { code: enrolCode });
    expect(confirm.statusCode).toBe(200);
    const codes = confirm.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect((await b.send('GET', '/api/v1/bulletins')).statusCode).toBe(200);
    const stored = (await node.ctx.db.select().from(users).where(eq(users.id, admin.id)))[0]!;
    expect(stored.recoveryCodes.some((h) => codes.includes(h))).toBe(false); // stored hashed

    // Next sign-in: the second step; the code already used at enrolment is refused (replay).
    const b2 = browser(node);
    expect((await b2.login(admin.email)).json().next).toBe('mfa');
    expect((await b2.send('GET', '/api/v1/bulletins')).statusCode).toBe(401);
    const replay = await b2.send('POST', '/api/v1/auth/mfa', { code: enrolCode });
    expect(replay.statusCode).toBe(401);
    const recovery = await b2.send('POST', '/api/v1/auth/mfa', { recoveryCode: codes[0] });
    expect(recovery.statusCode).toBe(200);
    expect((await b2.send('GET', '/api/v1/bulletins')).statusCode).toBe(200);
    // The same recovery code does not work twice.
    const b3 = browser(node);
    await b3.login(admin.email);
    expect((await b3.send('POST', '/api/v1/auth/mfa', { recoveryCode: codes[0] })).statusCode).toBe(401);
    expect((await b3.send('POST', '/api/v1/auth/mfa', { recoveryCode: codes[1]!.toUpperCase() })).statusCode).toBe(200);
  });

  it('refuses cookie-authenticated changes without the CSRF token, and changes nothing', async () => {
    const u = await seedUser(node.ctx, orgId, 'member');
    const b = browser(node);
    await b.login(u.email);
    const body = { title: 'Should not exist', body: 'x', tlp: 'GREEN' };
    for (const token of [null, 'forged-token-value']) {
      const res = await b.send('POST', '/api/v1/bulletins', body, { csrf: token });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('csrf-failed');
    }
    const list = await b.send('GET', '/api/v1/bulletins?q=Should');
    expect(list.json().items).toEqual([]);
    expect((await b.send('POST', '/api/v1/bulletins', body)).statusCode).toBe(201);
  });

  it('ends the session at logout', async () => {
    const u = await seedUser(node.ctx, orgId, 'member');
    const b = browser(node);
    await b.login(u.email);
    const cookie = b.cookie;
    expect((await b.send('POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    const again = await node.node.app!.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    expect(again.statusCode).toBe(401);
  });

  it('applies the password policy: length first, no common passwords, not the email name', async () => {
    const u = await seedUser(node.ctx, orgId, 'member', { email: 'pollworker.lead@example.gov' });
    const b = browser(node);
    await b.login(u.email);
    const cases: Array<[string, RegExp]> = [
      ['short-pw', /at least 12 characters/],
      ['password1234', /commonly used/],
      ['aaaaaaaaaaaaaaaa', /repeated or sequential/],
      ['my pollworker.lead secret', /email name/],
    ];
    for (const [password, message] of cases) {
      const res = await b.send('PUT', '/api/v1/auth/password', { password });
      expect(res.statusCode, password).toBe(400);
      expect(res.json().detail).toMatch(message);
    }
    expect((await b.send('PUT', '/api/v1/auth/password', { password: 'granite lantern orbit meadow' })).statusCode).toBe(204);
    expect((await browser(node).login(u.email, 'granite lantern orbit meadow')).statusCode).toBe(200);
    expect((await browser(node).login(u.email)).statusCode).toBe(401);
  });
});

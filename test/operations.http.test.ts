// What an operator and an outside client rely on: health, metrics, the OpenAPI document, security headers,
// and that bad input of every kind gets a 4xx problem+json without a stack trace and changes nothing.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { webDistDir } from '../src/platform/http/server.js';
import { firstUnstorable } from '../src/platform/http/well-formed.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

function expectProblem(r: Raw, status: number, code?: string): void {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toContain('application/problem+json');
  const p = JSON.parse(r.body) as { type: string; title: string; status: number; code: string; detail: string };
  expect(p.status).toBe(status);
  expect(p.type).toMatch(/^https:\/\//);
  if (code) expect(p.code).toBe(code);
  expect(r.body).not.toMatch(/at .+\.(ts|js):\d+/); // no stack trace
}

describe('operations and bad input', () => {
  let node: TestNode;
  let token: string;
  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false, env: { EOC_BODY_LIMIT_BYTES: '4096' } });
    const org = await seedOrg(node.ctx, 'Kansas SoS', 'state');
    token = await tokenFor(node.ctx, (await seedUser(node.ctx, org.id, 'analyst')).id);
  });
  afterAll(async () => node?.close());

  const authed = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
  const count = async () => JSON.parse((await raw(`${node.url}/api/v1/bulletins?limit=200`, { headers: authed() })).body).items.length as number;

  it('answers health, metrics and the OpenAPI document', async () => {
    const health = await raw(`${node.url}/api/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', database: expect.stringMatching(/embedded|postgres/) });
    const metrics = await raw(`${node.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(/^# HELP /m);
    expect(metrics.body).toContain('http_request');
    const openapi = JSON.parse((await raw(`${node.url}/api/openapi.json`)).body) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    for (const p of ['/api/v1/bulletins', '/api/v1/bulletins/{id}', '/api/v1/orgs', '/api/v1/auth/login', '/api/v1/notifications', '/api/v1/events']) expect(Object.keys(openapi.paths)).toContain(p);
  });

  it('sends security headers', async () => {
    const res = await raw(`${node.url}/api/health`);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
  });

  it('refuses bad input with a problem document and changes nothing', async () => {
    const before = await count();
    const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) => raw(`${node.url}/api/v1/bulletins`, { method: 'POST', headers: authed(headers), body });
    expectProblem(await post('{"title": "x", "body": '), 400, 'invalid-json');
    const unknown = await post(JSON.stringify({ title: 't', body: 'b', tlp: 'GREEN', priority: 'high' }));
    expectProblem(unknown, 400, 'validation-failed');
    expect(unknown.body).toContain('priority');
    const missing = await post(JSON.stringify({ body: 'b', tlp: 'GREEN' }));
    expectProblem(missing, 400, 'validation-failed');
    expect(missing.body).toContain('title');
    const purple = await post(JSON.stringify({ title: 't', body: 'b', tlp: 'PURPLE' }));
    expectProblem(purple, 400, 'validation-failed');
    // One message for the field, naming the choices (not one "must be equal to constant" per choice).
    const tlpErrors = (JSON.parse(purple.body) as { errors: Array<{ field: string; message: string }> }).errors.filter((e) => e.field === 'body/tlp');
    expect(tlpErrors).toHaveLength(1);
    expect(tlpErrors[0]!.message).toMatch(/^must be one of: .*GREEN.*AMBER\+STRICT/);
    expectProblem(await post(JSON.stringify({ title: 't', body: 'b', tlp: 'GREEN', recipients: { orgs: ['not-a-uuid'], users: [] } })), 400, 'validation-failed');
    expectProblem(await post('title=t', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    expectProblem(await post(JSON.stringify({ title: 't', body: 'x'.repeat(8000), tlp: 'GREEN' })), 413);
    expectProblem(await raw(`${node.url}/api/v1/bulletins`, { headers: authed({ 'x-filler': 'y'.repeat(20_000) }) }), 431);
    expectProblem(await raw(`${node.url}/api/v1/bulletins?limit=100000`, { headers: authed() }), 400, 'validation-failed');
    expectProblem(await raw(`${node.url}/api/v1/bulletins/not-a-uuid`, { headers: authed() }), 400);
    expectProblem(await raw(`${node.url}/api/v1/bulletins/7d0c5a4e-8f54-4c8e-9d7e-3d1c0e6f9a11`, { headers: authed() }), 404, 'not-found');
    expectProblem(await raw(`${node.url}/api/v1/bulletins`), 401);
    expectProblem(await raw(`${node.url}/api/v1/no-such-route`, { headers: authed() }), 404);
    expect(await count()).toBe(before);
  });

  it('refuses text the database cannot hold (NUL, half of a character) wherever it is, saying where, and changes nothing', async () => {
    const before = await count();
    const post = (body: string) => raw(`${node.url}/api/v1/bulletins`, { method: 'POST', headers: authed({ 'content-type': 'application/json' }), body });
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a hostile client would send it.
    for (const [body, field, why] of [
      [{ title: 'Half \ud800 a character', body: 'b', tlp: 'GREEN' }, 'body/title', /valid Unicode/],
      [{ title: 't', body: 'nul \u0000 here', tlp: 'GREEN' }, 'body/body', /NUL character/],
      [{ title: 't', body: 'b', tlp: 'GREEN', recipients: { orgs: [], users: [], ['\udc00']: 1 } }, 'body/recipients/\ufffd', /property names: .*valid Unicode/],
    ] as const) {
      const res = await post(JSON.stringify(body));
      expectProblem(res, 400, 'validation-failed');
      const problem = JSON.parse(res.body) as { detail: string; errors: Array<{ field: string }> };
      expect(problem.errors[0]!.field).toBe(field);
      expect(problem.detail).toMatch(why);
    }
    // A well-formed pair of halves is one character, and fine.
    expect(firstUnstorable({ title: 'Ballots 🗳 counted' })).toBeNull();
    // In the query string and the path too, and a broken %-escape in the address is a problem document.
    const query = await raw(`${node.url}/api/v1/bulletins?q=%00`, { headers: authed() });
    expectProblem(query, 400, 'validation-failed');
    expect(JSON.parse(query.body).errors[0].field).toBe('querystring/q');
    expectProblem(await raw(`${node.url}/api/v1/bulletins/%00`, { headers: authed() }), 400, 'validation-failed');
    const broken = await raw(`${node.url}/api/v1/bulletins/%ZZ`, { headers: authed() });
    expectProblem(broken, 400, 'bad-request');
    expect(broken.headers['x-content-type-options']).toBe('nosniff');
    // A body nested very deep is walked without running out of stack.
    let deep: unknown = 'x\ud800';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(firstUnstorable(deep, 'body')?.at).toBe(`body${'/0'.repeat(200_000)}`);
    expect(await count()).toBe(before);
  });

  it('rate-limits sign-in attempts with Retry-After', async () => {
    const limited = await startTestNode({ listen: true, workers: false, env: { EOC_AUTH_RATE_LIMIT: '3' } });
    try {
      const attempt = () => raw(`${limited.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.gov', password: 'wrong password here' }) });
      for (let i = 0; i < 3; i += 1) expect((await attempt()).status).toBe(401);
      const r = await attempt();
      expectProblem(r, 429, 'rate-limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('serves the web UI for app paths, and JSON 404s under /api', async () => {
    // The UI is built by `npm install`; the browser tests build it when it is missing.
    if (!fs.existsSync(path.join(webDistDir, 'index.html'))) return;
    const page = await raw(`${node.url}/directory`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<div id="root"></div>');
    expect(page.body).not.toMatch(/<script>(?!<\/script>)/); // no inline script (the CSP forbids it)
    const api = await raw(`${node.url}/api/v1/nothing-here`);
    expectProblem(api, 404);
  });
});

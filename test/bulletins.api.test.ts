// Bulletins through the REST API as an outside client uses it: send, read back, the 404-not-403 rule,
// defaults, re-share and TLP changes, and bad input that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';

describe('bulletins API', () => {
  let node: TestNode;
  let center: { id: string };
  let state: { id: string };
  let other: { id: string };
  let c1: { id: string };
  let c2: { id: string };
  let c3: { id: string };
  const tokens: Record<string, string> = {};
  const userIds: Record<string, string> = {};

  beforeAll(async () => {
    node = await startTestNode({ workers: false });
    center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    state = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    other = await seedOrg(node.ctx, 'Arizona Elections Division', 'state', undefined, { fips: '04', stateCode: 'AZ' });
    c1 = await seedOrg(node.ctx, 'Fulton County Elections Office', 'local', state.id, { fips: '13121' });
    c2 = await seedOrg(node.ctx, 'Cobb County Elections Office', 'local', state.id, { fips: '13067' });
    c3 = await seedOrg(node.ctx, 'DeKalb County Elections Office', 'local', state.id, { fips: '13089' });
    for (const [name, org] of Object.entries({ center, state, other, c1, c2, c3 })) {
      const u = await seedUser(node.ctx, org.id, 'member');
      userIds[name] = u.id;
      tokens[name] = await tokenFor(node.ctx, u.id);
    }
    const viewer = await seedUser(node.ctx, c1.id, 'viewer');
    tokens.viewer = await tokenFor(node.ctx, viewer.id, ['read']);
  });
  afterAll(async () => node?.close());

  it('sends an AMBER bulletin to two counties; the third county and another state get 404', async () => {
    const res = await client(node, tokens.state).post('/api/v1/bulletins', { title: 'Pollbook update', body: 'Update **Thursday**.', tlp: 'AMBER', recipients: { orgs: [c1.id, c2.id], users: [] } });
    expect(res.statusCode).toBe(201);
    const b = res.json();
    expect(b).toMatchObject({ tlp: 'AMBER', recipients: { orgs: [c1.id, c2.id], users: [] }, title: 'Pollbook update' });
    expect(b.bodyHtml).toContain('<strong>Thursday</strong>');
    for (const who of ['c1', 'c2', 'state']) expect((await client(node, tokens[who]).get(`/api/v1/bulletins/${b.id}`)).statusCode).toBe(200);
    for (const who of ['c3', 'other', 'center']) {
      const r = await client(node, tokens[who]).get(`/api/v1/bulletins/${b.id}`);
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ status: 404, code: 'not-found' });
    }
    const list = await client(node, tokens.c3).get('/api/v1/bulletins');
    expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(b.id);
  });

  it('a county bulletin without recipients goes to its state and the operations center', async () => {
    const res = await client(node, tokens.c1).post('/api/v1/bulletins', { title: 'Flooding at a polling place', body: 'Moved to the library.', tlp: 'AMBER' });
    expect(res.statusCode).toBe(201);
    expect(new Set(res.json().recipients.orgs)).toEqual(new Set([state.id, center.id]));
    expect((await client(node, tokens.center).get(`/api/v1/bulletins/${res.json().id}`)).statusCode).toBe(200);
    expect((await client(node, tokens.c2).get(`/api/v1/bulletins/${res.json().id}`)).statusCode).toBe(404);
  });

  it('explicit empty recipients replace the defaults', async () => {
    const res = await client(node, tokens.c1).post('/api/v1/bulletins', { title: 'Internal note', body: 'x', tlp: 'AMBER', recipients: { orgs: [], users: [] } });
    expect(res.json().recipients).toEqual({ orgs: [], users: [] });
    expect((await client(node, tokens.state).get(`/api/v1/bulletins/${res.json().id}`)).statusCode).toBe(404);
  });

  it('a state recipient of AMBER re-shares to its own county, but not to another state; AMBER+STRICT cannot be re-shared', async () => {
    const amber = (await client(node, tokens.center).post('/api/v1/bulletins', { title: 'Advisory', body: 'x', tlp: 'AMBER', recipients: { orgs: [state.id], users: [] } })).json();
    expect((await client(node, tokens.c3).get(`/api/v1/bulletins/${amber.id}`)).statusCode).toBe(404);
    const ok = await client(node, tokens.state).post(`/api/v1/bulletins/${amber.id}/share`, { orgs: [c3.id], users: [] });
    expect(ok.statusCode).toBe(200);
    expect((await client(node, tokens.c3).get(`/api/v1/bulletins/${amber.id}`)).statusCode).toBe(200);
    const bad = await client(node, tokens.state).post(`/api/v1/bulletins/${amber.id}/share`, { orgs: [other.id], users: [] });
    expect(bad.statusCode).toBe(403);
    expect((await client(node, tokens.other).get(`/api/v1/bulletins/${amber.id}`)).statusCode).toBe(404);
    const strict = (await client(node, tokens.center).post('/api/v1/bulletins', { title: 'Strict', body: 'x', tlp: 'AMBER+STRICT', recipients: { orgs: [state.id], users: [] } })).json();
    expect((await client(node, tokens.state).post(`/api/v1/bulletins/${strict.id}/share`, { orgs: [c1.id], users: [] })).statusCode).toBe(403);
    expect((await client(node, tokens.c1).get(`/api/v1/bulletins/${strict.id}`)).statusCode).toBe(404);
  });

  it('only the owner raises the TLP; RED then reaches only named users', async () => {
    const b = (await client(node, tokens.state).post('/api/v1/bulletins', { title: 'Raise me', body: 'x', tlp: 'GREEN', recipients: { orgs: [], users: [] } })).json();
    expect((await client(node, tokens.other).get(`/api/v1/bulletins/${b.id}`)).statusCode).toBe(200);
    expect((await client(node, tokens.c1).put(`/api/v1/bulletins/${b.id}/tlp`, { tlp: 'RED' })).statusCode).toBe(403);
    const raised = await client(node, tokens.state).put(`/api/v1/bulletins/${b.id}/tlp`, { tlp: 'RED', recipients: { orgs: [], users: [userIds.c2] } });
    expect(raised.statusCode).toBe(200);
    expect((await client(node, tokens.other).get(`/api/v1/bulletins/${b.id}`)).statusCode).toBe(404);
    expect((await client(node, tokens.c1).get(`/api/v1/bulletins/${b.id}`)).statusCode).toBe(404);
    expect((await client(node, tokens.c2).get(`/api/v1/bulletins/${b.id}`)).statusCode).toBe(200);
  });

  it('tracks unread state per user', async () => {
    const b = (await client(node, tokens.state).post('/api/v1/bulletins', { title: 'Unread test', body: 'x', tlp: 'AMBER', recipients: { orgs: [c2.id], users: [] } })).json();
    const before = (await client(node, tokens.c2).get('/api/v1/bulletins/unread-count')).json().unread;
    const unreadList = (await client(node, tokens.c2).get('/api/v1/bulletins?box=inbox&unread=true')).json();
    expect(unreadList.items.map((i: { id: string }) => i.id)).toContain(b.id);
    expect((await client(node, tokens.c2).put(`/api/v1/bulletins/${b.id}/read`)).statusCode).toBe(204);
    expect((await client(node, tokens.c2).get('/api/v1/bulletins/unread-count')).json().unread).toBe(before - 1);
    expect((await client(node, tokens.c2).get(`/api/v1/bulletins/${b.id}`)).json().read).toBe(true);
  });

  it('pages through the list without repeating or skipping', async () => {
    for (let i = 0; i < 7; i += 1) await client(node, tokens.c3).post('/api/v1/bulletins', { title: `Paged ${i}`, body: 'x', tlp: 'AMBER', recipients: { orgs: [], users: [] } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await client(node, tokens.c3).get(`/api/v1/bulletins?box=sent&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const page = res.json();
      seen.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.next;
    } while (cursor);
    expect(seen.length).toBe(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('refuses bad input with problem+json and creates nothing', async () => {
    const api = client(node, tokens.c1);
    const count = async () => (await api.get('/api/v1/bulletins?box=sent&limit=200')).json().items.length;
    const before = await count();
    const cases: Array<[string, () => Promise<{ statusCode: number; headers: Record<string, unknown>; json(): Record<string, unknown>; body: string }>, number, string]> = [
      ['malformed JSON', () => node.node.app!.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { authorization: `Bearer ${tokens.c1}`, 'content-type': 'application/json' }, payload: '{"title": ' }), 400, 'invalid-json'],
      ['unknown field', () => api.post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'GREEN', color: 'red' }), 400, 'validation-failed'],
      ['missing field', () => api.post('/api/v1/bulletins', { body: 'b', tlp: 'GREEN' }), 400, 'validation-failed'],
      ['invalid TLP', () => api.post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'PURPLE' }), 400, 'validation-failed'],
      ['lower-case TLP', () => api.post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'amber' }), 400, 'validation-failed'],
      ['unknown recipient', () => api.post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'AMBER', recipients: { orgs: ['00000000-0000-4000-8000-000000000000'], users: [] } }), 400, 'validation-failed'],
      ['not a uuid', () => api.post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'AMBER', recipients: { orgs: ['x'], users: [] } }), 400, 'validation-failed'],
      ['wrong content type', () => node.node.app!.inject({ method: 'POST', url: '/api/v1/bulletins', headers: { authorization: `Bearer ${tokens.c1}`, 'content-type': 'application/xml' }, payload: '<a/>' }), 415, 'unsupported-media-type'],
      ['oversized body', () => api.post('/api/v1/bulletins', { title: 't', body: 'x'.repeat(2 * 1024 * 1024), tlp: 'GREEN' }), 413, 'payload-too-large'],
      ['forged token', () => client(node, 'eoc_deadbeef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'GREEN' }), 401, 'invalid-token'],
      ['garbage token', () => client(node, 'not-a-token').get('/api/v1/bulletins'), 401, 'invalid-token'],
      ['no credentials', () => node.node.app!.inject({ method: 'GET', url: '/api/v1/bulletins' }), 401, 'unauthenticated'],
      ['viewer writes', () => client(node, tokens.viewer).post('/api/v1/bulletins', { title: 't', body: 'b', tlp: 'GREEN' }), 403, 'forbidden'],
      ['bad cursor', () => api.get('/api/v1/bulletins?cursor=zzzz'), 400, 'validation-failed'],
      ['bad id', () => api.get('/api/v1/bulletins/not-a-uuid'), 400, 'validation-failed'],
      ['unknown query parameter', () => api.get('/api/v1/bulletins?sort=desc'), 400, 'validation-failed'],
    ];
    for (const [name, run, status, code] of cases) {
      const res = await run();
      expect(res.statusCode, `${name}: ${res.body}`).toBe(status);
      expect(String(res.headers['content-type']), name).toContain('application/problem+json');
      const problem = res.json();
      expect(problem, name).toMatchObject({ status, code });
      expect(JSON.stringify(problem), name).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
    }
    expect(await count()).toBe(before);
  });
  it('attachments: the sender attaches a checked, hashed file; recipients download it; a program named .pdf is refused', async () => {
    const b = (await client(node, tokens.state).post('/api/v1/bulletins', { title: 'Poll-worker guide', body: 'Attached.', tlp: 'AMBER', recipients: { orgs: [c1.id], users: [] } })).json();
    const app = node.node.app!;
    const upload = (who: string, type: string, name: string, payload: Buffer) => app.inject({ method: 'POST', url: `/api/v1/bulletins/${b.id}/attachments`, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': type, 'x-filename': name }, payload });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    const ok = await upload('state', 'application/pdf', 'guide.pdf', pdf);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ filename: 'guide.pdf', contentType: 'application/pdf', size: pdf.length });
    const bad = await upload('state', 'application/pdf', 'ballots.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)]));
    expect(bad.statusCode).toBe(415);
    expect(bad.json()).toMatchObject({ code: 'unsupported-media-type' });
    expect((await upload('c1', 'application/pdf', 'mine.pdf', pdf)).statusCode).toBe(403);
    const got = await client(node, tokens.c1).get(`/api/v1/bulletins/${b.id}/attachments/${ok.json().id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers['x-content-sha256']).toBe(ok.json().sha256);
    expect(got.headers['content-disposition']).toContain('attachment');
    expect((await client(node, tokens.c3).get(`/api/v1/bulletins/${b.id}/attachments/${ok.json().id}`)).statusCode).toBe(404);
    expect((await client(node, tokens.c1).get(`/api/v1/bulletins/${b.id}`)).json().attachments.map((a: { filename: string }) => a.filename)).toEqual(['guide.pdf']);
  });
});

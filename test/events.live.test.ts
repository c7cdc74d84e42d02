// The live stream as a browser's EventSource sees it: policy-filtered events, resume with Last-Event-ID
// without loss or repeat (also while events are being written), deactivation closing the stream, and, in
// cluster mode, a viewer on one API node seeing a bulletin posted on another (PostgreSQL + NATS).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, freshDatabase, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { openSse, type SseEvent } from './sse-client.js';

const ids = (events: SseEvent[], type = 'bulletin.created') => events.filter((e) => e.event === type).map((e) => JSON.parse(e.data).recordId as string);

describe('live events', () => {
  let node: TestNode;
  let state: { id: string };
  let c1: { id: string };
  let c2: { id: string };
  let stateToken: string;
  let c1Token: string;
  let c1UserId: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false });
    state = await seedOrg(node.ctx, 'Ohio Elections Division', 'state');
    c1 = await seedOrg(node.ctx, 'Franklin County Elections Office', 'local', state.id);
    c2 = await seedOrg(node.ctx, 'Cuyahoga County Elections Office', 'local', state.id);
    stateToken = await tokenFor(node.ctx, (await seedUser(node.ctx, state.id)).id);
    const u = await seedUser(node.ctx, c1.id);
    c1UserId = u.id;
    c1Token = await tokenFor(node.ctx, u.id);
  });
  afterAll(async () => node?.close());

  const post = (tlp: string, orgs: string[], title = `B ${randomUUID()}`) =>
    client(node, stateToken).post('/api/v1/bulletins', { title, body: 'x', tlp, recipients: { orgs, users: [] } }).then((r) => r.json().id as string);

  it('delivers only what the viewer may read', async () => {
    const s = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${c1Token}` });
    const hidden = await post('AMBER', [c2.id]);
    const shown = await post('AMBER', [c1.id]);
    await s.waitFor((e) => e.data.includes(shown));
    expect(ids(s.events)).toContain(shown);
    expect(ids(s.events)).not.toContain(hidden);
    s.close();
  });

  it('resumes from Last-Event-ID with nothing lost and nothing repeated', async () => {
    const s1 = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${c1Token}` });
    const first = await post('GREEN', []);
    const e1 = await s1.waitFor((e) => e.data.includes(first));
    s1.close();
    // While disconnected: two visible, one hidden.
    const missed = [await post('AMBER', [c1.id]), await post('GREEN', [])];
    const hidden = await post('AMBER+STRICT', [c2.id]);
    const s2 = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${c1Token}`, 'last-event-id': e1.id! });
    const after = await post('AMBER', [c1.id]);
    await s2.waitFor((e) => e.data.includes(after));
    const got = ids(s2.events);
    expect(got).toEqual([...missed, after]);
    expect(got).not.toContain(hidden);
    expect(got).not.toContain(first);
    s2.close();
  });

  it('loses and repeats nothing when events are written during the reconnect', async () => {
    const s1 = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${c1Token}` });
    const start = await post('GREEN', []);
    const e0 = await s1.waitFor((e) => e.data.includes(start));
    s1.close();
    const writes: Array<Promise<string>> = [];
    for (let i = 0; i < 40; i += 1) writes.push(post(i % 3 === 0 ? 'AMBER' : 'GREEN', i % 3 === 0 ? [c2.id] : []));
    // Reconnect while the writes are still committing.
    const s2 = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${c1Token}`, 'last-event-id': e0.id! });
    const written = await Promise.all(writes);
    const marker = await post('GREEN', []);
    await s2.waitFor((e) => e.data.includes(marker));
    const seqs = s2.events.filter((e) => e.id).map((e) => Number(e.id));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const got = new Set(ids(s2.events));
    const visible = written.filter((_, i) => i % 3 !== 0);
    for (const id of visible) expect(got.has(id)).toBe(true);
    for (const id of written.filter((_, i) => i % 3 === 0)) expect(got.has(id)).toBe(false);
    s2.close();
  });

  it('refuses a stream without credentials and a malformed Last-Event-ID', async () => {
    const res = await fetch(`${node.url}/api/v1/events`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const bad = await fetch(`${node.url}/api/v1/events`, { headers: { authorization: `Bearer ${c1Token}`, 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
  });

  it('closes the stream of a user at once when they are deactivated', async () => {
    const u = await seedUser(node.ctx, c1.id);
    const token = await tokenFor(node.ctx, u.id);
    const s = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${token}` });
    const admin = await seedUser(node.ctx, c1.id, 'org-admin');
    const adminToken = await tokenFor(node.ctx, admin.id, ['read', 'write', 'admin']);
    expect((await client(node, adminToken).post(`/api/v1/users/${u.id}/deactivate`)).statusCode).toBe(200);
    await s.waitFor((e) => e.event === 'stream-closed');
    await s.closed;
    expect((await fetch(`${node.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    void c1UserId;
  });
});

const cluster = process.env.TEST_DATABASE_URL && process.env.TEST_NATS_URL ? describe : describe.skip;

cluster('live events across two API nodes (PostgreSQL + NATS)', () => {
  let a: TestNode;
  let b: TestNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase();
    const prefix = `t${randomUUID().slice(0, 8)}.`;
    a = await startTestNode({ database: db, listen: true, nats: true, natsPrefix: prefix, workers: false });
    b = await startTestNode({ database: db, listen: true, nats: true, natsPrefix: prefix, workers: false });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('a viewer on node B sees a bulletin posted on node A; a county not addressed does not', async () => {
    expect(a.ctx.signals.kind).toBe('nats');
    const state = await seedOrg(a.ctx, 'Michigan Elections Division', 'state');
    const c1 = await seedOrg(a.ctx, 'Wayne County Elections Office', 'local', state.id);
    const c2 = await seedOrg(a.ctx, 'Kent County Elections Office', 'local', state.id);
    const writer = await tokenFor(a.ctx, (await seedUser(a.ctx, state.id)).id);
    const v1 = await tokenFor(a.ctx, (await seedUser(a.ctx, c1.id)).id);
    const v2 = await tokenFor(a.ctx, (await seedUser(a.ctx, c2.id)).id);
    const s1 = await openSse(`${b.url}/api/v1/events`, { authorization: `Bearer ${v1}` });
    const s2 = await openSse(`${b.url}/api/v1/events`, { authorization: `Bearer ${v2}` });
    const res = await client(a, writer).post('/api/v1/bulletins', { title: 'Cross-node', body: 'x', tlp: 'AMBER', recipients: { orgs: [c1.id], users: [] } });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    await s1.waitFor((e) => e.data.includes(id));
    const marker = (await client(a, writer).post('/api/v1/bulletins', { title: 'Marker', body: 'x', tlp: 'GREEN', recipients: { orgs: [], users: [] } })).json().id as string;
    await s2.waitFor((e) => e.data.includes(marker));
    expect(ids(s2.events)).not.toContain(id);
    s1.close();
    s2.close();
  });
});

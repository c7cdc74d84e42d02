// TAXII client feeds against a real second server on loopback: subscribe to its collection, poll it page by
// page into a local collection with markings mapped onto the policy, fetch only what is new on the next
// poll (added_after checkpoint), show a failure in the feed's health, and resume after it without losing
// or repeating an object.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { TaxiiClient } from './taxii-client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { FeedPoller } from '../src/intel/feeds-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { createToken, revokeToken } from '../src/access/tokens-service.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';
import { rowsOf } from '../src/platform/db/client.js';

const indicator = (n: number, marking?: string) => ({
  type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z',
  name: `national feed ${n}`, pattern: `[domain-name:value = 'fake-results-${n}.example']`, pattern_type: 'stix', valid_from: '2026-11-01T00:00:00Z',
  ...(marking ? { object_marking_refs: [marking] } : {}),
});

describe('TAXII client feeds', () => {
  let remote: TestNode;
  let local: TestNode;
  let remoteWriter: TaxiiClient;
  let remoteCollection: string;
  let remoteReaderUser: string;
  let adminToken: string;
  let localCollection: string;
  let poller: FeedPoller;

  beforeAll(async () => {
    remote = await startTestNode({ listen: true, workers: false });
    const national = await seedOrg(remote.ctx, 'National feed', 'operations-center');
    const partner = await seedOrg(remote.ctx, 'Subscribing state', 'state');
    const w = await seedUser(remote.ctx, national.id, 'analyst');
    remoteReaderUser = (await seedUser(remote.ctx, partner.id, 'member')).id;
    remoteWriter = TaxiiClient.bearer(remote.url, await tokenFor(remote.ctx, w.id));
    remoteCollection = (await createCollection(remote.ctx, SYSTEM, { title: 'National indicators', readers: [partner.id], writers: [national.id] })).id;

    local = await startTestNode({ listen: true, workers: false, env: { EOC_WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    const center = await seedOrg(local.ctx, 'State operations', 'operations-center');
    const admin = await seedUser(local.ctx, center.id, 'org-admin', { systemAdmin: true });
    adminToken = await tokenFor(local.ctx, admin.id, ['read', 'write', 'admin']);
    localCollection = (await createCollection(local.ctx, SYSTEM, { title: 'From the national feed', readers: 'all', writers: [center.id] })).id;
    poller = new FeedPoller(local.ctx, local.ctx.log);
  });
  afterAll(async () => {
    await poller?.stop();
    await local?.close();
    await remote?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${local.url}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const localIds = async () => rowsOf<{ stix_id: string; tlp: string }>(await local.ctx.db.execute(sql`select stix_id, tlp::text from stix_objects where collection_id = ${localCollection}::uuid`));

  it('polls the remote collection page by page, then only what is new, and recovers from a failure', { timeout: 120_000 }, async () => {
    const first = [indicator(0, TLP2_MARKINGS.AMBER), indicator(1), ...Array.from({ length: 2498 }, (_, i) => indicator(i + 2, TLP2_MARKINGS.GREEN))];
    expect((await remoteWriter.post(`/taxii2/api/collections/${remoteCollection}/objects/`, first)).body.success_count).toBe(2500);
    const secret = await createToken(remote.ctx, SYSTEM, { userId: remoteReaderUser, name: 'feed', scopes: ['read'] });

    // Bad input first: a URL that is not a collection, unknown fields.
    expect((await api('POST', '/api/v1/intel/feeds', { title: 'x', url: `${remote.url}/taxii2/api/`, auth: { type: 'none' }, targetCollectionId: localCollection })).status).toBe(400);
    expect((await api('POST', '/api/v1/intel/feeds', { title: 'x', url: 'not a url', auth: { type: 'none' }, targetCollectionId: localCollection, extra: 1 })).status).toBe(400);
    // Plain http beyond loopback is refused before anything is sent (a documentation address, never contacted).
    const insecure = await api('POST', '/api/v1/intel/feeds', { title: 'x', url: 'http://192.0.2.10/taxii2/api/collections/abc/', auth: { type: 'none' }, targetCollectionId: localCollection });
    expect(insecure.status).toBe(400);
    expect(await insecure.json()).toMatchObject({ detail: 'Feed URLs must use https.', errors: [{ field: 'url', message: 'Feed URLs must use https.' }] });

    const created = await api('POST', '/api/v1/intel/feeds', { title: 'National indicators', url: `${remote.url}/taxii2/api/collections/${remoteCollection}/`, auth: { type: 'bearer', token: secret.token }, targetCollectionId: localCollection, defaultTlp: 'GREEN', intervalMinutes: 30 });
    expect(created.status).toBe(201);
    const feed = (await created.json()) as { id: string; health: string; auth: Record<string, unknown> };
    expect(feed.health).toBe('waiting');
    expect(JSON.stringify(feed)).not.toContain(secret.token);

    expect(await poller.tick()).toBe(1);
    let rows = await localIds();
    expect(rows).toHaveLength(2500);
    const tlpOf = new Map(rows.map((r) => [r.stix_id, r.tlp]));
    expect(tlpOf.get(first[0]!.id)).toBe('AMBER');
    expect(tlpOf.get(first[1]!.id)).toBe('GREEN'); // unmarked: the feed's default
    let health = ((await (await api('GET', '/api/v1/intel/feeds')).json()) as { items: Array<Record<string, unknown>> }).items[0]!;
    expect(health).toMatchObject({ health: 'healthy', objectsReceived: 2500, lastPollStored: 2500, consecutiveFailures: 0, lastError: null });
    expect(health.checkpoint).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Not due again for 30 minutes.
    expect(await poller.tick()).toBe(0);

    // Only what is new comes on the next poll.
    const second = [indicator(10_000), indicator(10_001)];
    await remoteWriter.post(`/taxii2/api/collections/${remoteCollection}/objects/`, second);
    await api('PATCH', `/api/v1/intel/feeds/${feed.id}`, { pollNow: true });
    expect(await poller.tick()).toBe(1);
    health = ((await (await api('GET', '/api/v1/intel/feeds')).json()) as { items: Array<Record<string, unknown>> }).items[0]!;
    expect(health).toMatchObject({ objectsReceived: 2502, lastPollStored: 2 });

    // The remote revokes the token: the poll fails, the health says why, nothing is lost.
    await revokeToken(remote.ctx, SYSTEM, secret.id);
    const third = [indicator(20_000), indicator(20_001), indicator(20_002)];
    await remoteWriter.post(`/taxii2/api/collections/${remoteCollection}/objects/`, third);
    await api('PATCH', `/api/v1/intel/feeds/${feed.id}`, { pollNow: true });
    expect(await poller.tick()).toBe(1);
    health = ((await (await api('GET', '/api/v1/intel/feeds')).json()) as { items: Array<Record<string, unknown>> }).items[0]!;
    expect(health).toMatchObject({ health: 'failing', consecutiveFailures: 1 });
    expect(health.lastError).toMatch(/answered 401/);

    // New credentials: it resumes from its checkpoint and gets exactly the three it missed.
    const rotated = await createToken(remote.ctx, SYSTEM, { userId: remoteReaderUser, name: 'feed 2', scopes: ['read'] });
    expect((await api('PATCH', `/api/v1/intel/feeds/${feed.id}`, { auth: { type: 'basic', username: 'state', password: rotated.token }, pollNow: true })).status).toBe(200);
    expect(await poller.tick()).toBe(1);
    health = ((await (await api('GET', '/api/v1/intel/feeds')).json()) as { items: Array<Record<string, unknown>> }).items[0]!;
    expect(health).toMatchObject({ health: 'healthy', consecutiveFailures: 0, objectsReceived: 2505, lastPollStored: 3, lastError: null });
    rows = await localIds();
    expect(rows).toHaveLength(2505);
    expect(new Set(rows.map((r) => r.stix_id)).size).toBe(2505);

    // Pausing stops polling; only administrators see feeds.
    await api('PATCH', `/api/v1/intel/feeds/${feed.id}`, { enabled: false, pollNow: true });
    expect(await poller.tick()).toBe(0);
  });

  it('keeps a hostile server\'s words and objects to what can be stored: its error shown, its bad objects refused, the good one kept', async () => {
    // A server on loopback that first fails with a reason full of NUL characters and half characters, then
    // serves one good indicator among objects that cannot be stored as sent.
    const good = indicator(30_000);
    let calls = 0;
    const hostile = http.createServer((_req, res) => {
      calls += 1;
      res.setHeader('content-type', 'application/taxii+json;version=2.1');
      if (calls === 1) {
        res.statusCode = 503;
        res.end(JSON.stringify({ title: 'Down \u0000 for maintenance', description: 'back \ud800 soon' }));
        return;
      }
      res.setHeader('x-taxii-date-added-last', '2026-11-01T00:00:00.000Z');
      res.end(JSON.stringify({ more: false, objects: [good, { ...indicator(30_001), name: 'half \ud800' }, { type: 'indicator', id: 'indicator--\ud800\u0000' }] }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/taxii2/api/collections/${randomUUID()}/`;
      const created = await api('POST', '/api/v1/intel/feeds', { title: 'Hostile', url, auth: { type: 'none' }, targetCollectionId: localCollection, intervalMinutes: 30 });
      expect(created.status).toBe(201);
      const feed = (await created.json()) as { id: string };
      const healthOf = async () => ((await (await api('GET', '/api/v1/intel/feeds')).json()) as { items: Array<Record<string, unknown>> }).items.find((f) => f.id === feed.id)!;
      expect(await poller.tick()).toBe(1);
      const failing = await healthOf();
      expect(failing).toMatchObject({ health: 'failing', consecutiveFailures: 1 });
      expect(failing.lastError).toBe('the server answered 503 (Down \\u0000 for maintenance: back \ufffd soon)');

      await api('PATCH', `/api/v1/intel/feeds/${feed.id}`, { pollNow: true });
      expect(await poller.tick()).toBe(1);
      expect(await healthOf()).toMatchObject({ health: 'healthy', consecutiveFailures: 0, lastPollStored: 1, lastPollRefused: 2, lastError: null });
      expect((await localIds()).filter((r) => r.stix_id === good.id)).toHaveLength(1);
    } finally {
      await new Promise((resolve) => hostile.close(resolve));
    }
  });
});

// The indicator lifecycle through the API: decayed confidence and state, false-positive reports and
// sightings shared back to the producer (names only where allowed), and revocation by the producer, which a
// TAXII reader sees as the latest version.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { TaxiiClient } from './taxii-client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';

describe('indicator lifecycle', () => {
  let node: TestNode;
  const tok: Record<string, string> = {};
  let collection: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false });
    const center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    const ga = await seedOrg(node.ctx, 'Georgia', 'state');
    const az = await seedOrg(node.ctx, 'Arizona', 'state');
    tok.producer = await tokenFor(node.ctx, (await seedUser(node.ctx, center.id, 'analyst')).id);
    tok.ga = await tokenFor(node.ctx, (await seedUser(node.ctx, ga.id, 'analyst')).id);
    tok.az = await tokenFor(node.ctx, (await seedUser(node.ctx, az.id, 'member')).id);
    collection = (await createCollection(node.ctx, SYSTEM, { title: 'Indicators', readers: [ga.id, az.id], writers: [center.id] })).id;
  });
  afterAll(async () => node?.close());

  it('decays, takes feedback for the producer, and is revoked by it', async () => {
    const validFrom = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const ip = { type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Scanner', pattern: "[ipv4-addr:value = '198.51.100.9']", pattern_type: 'stix', valid_from: validFrom, confidence: 80, object_marking_refs: [TLP2_MARKINGS.GREEN] };
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [ip])).body.success_count).toBe(1);

    const listed = (await client(node, tok.ga).get('/api/v1/intel/objects?type=indicator')).json().items[0];
    expect(listed).toMatchObject({ stixId: ip.id, state: 'active', confidence: 80 });
    expect(listed.currentConfidence).toBeGreaterThanOrEqual(39);
    expect(listed.currentConfidence).toBeLessThanOrEqual(41);

    expect((await client(node, tok.ga).post(`/api/v1/intel/objects/${ip.id}/false-positive`, { note: 'Our own vulnerability scanner.' })).statusCode).toBe(204);
    expect((await client(node, tok.producer).post(`/api/v1/intel/objects/${ip.id}/false-positive`, {})).statusCode).toBe(409);
    expect((await client(node, tok.ga).post(`/api/v1/intel/objects/${ip.id}/sightings`, { count: 3, lastSeen: '2026-11-02T10:00:00Z', shareName: true })).statusCode).toBe(204);
    expect((await client(node, tok.az).post(`/api/v1/intel/objects/${ip.id}/sightings`, { count: 2 })).statusCode).toBe(204);
    expect((await client(node, tok.az).post(`/api/v1/intel/objects/${ip.id}/sightings`, { firstSeen: 'yesterday' })).statusCode).toBe(400);
    expect((await client(node, tok.az).post(`/api/v1/intel/objects/indicator--${randomUUID()}/sightings`, {})).statusCode).toBe(404);

    const producerView = (await client(node, tok.producer).get(`/api/v1/intel/objects/${ip.id}`)).json();
    expect(producerView.feedback).toMatchObject({ falsePositives: 1, sightings: 5, sightingOrgs: 2, named: [{ orgName: 'Georgia', count: 3, lastSeen: '2026-11-02T10:00:00Z' }], falsePositiveNotes: [{ orgName: null, note: 'Our own vulnerability scanner.' }] });
    expect(producerView.mayRevoke).toBe(true);
    const azView = (await client(node, tok.az).get(`/api/v1/intel/objects/${ip.id}`)).json();
    expect(azView.feedback).toMatchObject({ sightings: 5, named: null, falsePositiveNotes: null, mine: { falsePositive: false, sightings: 2 } });
    expect(azView.mayRevoke).toBe(false);

    expect((await client(node, tok.ga).post(`/api/v1/intel/objects/${ip.id}/revoke`)).statusCode).toBe(404);
    expect((await client(node, tok.producer).post(`/api/v1/intel/objects/${ip.id}/revoke`)).json()).toEqual({ revokedCopies: 1 });
    const latest = await TaxiiClient.bearer(node.url, tok.ga!).get(`/taxii2/api/collections/${collection}/objects/${ip.id}/`);
    expect(latest.body.objects[0]).toMatchObject({ id: ip.id, revoked: true });
    expect((await client(node, tok.ga).get('/api/v1/intel/objects?type=indicator')).json().items).toEqual([]);
    const revoked = (await client(node, tok.ga).get('/api/v1/intel/objects?type=indicator&includeRevoked=true')).json().items[0];
    expect(revoked).toMatchObject({ state: 'revoked', currentConfidence: 0 });
  });
});

// The sharing policy over TAXII, property-based: on generated communities (organisations, users, collections
// with reader and writer organisations, objects of every TLP marking or none), a TAXII reader sees exactly
// what the TLP table allows inside the collections its organisation reads, never a RED object, and never
// more than the web application's list shows the same person.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { TaxiiClient } from './taxii-client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';
import type { Tlp } from '../src/platform/db/columns.js';

type Marking = Tlp | 'none';
const MARKINGS: readonly Marking[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', 'none'];
const DEFAULTS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'] as const;

const community = fc.integer({ min: 2, max: 5 }).chain((orgs) =>
  fc.record({
    orgs: fc.constant(orgs),
    usersPerOrg: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: orgs, maxLength: orgs }),
    collections: fc.array(
      fc.record({ readersAll: fc.boolean(), readers: fc.array(fc.nat(), { maxLength: 3 }), writers: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }), defaultTlp: fc.constantFrom(...DEFAULTS) }),
      { minLength: 1, maxLength: 3 },
    ),
    objects: fc.array(fc.record({ collection: fc.nat(), writer: fc.nat(), marking: fc.constantFrom(...MARKINGS) }), { minLength: 3, maxLength: 12 }),
  }),
);

interface Stored {
  readonly id: string;
  readonly tlp: Tlp;
  readonly ownerOrg: string;
  readonly collection: { readonly id: string; readonly readersAll: boolean; readonly readers: readonly string[] };
}

/** The TLP table of DESIGN.md for one object in one collection (RED never reaches TAXII). */
function oracle(o: Stored, viewerOrg: string, viaTaxii: boolean): boolean {
  const readsCollection = o.collection.readersAll || o.collection.readers.includes(viewerOrg);
  if (viaTaxii && !readsCollection) return false;
  switch (o.tlp) {
    case 'CLEAR':
    case 'GREEN':
      return true;
    case 'AMBER':
    case 'AMBER+STRICT':
      return o.ownerOrg === viewerOrg || readsCollection;
    case 'RED':
      return false;
  }
}

describe('sharing policy over TAXII', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false });
  });
  afterAll(async () => node?.close());

  it('a reader sees exactly what the policy allows, and never more than the web application shows', { timeout: 600_000 }, async () => {
    let pairs = 0;
    let seen = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(community, async (c) => {
        n += 1;
        const orgs: string[] = [];
        for (let i = 0; i < c.orgs; i += 1) orgs.push((await seedOrg(node.ctx, `Org ${n}-${i}-${randomUUID().slice(0, 6)}`, i === 0 ? 'state' : 'local', i === 0 ? undefined : orgs[0])).id);
        const viewers: Array<{ orgId: string; taxii: TaxiiClient; token: string }> = [];
        for (const [i, count] of c.usersPerOrg.entries()) {
          for (let k = 0; k < count; k += 1) {
            const u = await seedUser(node.ctx, orgs[i]!, 'analyst');
            const token = await tokenFor(node.ctx, u.id);
            viewers.push({ orgId: orgs[i]!, taxii: TaxiiClient.bearer(node.url, token), token });
          }
        }
        const collections = [];
        for (const g of c.collections) {
          const readers = [...new Set(g.readers.map((r) => orgs[r % orgs.length]!))];
          const writers = [...new Set(g.writers.map((w) => orgs[w % orgs.length]!))];
          const row = await createCollection(node.ctx, SYSTEM, { title: `C ${randomUUID().slice(0, 8)}`, readers: g.readersAll ? 'all' : readers, writers, defaultTlp: g.defaultTlp });
          collections.push({ id: row.id, readersAll: g.readersAll, readers, writers, defaultTlp: g.defaultTlp });
        }
        const stored: Stored[] = [];
        for (const g of c.objects) {
          const col = collections[g.collection % collections.length]!;
          const writerOrg = col.writers[g.writer % col.writers.length]!;
          const writer = viewers.find((v) => v.orgId === writerOrg)!;
          const id = `indicator--${randomUUID()}`;
          const object = {
            type: 'indicator', spec_version: '2.1', id, created: '2026-10-01T00:00:00.000Z', modified: '2026-10-01T00:00:00.000Z',
            pattern: `[domain-name:value = '${id.slice(11, 19)}.example']`, pattern_type: 'stix', valid_from: '2026-10-01T00:00:00Z',
            ...(g.marking === 'none' ? {} : { object_marking_refs: [TLP2_MARKINGS[g.marking]] }),
          };
          const res = await writer.taxii.post(`/taxii2/api/collections/${col.id}/objects/`, [object]);
          expect(res.status).toBe(202);
          const tlp: Tlp = g.marking === 'none' ? col.defaultTlp : g.marking;
          expect(res.body.success_count, `${g.marking} object`).toBe(tlp === 'RED' ? 0 : 1);
          stored.push({ id, tlp, ownerOrg: writerOrg, collection: col });
        }
        for (const v of viewers) {
          const viaTaxii = new Set<string>();
          const listed = await v.taxii.get('/taxii2/api/collections/');
          const readable = ((listed.body?.collections ?? []) as Array<{ id: string; can_read: boolean }>).filter((x) => x.can_read).map((x) => x.id);
          for (const col of collections) {
            const may = col.readersAll || col.readers.includes(v.orgId);
            expect(readable.includes(col.id), 'collection listed to its readers only').toBe(may);
            if (!may) {
              const refused = await v.taxii.get(`/taxii2/api/collections/${col.id}/objects/`);
              expect([403, 404]).toContain(refused.status);
              continue;
            }
            const { objects } = await v.taxii.pageAll(col.id, '', 3);
            for (const o of objects) viaTaxii.add(o.id as string);
          }
          const inUi = new Set<string>();
          let cursor: string | null = null;
          do {
            const res: Response = await fetch(`${node.url}/api/v1/intel/objects?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${v.token}` } });
            expect(res.status).toBe(200);
            const page = (await res.json()) as { items: Array<{ stixId: string }>; next: string | null };
            page.items.forEach((i) => inUi.add(i.stixId));
            cursor = page.next;
          } while (cursor);
          for (const o of stored) {
            pairs += 1;
            const want = oracle(o, v.orgId, true);
            if (want) seen += 1;
            expect(viaTaxii.has(o.id), `${o.tlp} object over TAXII`).toBe(want);
            expect(inUi.has(o.id), `${o.tlp} object in the web application`).toBe(oracle(o, v.orgId, false));
            if (viaTaxii.has(o.id)) expect(inUi.has(o.id), 'TAXII never shows more than the web application').toBe(true);
          }
        }
      }),
      { numRuns: Number(process.env.EOC_TAXII_POLICY_RUNS ?? 30), seed: 77 },
    );
    expect(seen).toBeGreaterThan(pairs * 0.2);
    expect(pairs - seen).toBeGreaterThan(pairs * 0.1);
  });
});

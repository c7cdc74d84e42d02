// The TAXII 2.1 server as another product's client uses it, over HTTP: discovery and API root, collections
// and their rights, the MITRE ATT&CK bundles added and read back unchanged (by `next` and by
// `added_after`), versions, manifest, match[] filters, DELETE, the status resource, the TLP policy, and the
// errors a client gets for bad input (TAXII error messages with 400/401/403/404/406/413/415).
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { TAXII, TaxiiClient } from './taxii-client.js';
import { sharedData } from './shared-data.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';
import { rowsOf } from '../src/platform/db/client.js';

const bundle = (name: string) => JSON.parse(fs.readFileSync(sharedData(name), 'utf8')) as { objects: Array<Record<string, unknown>> };

function indicator(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: '2026-10-01T12:00:00.000Z',
    modified: '2026-10-01T12:00:00.000Z',
    name: 'Phishing sender against county clerks',
    pattern: "[email-addr:value = 'ballots@elections-update.example']",
    pattern_type: 'stix',
    valid_from: '2026-10-01T12:00:00Z',
    ...extra,
  };
}

describe('TAXII 2.1 server', () => {
  let node: TestNode;
  let center: { id: string };
  let state: { id: string };
  let county: { id: string };
  let vendor: { id: string };
  let writer: TaxiiClient;
  let reader: TaxiiClient;
  let outsider: TaxiiClient;
  let readerBasic: TaxiiClient;
  let collectionId: string;
  let openCollectionId: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false, env: { EOC_TAXII_MAX_CONTENT_LENGTH: String(4 * 1024 * 1024), EOC_STIX_SCHEMA_DIR: sharedData('stix2.1-schemas', 'schemas') } });
    center = await seedOrg(node.ctx, 'Operations center', 'operations-center');
    state = await seedOrg(node.ctx, 'State of Ohio', 'state');
    county = await seedOrg(node.ctx, 'Franklin County', 'local', state.id);
    vendor = await seedOrg(node.ctx, 'Vendor', 'private');
    const w = await seedUser(node.ctx, center.id, 'analyst');
    const r = await seedUser(node.ctx, county.id, 'member');
    const o = await seedUser(node.ctx, vendor.id, 'member');
    writer = TaxiiClient.bearer(node.url, await tokenFor(node.ctx, w.id));
    const readerToken = await tokenFor(node.ctx, r.id, ['read']);
    reader = TaxiiClient.bearer(node.url, readerToken);
    readerBasic = TaxiiClient.basic(node.url, 'franklin', readerToken);
    outsider = TaxiiClient.bearer(node.url, await tokenFor(node.ctx, o.id));
    collectionId = (await createCollection(node.ctx, SYSTEM, { title: 'Election threats', readers: [state.id, county.id], writers: [center.id] })).id;
    openCollectionId = (await createCollection(node.ctx, SYSTEM, { title: 'Community feed', readers: 'all', writers: [center.id], defaultTlp: 'GREEN' })).id;
  });
  afterAll(async () => node?.close());

  it('answers discovery, the API root and the collection list, with Bearer or Basic', async () => {
    const d = await reader.get('/taxii2/');
    expect(d.status).toBe(200);
    expect(d.headers.get('content-type')).toBe(TAXII);
    expect(d.body.api_roots).toEqual([`${node.config.publicUrl}/taxii2/api/`]);
    const root = await readerBasic.get('/taxii2/api/');
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ versions: [TAXII], max_content_length: 4 * 1024 * 1024 });
    const cols = await reader.get('/taxii2/api/collections/');
    expect(cols.body.collections.map((c: { title: string }) => c.title).sort()).toEqual(['Community feed', 'Election threats']);
    expect(cols.body.collections.find((c: { id: string }) => c.id === collectionId)).toEqual({ id: collectionId, title: 'Election threats', can_read: true, can_write: false, media_types: ['application/stix+json;version=2.1'] });
    // The vendor reads only the open collection; the other one does not exist for it.
    const theirs = await outsider.get('/taxii2/api/collections/');
    expect(theirs.body.collections.map((c: { id: string }) => c.id)).toEqual([openCollectionId]);
    expect((await outsider.get(`/taxii2/api/collections/${collectionId}/`)).status).toBe(404);
    expect((await outsider.get(`/taxii2/api/collections/${collectionId}/objects/`)).status).toBe(404);
  });

  it('refuses missing or bad credentials and media types with TAXII error messages', async () => {
    const anon = await fetch(`${node.url}/taxii2/`, { headers: { accept: TAXII } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await anon.json()).toMatchObject({ title: 'Authentication required', http_status: '401' });
    const wrong = await TaxiiClient.basic(node.url, 'x', 'eoc_notatoken').get('/taxii2/');
    expect(wrong.status).toBe(401);
    const json = await reader.get('/taxii2/', 'application/json');
    expect(json.status).toBe(406);
    expect(json.body.http_status).toBe('406');
    expect((await reader.get('/taxii2/', 'application/taxii+json;version=2.0')).status).toBe(406);
    expect((await reader.get('/taxii2/', 'application/taxii+json')).status).toBe(200);
    const plain = await writer.request('POST', `/taxii2/api/collections/${collectionId}/objects/`, { body: JSON.stringify({ objects: [indicator()] }), contentType: 'application/json' });
    expect(plain.status).toBe(415);
    expect(plain.body.http_status).toBe('415');
    const broken = await writer.request('POST', `/taxii2/api/collections/${collectionId}/objects/`, { body: '{"objects": [' });
    expect(broken.status).toBe(400);
    expect(broken.body.description).toMatch(/not valid JSON/);
    const notEnvelope = await writer.request('POST', `/taxii2/api/collections/${collectionId}/objects/`, { body: '[]' });
    expect(notEnvelope.status).toBe(400);
    const huge = await writer.request('POST', `/taxii2/api/collections/${collectionId}/objects/`, { body: JSON.stringify({ objects: [indicator({ description: 'x'.repeat(5 * 1024 * 1024) })] }) });
    expect(huge.status).toBe(413);
    const readOnly = await reader.post(`/taxii2/api/collections/${collectionId}/objects/`, [indicator()]);
    expect(readOnly.status).toBe(403);
    expect((await reader.get(`/taxii2/api/collections/${collectionId}/objects/?added_after=yesterday`)).status).toBe(400);
    expect((await reader.get(`/taxii2/api/collections/${collectionId}/objects/?next=bogus`)).status).toBe(400);
    expect((await reader.get(`/taxii2/api/collections/${collectionId}/objects/?match[version]=newest`)).status).toBe(400);
    expect((await reader.get('/taxii2/api/nothing-here/')).status).toBe(404);
    // An address the router cannot read is answered as TAXII answers every other error, not as problem+json.
    const escape = await reader.get(`/taxii2/api/collections/${collectionId}/objects/%ZZ/`);
    expect(escape.status).toBe(400);
    expect(escape.headers.get('content-type')).toBe(TAXII);
    expect(escape.body).toMatchObject({ http_status: '400', title: 'Bad request' });
  });

  it('stores the valid objects of a request, lists each failure with its reason, and changes nothing else', async () => {
    const good = indicator();
    const objects = [
      good,
      { ...indicator(), pattern: "[file:name = 'x'" },
      { type: 'indicator', id: 'indicator--not-a-uuid' },
      { ...indicator(), type: 'ballot' , id: `ballot--${randomUUID()}` },
      { ...indicator(), valid_until: '2020-01-01T00:00:00Z' },
      { ...indicator(), name: 'nul \u0000 inside' },
      { ...indicator(), description: 'half \ud800 of a character' },
      // Ids the status resource cannot hold as sent: reported all the same, made printable.
      { type: 'indicator', id: 'indicator--\ud800' },
      { id: '\u0000' },
      { ...indicator(), object_marking_refs: [TLP2_MARKINGS.RED] },
      'not an object',
    ];
    const before = rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from stix_objects`))[0]!.n;
    const res = await writer.post(`/taxii2/api/collections/${collectionId}/objects/`, objects);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'complete', total_count: 11, success_count: 1, failure_count: 10, pending_count: 0 });
    expect(res.body.successes).toEqual([{ id: good.id, version: good.modified }]);
    const reasons = res.body.failures.map((f: { message: string }) => f.message).join('\n');
    expect(reasons).toMatch(/does not parse: expected "\]" to close the observation/);
    expect(reasons).toMatch(/id must be the type, two hyphens and a UUID/);
    expect(reasons).toMatch(/"ballot" is not a STIX 2.1 type/);
    expect(reasons).toMatch(/valid_until must be later than valid_from/);
    expect(reasons).toMatch(/NUL character/);
    expect(reasons).toMatch(/\/description: text must be valid Unicode/);
    expect(res.body.failures.map((f: { id: string }) => f.id)).toEqual(expect.arrayContaining(['indicator--\ufffd', '\\u0000']));
    expect(reasons).toMatch(/TLP:RED objects are not shared over TAXII/);
    expect(reasons).toMatch(/a STIX object must be a JSON object/);
    const after = rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from stix_objects`))[0]!.n;
    expect(after - before).toBe(1);
    // An object nested two hundred thousand levels deep is refused on its own, with the others of its request stored.
    const deep = `{"objects":[${JSON.stringify(indicator())},{"type":"indicator","id":"indicator--${randomUUID()}","x_deep":${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
    const deepRes = await writer.request('POST', `/taxii2/api/collections/${collectionId}/objects/`, { body: deep });
    expect(deepRes.status).toBe(202);
    expect(deepRes.body).toMatchObject({ success_count: 1, failure_count: 1, failures: [{ message: expect.stringMatching(/nested more than 32 levels deep/) }] });
    // The status resource reads back for the same user, not for another.
    const status = await writer.get(`/taxii2/api/status/${res.body.id}/`);
    expect(status.status).toBe(200);
    expect(status.body.failure_count).toBe(10);
    expect((await reader.get(`/taxii2/api/status/${res.body.id}/`)).status).toBe(404);
  });

  it('takes the ATT&CK bundles and serves every object back unchanged, by next and by added_after', { timeout: 180_000 }, async () => {
    const ids = await createCollection(node.ctx, SYSTEM, { title: 'ATT&CK', readers: [county.id], writers: [center.id], defaultTlp: 'GREEN' });
    const all: Array<Record<string, unknown>> = [];
    for (const name of ['attack/ics-attack-18.1.json', 'attack/mobile-attack-17.1.json']) {
      const objects = bundle(name).objects;
      all.push(...objects);
      for (let i = 0; i < objects.length; i += 400) {
        const res = await writer.post(`/taxii2/api/collections/${ids.id}/objects/`, objects.slice(i, i + 400));
        expect(res.status).toBe(202);
        expect(res.body.failures, JSON.stringify(res.body.failures?.slice(0, 3))).toEqual([]);
      }
    }
    // Both bundles carry some of the same objects (MITRE's identity, marking, shared techniques), sometimes in
    // different versions: every version is kept, and the default answer is each object's latest.
    const versionOf = (o: Record<string, unknown>) => (o.modified ?? o.created ?? '') as string;
    const expected = new Map(all.map((o) => [`${o.id as string}|${versionOf(o)}`, o]));
    const latest = new Map<string, Record<string, unknown>>();
    for (const o of all) {
      const seen = latest.get(o.id as string);
      if (!seen || Date.parse(versionOf(o)) > Date.parse(versionOf(seen))) latest.set(o.id as string, o);
    }
    const everything = await reader.pageAll(ids.id, 'match[version]=all', 1000);
    expect(everything.objects.length).toBe(expected.size);
    for (const o of everything.objects) expect(o).toEqual(expected.get(`${o.id}|${versionOf(o)}`));
    const { objects, pages } = await reader.pageAll(ids.id, '', 500);
    expect(pages).toBeGreaterThan(5);
    expect(objects.length).toBe(latest.size);
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
    for (const o of objects) expect(o).toEqual(latest.get(o.id));
    const byDate = await readerBasic.pageByDate(ids.id, 700);
    expect(byDate.map((o) => o.id)).toEqual(objects.map((o) => o.id));
    // Filters and the manifest agree with the data.
    const patterns = await reader.pageAll(ids.id, 'match[type]=attack-pattern,malware');
    expect(patterns.objects.length).toBe(all.filter((o) => o.type === 'attack-pattern' || o.type === 'malware').length);
    const one = all.find((o) => o.type === 'attack-pattern')!;
    const byId = await reader.get(`/taxii2/api/collections/${ids.id}/objects/${one.id as string}/`);
    expect(byId.body.objects).toEqual([one]);
    const manifest = await reader.get(`/taxii2/api/collections/${ids.id}/manifest/?limit=10`);
    expect(manifest.body.more).toBe(true);
    expect(manifest.body.objects).toHaveLength(10);
    expect(manifest.body.objects[0]).toMatchObject({ id: objects[0].id, media_type: 'application/stix+json;version=2.1' });
    expect(manifest.headers.get('x-taxii-date-added-first')).toBe(manifest.body.objects[0].date_added);
    expect(manifest.headers.get('x-taxii-date-added-last')).toBe(manifest.body.objects[9].date_added);
  });

  it('stores a request of many parts and more than one transaction in the order sent, each object at its latest version', { timeout: 120_000 }, async () => {
    const ids = await createCollection(node.ctx, SYSTEM, { title: 'Large feed', readers: [county.id], writers: [center.id], defaultTlp: 'GREEN' });
    // 10,600 objects: more than one transaction (10,000) of parts of 500. One object comes in three versions
    // in three parts, the newest in the middle; another twice in the same version (stored and reported once).
    const objects = Array.from({ length: 10_600 }, (_, i) => indicator({ name: `Feed ${i}`, pattern: `[ipv4-addr:value = '198.51.${(i >> 8) & 255}.${i & 255}']` }));
    const x = objects[10]!;
    const at = (modified: string) => ({ ...x, modified, name: `version ${modified}` });
    objects[700] = at('2026-10-03T12:00:00.000Z');
    objects[10_300] = at('2026-10-02T12:00:00.000Z');
    objects[5_000] = { ...objects[4_999]! };
    const res = await writer.post(`/taxii2/api/collections/${ids.id}/objects/`, objects);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ total_count: 10_600, success_count: 10_599, failure_count: 0 });
    const sent = [...new Map(objects.map((o) => [`${o.id as string}|${o.modified as string}`, o])).values()];
    const all = await reader.pageAll(ids.id, 'match[version]=all', 1000);
    expect(all.objects.map((o) => `${o.id}|${o.modified}`)).toEqual(sent.map((o) => `${o.id as string}|${o.modified as string}`));
    const latest = await reader.get(`/taxii2/api/collections/${ids.id}/objects/${x.id as string}/`);
    expect(latest.body.objects).toEqual([objects[700]]);
    const versions = await reader.get(`/taxii2/api/collections/${ids.id}/objects/${x.id as string}/versions/`);
    // In the order they were added.
    expect(versions.body.versions).toEqual(['2026-10-01T12:00:00.000Z', '2026-10-03T12:00:00.000Z', '2026-10-02T12:00:00.000Z']);
    // Across its transactions, each object's date_added comes after the one stored before it, and the
    // collection's mark of the last one added (where the next request's times start) is past them all.
    const [times] = rowsOf<{ rows: number; backwards: number; past: boolean }>(
      await node.ctx.db.execute(sql`select count(*)::int as rows, count(*) filter (where prev >= date_added)::int as backwards,
          bool_and(date_added < (select last_added_at from taxii_collections where id = ${ids.id}::uuid)) as past
        from (select date_added, lag(date_added) over (order by seq) as prev from stix_objects where collection_id = ${ids.id}::uuid) t`),
    );
    expect(times).toEqual({ rows: 10_599, backwards: 0, past: true });
  });

  it('keeps the latest version of an object in each collection it is in, whatever the order versions come in', async () => {
    const v1 = indicator();
    const v2 = { ...v1, modified: '2026-10-05T08:00:00.000Z', description: 'Second' };
    const v3 = { ...v1, modified: '2026-10-09T08:00:00.000Z', description: 'Third' };
    const a = await createCollection(node.ctx, SYSTEM, { title: 'Versions A', readers: [county.id], writers: [center.id], defaultTlp: 'GREEN' });
    const b = await createCollection(node.ctx, SYSTEM, { title: 'Versions B', readers: [county.id], writers: [center.id], defaultTlp: 'GREEN' });
    const post = async (c: string, objects: unknown[]) => expect((await writer.post(`/taxii2/api/collections/${c}/objects/`, objects)).body.failure_count).toBe(0);
    // The newest first into a new collection, older ones later; the other collection has its own history.
    await post(a.id, [v3]);
    await post(b.id, [v1]);
    await post(a.id, [v1]);
    await post(b.id, [v2]);
    await post(a.id, [indicator(), v2]);
    const latest = async (c: string) => (await reader.get(`/taxii2/api/collections/${c}/objects/${v1.id as string}/`)).body.objects;
    expect(await latest(a.id)).toEqual([v3]);
    expect(await latest(b.id)).toEqual([v2]);
    const flags = rowsOf<{ collection_id: string; version: string; is_latest: boolean }>(
      await node.ctx.db.execute(sql`select collection_id::text, version, is_latest from stix_objects where stix_id = ${v1.id as string} order by collection_id, version`),
    );
    expect(flags.filter((f) => f.is_latest).map((f) => [f.collection_id, f.version]).sort()).toEqual([[a.id, v3.modified], [b.id, v2.modified]].sort());
    expect(flags).toHaveLength(5);
  });

  it('keeps versions by modified, answers match[version], and honours revocation and DELETE', async () => {
    const v1 = indicator({ object_marking_refs: [TLP2_MARKINGS.GREEN] });
    const v2 = { ...v1, modified: '2026-10-02T08:00:00.000Z', description: 'Second wave' };
    const v3 = { ...v1, modified: '2026-10-03T08:00:00.000Z', revoked: true };
    const path = `/taxii2/api/collections/${collectionId}/objects/${v1.id as string}/`;
    expect((await writer.post(`/taxii2/api/collections/${collectionId}/objects/`, [v2, v1])).status).toBe(202);
    expect((await reader.get(path)).body.objects).toEqual([v2]);
    expect((await reader.get(`${path}?match[version]=first`)).body.objects).toEqual([v1]);
    expect((await reader.get(`${path}?match[version]=all`)).body.objects).toHaveLength(2);
    expect((await reader.get(`${path}?match[version]=${v1.modified as string}`)).body.objects).toEqual([v1]);
    const again = await writer.post(`/taxii2/api/collections/${collectionId}/objects/`, [v2]);
    expect(again.body.successes[0].message).toBe('already in the collection');
    await writer.post(`/taxii2/api/collections/${collectionId}/objects/`, [v3]);
    const versions = await reader.get(`${path}versions/`);
    expect(versions.body.versions).toEqual([v2.modified, v1.modified, v3.modified]);
    expect((await reader.get(path)).body.objects[0].revoked).toBe(true);
    // Only a writer deletes; a version, then the rest.
    expect((await reader.request('DELETE', path)).status).toBe(403);
    expect((await writer.request('DELETE', `${path}?match[version]=${v3.modified as string}`)).status).toBe(200);
    expect((await reader.get(path)).body.objects).toEqual([v2]);
    expect((await writer.request('DELETE', path)).status).toBe(200);
    expect((await reader.get(path)).status).toBe(404);
    expect((await writer.request('DELETE', path)).status).toBe(404);
  });

  it('shows a reader exactly what the sharing policy allows: collection readers, TLP markings, the default marking', async () => {
    const mk = (tlp: keyof typeof TLP2_MARKINGS | null) => indicator({ name: `marked ${tlp ?? 'none'}`, ...(tlp ? { object_marking_refs: [TLP2_MARKINGS[tlp]] } : {}) });
    const objs = { CLEAR: mk('CLEAR'), GREEN: mk('GREEN'), AMBER: mk('AMBER'), STRICT: mk('AMBER+STRICT'), NONE: mk(null) };
    const res = await writer.post(`/taxii2/api/collections/${collectionId}/objects/`, Object.values(objs));
    expect(res.body.failure_count).toBe(0);
    const ids = new Set((await reader.pageAll(collectionId)).objects.map((o) => o.id as string));
    for (const o of Object.values(objs)) expect(ids.has(o.id as string)).toBe(true);
    // A member of the state (a reader organisation) sees them too; the county's reads of AMBER+STRICT are audited.
    const audited = rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from audit_log where action = 'intel.read-restricted'`))[0]!.n;
    expect(audited).toBeGreaterThan(0);
    // In the open collection, AMBER goes to every member organisation, and unmarked objects take its GREEN default.
    const amber = mk('AMBER');
    const unmarked = mk(null);
    await writer.post(`/taxii2/api/collections/${openCollectionId}/objects/`, [amber, unmarked]);
    const seen = (await outsider.pageAll(openCollectionId)).objects.map((o) => o.id);
    expect(seen).toEqual([amber.id, unmarked.id]);
    const [row] = rowsOf<{ tlp: string }>(await node.ctx.db.execute(sql`select tlp::text from stix_objects where stix_id = ${unmarked.id as string}`));
    expect(row!.tlp).toBe('GREEN');
    // The web application's list shows the vendor GREEN/CLEAR objects of the restricted collection (community-wide
    // by TLP), but never its AMBER ones, and TAXII does not show the collection at all.
    const ui = await fetch(`${node.url}/api/v1/intel/objects?limit=500&collection=${collectionId}`, { headers: { authorization: (outsider as unknown as { auth: string }).auth } });
    const uiIds = new Set(((await ui.json()) as { items: Array<{ stixId: string }> }).items.map((i) => i.stixId));
    expect(uiIds.has(objs.GREEN.id as string)).toBe(true);
    expect(uiIds.has(objs.AMBER.id as string)).toBe(false);
    expect(uiIds.has(objs.STRICT.id as string)).toBe(false);
    expect(uiIds.has(objs.NONE.id as string)).toBe(false);
  });
});

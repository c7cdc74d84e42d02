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
  let centerId: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false });
    const center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    centerId = center.id;
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

  it('shows what a report refers to, only as far as the reader may see it, and each version once', async () => {
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    const elsewhere = await createCollection(node.ctx, SYSTEM, { title: 'Another state only', readers: [(await seedOrg(node.ctx, 'Elsewhere', 'state')).id], writers: [centerId] });
    const copies = await createCollection(node.ctx, SYSTEM, { title: 'Copies', readers: 'all', writers: [centerId] });
    const indicator = (n: number, marking: string) => ({ type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: `Phishing sender ${n}`, pattern: `[email-addr:value = 'help-${n}@sos-update.example']`, pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z', object_marking_refs: [marking] });
    const shared = indicator(1, TLP2_MARKINGS.GREEN);
    const hidden = indicator(2, TLP2_MARKINGS.AMBER);
    const report = { type: 'report', spec_version: '2.1', id: `report--${randomUUID()}`, created: '2026-01-02T00:00:00.000Z', modified: '2026-01-02T00:00:00.000Z', name: 'Phishing wave', published: '2026-01-02T00:00:00Z', report_types: ['threat-report'], object_refs: [shared.id, hidden.id, `indicator--${randomUUID()}`], object_marking_refs: [TLP2_MARKINGS.GREEN] };
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [shared, report])).body.success_count).toBe(2);
    // The AMBER indicator goes where Georgia is no reader; the report's same version also sits in a second collection.
    expect((await taxii.post(`/taxii2/api/collections/${elsewhere.id}/objects/`, [hidden])).body.success_count).toBe(1);
    expect((await taxii.post(`/taxii2/api/collections/${copies.id}/objects/`, [report])).body.success_count).toBe(1);

    const gaView = (await client(node, tok.ga).get(`/api/v1/intel/objects/${report.id}`)).json();
    expect(gaView.contents).toEqual({ shared: [{ stixId: shared.id, type: 'indicator', name: 'Phishing sender 1' }], notShown: 2 });
    expect(gaView.versions).toHaveLength(1);
    expect((await client(node, tok.ga).get(`/api/v1/intel/objects/${hidden.id}`)).statusCode).toBe(404);
    expect((await client(node, tok.producer).get(`/api/v1/intel/objects/${report.id}`)).json().contents).toEqual({
      shared: [{ stixId: shared.id, type: 'indicator', name: 'Phishing sender 1' }, { stixId: hidden.id, type: 'indicator', name: 'Phishing sender 2' }],
      notShown: 1,
    });
    // An indicator refers to nothing.
    expect((await client(node, tok.ga).get(`/api/v1/intel/objects/${shared.id}`)).json().contents).toBeNull();
  });

  it('lists and exports an object held in several collections once, at the newest version the reader may see', async () => {
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    const feedCopy = await createCollection(node.ctx, SYSTEM, { title: 'A feed copy', readers: 'all', writers: [centerId] });
    const notGeorgia = await createCollection(node.ctx, SYSTEM, { title: 'Not for Georgia either', readers: [(await seedOrg(node.ctx, 'Utah', 'state')).id], writers: [centerId] });
    const tag = randomUUID().slice(0, 8);
    const v1 = { type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: `Copied ${tag}`, pattern: `[domain-name:value = 'copied-${tag}.example']`, pattern_type: 'stix', valid_from: '2026-01-01T00:00:00Z', object_marking_refs: [TLP2_MARKINGS.GREEN] };
    const v2 = { ...v1, modified: '2026-02-01T00:00:00.000Z', name: `Copied ${tag} (updated)` };
    const v3 = { ...v1, modified: '2026-03-01T00:00:00.000Z', name: `Copied ${tag} (not for Georgia)`, object_marking_refs: [TLP2_MARKINGS.AMBER] };
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [v1])).body.success_count).toBe(1);
    expect((await taxii.post(`/taxii2/api/collections/${feedCopy.id}/objects/`, [v1, v2])).body.success_count).toBe(2);
    expect((await taxii.post(`/taxii2/api/collections/${notGeorgia.id}/objects/`, [v3])).body.success_count).toBe(1);
    const list = (who: string, query = '') => client(node, who).get(`/api/v1/intel/objects?q=${tag}${query}`).then((r) => r.json().items as Array<{ stixId: string; name: string; collectionId: string }>);
    // Georgia reads both copies it may see, v1 and v2: one row, v2's.
    expect((await list(tok.ga!)).map((i) => [i.stixId, i.name, i.collectionId])).toEqual([[v1.id, `Copied ${tag} (updated)`, feedCopy.id]]);
    // Within one collection, that collection's latest version.
    expect((await list(tok.ga!, `&collection=${collection}`)).map((i) => i.name)).toEqual([`Copied ${tag}`]);
    // The producer also reads v3.
    expect((await list(tok.producer!)).map((i) => i.name)).toEqual([`Copied ${tag} (not for Georgia)`]);
    // The downloads hold the same: one object, once.
    const bundle = (await client(node, tok.ga).get(`/api/v1/intel/export?format=stix&q=${tag}`)).json() as { objects: Array<{ id: string; name?: string }> };
    expect(bundle.objects.filter((o) => o.id === v1.id).map((o) => o.name)).toEqual([`Copied ${tag} (updated)`]);
    const csv = (await client(node, tok.ga).get(`/api/v1/intel/export?format=csv&q=${tag}`)).body.trim().split('\n');
    expect(csv).toHaveLength(2);
    // The collections as their writer sees them: what each holds and when something was last added; Georgia is
    // not told of the collection it may not read.
    const mine = (await client(node, tok.producer).get('/api/v1/taxii/collections')).json().items as Array<{ id: string; objectsAdded: number; lastAddedAt: string | null; canWrite: boolean }>;
    expect(mine.find((c) => c.id === feedCopy.id)).toMatchObject({ objectsAdded: 2, canWrite: true });
    expect(Date.parse(mine.find((c) => c.id === feedCopy.id)!.lastAddedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const georgia = (await client(node, tok.ga).get('/api/v1/taxii/collections')).json().items as Array<{ id: string }>;
    expect(georgia.map((c) => c.id)).toContain(feedCopy.id);
    expect(georgia.map((c) => c.id)).not.toContain(notGeorgia.id);
  });

  it('finds an object by its ATT&CK id, and says it', async () => {
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    const n = String(1000 + Math.floor(Math.random() * 8000));
    const technique = { type: 'attack-pattern', spec_version: '2.1', id: `attack-pattern--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Ballot courier impersonation',
      external_references: [{ source_name: 'mitre-attack', external_id: `T${n}.001`, url: `https://attack.mitre.org/techniques/T${n}/001` }], object_marking_refs: [TLP2_MARKINGS.GREEN] };
    // Another object only mentions the id inside its text: that is not its id.
    const mention = { type: 'note', spec_version: '2.1', id: `note--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', content: `See "external_id":"T${n}.001" elsewhere`, object_refs: [technique.id], object_marking_refs: [TLP2_MARKINGS.GREEN] };
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [technique, mention])).body.success_count).toBe(2);
    for (const q of [`T${n}.001`, `t${n}.001`]) {
      const found = (await client(node, tok.ga).get(`/api/v1/intel/objects?q=${q}`)).json().items as Array<{ stixId: string; attackId: string | null }>;
      expect(found.map((i) => [i.stixId, i.attackId])).toEqual([[technique.id, `T${n}.001`]]);
    }
    expect((await client(node, tok.ga).get(`/api/v1/intel/objects?q=T${n}`)).json().items).toEqual([]);
    expect((await client(node, tok.ga).get(`/api/v1/intel/objects/${mention.id}`)).json().summary.attackId).toBeNull();
  });

  it('leaves what its producer deprecated out of lists and downloads unless asked for, or asked for by id', async () => {
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    const tag = `Drop box tampering ${randomUUID().slice(0, 8)}`;
    const n = String(1000 + Math.floor(Math.random() * 8000));
    const technique = (name: string, external: string, extra: Record<string, unknown> = {}) => ({ type: 'attack-pattern', spec_version: '2.1', id: `attack-pattern--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name,
      external_references: [{ source_name: 'mitre-attack', external_id: external }], object_marking_refs: [TLP2_MARKINGS.GREEN], ...extra });
    const kept = technique(`${tag} (current)`, `T${n}`);
    const old = technique(`${tag} (old)`, `T${n}.002`, { x_mitre_deprecated: true });
    const saysSoInText = technique(`${tag} (quoted)`, `T${n}.003`, { description: 'Its text quotes "x_mitre_deprecated":true, which is not the mark' });
    const notDeprecated = technique(`${tag} (marked false)`, `T${n}.004`, { x_mitre_deprecated: false });
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [kept, old, saysSoInText, notDeprecated])).body.success_count).toBe(4);
    const names = async (query: string) => ((await client(node, tok.ga).get(`/api/v1/intel/objects?${query}`)).json().items as Array<{ name: string; deprecated: boolean }>).map((i) => `${i.name}${i.deprecated ? ' †' : ''}`).sort();
    const q = `q=${encodeURIComponent(tag)}`;
    expect(await names(q)).toEqual([`${tag} (current)`, `${tag} (marked false)`, `${tag} (quoted)`]);
    expect(await names(`${q}&includeDeprecated=true`)).toEqual([`${tag} (current)`, `${tag} (marked false)`, `${tag} (old) †`, `${tag} (quoted)`]);
    // Asked for by its id, ATT&CK's or STIX's, it is found (and says it is deprecated).
    expect(await names(`q=T${n}.002`)).toEqual([`${tag} (old) †`]);
    expect(await names(`q=${old.id}`)).toEqual([`${tag} (old) †`]);
    // The downloads hold what the list shows.
    const shown = (await client(node, tok.ga).get(`/api/v1/intel/export?format=stix&${q}`)).json() as { objects: Array<{ id: string; type: string }> };
    expect(shown.objects.filter((o) => o.type === 'attack-pattern').map((o) => o.id).sort()).toEqual([kept.id, saysSoInText.id, notDeprecated.id].sort());
    const all = (await client(node, tok.ga).get(`/api/v1/intel/export?format=stix&${q}&includeDeprecated=true`)).json() as { objects: Array<{ id: string }> };
    expect(all.objects.map((o) => o.id)).toContain(old.id);
  });

  it("lists an object's relationships once each, from either end, with ends the reader may not see left unnamed", async () => {
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    const copies = await createCollection(node.ctx, SYSTEM, { title: 'Relationship copies', readers: 'all', writers: [centerId] });
    const elsewhere = await createCollection(node.ctx, SYSTEM, { title: 'Not for Georgia', readers: [(await seedOrg(node.ctx, 'Nevada', 'state')).id], writers: [centerId] });
    const sdo = (type: string, name: string, marking: string = TLP2_MARKINGS.GREEN, extra: Record<string, unknown> = {}) =>
      ({ type, spec_version: '2.1', id: `${type}--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name, object_marking_refs: [marking], ...extra });
    const malware = sdo('malware', 'Ballot-box wiper', TLP2_MARKINGS.GREEN, { is_family: true });
    const technique = sdo('attack-pattern', 'Data Destruction');
    const group = sdo('intrusion-set', 'Sandworm-like group');
    const secret = sdo('tool', 'Unreleased tool', TLP2_MARKINGS.AMBER);
    const rel = (source: { id: string }, type: string, target: { id: string }) =>
      ({ type: 'relationship', spec_version: '2.1', id: `relationship--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', relationship_type: type, source_ref: source.id, target_ref: target.id, object_marking_refs: [TLP2_MARKINGS.GREEN] });
    const uses = rel(malware, 'uses', technique);
    const usedBy = rel(group, 'uses', malware);
    const withSecret = rel(malware, 'uses', secret);
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [malware, technique, group, uses, usedBy, withSecret])).body.success_count).toBe(6);
    // The same relationship again in a second collection, and the tool where Georgia reads nothing.
    expect((await taxii.post(`/taxii2/api/collections/${copies.id}/objects/`, [uses])).body.success_count).toBe(1);
    expect((await taxii.post(`/taxii2/api/collections/${elsewhere.id}/objects/`, [secret])).body.success_count).toBe(1);

    const view = (await client(node, tok.ga).get(`/api/v1/intel/objects/${malware.id}`)).json();
    const byId = Object.fromEntries((view.relationships as Array<{ stixId: string }>).map((r) => [r.stixId, r]));
    expect(view.relationships).toHaveLength(3);
    expect(byId[uses.id]).toEqual({ stixId: uses.id, type: 'relationship', relationshipType: 'uses', direction: 'out', other: { stixId: technique.id, type: 'attack-pattern', name: 'Data Destruction' } });
    expect(byId[usedBy.id]).toEqual({ stixId: usedBy.id, type: 'relationship', relationshipType: 'uses', direction: 'in', other: { stixId: group.id, type: 'intrusion-set', name: 'Sandworm-like group' } });
    expect(byId[withSecret.id]).toEqual({ stixId: withSecret.id, type: 'relationship', relationshipType: 'uses', direction: 'out', other: null });
    // From the other end, the same relationship reads the other way.
    const fromTechnique = (await client(node, tok.ga).get(`/api/v1/intel/objects/${technique.id}`)).json().relationships;
    expect(fromTechnique).toEqual([{ stixId: uses.id, type: 'relationship', relationshipType: 'uses', direction: 'in', other: { stixId: malware.id, type: 'malware', name: 'Ballot-box wiper' } }]);
    expect(view.relationshipsTotal).toBe(3);
  });

  it('lists the first thousand relationships of an object that has more, and counts only those shared with the reader', async () => {
    const taxii = TaxiiClient.bearer(node.url, tok.producer!);
    const elsewhere = await createCollection(node.ctx, SYSTEM, { title: 'More, not for Georgia', readers: [(await seedOrg(node.ctx, 'Oregon', 'state')).id], writers: [centerId] });
    const stamp = { spec_version: '2.1', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', object_marking_refs: [TLP2_MARKINGS.GREEN] };
    const technique = { type: 'attack-pattern', id: `attack-pattern--${randomUUID()}`, name: 'Spearphishing Link', ...stamp };
    const usesIt = () => ({ type: 'relationship', id: `relationship--${randomUUID()}`, relationship_type: 'uses', source_ref: `malware--${randomUUID()}`, target_ref: technique.id, ...stamp });
    const shared = Array.from({ length: 1_003 }, usesIt);
    expect((await taxii.post(`/taxii2/api/collections/${collection}/objects/`, [technique, ...shared])).body.success_count).toBe(1_004);
    // Two more for Oregon alone (AMBER, in a collection only Oregon reads).
    const amber = () => ({ ...usesIt(), object_marking_refs: [TLP2_MARKINGS.AMBER] });
    expect((await taxii.post(`/taxii2/api/collections/${elsewhere.id}/objects/`, [amber(), amber()])).body.success_count).toBe(2);
    const view = (await client(node, tok.ga).get(`/api/v1/intel/objects/${technique.id}`)).json();
    expect(view.relationshipsTotal).toBe(1_003);
    expect(view.relationships).toHaveLength(1_000);
    const sharedIds = new Set(shared.map((r) => r.id));
    expect((view.relationships as Array<{ stixId: string }>).every((r) => sharedIds.has(r.stixId))).toBe(true);
  });

  it('shows a description written in Markdown as safe HTML with its sources linked, and the object itself as it was shared', async () => {
    const description = 'Adversaries may send [a link](https://attack.example/T1566) by **email**.(Citation: CISA Phishing 2024)\n\n<script>alert(1)</script><img src=x onerror="alert(2)"> [click](javascript:alert(3)) <a href="javascript:alert(4)">me</a>';
    const technique = {
      type: 'attack-pattern', spec_version: '2.1', id: `attack-pattern--${randomUUID()}`, created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'Phishing', description,
      external_references: [{ source_name: 'CISA Phishing 2024', url: 'https://cisa.example/phishing' }], object_marking_refs: [TLP2_MARKINGS.GREEN],
    };
    const plain = { ...technique, id: `attack-pattern--${randomUUID()}`, description: undefined };
    expect((await TaxiiClient.bearer(node.url, tok.producer!).post(`/taxii2/api/collections/${collection}/objects/`, [technique, plain])).body.success_count).toBe(2);
    const view = (await client(node, tok.ga).get(`/api/v1/intel/objects/${technique.id}`)).json();
    expect(view.object.description).toBe(description);
    expect(view.descriptionHtml).toContain('<a href="https://attack.example/T1566" rel="noopener noreferrer" target="_blank">a link</a>');
    expect(view.descriptionHtml).toContain('<strong>email</strong>');
    // The source it cites, by name and linked, where the object had "(Citation: …)".
    expect(view.descriptionHtml).toContain('. (<a href="https://cisa.example/phishing" rel="noopener noreferrer" target="_blank">CISA Phishing 2024</a>)');
    // No markup of the attacker's survives: no script, no image with a handler, no link to run code (what is
    // left of them is inert text).
    expect(view.descriptionHtml).not.toMatch(/<script|<img|onerror|href="javascript:/i);
    expect(view.descriptionHtml).toContain('<a rel="noopener noreferrer" target="_blank">me</a>');
    expect((await client(node, tok.ga).get(`/api/v1/intel/objects/${plain.id}`)).json().descriptionHtml).toBeNull();
  });
});

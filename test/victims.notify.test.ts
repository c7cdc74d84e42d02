// Victim notification end to end: indicators arrive over TAXII; the one whose address falls in a county's
// network and the one under the county's domain notify that county — live, in the app — with what matched,
// why it matters and what to do, and nobody else; the county acknowledges; the producer sees only the counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedGeorgia, startTestNode, stixIndicator, until, type GeorgiaOrg, type TestNode } from './harness.js';
import { openSse } from './sse-client.js';
import { TaxiiClient } from './taxii-client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';


describe('victim notification', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;
  let open: string;
  let closed: string;
  let ipIndicator: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true });
    ({ org, tok } = await seedGeorgia(node.ctx, { analyst: ['center', 'analyst'], fulton: ['fulton', 'member'], cobb: ['cobb', 'member'], cobbAdmin: ['cobb', 'org-admin'], ga: ['ga', 'analyst'] }));
    open = (await createCollection(node.ctx, SYSTEM, { title: 'Community', readers: 'all', writers: [org.center.id] })).id;
    closed = (await createCollection(node.ctx, SYSTEM, { title: 'Federal partners only', readers: [org.center.id], writers: [org.center.id] })).id;
  });
  afterAll(async () => node?.close());

  it('tells the touched office alone, and the producer only how many', { timeout: 60_000 }, async () => {
    const fulton = client(node, tok.fulton);
    expect((await fulton.post(`/api/v1/orgs/${org.fulton.id}/assets`, { name: 'Results site', component: 'election-night-results-site', ipRanges: ['203.0.113.0/24'], domains: ['fultonvotes.example'], connectivity: 'network-connected' })).statusCode).toBe(201);
    expect((await client(node, tok.cobb).post(`/api/v1/orgs/${org.cobb.id}/assets`, { name: 'Website', component: 'public-website', ipRanges: ['198.51.100.0/24'], domains: ['cobbvotes.example'], connectivity: 'network-connected' })).statusCode).toBe(201);

    const fultonStream = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.fulton}` });
    const cobbStream = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.cobb}` });
    try {
      const taxii = TaxiiClient.bearer(node.url, tok.analyst!);
      const inRange = stixIndicator("[ipv4-addr:value = '203.0.113.50']", TLP2_MARKINGS.AMBER, 'Scanner hitting results sites');
      ipIndicator = inRange.id;
      const subdomain = stixIndicator("[domain-name:value = 'vote.fultonvotes.example']", TLP2_MARKINGS.AMBER, 'Hijacked subdomain');
      const elsewhere = stixIndicator("[ipv4-addr:value = '192.0.2.1']", TLP2_MARKINGS.GREEN, 'Unrelated');
      expect((await taxii.post(`/taxii2/api/collections/${open}/objects/`, [inRange, elsewhere])).body.success_count).toBe(2);
      expect((await taxii.post(`/taxii2/api/collections/${closed}/objects/`, [subdomain])).body.success_count).toBe(1);

      await fultonStream.waitFor((e) => e.event === 'victim.matched' && JSON.parse(e.data).data.reason === 'subdomain');
      await fultonStream.waitFor((e) => e.event === 'victim.matched' && JSON.parse(e.data).data.reason === 'address-in-network');
      const list = (await fulton.get('/api/v1/victim-matches')).json().items as Array<Record<string, any>>;
      expect(list).toHaveLength(2);
      const ip = list.find((m) => m.reason === 'address-in-network')!;
      expect(ip).toMatchObject({ asset: { name: 'Results site' }, matched: '203.0.113.0/24', indicator: { type: 'ipv4', value: '203.0.113.50', stixId: inRange.id, name: 'Scanner hitting results sites' }, acknowledgedAt: null });
      expect(ip.why).toMatch(/inside one of your networks/);
      expect(ip.todo).toMatch(/eoc match/);
      // The county may not read the federal-partners indicator: it is told what of its own matched, not the indicator's words.
      const sub = list.find((m) => m.reason === 'subdomain')!;
      expect(sub).toMatchObject({ matched: 'fultonvotes.example', indicator: { type: 'domain', value: 'vote.fultonvotes.example' } });
      expect(sub.indicator.stixId).toBeUndefined();
      await until('in-app notification', async () => (await fulton.get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title === 'A threat touches Results site') || null);

      // Nobody else: not the neighbouring county, not the state, not the producer.
      expect((await client(node, tok.cobb).get('/api/v1/victim-matches')).json().items).toEqual([]);
      expect((await client(node, tok.ga).get('/api/v1/victim-matches')).json().items).toEqual([]);
      expect((await client(node, tok.analyst).get('/api/v1/victim-matches')).json().items).toEqual([]);
      expect(cobbStream.events.filter((e) => e.event === 'victim.matched')).toEqual([]);
      expect(JSON.stringify((await client(node, tok.cobb).get('/api/v1/notifications')).json())).not.toContain('A threat touches');

      // The county acknowledges; the producer sees "1 office notified, 1 acknowledged", and no name.
      expect((await fulton.post(`/api/v1/victim-matches/${ip.id}/acknowledge`)).statusCode).toBe(204);
      expect((await fulton.post(`/api/v1/victim-matches/${ip.id}/acknowledge`)).statusCode).toBe(409);
      expect((await client(node, tok.cobb).post(`/api/v1/victim-matches/${sub.id}/acknowledge`)).statusCode).toBe(404);
      const producerView = (await client(node, tok.analyst).get(`/api/v1/intel/objects/${inRange.id}`)).json();
      expect(producerView.victims).toEqual({ notified: 1, acknowledged: 1, named: [] });
      expect(JSON.stringify(producerView)).not.toContain('Fulton');
      expect((await fulton.get(`/api/v1/intel/objects/${inRange.id}`)).json().victims).toBeNull();
    } finally {
      fultonStream.close();
      cobbStream.close();
    }
  });

  it('tells the office of a look-alike of its domain; its state too when the office says so; names it to the producer only with its agreement', { timeout: 60_000 }, async () => {
    const cobbAdmin = client(node, tok.cobbAdmin);
    expect((await client(node, tok.cobb).patch(`/api/v1/orgs/${org.cobb.id}`, { shareMatchesWithState: true })).statusCode).toBe(403);
    expect((await cobbAdmin.patch(`/api/v1/orgs/${org.cobb.id}`, { shareMatchesWithState: 'yes' })).statusCode).toBe(400);
    const changed = await cobbAdmin.patch(`/api/v1/orgs/${org.cobb.id}`, { shareMatchesWithState: true });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().shareMatchesWithState).toBe(true);

    const gaStream = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.ga}` });
    const fultonStream = await openSse(`${node.url}/api/v1/events`, { authorization: `Bearer ${tok.fulton}` });
    try {
      const taxii = TaxiiClient.bearer(node.url, tok.analyst!);
      const homoglyph = stixIndicator("[domain-name:value = 'fu1tonvotes.example']", TLP2_MARKINGS.GREEN, 'Phishing site imitating Fulton');
      const typosquat = stixIndicator("[url:value = 'https://cobbvote.example/ballot-status']", TLP2_MARKINGS.GREEN, 'Fake ballot status page');
      const unrelated = stixIndicator("[domain-name:value = 'weather.example']", TLP2_MARKINGS.GREEN, 'Unrelated');
      expect((await taxii.post(`/taxii2/api/collections/${open}/objects/`, [homoglyph, typosquat, unrelated])).body.success_count).toBe(3);

      const f = await fultonStream.waitFor((e) => e.event === 'victim.matched' && JSON.parse(e.data).data.reason === 'homoglyph');
      expect(JSON.parse(f.data).data).toMatchObject({ matched: 'fultonvotes.example', indicatorValue: 'fu1tonvotes.example' });
      const g = await gaStream.waitFor((e) => e.event === 'victim.matched');
      expect(JSON.parse(g.data).data).toMatchObject({ reason: 'typosquat', matched: 'cobbvotes.example', indicatorType: 'url' });

      // The state sees Cobb's (Cobb shares) and not Fulton's (Fulton does not); only Cobb acknowledges.
      const gaList = (await client(node, tok.ga).get('/api/v1/victim-matches')).json().items as Array<Record<string, any>>;
      expect(gaList.map((m) => `${m.org.name}:${m.reason}`)).toEqual(['Cobb County Elections:typosquat']);
      expect(gaList[0]!.org.own).toBe(false);
      expect(gaList[0]!.why).toMatch(/one keystroke away/);
      expect((await client(node, tok.ga).post(`/api/v1/victim-matches/${gaList[0]!.id}/acknowledge`)).statusCode).toBe(404);
      expect(gaStream.events.filter((e) => e.event === 'victim.matched')).toHaveLength(1);
      const fultonList = (await client(node, tok.fulton).get('/api/v1/victim-matches')).json().items as Array<Record<string, any>>;
      expect(fultonList.find((m) => m.reason === 'homoglyph')?.why).toMatch(/look-alike letters/);

      // Fulton agrees to be named to the producer of the address indicator; only then does the producer learn it.
      const ipMatch = fultonList.find((m) => m.reason === 'address-in-network')!;
      expect((await client(node, tok.analyst).get(`/api/v1/intel/objects/${ipIndicator}`)).json().victims).toEqual({ notified: 1, acknowledged: 1, named: [] });
      expect((await client(node, tok.cobb).post(`/api/v1/victim-matches/${ipMatch.id}/disclose`)).statusCode).toBe(404);
      expect((await client(node, tok.fulton).post(`/api/v1/victim-matches/${ipMatch.id}/disclose`)).statusCode).toBe(204);
      expect((await client(node, tok.fulton).post(`/api/v1/victim-matches/${ipMatch.id}/disclose`)).statusCode).toBe(409);
      expect((await client(node, tok.analyst).get(`/api/v1/intel/objects/${ipIndicator}`)).json().victims).toEqual({ notified: 1, acknowledged: 1, named: ['Fulton County Elections'] });
    } finally {
      gaStream.close();
      fultonStream.close();
    }
  });
});

// Log matching over the API: an office uploads a log (streamed, plain or gzip) or streams it in parts; every
// line is matched against the indicators the office may read — never those it may not; the scan reports
// progress and what it found, each indicator seen becomes a sighting for its producer, the office is alerted,
// and one click opens an incident. Bad input gets a clear 4xx and changes nothing.
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedGeorgia, startTestNode, stixIndicator, until, type GeorgiaOrg, type TestNode } from './harness.js';
import { TaxiiClient } from './taxii-client.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { TLP2_MARKINGS } from '../src/intel/stix/markings.js';


/** A combined-format access log: every 97th line from a listed address, every 89th naming a domain the office may not read. */
function accessLog(lines: number): { text: string; listed: number; secret: number } {
  const out: string[] = [];
  let listed = 0;
  let secret = 0;
  for (let i = 1; i <= lines; i += 1) {
    const ip = i % 97 === 0 ? '203.0.113.50' : `198.51.100.${i % 250}`;
    if (i % 97 === 0) listed += 1;
    const referer = i % 89 === 0 ? 'https://evil-secret.example/landing' : 'https://results.fulton.example/';
    if (i % 89 === 0) secret += 1;
    out.push(`${ip} - - [03/Nov/2026:08:${String(i % 60).padStart(2, '0')}:00 -0500] "GET /results/precinct-${i % 400} HTTP/1.1" 200 5120 "${referer}" "Mozilla/5.0"`);
  }
  return { text: `${out.join('\n')}\n`, listed, secret };
}

describe('log matching over the API', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;
  let listedId: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true });
    ({ org, tok } = await seedGeorgia(node.ctx, { analyst: ['center', 'analyst'], fulton: ['fulton', 'member'], cobb: ['cobb', 'member'] }));
    const open = (await createCollection(node.ctx, SYSTEM, { title: 'Community', readers: 'all', writers: [org.center.id] })).id;
    const closed = (await createCollection(node.ctx, SYSTEM, { title: 'Center only', readers: [org.center.id], writers: [org.center.id] })).id;
    const taxii = TaxiiClient.bearer(node.url, tok.analyst!);
    const listed = stixIndicator("[ipv4-addr:value = '203.0.113.50']", TLP2_MARKINGS.GREEN, 'Scanner of results sites');
    listedId = listed.id;
    expect((await taxii.post(`/taxii2/api/collections/${open}/objects/`, [listed])).body.success_count).toBe(1);
    expect((await taxii.post(`/taxii2/api/collections/${closed}/objects/`, [stixIndicator("[domain-name:value = 'evil-secret.example']", TLP2_MARKINGS.AMBER, 'Not for counties')])).body.success_count).toBe(1);
  });
  afterAll(async () => node?.close());

  const send = (id: string, body: Buffer | string, type = 'text/plain', query = '') =>
    fetch(`${node.url}/api/v1/log-scans/${id}/lines${query}`, { method: 'POST', headers: { authorization: `Bearer ${tok.fulton}`, 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const start = async (name: string, format?: string) => {
    const r = await client(node, tok.fulton).post('/api/v1/log-scans', { name, ...(format ? { format } : {}) });
    expect(r.statusCode).toBe(201);
    return r.json().id as string;
  };

  it('scans an uploaded log against what the office may read, and reports it', { timeout: 60_000 }, async () => {
    const log = accessLog(20_000);
    const id = await start('access.log');
    const res = await send(id, log.text);
    expect(res.status).toBe(200);
    const scan = (await res.json()) as Record<string, any>;
    expect(scan).toMatchObject({ status: 'done', format: 'combined', lines: 20_000, matchedLines: log.listed, bytes: Buffer.byteLength(log.text), bytesExpected: Buffer.byteLength(log.text) });
    // The center-only domain is in the log but not for this office to match.
    expect(scan.indicatorsSeen).toEqual([{ stixId: listedId, type: 'ipv4', value: '203.0.113.50', count: log.listed, firstLine: 97 }]);
    const matches = (await client(node, tok.fulton).get(`/api/v1/log-scans/${id}/matches?limit=3`)).json();
    expect(matches.items.map((m: { line: number }) => m.line)).toEqual([97, 194, 291]);
    expect(matches.next).not.toBeNull();

    // The producer learns of the sighting; the office is alerted; one click opens an incident, once.
    const feedback = (await client(node, tok.analyst).get(`/api/v1/intel/objects/${listedId}`)).json().feedback;
    expect(feedback.sightings).toBeGreaterThanOrEqual(log.listed);
    await until('the alert', async () => (await client(node, tok.fulton).get('/api/v1/notifications')).json().items.some((n: { title: string }) => n.title.startsWith('Threats seen in your log "access.log"')) || null);
    const opened = await client(node, tok.fulton).post(`/api/v1/log-scans/${id}/incident`, {});
    expect(opened.statusCode).toBe(201);
    const again = await client(node, tok.fulton).post(`/api/v1/log-scans/${id}/incident`, {});
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(opened.json().id);
    const incident = (await client(node, tok.fulton).get(`/api/v1/incidents/${opened.json().id}`)).json();
    expect(incident).toMatchObject({ title: 'Known threats seen in our log "access.log"', category: 'unauthorized-access' });
    expect(incident.description).toContain('203.0.113.50');

    // Private to the office.
    expect((await client(node, tok.cobb).get(`/api/v1/log-scans/${id}`)).statusCode).toBe(404);
    expect((await client(node, tok.cobb).get('/api/v1/log-scans')).json().items).toEqual([]);
  });

  it('takes a log streamed in parts that split lines, and gzip, with the same answer', { timeout: 60_000 }, async () => {
    const log = accessLog(5_000);
    const id = await start('syslog forwarder', 'combined');
    const bytes = Buffer.from(log.text);
    const cuts = [0, 1_000_003, 1_000_017, bytes.length].filter((c) => c <= bytes.length);
    cuts.splice(1, 0, Math.floor(bytes.length / 3) + 7); // mid-line
    cuts.sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const last = i + 2 === cuts.length;
      const r = await send(id, bytes.subarray(cuts[i], cuts[i + 1]), 'application/octet-stream', `?final=${last}`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { status: string }).status).toBe(last ? 'done' : 'receiving');
    }
    const streamed = (await client(node, tok.fulton).get(`/api/v1/log-scans/${id}`)).json();
    expect(streamed).toMatchObject({ lines: 5_000, matchedLines: log.listed });

    const gz = await start('access.log.gz');
    const r = await send(gz, zlib.gzipSync(bytes), 'application/gzip');
    expect(await r.json()).toMatchObject({ status: 'done', lines: 5_000, matchedLines: log.listed });
  });

  it('refuses bad input clearly and changes nothing', { timeout: 30_000 }, async () => {
    const fulton = client(node, tok.fulton);
    expect((await fulton.post('/api/v1/log-scans', { name: 'x', format: 'evtx' })).statusCode).toBe(400);
    expect((await fulton.post('/api/v1/log-scans', { name: '' })).statusCode).toBe(400);
    const id = await start('bad.log');
    const wrongType = await send(id, '{"a":1}', 'application/json');
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toContain('application/problem+json');
    expect((await send(randomUUID(), 'x\n')).status).toBe(404);
    const notGzip = await send(id, 'this is not gzip\n', 'application/gzip');
    expect(notGzip.status).toBe(400);
    // Binary and truncated lines are counted, the rest scanned.
    const mixed = await send(id, Buffer.concat([Buffer.from('203.0.113.50 - - [03/Nov/2026:08:00:00 -0500] "GET / HTTP/1.1" 200 1 "-" "x"\n'), Buffer.from([0, 1, 2, 3, 10]), Buffer.from('203.0.113.50 - - [03/Nov/20')]));
    expect(await mixed.json()).toMatchObject({ status: 'done', lines: 3, binary: 1, matchedLines: 2 });
    expect((await send(id, 'more\n')).status).toBe(409);
    expect((await client(node, tok.cobb).post(`/api/v1/log-scans/${id}/incident`, {})).statusCode).toBe(404);
  });
});

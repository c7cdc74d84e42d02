// Imports and exports of the STIX store as an outside client uses them: CSV lists and MISP events become STIX
// indicators (defanged values refanged, problems reported per line or attribute, re-imports update rather
// than duplicate); exports as a STIX bundle (valid against the OASIS schemas) or a CSV list show only what
// the reader may see; search accepts defanged input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from './harness.js';
import { createCollection } from '../src/intel/collections-service.js';
import { SYSTEM } from '../src/access/actor.js';
import { rowsOf } from '../src/platform/db/client.js';
import { loadOasisSchemas } from '../src/intel/stix/oasis-schemas.js';
import { validateStix } from '../src/intel/stix/validate.js';
import { parseCsv } from '../src/platform/text/csv-parse.js';
import { sharedData } from './shared-data.js';

const oasis = loadOasisSchemas(sharedData('stix2.1-schemas', 'schemas'));

describe('intel imports and exports', () => {
  let node: TestNode;
  let center: { id: string };
  let ga: { id: string };
  let az: { id: string };
  let writer: string;
  let gaReader: string;
  let azReader: string;
  let collection: string;

  beforeAll(async () => {
    node = await startTestNode({ listen: true, workers: false });
    center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    ga = await seedOrg(node.ctx, 'Georgia', 'state');
    az = await seedOrg(node.ctx, 'Arizona', 'state');
    writer = await tokenFor(node.ctx, (await seedUser(node.ctx, center.id, 'analyst')).id);
    gaReader = await tokenFor(node.ctx, (await seedUser(node.ctx, ga.id, 'member')).id);
    azReader = await tokenFor(node.ctx, (await seedUser(node.ctx, az.id, 'member')).id);
    collection = (await createCollection(node.ctx, SYSTEM, { title: 'Lists', readers: [ga.id], writers: [center.id], defaultTlp: 'AMBER' })).id;
  });
  afterAll(async () => node?.close());

  const call = (token: string, method: string, path: string, body?: string, type = 'application/json') =>
    fetch(`${node.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': type } : {}) }, ...(body !== undefined ? { body } : {}) });

  it('imports a CSV list, reporting each bad line, and a second import updates the same indicators', async () => {
    const csv = [
      'Type,Value,Description,Valid Until,Confidence',
      'url,hxxp://ballot-tracker[.]example/login,Credential phishing page,2099-12-31,80',
      'ip,198.51.100[.]7,Scanning the results site,,',
      'domain,Results-Update.EXAMPLE,,2099-01-01,',
      'cidr,203.0.113.0/24,Botnet range,,',
      'sha256,AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F,Dropper,,',
      'email,"it-support@ga-elections[.]example","Sender, with a comma",,',
      'toaster,x,,,',
      'ip,999.1.1.1,,,',
      'domain,ok.example,,2001-01-01,',
      'md5,abc,,,',
      'url,javascript:alert(1),,,',
    ].join('\r\n');
    const res = await call(writer, 'POST', `/api/v1/intel/collections/${collection}/csv`, csv, 'text/csv');
    expect(res.status).toBe(200);
    const r = (await res.json()) as { converted: number; stored: number; refused: number; problems: Array<{ where: string; message: string }> };
    expect(r).toMatchObject({ converted: 6, stored: 6, refused: 5 });
    expect(r.problems.map((p) => p.where)).toEqual(['line 8', 'line 9', 'line 10', 'line 11', 'line 12']);
    expect(r.problems[0]!.message).toMatch(/unknown type "toaster"/);
    expect(r.problems[2]!.message).toMatch(/already past/);
    const patterns = rowsOf<{ pattern: string; tlp: string }>(await node.ctx.db.execute(sql`select pattern, tlp::text from stix_objects where collection_id = ${collection}::uuid order by pattern`));
    expect(patterns.map((p) => p.pattern)).toEqual([
      "[domain-name:value = 'results-update.example']",
      "[email-addr:value = 'it-support@ga-elections.example']",
      "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      "[ipv4-addr:value = '198.51.100.7']",
      "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
      "[url:value = 'http://ballot-tracker.example/login']",
    ]);
    expect(new Set(patterns.map((p) => p.tlp))).toEqual(new Set(['AMBER']));
    // Importing the list again makes new versions of the same six indicators, not six more.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await call(writer, 'POST', `/api/v1/intel/collections/${collection}/csv`, csv, 'text/csv');
    const counts = rowsOf<{ latest: number; all: number }>(await node.ctx.db.execute(sql`select count(*) filter (where is_latest)::int as latest, count(*)::int as all from stix_objects where collection_id = ${collection}::uuid`))[0]!;
    expect(counts).toEqual({ latest: 6, all: 12 });
    // A file without the header, or not CSV at all.
    expect(((await (await call(writer, 'POST', `/api/v1/intel/collections/${collection}/csv`, 'url,http://x.example\n', 'text/csv')).json()) as { problems: Array<{ message: string }> }).problems[0]!.message).toMatch(/must name the columns/);
    expect((await call(gaReader, 'POST', `/api/v1/intel/collections/${collection}/csv`, csv, 'text/csv')).status).toBe(403);
  });

  it('imports MISP events with their TLP tag, composite attributes and a report', async () => {
    const event = {
      Event: {
        uuid: '5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
        info: 'Fake polling-place change SMS campaign',
        date: '2026-10-28',
        Tag: [{ name: 'tlp:green' }, { name: 'misp-galaxy:election' }],
        Attribute: [
          { type: 'domain|ip', value: 'polls-moved[.]example|192.0.2.44', category: 'Network activity', to_ids: true, comment: 'SMS link' },
          { type: 'url', value: 'https://polls-moved.example/new-location', category: 'Network activity', to_ids: true },
          { type: 'text', value: 'Campaign notes', to_ids: false },
          { type: 'vulnerability', value: 'CVE-2024-0001', to_ids: true },
        ],
        Object: [{ name: 'file', Attribute: [{ type: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', to_ids: true }] }],
      },
    };
    const res = await call(writer, 'POST', `/api/v1/intel/collections/${collection}/misp`, JSON.stringify(event));
    expect(res.status).toBe(200);
    const r = (await res.json()) as { converted: number; stored: number; problems: Array<{ message: string }> };
    expect(r).toMatchObject({ converted: 5, stored: 5 });
    expect(r.problems.map((p) => p.message)).toEqual(['MISP type "vulnerability" is not imported as an indicator']);
    const report = rowsOf<{ body: string; tlp: string }>(await node.ctx.db.execute(sql`select body, tlp::text from stix_objects where stix_id = 'report--5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'`))[0]!;
    expect(report.tlp).toBe('GREEN');
    expect((JSON.parse(report.body) as { object_refs: string[] }).object_refs).toHaveLength(4);
    expect((await call(writer, 'POST', `/api/v1/intel/collections/${collection}/misp`, '{"Event": {"no": "info"}}')).status).toBe(200);
    expect((await call(writer, 'POST', `/api/v1/intel/collections/${collection}/misp`, '{not json')).status).toBe(400);
  });

  it('finds indicators from defanged input and exports only what the reader may see', async () => {
    const found = (await (await call(gaReader, 'GET', `/api/v1/intel/objects?q=${encodeURIComponent('hxxp://ballot-tracker[.]example')}`)).json()) as { items: Array<{ pattern: string }> };
    expect(found.items.map((i) => i.pattern)).toEqual(["[url:value = 'http://ballot-tracker.example/login']"]);

    const bundleRes = await call(gaReader, 'GET', '/api/v1/intel/export?format=stix');
    expect(bundleRes.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    const bundle = (await bundleRes.json()) as { type: string; id: string; objects: Array<Record<string, unknown>> };
    expect(bundle.type).toBe('bundle');
    // Georgia reads the collection: 6 AMBER list indicators + 4 GREEN MISP indicators + the report, and the markings.
    expect(bundle.objects.filter((o) => o.type !== 'marking-definition')).toHaveLength(11);
    for (const o of bundle.objects) {
      expect(oasis.validate(o), String(o.id)).toEqual([]);
      expect(validateStix(o).ok, String(o.id)).toBe(true);
    }
    expect(bundle.objects.filter((o) => o.type === 'marking-definition').map((o) => o.name).sort()).toEqual(['TLP:AMBER', 'TLP:GREEN']);

    // Arizona is no reader: the GREEN ones only (community-wide), none of the AMBER list.
    const azBundle = (await (await call(azReader, 'GET', '/api/v1/intel/export?format=stix')).json()) as { objects: Array<Record<string, unknown>> };
    expect(azBundle.objects.filter((o) => o.type !== 'marking-definition')).toHaveLength(5);

    const csvRes = await call(gaReader, 'GET', '/api/v1/intel/export?format=csv');
    expect(csvRes.headers.get('content-type')).toContain('text/csv');
    const parsed = parseCsv(await csvRes.text());
    if ('error' in parsed) throw new Error(parsed.error);
    const [header, ...rows] = parsed.rows;
    expect(header!.cells.slice(0, 4)).toEqual(['type', 'value', 'description', 'valid_until']);
    expect(rows).toHaveLength(10);
    const url = rows.find((r) => r.cells[0] === 'url' && r.cells[1]!.includes('ballot-tracker'))!;
    expect(url.cells.slice(0, 4)).toEqual(['url', 'http://ballot-tracker.example/login', 'Credential phishing page', '2099-12-31T23:59:59Z']);
    // The CSV export reads back as an import.
    const back = await call(writer, 'POST', `/api/v1/intel/collections/${collection}/csv`, await (await call(gaReader, 'GET', '/api/v1/intel/export?format=csv')).text(), 'text/csv');
    expect(((await back.json()) as { refused: number }).refused).toBe(0);
  });
});

// Batches prepared on the worker thread come back exactly as when prepared in place (rows, keys, the objects'
// bytes), for either database; a bad envelope is refused the same way; the objects' text is each object's JSON.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/shared-data.js';
import { MAX_OBJECTS_PER_POST, prepareBatch, type Prepared, type PrepareTask } from './prepare.js';
import { StixPreparer } from './preparer.js';

const envelopeOf = (name: string) => JSON.stringify({ objects: (JSON.parse(fs.readFileSync(sharedData(name), 'utf8')) as { objects: unknown[] }).objects });
const schemaDir = sharedData('stix2.1-schemas', 'schemas');
const bytesOf = (p: Prepared) => (p.ok ? p.chunks.map((c) => (c.bytes ? Buffer.from(c.bytes).toString('base64') : null)) : []);
const withoutBytes = (p: Prepared) => (p.ok ? { ...p, chunks: p.chunks.map(({ bytes: _b, ...c }) => c) } : p);

describe('preparing STIX batches off the main thread', () => {
  const preparer = new StixPreparer();
  afterAll(() => preparer.close());

  it.each(['postgres', 'embedded'] as const)('gives the same chunks on the worker as in place (%s)', async (database) => {
    const task: PrepareTask = { envelope: envelopeOf('attack/mobile-attack-17.1.json'), defaultTlp: 'GREEN', schemaDir, database, chunkSize: 1000 };
    const here = prepareBatch(task);
    const there = await preparer.prepare(task);
    expect(preparer.working).toBe(true);
    expect(there.ok).toBe(true);
    expect(withoutBytes(there)).toEqual(withoutBytes(here));
    expect(bytesOf(there)).toEqual(bytesOf(here));
    if (!there.ok) return;
    expect(there.chunks.length).toBeGreaterThan(1);
    expect(there.failures).toEqual([]);
    // Each row's text is the object's JSON, whichever way it travels.
    const objects = (JSON.parse(task.envelope as string) as { objects: Array<{ id: string }> }).objects;
    const chunk = there.chunks[1]!;
    const rows = JSON.parse(chunk.rows) as Array<{ ord: number; stix_id: string; at?: number; len?: number; obj?: unknown }>;
    for (const r of rows.slice(0, 50)) {
      const original = objects.find((o) => o.id === r.stix_id)!;
      const text = database === 'postgres' ? Buffer.from(chunk.bytes!).subarray(r.at! - 1, r.at! - 1 + r.len!).toString('utf8') : JSON.stringify(r.obj);
      expect(JSON.parse(text)).toEqual(original);
    }
  });

  it('takes the bytes of an envelope as sent, and objects already read', async () => {
    const text = envelopeOf('attack/ics-attack-18.1.json');
    const fromBytes = await preparer.prepare({ envelope: new TextEncoder().encode(text), defaultTlp: 'AMBER', schemaDir: null, database: 'postgres', chunkSize: 10_000 });
    const fromObjects = await preparer.prepare({ objects: (JSON.parse(text) as { objects: unknown[] }).objects, defaultTlp: 'AMBER', schemaDir: null, database: 'postgres', chunkSize: 10_000 });
    expect(withoutBytes(fromBytes)).toEqual(withoutBytes(fromObjects));
    expect(bytesOf(fromBytes)).toEqual(bytesOf(fromObjects));
  });

  it('prepares in place when no worker can start, and loses nothing it had handed over', async () => {
    const broken = new StixPreparer(new URL('./no-such-worker.ts', import.meta.url));
    const task: PrepareTask = { envelope: envelopeOf('attack/ics-attack-18.1.json'), defaultTlp: 'GREEN', schemaDir: null, database: 'postgres', chunkSize: 10_000 };
    const [first, second] = await Promise.all([broken.prepare(task), broken.prepare(task)]);
    const here = prepareBatch(task);
    for (const p of [first, second, await broken.prepare(task)]) {
      expect(withoutBytes(p)).toEqual(withoutBytes(here));
      expect(bytesOf(p)).toEqual(bytesOf(here));
    }
    expect(broken.working).toBe(false);
  });

  it('refuses a bad envelope with the reason, on the worker as in place', async () => {
    const large = 'x'.repeat(100_000);
    const cases: Array<[string, string]> = [
      [`{"objects": [${large}`, 'invalid-json'],
      [`{"objects": {"a": "${large}"}}`, 'bad-request'],
      [`${' '.repeat(100_000)}`, 'bad-request'],
      [JSON.stringify({ objects: Array.from({ length: MAX_OBJECTS_PER_POST + 1 }, () => 0) }), 'payload-too-large'],
    ];
    for (const [envelope, code] of cases) {
      const task: PrepareTask = { envelope, defaultTlp: 'GREEN', schemaDir: null, database: 'postgres', chunkSize: 10_000 };
      expect(await preparer.prepare(task)).toMatchObject({ ok: false, code });
      expect(prepareBatch(task)).toMatchObject({ ok: false, code });
    }
  });
});

// Batches prepared on the worker thread come back exactly as when prepared in place (each part's rows, keys
// and the objects' bytes); a bad envelope is refused the same way; the objects' text is
// each object's JSON; a worker that cannot start leaves the work to the main thread.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/shared-data.js';
import { joinParts, MAX_OBJECTS_PER_POST, prepareParts, type PreparedEnd, type PreparedPart, type PrepareTask } from './prepare.js';
import { StixPreparer, type PreparedStream } from './preparer.js';
import { sampleObjects } from './warm-up.js';

/** A whole batch: how it ended and its parts. */
type Prepared = PreparedEnd & { readonly chunks?: readonly PreparedPart[] };

/** The batch prepared here, on this thread: what the worker's parts are compared with. */
function prepareBatch(task: PrepareTask): Prepared {
  const chunks: PreparedPart[] = [];
  const end = prepareParts(task, (part) => chunks.push(part));
  return end.ok ? { ...end, chunks } : end;
}

const envelopeOf = (name: string) => JSON.stringify({ objects: (JSON.parse(fs.readFileSync(sharedData(name), 'utf8')) as { objects: unknown[] }).objects });
const schemaDir = sharedData('stix2.1-schemas', 'schemas');

/** The whole batch, read part by part from a stream. */
async function collect(stream: PreparedStream): Promise<Prepared> {
  const chunks: PreparedPart[] = [];
  for (let part = await stream.next(); part; part = await stream.next()) chunks.push(part);
  return stream.end.ok ? { ...stream.end, chunks } : stream.end;
}
/** Each row's object text, cut from the part's bytes where the row says (`at` counts from the chunk's start). */
const textsOf = (p: PreparedPart) =>
  (JSON.parse(p.rows) as Array<{ stix_id: string; at: number; len: number }>).map((r) => ({ id: r.stix_id, text: Buffer.from(p.bytes).subarray(r.at - 1 - p.offset, r.at - 1 - p.offset + r.len).toString('utf8') }));
const bytesOf = (p: Prepared) => (p.chunks ?? []).map((c) => Buffer.from(c.bytes).toString('base64'));
const withoutBytes = (p: Prepared) => (p.ok ? { ...p, chunks: (p.chunks ?? []).map(({ bytes: _b, ...c }) => c) } : p);

describe('preparing STIX batches off the main thread', () => {
  const preparer = new StixPreparer();
  afterAll(() => preparer.close());

  it('gives the same parts on the worker as in place', async () => {
    const task: PrepareTask = { envelope: envelopeOf('attack/mobile-attack-17.1.json'), defaultTlp: 'GREEN', schemaDir, chunkSize: 1000, partSize: 250 };
    const here = prepareBatch(task);
    const there = await collect(preparer.prepare(task));
    expect(preparer.working).toBe(true);
    expect(there.ok).toBe(true);
    expect(withoutBytes(there)).toEqual(withoutBytes(here));
    expect(bytesOf(there)).toEqual(bytesOf(here));
    if (!there.ok) return;
    const parts = there.chunks!;
    expect(there.failures).toEqual([]);
    // Parts of partSize objects; ord counts from 0 again with every chunk of chunkSize objects.
    expect(parts.slice(0, -1).every((p) => p.keys.length === 250)).toBe(true);
    const ords = parts.flatMap((p) => (JSON.parse(p.rows) as Array<{ ord: number }>).map((r) => r.ord));
    expect(ords.slice(0, 1001)).toEqual([...Array.from({ length: 1000 }, (_, i) => i), 0]);
    // Each row's text is the object's JSON.
    const objects = (JSON.parse(task.envelope as string) as { objects: Array<{ id: string }> }).objects;
    for (const { id, text } of textsOf(parts[5]!).slice(0, 50)) expect(JSON.parse(text)).toEqual(objects.find((o) => o.id === id)!);
  });

  it('makes the first part smaller when asked, and never lets a part span two chunks', async () => {
    const task: PrepareTask = { envelope: envelopeOf('attack/mobile-attack-17.1.json'), defaultTlp: 'GREEN', schemaDir: null, chunkSize: 1000, partSize: 300, firstPartSize: 100 };
    const there = await collect(preparer.prepare(task));
    expect(there.ok).toBe(true);
    if (!there.ok) return;
    const sizes = there.chunks!.map((p) => p.keys.length);
    // 100, then 300s; each chunk of 1,000 ends a part (2,148 objects in all).
    expect(sizes).toEqual([100, 300, 300, 300, 300, 300, 300, 100, 148]);
    expect(withoutBytes(there)).toEqual(withoutBytes(prepareBatch(task)));
    const ords = there.chunks!.map((p) => (JSON.parse(p.rows) as Array<{ ord: number }>).map((r) => r.ord));
    expect(ords.map((o) => o[0])).toEqual([0, 100, 400, 700, 0, 300, 600, 900, 0]);
  });

  it('joins the parts of a chunk into one that reads the same objects, and refuses parts that do not follow', async () => {
    const task: PrepareTask = { envelope: envelopeOf('attack/ics-attack-18.1.json'), defaultTlp: 'GREEN', schemaDir: null, chunkSize: 1000, partSize: 300, firstPartSize: 100 };
    const there = await collect(preparer.prepare(task));
    if (!there.ok) throw new Error('not prepared');
    const parts = there.chunks!;
    // 1,826 objects: a chunk of 100 + 3 × 300, then one of 300 + 300 + 226; each part's bytes start where the
    // one before in its chunk ended.
    expect(parts.map((p) => p.keys.length)).toEqual([100, 300, 300, 300, 300, 300, 226]);
    const after = (i: number) => parts[i]!.offset + parts[i]!.bytes.length;
    expect(parts.map((p) => p.offset)).toEqual([0, after(0), after(1), after(2), 0, after(4), after(5)]);
    for (const group of [parts.slice(0, 4), parts.slice(1, 3), parts.slice(4), parts.slice(5)]) {
      const joined = joinParts(group);
      expect(joined.keys).toEqual(group.flatMap((p) => p.keys));
      expect(joined.offset).toBe(group[0]!.offset);
      expect(textsOf(joined)).toEqual(group.flatMap(textsOf));
      for (const t of textsOf(joined)) expect((JSON.parse(t.text) as { id: string }).id).toBe(t.id);
    }
    expect(() => joinParts([parts[0]!, parts[2]!])).toThrow(/do not follow/);
    expect(() => joinParts([parts[3]!, parts[4]!])).toThrow(/do not follow/);
  });

  it('warms up on objects that pass every check (the paths a real bundle takes), each one different', () => {
    const objects = sampleObjects(400);
    expect(new Set(objects.map((o) => o.id)).size).toBe(400);
    expect(new Set(objects.map((o) => o.type))).toEqual(new Set(['identity', 'attack-pattern', 'malware', 'intrusion-set', 'indicator', 'course-of-action', 'tool', 'x-warm-up-analytic', 'relationship']));
    const prepared = prepareBatch({ objects, defaultTlp: 'GREEN', schemaDir, chunkSize: 10_000, partSize: 500 });
    expect(prepared).toMatchObject({ ok: true, total: 400, failures: [] });
  });

  it('takes the bytes of an envelope as sent, and objects already read', async () => {
    const text = envelopeOf('attack/ics-attack-18.1.json');
    const task = { defaultTlp: 'AMBER', schemaDir: null, chunkSize: 10_000, partSize: 500 } as const;
    const fromBytes = await collect(preparer.prepare({ envelope: new TextEncoder().encode(text), ...task }));
    const fromObjects = await collect(preparer.prepare({ objects: (JSON.parse(text) as { objects: unknown[] }).objects, ...task }));
    expect(withoutBytes(fromBytes)).toEqual(withoutBytes(fromObjects));
    expect(bytesOf(fromBytes)).toEqual(bytesOf(fromObjects));
  });

  it('prepares in place when no worker can start, and loses nothing it had handed over', async () => {
    const broken = new StixPreparer(new URL('./no-such-worker.ts', import.meta.url));
    const task: PrepareTask = { envelope: envelopeOf('attack/ics-attack-18.1.json'), defaultTlp: 'GREEN', schemaDir: null, chunkSize: 10_000, partSize: 500 };
    const [first, second] = await Promise.all([collect(broken.prepare(task)), collect(broken.prepare(task))]);
    const here = prepareBatch(task);
    for (const p of [first, second, await collect(broken.prepare(task))]) {
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
      const task: PrepareTask = { envelope, defaultTlp: 'GREEN', schemaDir: null, chunkSize: 10_000, partSize: 500 };
      expect(await collect(preparer.prepare(task))).toMatchObject({ ok: false, code });
      expect(prepareBatch(task)).toMatchObject({ ok: false, code });
    }
  });
});

// The envelope reader finds exactly the elements JSON.parse would, over generated envelopes in any layout and
// over broken ones: it never accepts as an envelope what is not JSON, and what JSON.parse reads as an envelope
// it reads the same.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readElement, scanEnvelope, type EnvelopeScan } from './envelope.js';

const bytesOf = (text: string) => new TextEncoder().encode(text);
const LIMIT = 1000;

/** What the reader made of a body: its elements read, or the refusal's code. */
function readAll(scan: EnvelopeScan): { objects: unknown[] } | { code: string } | { badElement: number } {
  if ('code' in scan) return { code: scan.code };
  const objects: unknown[] = [];
  for (let k = 0; k < scan.starts.length; k += 1) {
    const r = readElement(scan, k);
    if ('error' in r) return { badElement: k };
    objects.push(r.value);
  }
  return { objects };
}

/** What JSON.parse makes of it: the envelope's objects, or why it is not one. */
function reference(text: string): { objects: unknown[] } | { code: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { code: 'invalid-json' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray((parsed as { objects?: unknown }).objects)) return { code: 'bad-request' };
  return { objects: (parsed as { objects: unknown[] }).objects };
}

const tricky = fc.constantFrom('', '"', '\\', '\\"', '"\\', '{', '}', '[', ']', ',', ':', 'é', '日本', '\u2028', '😀', '\\\\"', 'a"b\\c');
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tricky, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string(), tricky), tie('value'), { maxKeys: 4 })),
})).value;
const layout = fc.constantFrom<(v: unknown) => string>((v) => JSON.stringify(v), (v) => JSON.stringify(v, null, 2), (v) => JSON.stringify(v, null, '\t'), (v) => ` \n${JSON.stringify(v, null, 1)}\r\n `);

describe('reading a TAXII envelope object by object', () => {
  it('finds exactly the elements JSON.parse finds, whatever the layout and the strings', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), fc.option(fc.dictionary(fc.string(), value, { maxKeys: 3 })), layout, (objects, extra, write) => {
        const envelope = { ...(extra ?? {}), objects };
        const text = write(envelope);
        expect(readAll(scanEnvelope(bytesOf(text), LIMIT))).toEqual(reference(text));
      }),
      { numRuns: 3000, seed: 2026 },
    );
  });

  it('agrees with JSON.parse on broken bodies: never an envelope that is not JSON', () => {
    const base = JSON.stringify({ more: false, objects: [{ type: 'indicator', name: 'a "quoted" \\ name', n: [1, 2, { x: null }] }, 'text', 3.5, [true]] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length), fc.nat(3), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'x', '1')), { minLength: 1, maxLength: 3 }), (edits) => {
        let text = base;
        for (const [at, kind, ch] of edits) {
          const p = at % (text.length + 1);
          text = kind === 0 ? text.slice(0, p) + ch + text.slice(p) : kind === 1 ? text.slice(0, p) + text.slice(p + 1) : kind === 2 ? text.slice(0, p) + ch + text.slice(p + 1) : text.slice(0, p);
        }
        const ours = readAll(scanEnvelope(bytesOf(text), LIMIT));
        const theirs = reference(text);
        if ('objects' in theirs) expect(ours).toEqual(theirs);
        else if ('objects' in ours) throw new Error(`read as an envelope, but JSON.parse says ${theirs.code}: ${text}`);
        // A body JSON.parse refuses is refused, or has an element that cannot be read (reported on its own).
        else if ('code' in ours) expect(['invalid-json', 'bad-request']).toContain(ours.code);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('says what is wrong with a body that is not an envelope', () => {
    const code = (text: string) => {
      const r = scanEnvelope(bytesOf(text), LIMIT);
      return 'code' in r ? r.code : 'ok';
    };
    expect(code('')).toBe('bad-request');
    expect(code('  \n ')).toBe('bad-request');
    expect(code('[1, 2]')).toBe('bad-request');
    expect(code('{"objects": {"a": 1}}')).toBe('bad-request');
    expect(code('{"more": true}')).toBe('bad-request');
    expect(code('{"objects": [], "objects": []}')).toBe('bad-request');
    expect(code('{"objects": [1, 2')).toBe('invalid-json');
    expect(code('{"objects": [1]} x')).toBe('invalid-json');
    expect(code('{"objects": [1],}')).toBe('invalid-json');
    expect(code('\ufeff{"objects": []}')).toBe('invalid-json');
    expect(code(`{"objects": [${'['.repeat(100_000)}`)).toBe('invalid-json');
    expect(code(`{"objects": [${Array.from({ length: LIMIT + 1 }, () => '0').join(',')}]}`)).toBe('payload-too-large');
    expect(code('{"\\u006fbjects": [{"type": "x"}]}')).toBe('ok');
  });

  it('keeps the text as sent only where it says exactly what was read', () => {
    const element = (body: Uint8Array, k: number) => {
      const scan = scanEnvelope(body, LIMIT);
      if ('code' in scan) throw new Error(scan.message);
      const r = readElement(scan, k);
      if ('error' in r) throw new Error(r.error);
      return { value: r.value, text: r.text ? Buffer.from(r.text).toString('utf8') : null };
    };
    const compact = '{"type":"indicator","name":"a \\"b\\" c","n":[1,{"x":"y"}],"big":12345678901234567890}';
    // Written without white space, each name once: stored as sent (the big number keeps its digits).
    expect(element(bytesOf(`{"objects":[${compact}]}`), 0).text).toBe(compact);
    // White space between tokens, or a name written twice (read once, as its last value): written out anew.
    expect(element(bytesOf('{"objects":[{"type": "indicator"}]}'), 0).text).toBeNull();
    expect(element(bytesOf('{"objects":[{"type":"indicator","type":"malware"}]}'), 0)).toEqual({ value: { type: 'malware' }, text: null });
    expect(element(bytesOf('{"objects":[{"a":{"b":1,"b":2}}]}'), 0).text).toBeNull();
    // Bytes that are not UTF-8 are read as U+FFFD and written out anew.
    const bad = Uint8Array.from([...bytesOf('{"objects":[{"name":"'), 0xff, 0xfe, ...bytesOf('"}]}')]);
    expect(element(bad, 0)).toEqual({ value: { name: '\ufffd\ufffd' }, text: null });
    // Not an object: nothing to store as such.
    expect(element(bytesOf('{"objects":["text",[1,2]]}'), 1).text).toBeNull();
    // Nested deeper than any object the checks let through: read, not kept as sent, and no stack run out.
    const deep = `{"type":"indicator","x_deep":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(element(bytesOf(`{"objects":[${deep}]}`), 0)).toMatchObject({ value: { type: 'indicator' }, text: null });
    // Any layout of the same objects: the text as sent, where kept, reads as the object.
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.oneof(fc.string(), tricky), value, { maxKeys: 5 }), { maxLength: 6 }), layout, (objects, write) => {
        const scan = scanEnvelope(bytesOf(write({ objects })), LIMIT);
        if ('code' in scan) throw new Error(scan.message);
        objects.forEach((o, k) => {
          const r = readElement(scan, k);
          if ('error' in r) throw new Error(r.error);
          if (r.text) expect(JSON.parse(Buffer.from(r.text).toString('utf8'))).toEqual(o);
        });
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it('reads an element that is not JSON as a failure of its own, the others still read', () => {
    const scan = scanEnvelope(bytesOf('{"objects": [{"a": 1}, {"b": tru}, {"c": [1, 2]}]}'), LIMIT);
    expect('code' in scan).toBe(false);
    if ('code' in scan) return;
    expect(readElement(scan, 0)).toMatchObject({ value: { a: 1 } });
    expect(readElement(scan, 1)).toMatchObject({ error: expect.stringContaining('not valid JSON') });
    expect(readElement(scan, 2)).toMatchObject({ value: { c: [1, 2] } });
  });
});

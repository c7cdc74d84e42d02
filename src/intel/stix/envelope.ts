// Reading a TAXII envelope ({"objects": [...]}) object by object. One pass over the bytes finds where each
// element of "objects" starts and ends and checks the envelope's own structure; each element is then read
// with JSON.parse when its turn comes. Reading the whole envelope at once kept every parsed object alive until
// the last was stored (megabytes the garbage collector copied again and again), and nothing could be checked
// before all of it had been read. The pass works on the UTF-8 bytes: the characters that give JSON its
// structure are ASCII, and no byte of a multi-byte UTF-8 character is.
import { isUtf8 } from 'node:buffer';
import type { ErrorCode } from '../../platform/http/errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export interface EnvelopeElements {
  readonly bytes: Uint8Array;
  /** Where each element of "objects" starts and ends (end exclusive), in order. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /**
   * For each element: the member names written in it, at every depth, when it is written without white space
   * between its tokens; -1 otherwise. (Compared with the names of the object read, it tells whether the text
   * as sent says exactly what was read: no name written twice.)
   */
  readonly names: Int32Array;
}

export type EnvelopeScan = EnvelopeElements | { readonly code: ErrorCode; readonly message: string };

class Malformed extends Error {}

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Finds the elements of the envelope's "objects" list, checking that the envelope is one JSON object whose
 * other members are valid JSON; the elements themselves are only delimited here (JSON.parse reads each).
 * `limit`: the most elements accepted.
 */
export function scanEnvelope(bytes: Uint8Array, limit: number): EnvelopeScan {
  const n = bytes.length;
  let i = 0;
  // Of the value valueEnd last delimited: the member names in it, and whether white space came between tokens.
  let names = 0;
  let spaced = false;
  const skipSpace = () => {
    while (i < n && isSpace(bytes[i])) i += 1;
  };
  /** The end (after the closing quote) of the string whose opening quote is at `at`. */
  const stringEnd = (at: number): number => {
    let p = at + 1;
    for (;;) {
      const q = bytes.indexOf(QUOTE, p);
      if (q < 0) throw new Malformed('a string is not closed');
      // The quote is escaped when an odd number of backslashes comes right before it.
      let b = q - 1;
      while (b > at && bytes[b] === BACKSLASH) b -= 1;
      if ((q - 1 - b) % 2 === 0) return q + 1;
      p = q + 1;
    }
  };
  /** The end of the value starting at `at` (strings and nesting followed; the rest is left to JSON.parse). */
  const valueEnd = (at: number): number => {
    const first = bytes[at];
    if (first === QUOTE) return stringEnd(at);
    if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
      let p = at;
      while (p < n) {
        const b = bytes[p]!;
        if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || isSpace(b)) break;
        p += 1;
      }
      if (p === at) throw new Malformed(`unexpected ${describe(bytes[at])} at byte ${at}`);
      return p;
    }
    const stack: number[] = [first === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY];
    let p = at + 1;
    while (p < n) {
      const b = bytes[p]!;
      if (b === QUOTE) {
        p = stringEnd(p);
        if (bytes[p] === COLON) names += 1;
        continue;
      }
      if (isSpace(b)) spaced = true;
      if (b === OPEN_OBJECT) stack.push(CLOSE_OBJECT);
      else if (b === OPEN_ARRAY) stack.push(CLOSE_ARRAY);
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        if (stack.pop() !== b) throw new Malformed(`unexpected ${describe(b)} at byte ${p}`);
        if (stack.length === 0) return p + 1;
      }
      p += 1;
    }
    throw new Malformed('the body ends before its last object or list is closed');
  };
  const text = (from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('utf8');
  /** Only white space may follow the body's one value. */
  const endOfBody = () => {
    skipSpace();
    if (i !== n) throw new Malformed(`unexpected ${describe(bytes[i])} at byte ${i}, after the body's value`);
  };
  /** After a member or an element: true when a comma says another follows, false at the closing `close`. */
  const another = (close: number): boolean => {
    skipSpace();
    if (bytes[i] === COMMA) {
      i += 1;
      return true;
    }
    if (bytes[i] === close) {
      i += 1;
      return false;
    }
    throw new Malformed(`expected "," or "${String.fromCharCode(close)}" at byte ${i}`);
  };

  try {
    skipSpace();
    if (i === n) return { code: 'bad-request', message: 'The body is empty; send an envelope: {"objects": [...]}.' };
    if (bytes[i] !== OPEN_OBJECT) {
      // Valid JSON of another shape is not an envelope; anything else is not JSON.
      const start = i;
      const end = valueEnd(start);
      i = end;
      endOfBody();
      JSON.parse(text(start, end));
      return notAnEnvelope();
    }
    i += 1;
    let starts: number[] | null = null;
    let ends: number[] = [];
    let counts: number[] = [];
    skipSpace();
    if (bytes[i] === CLOSE_OBJECT) i += 1;
    else {
      for (;;) {
        skipSpace();
        if (bytes[i] !== QUOTE) throw new Malformed(`expected a member name at byte ${i}`);
        const keyEnd = stringEnd(i);
        const key = JSON.parse(text(i, keyEnd)) as string;
        i = keyEnd;
        skipSpace();
        if (bytes[i] !== COLON) throw new Malformed(`expected ":" at byte ${i}`);
        i += 1;
        skipSpace();
        if (i >= n) throw new Malformed('the body ends after a member name');
        if (key === 'objects') {
          if (starts) return { code: 'bad-request', message: 'The envelope names "objects" twice.' };
          if (bytes[i] !== OPEN_ARRAY) {
            const end = valueEnd(i);
            JSON.parse(text(i, end));
            return notAnEnvelope();
          }
          starts = [];
          ends = [];
          counts = [];
          i += 1;
          skipSpace();
          if (bytes[i] === CLOSE_ARRAY) i += 1;
          else {
            for (;;) {
              skipSpace();
              if (i >= n) throw new Malformed('the body ends inside the "objects" list');
              names = 0;
              spaced = false;
              const end = valueEnd(i);
              if (starts.length === limit) return { code: 'payload-too-large', message: `At most ${limit} objects per request.` };
              starts.push(i);
              ends.push(end);
              counts.push(spaced ? -1 : names);
              i = end;
              if (!another(CLOSE_ARRAY)) break;
            }
          }
        } else {
          // Another member (a client's extension): it is not used, but it must be JSON.
          const end = valueEnd(i);
          JSON.parse(text(i, end));
          i = end;
        }
        if (!another(CLOSE_OBJECT)) break;
      }
    }
    endOfBody();
    if (!starts) return notAnEnvelope();
    return { bytes, starts: Uint32Array.from(starts), ends: Uint32Array.from(ends), names: Int32Array.from(counts) };
  } catch (error) {
    // Malformed structure, or a member JSON.parse refused (a SyntaxError; a RangeError for nesting too deep).
    return { code: 'invalid-json', message: `The body is not valid JSON (${(error as Error).message}).` };
  }
}

function notAnEnvelope() {
  return { code: 'bad-request' as const, message: 'The body must be a TAXII envelope: an object with an "objects" list.' };
}

function describe(b: number | undefined): string {
  if (b === undefined) return 'end of the body';
  return b >= 0x20 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Element `k` of a scanned envelope, read; a malformed element becomes an error (its own failure). `text` is
 * its UTF-8 bytes as sent, when they can be stored as they are: written without white space, valid UTF-8, and
 * with exactly as many member names as the object read has (a name written twice is read once, and the text
 * would then say something else to another reader); otherwise the object is written out anew.
 */
export function readElement(e: EnvelopeElements, k: number): { value: unknown; text: Uint8Array | null } | { error: string } {
  const from = e.starts[k]!;
  const to = e.ends[k]!;
  const slice = Buffer.from(e.bytes.buffer, e.bytes.byteOffset + from, to - from);
  let value: unknown;
  try {
    value = JSON.parse(slice.toString('utf8'));
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
  const names = e.names[k]!;
  const asSent = names >= 0 && value !== null && typeof value === 'object' && !Array.isArray(value) && namesIn(value) === names && isUtf8(slice);
  return { value, text: asSent ? slice : null };
}

/**
 * The member names of a value read by JSON.parse, at every depth; -1 past DEEPEST levels (the text is then not
 * stored as sent, and the checks that follow refuse the object), so that a hostile object nested a hundred
 * thousand levels deep does not run this out of stack.
 */
function namesIn(value: unknown, depth = 0): number {
  if (value === null || typeof value !== 'object') return 0;
  if (depth > DEEPEST) return -1;
  let count = 0;
  if (Array.isArray(value)) {
    for (const v of value) {
      const n = namesIn(v, depth + 1);
      if (n < 0) return -1;
      count += n;
    }
    return count;
  }
  for (const key in value) {
    const n = namesIn((value as Record<string, unknown>)[key], depth + 1);
    if (n < 0) return -1;
    count += 1 + n;
  }
  return count;
}

/** Deeper than any STIX object the checks let through (validate.ts refuses more than 32 levels). */
const DEEPEST = 1_000;

// Getting a batch of STIX objects ready for the store, without the database: the envelope read object by object
// (envelope.ts), every object checked (our rules, then the OASIS schemas), its TLP worked out, duplicates within the
// batch dropped, and the rows serialised as the insert statement reads them, a part of a few hundred at a
// time, so that the first part can be stored while the next is checked. Pure and synchronous, so that it can
// run on a worker thread (prepare-worker.ts) while the main thread goes on with the database.
import type { Tlp } from '../../platform/db/columns.js';
import type { ErrorCode } from '../../platform/http/errors.js';
import type { StatusDetail } from '../schema.js';
import { storable } from '../../platform/text/storable.js';
import { tlpOfMarkings } from './markings.js';
import { loadOasisSchemas, type OasisValidator } from './oasis-schemas.js';
import { validateStix, type StixObject } from './validate.js';
import { readElement, scanEnvelope } from './envelope.js';

/** Objects a TAXII POST may carry. */
export const MAX_OBJECTS_PER_POST = 100_000;

export interface PrepareTask {
  /** A TAXII envelope as sent (JSON text, or its UTF-8 bytes), or objects already read. */
  readonly envelope?: string | Uint8Array;
  readonly objects?: readonly unknown[];
  /** The marking of objects that carry none (the collection's, or a feed's). */
  readonly defaultTlp: Tlp;
  /** The OASIS schemas' folder; null checks with our own rules only. */
  readonly schemaDir: string | null;
  /** Objects per transaction: `ord` starts again from 0 at each multiple. */
  readonly chunkSize: number;
  /** Objects per part (one insert statement); divides chunkSize. */
  readonly partSize: number;
  /**
   * Objects in the batch's first part, when fewer than partSize: the database starts on it while the rest is
   * checked. A part never spans two chunks.
   */
  readonly firstPartSize?: number;
}

/** What the store needs to know of each stored row after the insert. */
export interface RowKey {
  readonly id: string;
  readonly version: string;
}

export interface PreparedPart {
  readonly keys: readonly RowKey[];
  /** The rows as one JSON document (json_to_recordset). */
  readonly rows: string;
  /** The objects' text, one after the other; each row gives its slice (at, len). */
  readonly bytes: Uint8Array;
  /**
   * Where `bytes` starts in the text of its whole chunk: a row's `at` counts from the chunk's first byte (1),
   * so that parts of a chunk that follow one another can go to the database as one (joinParts).
   */
  readonly offset: number;
}

/** How a batch ended, after its parts: what it carried and what was refused, or why nothing could be read. */
export type PreparedEnd =
  | { readonly ok: true; readonly total: number; readonly failures: StatusDetail[] }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export interface Row {
  readonly ord: number;
  readonly stix_id: string;
  readonly type: string;
  readonly spec_version: string;
  /** modified, else created, else '' (immutable objects: SCOs, TLP marking definitions). */
  readonly version: string;
  readonly revoked: boolean;
  readonly tlp: Tlp;
  readonly obj: StixObject;
  /** The object's text as sent, stored as it is; null: written out from `obj`. */
  readonly raw: Uint8Array | null;
  readonly name: string | null;
  readonly pattern: string | null;
  readonly pattern_type: string | null;
  readonly valid_from: string | null;
  readonly valid_until: string | null;
  readonly confidence: number | null;
  readonly created_by_ref: string | null;
  readonly source_ref: string | null;
  readonly target_ref: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * A refused object's id, as the status resource can store it (as JSON, in PostgreSQL); its reasons likewise, as
 * they may quote what was sent.
 */
function idOf(o: unknown): string {
  const id = o && typeof o === 'object' ? (o as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? storable(id.slice(0, 300)) : '';
}

/** The objects of a batch one by one: element `i`, read, or why it could not be read. */
export interface ObjectSource {
  readonly count: number;
  /** `text`: the object's UTF-8 text as sent, when it may be stored as it is (envelope.ts). */
  get(i: number): { value: unknown; text?: Uint8Array | null } | { error: string };
}

/** The objects of a TAXII envelope as they are read (envelope.ts), or why there are none. */
function readEnvelope(envelope: string | Uint8Array): ObjectSource | { code: ErrorCode; message: string } {
  const bytes = typeof envelope === 'string' ? Buffer.from(envelope, 'utf8') : envelope;
  const scan = scanEnvelope(bytes, MAX_OBJECTS_PER_POST);
  if ('code' in scan) return scan;
  return { count: scan.starts.length, get: (i) => readElement(scan, i) };
}

const fromList = (objects: readonly unknown[]): ObjectSource => ({ count: objects.length, get: (i) => ({ value: objects[i] }) });

/**
 * Checks every object and hands the valid ones on as rows, in order (`ord` counting from 0 within each run of
 * `chunkSize` rows); the others become failures with a reason.
 */
export function prepareObjects(source: ObjectSource, defaultTlp: Tlp, oasis: OasisValidator | undefined, chunkSize: number, onRow: (row: Row) => void): StatusDetail[] {
  const failures: StatusDetail[] = [];
  const seen = new Set<string>();
  let accepted = 0;
  for (let i = 0; i < source.count; i += 1) {
    const read = source.get(i);
    if ('error' in read) {
      failures.push({ id: `objects[${i}]`, message: storable(`objects[${i}] is ${read.error}`) });
      continue;
    }
    const raw = read.value;
    const v = validateStix(raw);
    if (!v.ok) {
      failures.push({ id: idOf(raw) || `objects[${i}]`, message: storable(v.errors.slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`).join('; ')) });
      continue;
    }
    const o: StixObject = v.object;
    // The standard's schemas run only on objects our own checks passed (their patterns are not all safe
    // against hostile input of any shape).
    const oasisErrors = oasis?.validate(o) ?? [];
    if (oasisErrors.length) {
      failures.push({ id: o.id, message: storable(oasisErrors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')) });
      continue;
    }
    const version = str(o.modified) ?? str(o.created) ?? '';
    const tlp = tlpOfMarkings(o.object_marking_refs as string[] | undefined) ?? defaultTlp;
    if (tlp === 'RED') {
      failures.push({ id: o.id, ...(version ? { version } : {}), message: 'TLP:RED objects are not shared over TAXII; share them with named people in the web application.' });
      continue;
    }
    const key = `${o.id}|${version}`;
    if (seen.has(key)) continue; // the same version twice in one request: stored once, reported once
    seen.add(key);
    const isIndicator = o.type === 'indicator';
    onRow({
      ord: accepted++ % chunkSize,
      stix_id: o.id,
      type: o.type,
      spec_version: str(o.spec_version) ?? '2.1',
      version,
      revoked: o.revoked === true,
      tlp,
      obj: o,
      raw: read.text ?? null,
      name: str(o.name)?.slice(0, 1000) ?? (typeof o.value === 'string' ? o.value.slice(0, 1000) : null),
      pattern: isIndicator ? str(o.pattern) : null,
      pattern_type: isIndicator ? str(o.pattern_type) : null,
      valid_from: isIndicator ? str(o.valid_from) : null,
      valid_until: isIndicator ? str(o.valid_until) : null,
      confidence: typeof o.confidence === 'number' ? o.confidence : null,
      created_by_ref: str(o.created_by_ref),
      source_ref: o.type === 'relationship' ? str(o.source_ref) : null,
      target_ref: o.type === 'relationship' ? str(o.target_ref) : o.type === 'sighting' ? str(o.sighting_of_ref) : null,
    });
  }
  return failures;
}

/**
 * A chunk as the insert reads it: the rows as one JSON document and the objects' text apart from it, as one
 * bytea sent as raw bytes, each row naming its slice (parsing the text as part of a JSON document took most of
 * the statement's time).
 */
export function chunkInput(chunk: readonly Row[], offset = 0): PreparedPart {
  const keys = chunk.map((r) => ({ id: r.stix_id, version: r.version }));
  // The objects' text is written as UTF-8 straight into one buffer of its own (never a slice of a shared pool,
  // so that a worker can hand it over without copying it), growing it when needed.
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(4096);
  let used = 0;
  const rows = JSON.stringify(
    chunk.map((r) => {
      const raw = r.raw;
      const text = raw ? null : JSON.stringify(r.obj);
      // UTF-8 takes at most three bytes for each UTF-16 unit.
      const most = raw ? raw.length : text!.length * 3;
      if (bytes.length - used < most) {
        const bigger = new Uint8Array(Math.max(bytes.length * 2, used + most));
        bigger.set(bytes.subarray(0, used));
        bytes = bigger;
      }
      let written: number;
      if (raw) {
        bytes.set(raw, used);
        written = raw.length;
      } else written = encoder.encodeInto(text!, bytes.subarray(used)).written;
      // Written out property by property: a rest pattern and a spread copied them one by one in the runtime.
      const row = {
        ord: r.ord, stix_id: r.stix_id, type: r.type, spec_version: r.spec_version, version: r.version, revoked: r.revoked, tlp: r.tlp,
        at: offset + used + 1, len: written,
        name: r.name, pattern: r.pattern, pattern_type: r.pattern_type, valid_from: r.valid_from, valid_until: r.valid_until,
        confidence: r.confidence, created_by_ref: r.created_by_ref, source_ref: r.source_ref, target_ref: r.target_ref,
      };
      used += written;
      return row;
    }),
  );
  return { keys, rows, bytes: bytes.subarray(0, used), offset };
}

/**
 * Parts of one chunk that follow one another, as one part: their rows in one JSON document and their bytes
 * end to end (the rows' `at` already count from the chunk's start).
 */
export function joinParts(parts: readonly PreparedPart[]): PreparedPart {
  if (parts.length === 1) return parts[0]!;
  let end = parts[0]!.offset;
  for (const p of parts) {
    if (p.offset !== end) throw new Error('joinParts: the parts do not follow one another in one chunk');
    end += p.bytes.length;
  }
  const keys: RowKey[] = [];
  for (const p of parts) for (const k of p.keys) keys.push(k);
  const rows = `[${parts.map((p) => p.rows.slice(1, -1)).join(',')}]`;
  return { keys, rows, bytes: Buffer.concat(parts.map((p) => p.bytes)), offset: parts[0]!.offset };
}

/** Prepares a batch, handing on each part as soon as it is ready; answers how the batch ended. */
export function prepareParts(task: PrepareTask, onPart: (part: PreparedPart) => void): PreparedEnd {
  let objects: ObjectSource;
  if (task.objects) objects = fromList(task.objects);
  else {
    const read = readEnvelope(task.envelope ?? '');
    if ('code' in read) return { ok: false, code: read.code, message: read.message };
    objects = read;
  }
  let rows: Row[] = [];
  let size = Math.min(task.firstPartSize ?? task.partSize, task.partSize);
  // Where the next part's bytes start in its chunk's text.
  let offset = 0;
  const failures = prepareObjects(objects, task.defaultTlp, task.schemaDir ? loadOasisSchemas(task.schemaDir) : undefined, task.chunkSize, (row) => {
    rows.push(row);
    // A part ends when it is full or its chunk is (ord starts again from 0 with the next row).
    if (rows.length === size || row.ord === task.chunkSize - 1) {
      const part = chunkInput(rows, offset);
      offset = row.ord === task.chunkSize - 1 ? 0 : offset + part.bytes.length;
      // Handed on last: a worker hands the part's bytes over, and they are gone from here.
      onPart(part);
      rows = [];
      size = task.partSize;
    }
  });
  if (rows.length) onPart(chunkInput(rows, offset));
  return { ok: true, total: objects.count, failures };
}

// The STIX 2.1 store: adding object versions to a collection (TAXII POST, bundle uploads, feeds) and the
// rules that keep TAXII paging exact. Each batch is one transaction: it locks the collection row, gives its
// objects date_added values after every earlier one (unique, increasing, a microsecond apart), inserts them
// in one statement, and marks which version of each object is the latest.
import { sql } from 'drizzle-orm';
import type { UserActor } from '../access/actor.js';
import { auditsInsert, auditWritten } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import { noteBulkWrites } from '../platform/db/table-stats.js';
import { enqueue } from '../platform/jobs/queue.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError } from '../platform/http/errors.js';
import { canWrite, recipientsOf, type Collection } from './collections-service.js';
import { tlpOfMarkings } from './stix/markings.js';
import { validateStix, type StixObject } from './stix/validate.js';
import { loadOasisSchemas, type OasisValidator } from './stix/oasis-schemas.js';
import type { StatusDetail } from './schema.js';

export interface IngestResult {
  readonly successes: StatusDetail[];
  readonly failures: StatusDetail[];
}

interface Row {
  readonly ord: number;
  readonly stix_id: string;
  readonly type: string;
  readonly spec_version: string;
  /** modified, else created, else '' (immutable objects: SCOs, TLP marking definitions). */
  readonly version: string;
  readonly revoked: boolean;
  readonly tlp: Tlp;
  /** The object itself: serialised once, with the chunk, and stored as that text (see insertChunk). */
  readonly obj: StixObject;
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
/** Objects per transaction: a TAXII POST of up to this many commits once. */
const CHUNK = 10_000;

function idOf(o: unknown): string {
  const id = o && typeof o === 'object' ? (o as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 300) : '';
}

/** Checks every object and turns the valid ones into rows; the others become failures with a reason. */
export function prepareObjects(objects: readonly unknown[], collection: Collection, oasis?: OasisValidator): { rows: Row[]; failures: StatusDetail[] } {
  const rows: Row[] = [];
  const failures: StatusDetail[] = [];
  const seen = new Set<string>();
  objects.forEach((raw, i) => {
    const v = validateStix(raw);
    if (!v.ok) {
      failures.push({ id: idOf(raw) || `objects[${i}]`, message: v.errors.slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`).join('; ') });
      return;
    }
    const o: StixObject = v.object;
    // The standard's schemas run only on objects our own checks passed (their patterns are not all safe
    // against hostile input of any shape).
    const oasisErrors = oasis?.validate(o) ?? [];
    if (oasisErrors.length) {
      failures.push({ id: o.id, message: oasisErrors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ') });
      return;
    }
    const version = str(o.modified) ?? str(o.created) ?? '';
    const tlp = tlpOfMarkings(o.object_marking_refs as string[] | undefined) ?? collection.defaultTlp;
    if (tlp === 'RED') {
      failures.push({ id: o.id, ...(version ? { version } : {}), message: 'TLP:RED objects are not shared over TAXII; share them with named people in the web application.' });
      return;
    }
    const key = `${o.id}|${version}`;
    if (seen.has(key)) return; // the same version twice in one request: stored once, reported once
    seen.add(key);
    const isIndicator = o.type === 'indicator';
    rows.push({
      ord: rows.length,
      stix_id: o.id,
      type: o.type,
      spec_version: str(o.spec_version) ?? '2.1',
      version,
      revoked: o.revoked === true,
      tlp,
      obj: o,
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
  });
  return { rows, failures };
}

/** Who objects are stored for: the writer's organisation owns them, the user is their author. */
export interface Writer {
  readonly orgId: string;
  readonly userId: string | null;
}

/**
 * Adds objects to a collection on behalf of a writer. Invalid objects are reported one by one and the valid
 * ones still stored; a version already present is reported as a success and left as it was.
 */
export async function addObjects(ctx: AppContext, actor: UserActor, collection: Collection, objects: readonly unknown[]): Promise<IngestResult> {
  if (!canWrite(collection, actor.orgId)) throw new AppError('forbidden', 'Your organisation may not add objects to this collection.');
  if (actor.via === 'token' && !actor.scopes.includes('write') && !actor.scopes.includes('admin')) throw new AppError('forbidden', 'This API token is read-only; create one with the write scope.');
  if (actor.role === 'viewer') throw new AppError('forbidden', 'Viewers can read but not add objects.');
  const result = await storeObjects(ctx, { orgId: actor.orgId, userId: actor.userId }, collection, objects);
  await ctx.db.transaction(async (tx) => {
    await auditsInsert(tx, [{ actor, entry: { action: 'intel.objects-added', targetKind: 'taxii-collection', targetId: collection.id, details: { stored: result.successes.length, refused: result.failures.length } } }]);
  });
  auditWritten();
  return result;
}

/** Validates and stores objects (the caller has checked the writer's rights); `defaultTlp` overrides the collection's. */
export async function storeObjects(ctx: AppContext, writer: Writer, collection: Collection, objects: readonly unknown[], options: { defaultTlp?: Tlp } = {}): Promise<IngestResult> {
  const target = options.defaultTlp ? { ...collection, defaultTlp: options.defaultTlp } : collection;
  const { rows, failures } = prepareObjects(objects, target, ctx.config.stixSchemaDir ? loadOasisSchemas(ctx.config.stixSchemaDir) : undefined);
  const successes: StatusDetail[] = [];
  const recipients = recipientsOf(collection);
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const stored = await insertChunk(ctx, writer, collection.id, recipients, chunk);
    // The embedded database has no autovacuum, and PostgreSQL's looks only once a minute: a table that grew
    // tenfold in the meantime is planned as if it were small.
    noteBulkWrites(ctx.db, 'stix_objects', stored.size);
    ctx.jobs.kick();
    for (const r of chunk) {
      successes.push({ id: r.stix_id, ...(r.version ? { version: r.version } : {}), ...(stored.has(`${r.stix_id}|${r.version}`) ? {} : { message: 'already in the collection' }) });
    }
  }
  return { successes, failures };
}

async function insertChunk(ctx: AppContext, writer: Writer, collectionId: string, recipients: readonly string[], chunk: readonly Row[]): Promise<Set<string>> {
  return ctx.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ base: string }>(
      await tx.execute(sql`
        select greatest(clock_timestamp(), coalesce(last_added_at, '-infinity'::timestamptz) + interval '1 microsecond')::text as base
        from taxii_collections where id = ${collectionId}::uuid for update`),
    );
    if (!lock) throw new AppError('not-found', 'The collection was not found.');
    // The chunk goes as one JSON document with each object nested in it (json, not jsonb: each object's text
    // is taken as it is, without being parsed into a tree or escaped into a string inside a string).
    // New rows start as the latest version; the snapshot of RETURNING does not see this statement's rows, so
    // `had_prior` tells which objects already had a version here and need their latest flag worked out.
    const inserted = rowsOf<{ seq: number; type: string; stix_id: string; version: string; had_prior: boolean }>(
      await tx.execute(sql`
        insert into stix_objects (collection_id, stix_id, type, spec_version, version, version_at, date_added, is_latest, revoked,
          owner_org, author_id, tlp, recipient_orgs, body, name, pattern, pattern_type, valid_from, valid_until, confidence, created_by_ref, source_ref, target_ref)
        select ${collectionId}::uuid, x.stix_id, x.type, x.spec_version, x.version,
          coalesce(nullif(x.version, '')::timestamptz, ${lock.base}::timestamptz + x.ord * interval '1 microsecond'),
          ${lock.base}::timestamptz + x.ord * interval '1 microsecond', true, x.revoked,
          ${writer.orgId}::uuid, ${writer.userId}::uuid, x.tlp::tlp,
          case when x.tlp in ('AMBER', 'AMBER+STRICT') then ${`{${recipients.join(',')}}`}::uuid[] else '{}'::uuid[] end,
          x.obj::text, x.name, x.pattern, x.pattern_type, x.valid_from::timestamptz, x.valid_until::timestamptz, x.confidence, x.created_by_ref, x.source_ref, x.target_ref
        from json_to_recordset(${JSON.stringify(chunk)}::json) as x(ord int, stix_id text, type text, spec_version text, version text, revoked boolean,
          tlp text, obj json, name text, pattern text, pattern_type text, valid_from text, valid_until text, confidence int, created_by_ref text, source_ref text, target_ref text)
        order by x.ord
        on conflict (collection_id, stix_id, version) do nothing
        returning seq::int as seq, type, stix_id, version, exists (select 1 from stix_objects p where p.collection_id = ${collectionId}::uuid and p.stix_id = stix_objects.stix_id) as had_prior`),
    );
    // New indicators and vulnerabilities are matched against every inventory at once, by a job that commits with them.
    const indicatorSeqs = inserted.filter((r) => r.type === 'indicator' || r.type === 'vulnerability').map((r) => r.seq);
    if (indicatorSeqs.length) await enqueue(tx, 'victims.match', { collectionId, fromSeq: Math.min(...indicatorSeqs), toSeq: Math.max(...indicatorSeqs) });
    await tx.execute(sql`
      update taxii_collections set last_added_at = ${lock.base}::timestamptz + ${chunk.length} * interval '1 microsecond', updated_at = now()
      where id = ${collectionId}::uuid`);
    const counts = new Map<string, number>();
    for (const r of inserted) counts.set(r.stix_id, (counts.get(r.stix_id) ?? 0) + 1);
    const several = [...new Set(inserted.filter((r) => r.had_prior || counts.get(r.stix_id)! > 1).map((r) => r.stix_id))];
    if (several.length) {
      // The latest version of each such object: the newest `modified`; ties go to the later addition.
      await tx.execute(sql`
        with ranked as (
          select o.seq, row_number() over (partition by o.stix_id order by o.version_at desc, o.date_added desc) = 1 as latest
          from stix_objects o
          where o.collection_id = ${collectionId}::uuid and o.stix_id = any(${`{${several.join(',')}}`}::text[]))
        update stix_objects s set is_latest = r.latest
        from ranked r where s.seq = r.seq and s.is_latest is distinct from r.latest`);
    }
    return new Set(inserted.map((r) => `${r.stix_id}|${r.version}`));
  });
}

// The STIX 2.1 store: adding object versions to a collection (TAXII POST, bundle uploads, feeds) and the
// rules that keep TAXII paging exact. The objects are read, checked and serialised off the main thread
// (stix/prepare.ts, stix/preparer.ts); then each batch is one transaction: it locks the collection row, gives its
// objects date_added values after every earlier one (unique, increasing, a microsecond apart), inserts them
// in one statement, and marks which version of each object is the latest.
import { sql, type SQL } from 'drizzle-orm';
import type { UserActor } from '../access/actor.js';
import { auditsInsert, auditWritten } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf, type Db } from '../platform/db/client.js';
import { noteBulkWrites } from '../platform/db/table-stats.js';
import { enqueue } from '../platform/jobs/queue.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError } from '../platform/http/errors.js';
import { canWrite, recipientsOf, type Collection } from './collections-service.js';
import { joinParts, type PreparedPart, type RowKey } from './stix/prepare.js';
import { stixPreparer, type PreparedStream } from './stix/preparer.js';
import type { StatusDetail } from './schema.js';

export interface IngestResult {
  /** Objects the request carried (valid or not). */
  readonly total: number;
  readonly successes: StatusDetail[];
  readonly failures: StatusDetail[];
}

const ALREADY = 'already in the collection';

/** Objects per transaction: a TAXII POST of up to this many commits once. */
const CHUNK = 10_000;

/** Objects to store: a TAXII envelope as sent, or objects already read (feeds, members' reports). */
export type ObjectsInput = { readonly envelope: string | Uint8Array } | { readonly objects: readonly unknown[] };

/** Who objects are stored for: the writer's organisation owns them, the user is their author. */
export interface Writer {
  readonly orgId: string;
  readonly userId: string | null;
}

/**
 * Adds objects to a collection on behalf of a writer. Invalid objects are reported one by one and the valid
 * ones still stored; a version already present is reported as a success and left as it was.
 */
export async function addObjects(ctx: AppContext, actor: UserActor, collection: Collection, input: ObjectsInput): Promise<IngestResult>;
/**
 * The same, with a record of the request (a TAXII status resource) written once its objects are stored. The
 * audit entry of the request commits with its last objects; the record, which lists every object, in a
 * transaction of its own right after, so that the next writer to the collection does not wait for it.
 */
export async function addObjects<T>(ctx: AppContext, actor: UserActor, collection: Collection, input: ObjectsInput, record: (tx: Db, result: IngestResult) => Promise<T>): Promise<IngestResult & { recorded: T }>;
export async function addObjects<T>(ctx: AppContext, actor: UserActor, collection: Collection, input: ObjectsInput, record?: (tx: Db, result: IngestResult) => Promise<T>): Promise<IngestResult & { recorded?: T }> {
  if (!canWrite(collection, actor.orgId)) throw new AppError('forbidden', 'Your organisation may not add objects to this collection.');
  if (actor.via === 'token' && !actor.scopes.includes('write') && !actor.scopes.includes('admin')) throw new AppError('forbidden', 'This API token is read-only; create one with the write scope.');
  if (actor.role === 'viewer') throw new AppError('forbidden', 'Viewers can read but not add objects.');
  const result = await storeObjects(ctx, { orgId: actor.orgId, userId: actor.userId }, collection, input, {
    withLast: (tx, r) =>
      auditsInsert(tx, [{ actor, entry: { action: 'intel.objects-added', targetKind: 'taxii-collection', targetId: collection.id, details: { stored: r.successes.length, refused: r.failures.length } } }]),
  });
  auditWritten();
  if (!record) return result;
  return { ...result, recorded: await ctx.db.transaction((tx) => record(tx, result)) };
}

export interface StoreOptions {
  /** The marking of objects that carry none, instead of the collection's. */
  readonly defaultTlp?: Tlp;
  /**
   * Writes what must commit with the request's objects (its audit entry), in the transaction that stores its
   * last objects (in one of its own when nothing is stored).
   */
  readonly withLast?: (tx: Db, result: IngestResult) => Promise<unknown>;
}

/** Validates and stores objects (the caller has checked the writer's rights). */
export async function storeObjects(ctx: AppContext, writer: Writer, collection: Collection, input: ObjectsInput, options: StoreOptions = {}): Promise<IngestResult> {
  const stream = stixPreparer.prepare({
    ...input,
    defaultTlp: options.defaultTlp ?? collection.defaultTlp,
    schemaDir: ctx.config.stixSchemaDir || null,
    chunkSize: CHUNK,
    // PostgreSQL takes a batch's parts as they come, in a transaction that waits for them. The embedded database
    // has one connection: a transaction waiting there would hold up everything else, so it takes whole chunks.
    partSize: ctx.database.kind === 'embedded' ? CHUNK : PART,
    firstPartSize: ctx.database.kind === 'embedded' ? CHUNK : FIRST_PART,
  });
  const successes: StatusDetail[] = [];
  const recipients = recipientsOf(collection);
  // Written without spreads: this runs for every object of a request, between its commit and its answer.
  const report = (keys: readonly RowKey[], stored: ReadonlySet<string>) => {
    for (const k of keys) {
      const already = !stored.has(`${k.id}|${k.version}`);
      if (k.version) successes.push(already ? { id: k.id, version: k.version, message: ALREADY } : { id: k.id, version: k.version });
      else successes.push(already ? { id: k.id, message: ALREADY } : { id: k.id });
    }
  };
  const resultOf = (): IngestResult => {
    const end = stream.end;
    if (!end.ok) throw new AppError(end.code, end.message);
    return { total: end.total, successes, failures: end.failures };
  };
  let written = false;
  // A transaction starts with the first part ready and takes the next parts as they come, up to CHUNK objects.
  // The one that takes the last part also writes what must commit with the objects (`withLast`).
  let part = await stream.next();
  while (part) {
    const batch = await insertParts(ctx, writer, collection.id, recipients, part, stream, async (tx, keys, stored) => {
      report(keys, stored);
      if (options.withLast) {
        await options.withLast(tx, resultOf());
        written = true;
      }
    });
    if (!batch.ended) report(batch.keys, batch.stored);
    part = batch.ended ? null : await stream.next();
    // The embedded database has no autovacuum, and PostgreSQL's looks only once a minute: a table that grew
    // tenfold in the meantime is planned as if it were small.
    noteBulkWrites(ctx.db, 'stix_objects', batch.stored.size);
    // The matching job of new indicators starts at once; a batch without any leaves the job runner alone.
    if (batch.enqueued) ctx.jobs.kick();
  }
  const result = resultOf();
  const withLast = options.withLast;
  if (withLast && !written) await ctx.db.transaction((tx) => withLast(tx, result));
  return result;
}

/**
 * "In this collection", for look-ups of objects by id. Written so that no index on the collection can serve
 * it: the look-up then always goes by id (a few rows), whatever the planner's statistics say. A collection
 * the statistics do not know yet (a feed's new collection, say) is estimated at one row, and the plain
 * comparison had the planner read the whole collection for every insert statement instead: 439 ms against
 * 15 ms for a part of 500 objects in a collection of 300,000 not yet analysed.
 */
const SAME_COLLECTION = (alias: SQL, collectionId: string): SQL => sql`${alias}.collection_id::text = ${collectionId}::uuid::text`;

/**
 * "The same object in this collection", for the look-up of one object's earlier versions: the row comparisons
 * say `stix_id = id and collection_id = collection` in a form that only the index on (stix_id, collection_id,
 * version) can serve, and serve directly, going straight to this collection's versions of the object. With
 * SAME_COLLECTION the look-up went through the versions of the object in every collection (ATT&CK is in
 * many) and tested each: the insert of ATT&CK into its twentieth collection spent a fifth of its time there.
 */
const SAME_OBJECT_HERE = (alias: SQL, id: SQL, collectionId: string): SQL =>
  sql`${alias}.stix_id = ${id} and (${alias}.stix_id, ${alias}.collection_id) >= (${id}, ${collectionId}::uuid) and (${alias}.stix_id, ${alias}.collection_id) <= (${id}, ${collectionId}::uuid)`;

/**
 * Objects per part: the first is stored while the worker checks the next. Divides CHUNK. Parts ready by the
 * time a statement goes (a second bundle's, checked while the first was stored) go in that one statement.
 */
const PART = 500;
/** The first part of a batch is smaller, so that the database starts on it sooner. */
const FIRST_PART = 100;

type Inserted = { seq: number; type: string; stix_id: string; version: string; had_prior: boolean };

/**
 * One transaction: locks the collection, inserts `first` and the parts that follow it (up to CHUNK objects)
 * as they come, and answers what it stored, whether the batch ended with it (else the chunk was full: the
 * next part is asked for by the next transaction, so that none waits for another's parts) and whether it
 * queued a matching job. When the batch ended, `last` runs in the transaction, before it commits, with what
 * this transaction stored.
 */
async function insertParts(
  ctx: AppContext,
  writer: Writer,
  collectionId: string,
  recipients: readonly string[],
  first: PreparedPart,
  stream: PreparedStream,
  last: (tx: Db, keys: readonly RowKey[], stored: ReadonlySet<string>) => Promise<void>,
): Promise<{ stored: Set<string>; keys: RowKey[]; ended: boolean; enqueued: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ base: string; fresh: boolean }>(
      await tx.execute(sql`
        select greatest(clock_timestamp(), coalesce(last_added_at, '-infinity'::timestamptz) + interval '1 microsecond')::text as base,
          last_added_at is null as fresh
        from taxii_collections where id = ${collectionId}::uuid for update`),
    );
    if (!lock) throw new AppError('not-found', 'The collection was not found.');
    const inserted: Inserted[] = [];
    const keys: RowKey[] = [];
    let part: PreparedPart | null | undefined = first;
    while (part) {
      // The parts the worker has already got ready go with this one, in the same statement: the database
      // then does not wait for this thread between them.
      const statement = joinParts([part, ...stream.takeReady(CHUNK - keys.length - part.keys.length)]);
      for (const r of await insertPart(tx, writer, collectionId, recipients, lock.base, !lock.fresh, statement)) inserted.push(r);
      for (const k of statement.keys) keys.push(k);
      part = keys.length < CHUNK ? await stream.next() : undefined;
    }
    // New indicators and vulnerabilities are matched against every inventory at once, by a job that commits with them.
    const indicatorSeqs = inserted.filter((r) => r.type === 'indicator' || r.type === 'vulnerability').map((r) => r.seq);
    if (indicatorSeqs.length) await enqueue(tx, 'victims.match', { collectionId, fromSeq: Math.min(...indicatorSeqs), toSeq: Math.max(...indicatorSeqs) });
    await tx.execute(sql`
      update taxii_collections set last_added_at = ${lock.base}::timestamptz + ${keys.length} * interval '1 microsecond',
        objects_added = objects_added + ${inserted.length}, updated_at = now()
      where id = ${collectionId}::uuid`);
    const counts = new Map<string, number>();
    for (const r of inserted) counts.set(r.stix_id, (counts.get(r.stix_id) ?? 0) + 1);
    const several = [...new Set(inserted.filter((r) => r.had_prior || counts.get(r.stix_id)! > 1).map((r) => r.stix_id))];
    if (several.length) {
      // The latest version of each such object: the newest `modified`; ties go to the later addition. Found by
      // id (see SAME_COLLECTION).
      await tx.execute(sql`
        with ranked as (
          select o.seq, row_number() over (partition by o.stix_id order by o.version_at desc, o.date_added desc) = 1 as latest
          from stix_objects o
          where o.stix_id = any(${`{${several.join(',')}}`}::text[]) and ${SAME_COLLECTION(sql`o`, collectionId)})
        update stix_objects s set is_latest = r.latest
        from ranked r where s.seq = r.seq and s.is_latest is distinct from r.latest`);
    }
    const stored = new Set(inserted.map((r) => `${r.stix_id}|${r.version}`));
    if (part === null) await last(tx, keys, stored);
    return { stored, keys, ended: part === null, enqueued: indicatorSeqs.length > 0 };
  });
}

/**
 * One part (or several joined) in one statement. New rows start as the latest version; the snapshot of
 * RETURNING does not see this statement's rows, so `had_prior` tells which objects already had a version here
 * (from before, or from an earlier statement) and need their latest flag worked out. Into a collection that
 * had nothing added before this transaction (`probe` false) nothing came before: versions of one object
 * within the transaction are found by counting what it inserted, and the look-up per row (a tenth of the
 * statement's time) is left out.
 */
async function insertPart(tx: Db, writer: Writer, collectionId: string, recipients: readonly string[], base: string, probe: boolean, part: PreparedPart): Promise<Inserted[]> {
  // Each object's text: a slice of the part's bytes (`at` counts from its chunk's first byte).
  const body = sql`convert_from(substring(${part.bytes}::bytea from x.at - ${part.offset}::int for x.len), 'UTF8')`;
  const hadPrior = probe ? sql`exists (select 1 from stix_objects p where ${SAME_OBJECT_HERE(sql`p`, sql`stix_objects.stix_id`, collectionId)})` : sql`false`;
  return rowsOf<Inserted>(
    await tx.execute(sql`
      insert into stix_objects (collection_id, stix_id, type, spec_version, version, version_at, date_added, is_latest, revoked,
        owner_org, author_id, tlp, recipient_orgs, body, name, pattern, pattern_type, valid_from, valid_until, confidence, created_by_ref, source_ref, target_ref)
      select ${collectionId}::uuid, x.stix_id, x.type, x.spec_version, x.version,
        coalesce(nullif(x.version, '')::timestamptz, ${base}::timestamptz + x.ord * interval '1 microsecond'),
        ${base}::timestamptz + x.ord * interval '1 microsecond', true, x.revoked,
        ${writer.orgId}::uuid, ${writer.userId}::uuid, x.tlp::tlp,
        case when x.tlp in ('AMBER', 'AMBER+STRICT') then ${`{${recipients.join(',')}}`}::uuid[] else '{}'::uuid[] end,
        ${body}, x.name, x.pattern, x.pattern_type, x.valid_from::timestamptz, x.valid_until::timestamptz, x.confidence, x.created_by_ref, x.source_ref, x.target_ref
      from json_to_recordset(${part.rows}::json) as x(ord int, stix_id text, type text, spec_version text, version text, revoked boolean,
        tlp text, at int, len int, name text, pattern text, pattern_type text, valid_from text, valid_until text, confidence int, created_by_ref text, source_ref text, target_ref text)
      order by x.ord
      on conflict (collection_id, stix_id, version) do nothing
      returning seq::int as seq, type, stix_id, version, ${hadPrior} as had_prior`),
  );
}

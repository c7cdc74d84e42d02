// Reading a collection the TAXII 2.1 way (OASIS TAXII 2.1, sections 5.3–5.8): objects, one object, its
// versions, the manifest, with match[] filters, added_after, limit/next paging and the date-added range of
// each page. Every query carries the sharing policy in SQL: the reader sees exactly the objects the web
// application would show them, and never a TLP:RED one.
import { sql, type SQL } from 'drizzle-orm';
import type { UserActor } from '../../access/actor.js';
import { readableBy } from '../../access/policy.js';
import { STIX_ROW } from '../stix-row.js';
import { auditsInsert, auditWritten } from '../../audit/service.js';
import type { AppContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db/client.js';
import { AppError } from '../../platform/http/errors.js';
import { canRead, type Collection } from '../collections-service.js';
import { stixObjects } from '../schema.js';
import { isIdentifier, isStixTimestamp } from '../stix/validate.js';

export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
export const MAX_PAGE = 10_000;
export const DEFAULT_PAGE = 1_000;

export interface TaxiiFilter {
  readonly addedAfter?: string;
  readonly next?: string;
  readonly limit?: number;
  readonly ids?: readonly string[];
  readonly types?: readonly string[];
  /** first, last, all, or version timestamps; default last (objects, manifest), all (versions). */
  readonly versions?: readonly string[];
  readonly specVersions?: readonly string[];
}

export interface PageRow {
  readonly seq: number;
  readonly stix_id: string;
  readonly version: string;
  readonly added: string;
  readonly tlp: string;
  readonly body?: string;
}

export interface Page {
  readonly rows: readonly PageRow[];
  readonly more: boolean;
  readonly next: string | null;
  readonly first: string | null;
  readonly last: string | null;
}

const bad = (message: string) => new AppError('bad-request', message);

/** `next` is the date_added of the last object of the page, opaque to clients (base64url). */
function decodeNext(next: string): string {
  let text: string;
  try {
    text = Buffer.from(next, 'base64url').toString('utf8');
  } catch {
    throw bad('The next parameter is not one this server gave.');
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(text)) throw bad('The next parameter is not one this server gave.');
  return text;
}

const encodeNext = (added: string) => Buffer.from(added, 'utf8').toString('base64url');

/** Checks the match[] values and the timestamps of a request, so bad ones get a 400 that names them. */
export function checkFilter(f: TaxiiFilter): void {
  if (f.addedAfter !== undefined && !isStixTimestamp(f.addedAfter)) throw bad('added_after must be a timestamp like 2026-11-03T08:00:00.000Z.');
  if (f.limit !== undefined && (!Number.isInteger(f.limit) || f.limit < 1)) throw bad('limit must be a positive whole number.');
  for (const id of f.ids ?? []) if (!isIdentifier(id)) throw bad(`match[id] "${String(id).slice(0, 80)}" is not a STIX identifier.`);
  for (const t of f.types ?? []) if (!/^[a-z0-9][a-z0-9-]{0,249}$/.test(t)) throw bad(`match[type] "${t.slice(0, 80)}" is not a STIX type.`);
  for (const v of f.versions ?? []) if (!['first', 'last', 'all'].includes(v) && !isStixTimestamp(v)) throw bad(`match[version] "${String(v).slice(0, 80)}" must be first, last, all or a timestamp.`);
  for (const s of f.specVersions ?? []) if (!/^\d\.\d$/.test(s)) throw bad(`match[spec_version] "${s.slice(0, 20)}" must look like 2.1.`);
  if (f.next !== undefined) decodeNext(f.next);
}

const ADDED = sql`to_char(o.date_added at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function versionCondition(versions: readonly string[]): SQL {
  if (versions.includes('all')) return sql`true`;
  const parts: SQL[] = [];
  if (versions.includes('last')) parts.push(sql`o.is_latest`);
  if (versions.includes('first')) {
    parts.push(sql`not exists (select 1 from stix_objects p where p.collection_id = o.collection_id and p.stix_id = o.stix_id
      and (p.version_at, p.date_added) < (o.version_at, o.date_added))`);
  }
  const stamps = versions.filter((v) => v !== 'first' && v !== 'last');
  if (stamps.length) parts.push(sql`o.version_at = any(${`{${stamps.join(',')}}`}::timestamptz[])`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** One page of a collection's objects (or manifest, or one object's versions) that this reader may see. */
export async function readPage(ctx: AppContext, actor: UserActor, collection: Collection, f: TaxiiFilter, what: { body: boolean; defaultVersion: 'last' | 'all' }): Promise<Page> {
  if (!canRead(collection, actor.orgId)) throw new AppError('forbidden', 'Your organisation may add to this collection but not read it.');
  checkFilter(f);
  const limit = Math.min(f.limit ?? DEFAULT_PAGE, MAX_PAGE);
  const conditions: SQL[] = [sql`o.collection_id = ${collection.id}::uuid`, readableBy(STIX_ROW, actor), sql`o.tlp <> 'RED'`];
  if (f.addedAfter) conditions.push(sql`o.date_added > ${f.addedAfter}::timestamptz`);
  if (f.next) conditions.push(sql`o.date_added > ${decodeNext(f.next)}::timestamptz`);
  if (f.ids?.length) conditions.push(sql`o.stix_id = any(${`{${f.ids.join(',')}}`}::text[])`);
  if (f.types?.length) conditions.push(sql`o.type = any(${`{${f.types.join(',')}}`}::text[])`);
  if (f.specVersions?.length) conditions.push(sql`o.spec_version = any(${`{${f.specVersions.join(',')}}`}::text[])`);
  conditions.push(versionCondition(f.versions?.length ? f.versions : [what.defaultVersion]));
  const rows = rowsOf<PageRow>(
    await ctx.db.execute(sql`
      select o.seq::int as seq, o.stix_id, o.version, ${ADDED} as added, o.tlp::text as tlp${what.body ? sql`, o.body` : sql``}
      from ${stixObjects} o
      where ${sql.join(conditions, sql` and `)}
      order by o.date_added
      limit ${limit + 1}`),
  );
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const restricted = page.filter((r) => r.tlp === 'AMBER+STRICT');
  if (restricted.length) {
    await auditsInsert(ctx.db, [{ actor, entry: { action: 'intel.read-restricted', targetKind: 'taxii-collection', targetId: collection.id, details: { count: restricted.length, ids: restricted.slice(0, 100).map((r) => r.stix_id) } } }]);
    auditWritten();
  }
  const last = page.at(-1)?.added ?? null;
  return { rows: page, more, next: more && last ? encodeNext(last) : null, first: page[0]?.added ?? null, last };
}

/** The version a manifest or versions list shows: `modified`, else `created`, else the date it was added. */
export function shownVersion(r: PageRow): string {
  return r.version || r.added;
}

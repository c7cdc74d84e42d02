// Reading the STIX store in the web application and REST API: search and list under the sharing policy, one
// object with its versions and its relationships. Any stored object version is a shareable record, so the
// same predicate as TAXII applies (TAXII adds the collection's reader list on top).
import { sql } from 'drizzle-orm';
import type { UserActor } from '../access/actor.js';
import { readableBy } from '../access/policy.js';
import { STIX_ID_SHAPE, STIX_ROW, visibleObjects } from './stix-row.js';
import { auditsInsert, auditWritten } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import { AppError } from '../platform/http/errors.js';
import { renderMarkdown } from '../platform/text/markdown.js';
import { linkCitations } from './citations.js';
import { currentConfidence, stateOf, type IndicatorState } from './lifecycle.js';
import { feedbackSummary, type FeedbackSummary } from './feedback-service.js';

export interface ObjectSummary {
  readonly stixId: string;
  readonly type: string;
  readonly name: string | null;
  readonly version: string;
  readonly tlp: string;
  readonly revoked: boolean;
  readonly collectionId: string;
  readonly ownerOrg: string;
  readonly dateAdded: string;
  readonly pattern: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly confidence: number | null;
  /** Its producer no longer keeps it up (MITRE ATT&CK's `x_mitre_deprecated`), though it has not revoked it. */
  readonly deprecated: boolean;
  /** Its MITRE ATT&CK id (T1566, S0604, G0034…), from its ATT&CK external reference; what analysts call it. */
  readonly attackId: string | null;
  /** Indicators: active, not-yet-valid, expired or revoked, and the confidence after decay (lifecycle.ts). */
  readonly state: IndicatorState | null;
  readonly currentConfidence: number | null;
}

export interface ObjectQuery {
  readonly type?: string;
  readonly q?: string;
  readonly collection?: string;
  readonly includeRevoked?: boolean;
  readonly includeDeprecated?: boolean;
  readonly limit: number;
  readonly cursor?: string;
}


const SUMMARY = sql`o.seq::text as seq, o.stix_id as "stixId", o.type, o.name, o.version, o.tlp::text as tlp, o.revoked, o.collection_id as "collectionId",
  o.owner_org as "ownerOrg", to_char(o.date_added at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "dateAdded", o.pattern,
  to_char(o.valid_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "validFrom",
  to_char(o.valid_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "validUntil", o.confidence,
  coalesce(b.j ->> 'x_mitre_deprecated' = 'true', false) as deprecated,
  (select r ->> 'external_id' from jsonb_array_elements(case when jsonb_typeof(b.j -> 'external_references') = 'array'
      then b.j -> 'external_references' else '[]'::jsonb end) as r
    where r ->> 'source_name' like 'mitre-%attack' limit 1) as "attackId"`;
/** What SUMMARY reads from: the object's row, and its text read as JSON once (`b.j`; `offset 0` keeps the planner from copying the cast into each use). */
const SUMMARY_FROM = sql`stix_objects o cross join lateral (select o.body::jsonb as j offset 0) b`;

type SummaryRow = Omit<ObjectSummary, 'state' | 'currentConfidence'>;

/** Adds the lifecycle of indicators (state, decayed confidence) to a row. */
function withLifecycle(r: SummaryRow, now = new Date()): ObjectSummary {
  if (r.type !== 'indicator') return { ...r, state: null, currentConfidence: null };
  const i = { revoked: r.revoked, validFrom: r.validFrom ? new Date(r.validFrom) : null, validUntil: r.validUntil ? new Date(r.validUntil) : null, confidence: r.confidence, pattern: r.pattern };
  return { ...r, state: stateOf(i, now), currentConfidence: currentConfidence(i, now) };
}

/** Every object this user may see, once each (stix-row.ts), newest first; `q` searches names, ids, patterns (refanged) and ATT&CK ids. */
export async function listObjects(ctx: AppContext, actor: UserActor, query: ObjectQuery): Promise<{ items: ObjectSummary[]; next: string | null }> {
  const conditions = visibleObjects(actor, query);
  if (query.cursor) {
    if (!/^\d{1,18}$/.test(query.cursor)) throw new AppError('validation-failed', 'The page cursor is not valid; start from the first page.', { details: [{ field: 'cursor', message: 'invalid' }] });
    conditions.push(sql`o.seq < ${query.cursor}::bigint`);
  }
  const rows = rowsOf<SummaryRow & { seq: string }>(
    await ctx.db.execute(sql`select ${SUMMARY} from ${SUMMARY_FROM} where ${sql.join(conditions, sql` and `)} order by o.seq desc limit ${query.limit + 1}`),
  );
  const more = rows.length > query.limit;
  const items = (more ? rows.slice(0, query.limit) : rows).map(({ seq: _seq, ...r }) => withLifecycle(r));
  await auditRestricted(ctx, actor, items);
  return { items, next: more ? rows[query.limit - 1]!.seq : null };
}

async function auditRestricted(ctx: AppContext, actor: UserActor, items: readonly { stixId: string; tlp: string }[]): Promise<void> {
  const restricted = items.filter((i) => i.tlp === 'AMBER+STRICT' || i.tlp === 'RED');
  if (!restricted.length) return;
  await auditsInsert(ctx.db, [{ actor, entry: { action: 'intel.read-restricted', targetKind: 'stix-object', targetId: restricted[0]!.stixId, details: { count: restricted.length, ids: restricted.slice(0, 100).map((r) => r.stixId) } } }]);
  auditWritten();
}

export interface ObjectView {
  readonly object: Record<string, unknown>;
  readonly summary: ObjectSummary;
  /** False positives and sightings reported by members (names only to the producer, and only where allowed). */
  readonly feedback: FeedbackSummary;
  readonly mayRevoke: boolean;
  /** The reader's organisation owns a version of it (it produced it). */
  readonly producer: boolean;
  readonly versions: readonly { version: string; dateAdded: string }[];
  /** Relationships and sightings that name this object, with the other end when it is visible too. */
  readonly relationships: ReadonlyArray<{ stixId: string; type: string; relationshipType: string | null; direction: 'out' | 'in'; other: { stixId: string; type: string; name: string | null } | null }>;
  /** How many relationships and sightings shared with the reader name this object (at most MAX_RELATIONSHIPS are listed). */
  readonly relationshipsTotal: number;
  /**
   * The object's description as HTML that is safe to show: producers (ATT&CK, OpenCTI, vendors) write it in
   * Markdown, with links, and cite their sources in it (citations.ts); null when it has none.
   */
  readonly descriptionHtml: string | null;
  /** What a report, grouping, note, opinion or observed data refers to (`object_refs`): the objects shared with the reader, and how many are not listed (not shared with the reader, or past the first MAX_CONTENTS). */
  readonly contents: { readonly shared: ReadonlyArray<{ stixId: string; type: string; name: string | null }>; readonly notShown: number } | null;
}

/** Relationships and sightings listed at most on the page of one object. */
export const MAX_RELATIONSHIPS = 1_000;

/** Object references listed at most on the page of one object. */
const MAX_CONTENTS = 500;

/** One object (latest visible version), its versions and its relationships; 404 when not visible. */
export async function getObject(ctx: AppContext, actor: UserActor, stixId: string): Promise<ObjectView> {
  const rows = rowsOf<SummaryRow & { body: string }>(
    await ctx.db.execute(sql`select ${SUMMARY}, o.body from ${SUMMARY_FROM} where o.stix_id = ${stixId} and ${readableBy(STIX_ROW, actor)} order by o.version_at desc, o.date_added desc limit 50`),
  );
  const latest = rows[0];
  if (!latest) throw new AppError('not-found', 'No such STIX object, or it is not shared with you.');
  await auditRestricted(ctx, actor, [latest]);
  const { body, ...row } = latest;
  const summary = withLifecycle(row);
  const producer = rows.some((r) => r.ownerOrg === actor.orgId);
  // Relationship ends live in the body; a relationship names its source and target in `source_ref`/`target_ref`,
  // a sighting its indicator in `sighting_of_ref`. A relationship shared in several collections is listed once.
  // Every one is counted; the first MAX_RELATIONSHIPS are listed (a technique of ATT&CK Enterprise has hundreds).
  const rels = rowsOf<{ stixId: string; type: string; body: string; total: number }>(
    await ctx.db.execute(sql`
      select r."stixId", r.type, r.body, count(*) over ()::int as total from (
        select distinct on (o.stix_id) o.stix_id as "stixId", o.type, o.body from stix_objects o
        where o.is_latest and not o.revoked and o.type in ('relationship', 'sighting') and ${readableBy(STIX_ROW, actor)}
          and (o.source_ref = ${stixId} or o.target_ref = ${stixId})
        order by o.stix_id, o.version_at desc) r
      order by r."stixId"
      limit ${MAX_RELATIONSHIPS}`),
  );
  const ends = rels.map((r) => {
    const b = JSON.parse(r.body) as { source_ref?: string; target_ref?: string; relationship_type?: string; sighting_of_ref?: string };
    const out = b.source_ref === stixId;
    const otherId = r.type === 'sighting' ? (b.sighting_of_ref === stixId ? null : b.sighting_of_ref ?? null) : out ? b.target_ref ?? null : b.source_ref ?? null;
    return { stixId: r.stixId, type: r.type, relationshipType: r.type === 'sighting' ? 'sighting-of' : b.relationship_type ?? null, direction: out ? ('out' as const) : ('in' as const), otherId };
  });
  const otherIds = [...new Set(ends.map((e) => e.otherId).filter((x): x is string => !!x))];
  const others = otherIds.length
    ? rowsOf<{ stixId: string; type: string; name: string | null }>(
        await ctx.db.execute(sql`select distinct on (o.stix_id) o.stix_id as "stixId", o.type, o.name from stix_objects o
          where o.stix_id = any(${`{${otherIds.join(',')}}`}::text[]) and ${readableBy(STIX_ROW, actor)} order by o.stix_id, o.is_latest desc`),
      )
    : [];
  const byId = new Map(others.map((o) => [o.stixId, o]));
  const object = JSON.parse(body) as Record<string, unknown>;
  return {
    object,
    summary,
    feedback: await feedbackSummary(ctx, actor, stixId, producer),
    mayRevoke: producer && !summary.revoked && (actor.role === 'analyst' || actor.role === 'org-admin'),
    producer,
    // A version stored in several collections (a feed's copy, say) is one version, added when first seen.
    versions: [...new Map(rows.map((r) => [r.version, { version: r.version, dateAdded: r.dateAdded }])).values()],
    relationships: ends.map(({ otherId, ...e }) => ({ ...e, other: otherId ? (byId.get(otherId) ?? null) : null })),
    relationshipsTotal: rels[0]?.total ?? 0,
    descriptionHtml: typeof object.description === 'string' ? renderMarkdown(linkCitations(object.description, object.external_references)) : null,
    contents: await contentsOf(ctx, actor, object.object_refs),
  };
}

/** The objects `object_refs` names that the reader may see, in the order listed, and how many others there are. */
async function contentsOf(ctx: AppContext, actor: UserActor, refs: unknown): Promise<ObjectView['contents']> {
  if (!Array.isArray(refs)) return null;
  const ids = [...new Set(refs.filter((r): r is string => typeof r === 'string'))];
  const byId = new Map((await readableObjectSummaries(ctx, actor, ids.slice(0, MAX_CONTENTS))).map((o) => [o.stixId, o]));
  const shared = ids.flatMap((id) => {
    const o = byId.get(id);
    return o ? [{ stixId: o.stixId, type: o.type, name: o.name }] : [];
  });
  return { shared, notShown: ids.length - shared.length };
}

/** The latest visible version of each of `stixIds` this user may see (other domains link to STIX objects by id). */
export async function readableObjectSummaries(ctx: AppContext, actor: UserActor, stixIds: readonly string[]): Promise<ObjectSummary[]> {
  const ids = stixIds.filter((id) => STIX_ID_SHAPE.test(id));
  if (!ids.length) return [];
  const rows = rowsOf<SummaryRow & { seq: string }>(
    await ctx.db.execute(sql`select distinct on (o.stix_id) ${SUMMARY} from ${SUMMARY_FROM}
      where o.stix_id = any(${`{${ids.join(',')}}`}::text[]) and ${readableBy(STIX_ROW, actor)}
      order by o.stix_id, o.version_at desc, o.date_added desc`),
  );
  return rows.map(({ seq: _seq, ...r }) => withLifecycle(r));
}

/**
 * The indicators of one stored batch (a range of store sequence numbers of a collection) with their patterns,
 * for the platform's own matching against inventories — a system read, not shown to anyone as such.
 */
export async function indicatorsOfBatch(ctx: AppContext, collectionId: string, fromSeq: number, toSeq: number): Promise<Array<{ stix_id: string; owner_org: string; pattern: string }>> {
  return rowsOf<{ stix_id: string; owner_org: string; pattern: string }>(
    await ctx.db.execute(sql`select stix_id, owner_org, pattern from stix_objects
      where collection_id = ${collectionId}::uuid and seq between ${fromSeq} and ${toSeq}
        and type = 'indicator' and pattern_type = 'stix' and not revoked and is_latest
        and (valid_until is null or valid_until > now())`),
  );
}

/** The CVEs named by the vulnerability objects stored in one batch, with who shared them. */
export async function vulnerabilitiesOfBatch(ctx: AppContext, collectionId: string, fromSeq: number, toSeq: number): Promise<Array<{ owner_org: string; cve_id: string; name: string | null; description: string | null }>> {
  return rowsOf<{ owner_org: string; cve_id: string; name: string | null; description: string | null }>(
    await ctx.db.execute(sql`select distinct on (r.ref ->> 'external_id') o.owner_org, upper(r.ref ->> 'external_id') as cve_id, o.name, o.body::jsonb ->> 'description' as description
      from stix_objects o cross join lateral jsonb_array_elements(coalesce(o.body::jsonb -> 'external_references', '[]'::jsonb)) as r(ref)
      where o.collection_id = ${collectionId}::uuid and o.seq between ${fromSeq} and ${toSeq}
        and o.type = 'vulnerability' and not o.revoked and o.is_latest
        and lower(r.ref ->> 'source_name') = 'cve' and r.ref ->> 'external_id' ~* '^CVE-[0-9]{4}-[0-9]{4,}$'`),
  );
}

/**
 * Every active indicator the viewer may read (STIX patterns), page by page in store order: what an office's
 * uploaded logs are matched against.
 */
export async function* readableIndicatorPatterns(ctx: AppContext, actor: UserActor, pageSize = 20_000): AsyncGenerator<Array<{ stix_id: string; pattern: string }>> {
  let after = 0;
  for (;;) {
    const rows = rowsOf<{ seq: string | number; stix_id: string; pattern: string }>(
      await ctx.db.execute(sql`select o.seq, o.stix_id, o.pattern from stix_objects o
        where o.seq > ${after} and o.type = 'indicator' and o.pattern_type = 'stix' and o.is_latest and not o.revoked
          and (o.valid_until is null or o.valid_until > now()) and ${readableBy(STIX_ROW, actor)}
        order by o.seq limit ${pageSize}`),
    );
    if (!rows.length) return;
    yield rows;
    after = Number(rows[rows.length - 1]!.seq);
    if (rows.length < pageSize) return;
  }
}

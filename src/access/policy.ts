// The sharing policy (TLP 2.0), the security core of the platform. It yields SQL predicates so that every
// list, search, export, live event and notification is filtered by the database, never fetched and then filtered.
//
// | TLP          | who may read                                                   |
// | CLEAR, GREEN | every active member of the community (CLEAR also the public)   |
// | AMBER        | the owner organisation and recipient organisations             |
// | AMBER+STRICT | the owner organisation and recipient organisations (no re-share)|
// | RED          | the named recipient users only                                 |
// The author of a record always sees it. No role sees past this table.
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Tlp } from '../platform/db/columns.js';
import type { Sharing } from '../platform/events/outbox.js';

/** The columns of a shareable record (see platform/db/columns.ts `shareableColumns`). */
export interface ShareableColumns {
  readonly ownerOrg: AnyColumn | SQL;
  readonly authorId: AnyColumn | SQL;
  readonly tlp: AnyColumn | SQL;
  readonly recipientOrgs: AnyColumn | SQL;
  readonly recipientUsers: AnyColumn | SQL;
}

/** Who is reading: an active member (user and their organisation), or nobody signed in. */
export interface Viewer {
  readonly userId: string;
  readonly orgId: string;
}

/**
 * A viewer given as SQL expressions rather than values, so the same predicate can join a set of viewers
 * (the live stream's fan-out evaluates many connected viewers against new events in one query).
 */
export interface ViewerExpr {
  readonly userId: SQL;
  readonly orgId: SQL;
}

function exprOf(viewer: Viewer | ViewerExpr): ViewerExpr {
  if (typeof viewer.userId === 'string') {
    const v = viewer as Viewer;
    return { userId: sql`${v.userId}::uuid`, orgId: sql`${v.orgId}::uuid` };
  }
  return viewer as ViewerExpr;
}

/**
 * A recipient standing for every member organisation: a TAXII collection that every member reads gives its
 * AMBER objects to all of its readers this way, without listing thousands of organisations on each object.
 */
export const EVERY_MEMBER_ORG = '00000000-0000-0000-0000-000000000000';

/**
 * The SQL predicate "this viewer may read this record". `null` is the public (signed-out) reader. A new
 * clause needs its branch in `candidateReaders` too.
 */
export function readableBy(t: ShareableColumns, viewer: Viewer | ViewerExpr | null): SQL {
  if (viewer === null) return sql`${t.tlp} = 'CLEAR'`;
  const v = exprOf(viewer);
  return sql`(${t.tlp} in ('CLEAR', 'GREEN')
    or ${t.authorId} = ${v.userId}
    or (${t.tlp} in ('AMBER', 'AMBER+STRICT') and (${t.ownerOrg} = ${v.orgId} or ${v.orgId} = any(${t.recipientOrgs}) or ${EVERY_MEMBER_ORG}::uuid = any(${t.recipientOrgs})))
    or (${t.tlp} = 'RED' and ${v.userId} = any(${t.recipientUsers})))`;
}

/**
 * The viewers some clause of `readableBy` could admit to a record, looked up by equality among connected
 * viewers (`byOrg`, `byUser`: viewer numbers by organisation and by user), or 'all' when any member could
 * read it. The live stream meets each event with thousands of connected viewers, and an AMBER incident
 * concerns three of them: it asks the database's policy about these pairs only. A superset — the policy in
 * SQL still decides every pair — so a clause missing here could hide a record, never show one.
 */
export function candidateReaders(record: Sharing, byOrg: ReadonlyMap<string, readonly number[]>, byUser: ReadonlyMap<string, readonly number[]>): 'all' | number[] {
  if (record.tlp === 'CLEAR' || record.tlp === 'GREEN' || record.recipientOrgs.includes(EVERY_MEMBER_ORG)) return 'all';
  const found = new Set<number>();
  const add = (ids: readonly number[] | undefined) => ids?.forEach((i) => found.add(i));
  add(byOrg.get(record.ownerOrg));
  for (const org of record.recipientOrgs) add(byOrg.get(org));
  if (record.authorId) add(byUser.get(record.authorId));
  for (const user of record.recipientUsers) add(byUser.get(user));
  return [...found];
}

/** Reads of these labels are written to the audit log. */
export const AUDITED_READ_LEVELS: readonly Tlp[] = ['AMBER+STRICT', 'RED'];

export function isAuditedRead(tlp: Tlp): boolean {
  return AUDITED_READ_LEVELS.includes(tlp);
}

/** Only the owner organisation changes a record's TLP or recipients. */
export function mayChangeSharing(record: { readonly ownerOrg: string }, viewer: Viewer): boolean {
  return record.ownerOrg === viewer.orgId;
}

/**
 * A recipient organisation of an AMBER record may re-share it to its own clients (a state to its counties).
 * `clientOrgIds` are the organisations whose parent is the viewer's organisation.
 */
export function mayReshareTo(
  record: { readonly ownerOrg: string; readonly tlp: Tlp; readonly recipientOrgs: readonly string[] },
  viewer: Viewer,
  targets: readonly string[],
  clientOrgIds: ReadonlySet<string>,
): boolean {
  if (record.ownerOrg === viewer.orgId) return record.tlp !== 'RED';
  if (record.tlp !== 'AMBER' || !record.recipientOrgs.includes(viewer.orgId)) return false;
  return targets.every((id) => clientOrgIds.has(id));
}

/** TLP levels from least to most restrictive; raising means moving right. */
export const TLP_ORDER: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export function isRaise(from: Tlp, to: Tlp): boolean {
  return TLP_ORDER.indexOf(to) > TLP_ORDER.indexOf(from);
}

/** Helpers for callers that need "owned by" filters next to the policy. */
export const ownedBy = (t: ShareableColumns, orgId: string): SQL => sql`${t.ownerOrg} = ${orgId}::uuid`;

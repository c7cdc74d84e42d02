// The shareable columns of `stix_objects` under the alias `o`, as the sharing policy reads them: every query
// of the store that writes `from stix_objects o` passes this to `readableBy`. And the filter that lists and
// exports of objects share.
import { sql, type SQL } from 'drizzle-orm';
import type { UserActor } from '../access/actor.js';
import { readableBy, type ShareableColumns } from '../access/policy.js';
import { refang } from './refang.js';

const columnsOf = (alias: string): ShareableColumns => ({
  ownerOrg: sql.raw(`${alias}.owner_org`),
  authorId: sql.raw(`${alias}.author_id`),
  tlp: sql.raw(`${alias}.tlp`),
  recipientOrgs: sql.raw(`${alias}.recipient_orgs`),
  recipientUsers: sql.raw(`${alias}.recipient_users`),
});

export const STIX_ROW: ShareableColumns = columnsOf('o');

/**
 * The shape of a STIX identifier (type, two hyphens, a UUID's characters): ids asked for by id are filtered to
 * it, which also keeps them safe to write into a text[] literal (no comma, quote or brace).
 */
export const STIX_ID_SHAPE = /^[a-z0-9-]+--[0-9a-f-]{36}$/;

/** The shape of a MITRE ATT&CK id: a technique (T1566, T1566.001), tactic (TA0001), group, software, mitigation… */
const ATTACK_ID = /^[A-Za-z]{1,3}\d{4}(\.\d{3})?$/;

/** What a list or an export of objects asks for. */
export interface ObjectFilter {
  readonly type?: string | undefined;
  /** Words of a name, an indicator's pattern, an id or an ATT&CK id; defanged input (hxxp://evil[.]com) is understood. */
  readonly q?: string | undefined;
  readonly collection?: string | undefined;
  readonly includeRevoked?: boolean | undefined;
  /**
   * Objects their producer marks deprecated (MITRE ATT&CK's `x_mitre_deprecated`: no longer kept up, though not
   * revoked) are left out unless asked for, or unless the object is asked for by its id (`ids`, or `q` that is a
   * STIX or ATT&CK id).
   */
  readonly includeDeprecated?: boolean | undefined;
  /** Only these objects (an advisory's, say). */
  readonly ids?: readonly string[] | undefined;
}

/**
 * The rows (alias `o`) a list or an export of objects shows `actor`: one per object, its newest version the
 * actor may read (an object shared in several collections, by several feeds, say, is still one object; a tie
 * goes to the copy added last), then the filter. Within one collection, its latest version there.
 */
export function visibleObjects(actor: UserActor, f: ObjectFilter): SQL[] {
  const c: SQL[] = [readableBy(STIX_ROW, actor), sql`o.is_latest`];
  if (f.collection) c.push(sql`o.collection_id = ${f.collection}::uuid`);
  else {
    c.push(sql`not exists (select 1 from stix_objects n where n.stix_id = o.stix_id and n.is_latest and n.seq <> o.seq
      and (n.version_at > o.version_at or (n.version_at = o.version_at and n.seq > o.seq)) and ${readableBy(columnsOf('n'), actor)})`);
  }
  if (!f.includeRevoked) c.push(sql`not o.revoked`);
  if (f.type) c.push(sql`o.type = ${f.type}`);
  if (f.ids) c.push(sql`o.stix_id = any(${`{${f.ids.filter((id) => STIX_ID_SHAPE.test(id)).join(',')}}`}::text[])`);
  const term = f.q ? refang(f.q.trim()) : undefined;
  if (term !== undefined) {
    const like = `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    // An ATT&CK id (T1566, T1566.001, S0604, TA0001…) is looked for among the objects' external references,
    // as the stored text spells it.
    const attack = ATTACK_ID.test(term) ? sql` or o.body like ${`%"external_id":"${term.toUpperCase()}"%`}` : sql``;
    c.push(sql`(o.name ilike ${like} or o.stix_id = ${term} or o.pattern ilike ${like}${attack})`);
  }
  const byId = f.ids !== undefined || (term !== undefined && (STIX_ID_SHAPE.test(term) || ATTACK_ID.test(term)));
  // The stored text is written without white space (stix/envelope.ts), so the mark reads as below; indicators,
  // which ATT&CK does not have, are not read for it. Last, so that it is read only of rows the rest let through.
  if (!f.includeDeprecated && !byId) c.push(sql`(o.type = 'indicator' or o.body not like '%"x_mitre_deprecated":true%')`);
  return c;
}

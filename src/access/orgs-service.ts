// The directory of organisations: creation, search, details with contacts, and the hierarchy
// (local offices belong to a state or territory).
import { and, asc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Tx } from '../platform/db/client.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { recordAudit } from '../audit/service.js';
import { type Actor, isOrgAdmin, requireOrgAdmin, requireSystemAdmin, requireUser } from './actor.js';
import { type ContactRole, orgContacts, orgs, type OrgType, type PrivateKind, users } from './schema.js';

export interface NewOrg {
  readonly name: string;
  readonly type: OrgType;
  readonly parentId?: string | null;
  readonly privateKind?: PrivateKind | null;
  readonly fips?: string | null;
  readonly stateCode?: string | null;
}

export type Org = typeof orgs.$inferSelect;

async function checkHierarchy(tx: Tx, input: NewOrg): Promise<Org | null> {
  if (input.type === 'local' && !input.parentId) {
    throw new AppError('validation-failed', 'A local office must belong to a state or territory (give its parent).', { details: [{ field: 'parentId', message: 'required for local offices' }] });
  }
  if (input.type === 'private' && !input.privateKind) {
    throw new AppError('validation-failed', 'A private partner is a vendor or a hosting provider.', { details: [{ field: 'privateKind', message: 'vendor or hosting-provider' }] });
  }
  if (input.type !== 'private' && input.privateKind) {
    throw new AppError('validation-failed', 'Only private partners have a kind.', { details: [{ field: 'privateKind', message: 'only for type private' }] });
  }
  if (input.fips) {
    const len = input.type === 'local' ? 5 : 2;
    if (!new RegExp(`^\\d{${len}}$`).test(input.fips) && !(input.type === 'local' && /^\d{10}$/.test(input.fips))) {
      throw new AppError('validation-failed', `A ${input.type} FIPS code has ${len} digits.`, { details: [{ field: 'fips', message: `${len} digits` }] });
    }
  }
  if (!input.parentId) return null;
  const [parent] = await tx.select().from(orgs).where(eq(orgs.id, input.parentId));
  if (!parent) throw new AppError('validation-failed', 'The parent organisation does not exist.', { details: [{ field: 'parentId', message: 'unknown organisation' }] });
  if (input.type === 'local' && parent.type !== 'state' && parent.type !== 'territory') {
    throw new AppError('validation-failed', 'A local office belongs to a state or territory.', { details: [{ field: 'parentId', message: `parent is a ${parent.type}` }] });
  }
  if (input.type === 'local' && input.fips && parent.fips && !input.fips.startsWith(parent.fips)) {
    throw new AppError('validation-failed', `A county FIPS code of ${parent.name} starts with ${parent.fips}.`, { details: [{ field: 'fips', message: 'does not match the state' }] });
  }
  return parent;
}

/** System administrators create any organisation; a state's admins add local offices under their state. */
export async function createOrg(ctx: AppContext, actor: Actor, input: NewOrg): Promise<Org> {
  if (!(input.type === 'local' && input.parentId && isOrgAdmin(actor, input.parentId) && actor.kind === 'user' && !actor.systemAdmin)) {
    requireSystemAdmin(actor);
  }
  return ctx.db.transaction(async (tx) => {
    const parent = await checkHierarchy(tx, input);
    const [dup] = await tx
      .select({ id: orgs.id })
      .from(orgs)
      .where(and(eq(sql`lower(${orgs.name})`, input.name.trim().toLowerCase()), input.parentId ? eq(orgs.parentId, input.parentId) : sql`${orgs.parentId} is null`));
    if (dup) throw new AppError('conflict', `An organisation named "${input.name}" already exists here.`);
    const [org] = await tx
      .insert(orgs)
      .values({
        name: input.name.trim(),
        type: input.type,
        parentId: input.parentId ?? null,
        privateKind: input.privateKind ?? null,
        fips: input.fips ?? null,
        stateCode: (input.stateCode ?? parent?.stateCode ?? null)?.toUpperCase() ?? null,
      })
      .returning();
    await recordAudit(tx, actor, { action: 'org.created', targetKind: 'org', targetId: org!.id, orgIds: [org!.id, ...(parent ? [parent.id] : [])], details: { name: org!.name, type: org!.type } });
    return org!;
  });
}

export interface OrgQuery {
  readonly q?: string;
  readonly type?: OrgType;
  readonly parentId?: string;
  readonly stateCode?: string;
  readonly after?: string;
  readonly limit: number;
}

/** The community directory: every active member may search it. Sorted by name, keyset-paged. */
export async function listOrgs(ctx: AppContext, actor: Actor, query: OrgQuery) {
  if (actor.kind === 'user') requireUser(actor);
  const where: SQL[] = [eq(orgs.active, true)];
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(orgs.name, like), eq(orgs.fips, query.q), eq(sql`upper(${orgs.stateCode})`, query.q.toUpperCase()))!);
  }
  if (query.type) where.push(eq(orgs.type, query.type));
  if (query.parentId) where.push(eq(orgs.parentId, query.parentId));
  if (query.stateCode) where.push(eq(orgs.stateCode, query.stateCode.toUpperCase()));
  if (query.after) {
    const [name, id] = decodeCursor(query.after);
    where.push(sql`(lower(${orgs.name}), ${orgs.id}) > (${name}, ${id}::uuid)`);
  }
  const rows = await ctx.db
    .select()
    .from(orgs)
    .where(and(...where))
    .orderBy(asc(sql`lower(${orgs.name})`), asc(orgs.id))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, next: more && last ? encodeCursor([last.name.toLowerCase(), last.id]) : null };
}

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length === 2 && parts.every((p) => typeof p === 'string') && /^[0-9a-f-]{36}$/i.test(parts[1] as string)) {
      return parts as [string, string];
    }
  } catch {
    // fall through
  }
  throw new AppError('validation-failed', 'The page cursor is not valid; start from the first page.', { details: [{ field: 'cursor', message: 'invalid' }] });
}

export async function getOrg(ctx: AppContext, actor: Actor, id: string) {
  const [org] = await ctx.db.select().from(orgs).where(eq(orgs.id, id));
  if (!org) throw notFound('The organisation');
  const contacts = await ctx.db.select().from(orgContacts).where(eq(orgContacts.orgId, id)).orderBy(asc(orgContacts.role), asc(orgContacts.rank));
  const [parent] = org.parentId ? await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(eq(orgs.id, org.parentId)) : [];
  const [counts] = await ctx.db
    .select({ users: sql<number>`count(*)::int`, children: sql<number>`(select count(*)::int from ${orgs} c where c.parent_id = ${id})` })
    .from(users)
    .where(and(eq(users.orgId, id), eq(users.active, true)));
  return { ...org, parent: parent ?? null, contacts, userCount: counts?.users ?? 0, childCount: counts?.children ?? 0, canAdmin: isOrgAdmin(actor, id) };
}

export interface OrgPatch {
  readonly name?: string;
  readonly fips?: string | null;
  readonly active?: boolean;
  readonly shareMatchesWithState?: boolean;
}

export async function updateOrg(ctx: AppContext, actor: Actor, id: string, patch: OrgPatch): Promise<Org> {
  if (patch.active !== undefined) requireSystemAdmin(actor);
  else requireOrgAdmin(actor, id);
  return ctx.db.transaction(async (tx) => {
    const [org] = await tx
      .update(orgs)
      .set({ ...(patch.name !== undefined ? { name: patch.name.trim() } : {}), ...(patch.fips !== undefined ? { fips: patch.fips } : {}), ...(patch.active !== undefined ? { active: patch.active } : {}), ...(patch.shareMatchesWithState !== undefined ? { shareMatchesWithState: patch.shareMatchesWithState } : {}) })
      .where(eq(orgs.id, id))
      .returning();
    if (!org) throw notFound('The organisation');
    await recordAudit(tx, actor, { action: 'org.updated', targetKind: 'org', targetId: id, orgIds: [id], details: { ...patch } });
    return org;
  });
}

export interface ContactInput {
  readonly role: ContactRole;
  readonly rank: 'primary' | 'backup';
  readonly name: string;
  readonly email?: string | null;
  readonly phone?: string | null;
}

/** Replaces the contacts of an organisation (one primary and one backup per role at most). */
export async function setContacts(ctx: AppContext, actor: Actor, orgId: string, contacts: readonly ContactInput[]) {
  requireOrgAdmin(actor, orgId);
  const seen = new Set<string>();
  contacts.forEach((c, i) => {
    const key = `${c.role}/${c.rank}`;
    if (seen.has(key)) throw new AppError('validation-failed', `Only one ${c.rank} ${c.role} contact is allowed.`, { details: [{ field: `contacts/${i}`, message: 'duplicate role and rank' }] });
    seen.add(key);
  });
  return ctx.db.transaction(async (tx) => {
    const [org] = await tx.select({ id: orgs.id }).from(orgs).where(eq(orgs.id, orgId));
    if (!org) throw notFound('The organisation');
    await tx.delete(orgContacts).where(eq(orgContacts.orgId, orgId));
    const rows = contacts.length
      ? await tx.insert(orgContacts).values(contacts.map((c) => ({ orgId, role: c.role, rank: c.rank, name: c.name, email: c.email ?? null, phone: c.phone ?? null }))).returning()
      : [];
    await recordAudit(tx, actor, { action: 'org.contacts-updated', targetKind: 'org', targetId: orgId, orgIds: [orgId], details: { count: rows.length } });
    return rows;
  });
}

/** The organisations whose parent is `orgId` (a state's counties): the clients it may re-share AMBER to. */
export async function clientOrgIds(tx: Tx, orgId: string): Promise<Set<string>> {
  const rows = await tx.select({ id: orgs.id }).from(orgs).where(eq(orgs.parentId, orgId));
  return new Set(rows.map((r) => r.id));
}

/** Checks that every id names an active organisation; returns the unknown ones. */
export async function unknownOrgIds(tx: Tx, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx.select({ id: orgs.id }).from(orgs).where(and(inArray(orgs.id, [...ids]), eq(orgs.active, true)));
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/** The default audience of a record that names no recipients: the owner's state (if it has one) and the operations center(s). */
export async function defaultRecipientOrgs(tx: Tx, ownerOrgId: string): Promise<string[]> {
  const [owner] = await tx.select({ parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, ownerOrgId));
  const centers = await tx.select({ id: orgs.id }).from(orgs).where(and(eq(orgs.type, 'operations-center'), eq(orgs.active, true)));
  const ids = new Set<string>([...(owner?.parentId ? [owner.parentId] : []), ...centers.map((c) => c.id)]);
  ids.delete(ownerOrgId);
  return [...ids];
}

/** The directory map: each state and territory with how many active local offices it has. */
export async function directoryByState(ctx: AppContext, actor: Actor) {
  if (actor.kind === 'user') requireUser(actor);
  // Written out: drizzle leaves columns unqualified in a single-table select, which a correlated subquery cannot use.
  const children = sql<number>`(select count(*)::int from orgs child where child.parent_id = orgs.id and child.active and child.type = 'local')`;
  return ctx.db
    .select({ id: orgs.id, name: orgs.name, type: orgs.type, fips: orgs.fips, stateCode: orgs.stateCode, localOffices: children })
    .from(orgs)
    .where(and(eq(orgs.active, true), inArray(orgs.type, ['state', 'territory'])))
    .orderBy(asc(orgs.name));
}

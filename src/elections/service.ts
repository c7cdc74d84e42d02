// Elections on the calendar and the countdown every view shows: which election comes next for a jurisdiction,
// how many days are left, and whether today is election day (which tightens SLAs and puts the live board first).
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Db, Tx } from '../platform/db/client.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { recordAudit } from '../audit/service.js';
import { type Actor, requireUser, requireWrite, type UserActor } from '../access/actor.js';
import { orgs } from '../access/schema.js';
import { type ElectionKind, elections } from './schema.js';

export interface NewElection {
  readonly name: string;
  readonly kind: ElectionKind;
  /** YYYY-MM-DD */
  readonly day: string;
  readonly jurisdictions: readonly string[];
}

export type ElectionRow = typeof elections.$inferSelect;

/** Today's calendar date (YYYY-MM-DD) in the installation's time zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
export function todayIn(timeZone: string, now = new Date()): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whole days from `from` to `to`, both YYYY-MM-DD. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function validDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
}

/** Who may put an election on the calendar: analysts and admins of the operations center (anywhere) or of a state (its own state and offices). */
async function checkMayManage(tx: Tx, user: UserActor, jurisdictions: readonly string[]): Promise<void> {
  if (user.role !== 'analyst' && user.role !== 'org-admin' && !user.systemAdmin) throw new AppError('forbidden', 'Only analysts and administrators manage the election calendar.');
  if (user.orgType === 'operations-center' || user.systemAdmin) return;
  if (user.orgType !== 'state' && user.orgType !== 'territory') throw new AppError('forbidden', 'Elections are put on the calendar by the operations center or a state election office.');
  if (jurisdictions.length === 0) throw new AppError('forbidden', 'A state office adds elections for its own state; only the operations center adds nationwide elections.', { details: [{ field: 'jurisdictions', message: 'name your state or its offices' }] });
  const rows = await tx.select({ id: orgs.id, parentId: orgs.parentId }).from(orgs).where(inArray(orgs.id, [...jurisdictions]));
  const outside = rows.filter((r) => r.id !== user.orgId && r.parentId !== user.orgId).map((r) => r.id);
  if (outside.length) throw new AppError('forbidden', 'A state office adds elections only for its own state and its offices.', { details: outside.map((id) => ({ field: 'jurisdictions', message: `not in your state: ${id}` })) });
}

async function checkJurisdictions(tx: Tx, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const rows = await tx.select({ id: orgs.id, type: orgs.type }).from(orgs).where(and(inArray(orgs.id, [...ids]), eq(orgs.active, true)));
  const ok = new Map(rows.map((r) => [r.id, r.type]));
  const bad = ids.filter((id) => !ok.has(id) || !['state', 'territory', 'local', 'tribal'].includes(ok.get(id)!));
  if (bad.length) throw new AppError('validation-failed', 'Jurisdictions are states, territories, tribal nations or local offices of the directory.', { details: bad.map((id) => ({ field: 'jurisdictions', message: `not a jurisdiction: ${id}` })) });
}

export async function createElection(ctx: AppContext, actor: Actor, input: NewElection) {
  const user = requireWrite(actor);
  if (!validDay(input.day)) throw new AppError('validation-failed', 'Give the election day as a date, YYYY-MM-DD.', { details: [{ field: 'day', message: 'not a date' }] });
  const jurisdictions = [...new Set(input.jurisdictions)];
  return ctx.db.transaction(async (tx) => {
    await checkJurisdictions(tx, jurisdictions);
    await checkMayManage(tx, user, jurisdictions);
    const [row] = await tx.insert(elections).values({ name: input.name.trim(), kind: input.kind, day: input.day, jurisdictions, createdBy: user.userId, createdByOrg: user.orgId }).returning();
    await recordAudit(tx, user, { action: 'election.created', targetKind: 'election', targetId: row!.id, details: { day: input.day, jurisdictions: jurisdictions.length } });
    return present(row!, todayIn(ctx.config.timeZone));
  });
}

export async function deleteElection(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const user = requireWrite(actor);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(elections).where(eq(elections.id, id));
    if (!row) throw notFound('The election');
    await checkMayManage(tx, user, row.jurisdictions);
    await tx.delete(elections).where(eq(elections.id, id));
    await recordAudit(tx, user, { action: 'election.deleted', targetKind: 'election', targetId: id, details: { name: row.name, day: row.day } });
  });
}

/** Elections that concern an organisation: nationwide ones, its own, its parent's (a county votes in its state's). */
function concerns(orgId: string, parentId: string | null): SQL {
  return sql`(cardinality(${elections.jurisdictions}) = 0 or ${orgId}::uuid = any(${elections.jurisdictions})${parentId ? sql` or ${parentId}::uuid = any(${elections.jurisdictions})` : sql``})`;
}

/** Organisations that see every election (they serve all jurisdictions). */
const SEES_ALL = new Set(['operations-center', 'federal', 'private']);

export async function listElections(ctx: AppContext, actor: Actor, query: { when: 'upcoming' | 'past' | 'all'; limit: number }) {
  const user = requireUser(actor);
  const today = todayIn(ctx.config.timeZone);
  const where: SQL[] = [];
  if (!SEES_ALL.has(user.orgType)) where.push(concerns(user.orgId, user.orgParentId));
  if (query.when === 'upcoming') where.push(gte(elections.day, today));
  if (query.when === 'past') where.push(lt(elections.day, today));
  const rows = await ctx.db
    .select()
    .from(elections)
    .where(where.length ? and(...where) : undefined)
    .orderBy(query.when === 'past' ? desc(elections.day) : asc(elections.day))
    .limit(query.limit);
  return { items: rows.map((r) => present(r, today)), today };
}

export interface Countdown {
  readonly today: string;
  readonly next: ReturnType<typeof present> | null;
  readonly daysLeft: number | null;
  readonly electionDay: boolean;
}

/** The next election (today's counts) for an organisation. */
export async function nextElectionFor(db: Db | Tx, timeZone: string, org: { id: string; parentId: string | null; type?: string }, now = new Date()): Promise<Countdown> {
  const today = todayIn(timeZone, now);
  const where = [gte(elections.day, today)];
  if (!org.type || !SEES_ALL.has(org.type)) where.push(concerns(org.id, org.parentId));
  const [row] = await db.select().from(elections).where(and(...where)).orderBy(asc(elections.day)).limit(1);
  if (!row) return { today, next: null, daysLeft: null, electionDay: false };
  const daysLeft = daysBetween(today, row.day);
  return { today, next: present(row, today), daysLeft, electionDay: daysLeft === 0 };
}

export async function countdown(ctx: AppContext, actor: Actor): Promise<Countdown> {
  const user = requireUser(actor);
  return nextElectionFor(ctx.db, ctx.config.timeZone, { id: user.orgId, parentId: user.orgParentId, type: user.orgType });
}

/** Days from today to the most relevant election of a jurisdiction: the next one, or one that ended within the canvass window. */
export async function daysToElection(db: Db | Tx, timeZone: string, org: { id: string; parentId: string | null }, now = new Date()): Promise<number | null> {
  const today = todayIn(timeZone, now);
  const [row] = await db
    .select({ day: elections.day })
    .from(elections)
    .where(and(concerns(org.id, org.parentId), gte(elections.day, sql`(${today}::date - 3)`)))
    .orderBy(asc(elections.day))
    .limit(1);
  return row ? daysBetween(today, row.day) : null;
}

export async function getElection(ctx: AppContext, actor: Actor, id: string) {
  requireUser(actor);
  const [row] = await ctx.db.select().from(elections).where(eq(elections.id, id));
  if (!row) throw notFound('The election');
  return present(row, todayIn(ctx.config.timeZone));
}

function present(r: ElectionRow, today: string) {
  return { id: r.id, name: r.name, kind: r.kind, day: r.day, jurisdictions: r.jurisdictions, nationwide: r.jurisdictions.length === 0, daysLeft: daysBetween(today, r.day), createdAt: r.createdAt.toISOString() };
}

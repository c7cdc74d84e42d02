// The inventory of election systems: each organisation keeps its own; its state reads it too (a state helps
// its counties and plans their budgets). Rows are checked field by field; a CSV import reports every bad row
// by line and stores the rest; equipment near or past its end of support is counted per state.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { requireUser, requireWrite, type Actor, type UserActor } from '../access/actor.js';
import { orgs } from '../access/schema.js';
import { recordAudit } from '../audit/service.js';
import { queueAssetCheck } from '../vulns/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf, type Tx } from '../platform/db/client.js';
import { AppError, notFound, type ProblemDetail } from '../platform/http/errors.js';
import { csvLine } from '../platform/http/csv.js';
import { parseCsv } from '../platform/text/csv-parse.js';
import { assets } from './schema.js';
import { ASSET_COMPONENTS, CERTIFICATION, CONNECTIVITY, NEAR_END_OF_SUPPORT_DAYS, type AssetComponent, type Certification, type Connectivity } from './taxonomy.js';
import { isDate, normaliseHost, normaliseRange } from './values.js';

export type Asset = typeof assets.$inferSelect;

export interface AssetInput {
  readonly name: string;
  readonly component: string;
  readonly hostnames?: readonly string[];
  readonly ipRanges?: readonly string[];
  readonly domains?: readonly string[];
  readonly vendor?: string | null;
  readonly product?: string | null;
  readonly version?: string | null;
  readonly certification?: string;
  readonly acquiredOn?: string | null;
  readonly endOfSupport?: string | null;
  readonly connectivity: string;
  readonly notes?: string | null;
}

type CheckedAsset = Omit<typeof assets.$inferInsert, 'id' | 'orgId' | 'createdAt' | 'updatedAt' | 'createdBy'>;

/** Checks one row; returns the values to store or the problems, field by field. */
export function checkAsset(input: AssetInput): { ok: true; value: CheckedAsset } | { ok: false; problems: ProblemDetail[] } {
  const problems: ProblemDetail[] = [];
  const text = (v: string | null | undefined, max: number, field: string): string | null => {
    const t = (v ?? '').trim();
    if (t.length > max) problems.push({ field, message: `at most ${max} characters` });
    if (/[\u0000-\u0008]/.test(t)) problems.push({ field, message: 'contains control characters' });
    return t || null;
  };
  const name = text(input.name, 200, 'name');
  if (!name) problems.push({ field: 'name', message: 'required' });
  if (!(input.component in ASSET_COMPONENTS)) problems.push({ field: 'component', message: `one of ${Object.keys(ASSET_COMPONENTS).join(', ')}` });
  if (!(input.connectivity in CONNECTIVITY)) problems.push({ field: 'connectivity', message: `one of ${Object.keys(CONNECTIVITY).join(', ')}` });
  const certification = input.certification ?? 'unknown';
  if (!(certification in CERTIFICATION)) problems.push({ field: 'certification', message: `one of ${Object.keys(CERTIFICATION).join(', ')}` });
  const list = (values: readonly string[] | undefined, field: string, norm: (s: string) => string | null, what: string): string[] => {
    const out: string[] = [];
    for (const v of values ?? []) {
      if (!v.trim()) continue;
      const n = norm(v);
      if (n === null) problems.push({ field, message: `"${v.slice(0, 80)}" is not ${what}` });
      else if (!out.includes(n)) out.push(n);
    }
    if (out.length > 500) problems.push({ field, message: 'at most 500' });
    return out;
  };
  const hostnames = list(input.hostnames, 'hostnames', normaliseHost, 'a host name');
  const ipRanges = list(input.ipRanges, 'ipRanges', normaliseRange, 'an IP address or network (198.51.100.0/24)');
  const domains = list(input.domains, 'domains', normaliseHost, 'a domain');
  const day = (v: string | null | undefined, field: string): string | null => {
    const t = (v ?? '').trim();
    if (!t) return null;
    if (!isDate(t)) {
      problems.push({ field, message: `"${t.slice(0, 20)}" is not a date like 2027-06-30` });
      return null;
    }
    return t;
  };
  const acquiredOn = day(input.acquiredOn, 'acquiredOn');
  const endOfSupport = day(input.endOfSupport, 'endOfSupport');
  if (acquiredOn && endOfSupport && endOfSupport < acquiredOn) problems.push({ field: 'endOfSupport', message: 'before the acquisition date' });
  const value: CheckedAsset = {
    name: name ?? '', component: input.component as AssetComponent, hostnames, ipRanges, domains,
    vendor: text(input.vendor, 200, 'vendor'), product: text(input.product, 200, 'product'), version: text(input.version, 100, 'version'),
    certification: certification as Certification, acquiredOn, endOfSupport, connectivity: input.connectivity as Connectivity, notes: text(input.notes, 5000, 'notes'),
  };
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

async function orgOf(tx: Tx | AppContext['db'], id: string) {
  const [o] = await tx.select({ id: orgs.id, name: orgs.name, parentId: orgs.parentId, type: orgs.type, stateCode: orgs.stateCode }).from(orgs).where(eq(orgs.id, id));
  return o ?? null;
}

/** The organisation itself, or its state (analysts and administrators), may read an inventory. */
async function requireReader(tx: Tx | AppContext['db'], user: UserActor, orgId: string) {
  const o = /^[0-9a-f-]{36}$/i.test(orgId) ? await orgOf(tx, orgId) : null;
  const stateOfIt = o?.parentId === user.orgId && (user.role === 'analyst' || user.role === 'org-admin');
  if (!o || (o.id !== user.orgId && !stateOfIt)) throw notFound('The organisation');
  return o;
}

function requireEditor(user: UserActor, orgId: string): void {
  if (user.orgId !== orgId) throw new AppError('forbidden', 'Only the organisation itself keeps its inventory.');
  if (user.role === 'viewer') throw new AppError('forbidden', 'Viewers can read but not change the inventory.');
}

export async function listAssets(ctx: AppContext, actor: Actor, orgId: string): Promise<Asset[]> {
  const user = requireUser(actor);
  await requireReader(ctx.db, user, orgId);
  return ctx.db.select().from(assets).where(eq(assets.orgId, orgId)).orderBy(asc(assets.name));
}

export async function createAsset(ctx: AppContext, actor: Actor, orgId: string, input: AssetInput): Promise<Asset> {
  const user = requireWrite(actor);
  requireEditor(user, orgId);
  const checked = checkAsset(input);
  if (!checked.ok) throw new AppError('validation-failed', 'Some fields of the system are not valid.', { details: checked.problems });
  const saved = await ctx.db.transaction(async (tx) => {
    const [clash] = await tx.select({ id: assets.id }).from(assets).where(and(eq(assets.orgId, orgId), eq(assets.name, checked.value.name)));
    if (clash) throw new AppError('conflict', `Your inventory already has a system named "${checked.value.name}".`);
    const [row] = await tx.insert(assets).values({ ...checked.value, orgId, createdBy: user.userId }).returning();
    await recordAudit(tx, user, { action: 'asset.created', targetKind: 'asset', targetId: row!.id, details: { name: row!.name, component: row!.component } });
    if (row!.vendor && row!.product) await queueAssetCheck(tx, { assetIds: [row!.id] });
    return row!;
  });
  ctx.jobs.kick();
  return saved;
}

export async function updateAsset(ctx: AppContext, actor: Actor, id: string, input: AssetInput): Promise<Asset> {
  const user = requireWrite(actor);
  const checked = checkAsset(input);
  if (!checked.ok) throw new AppError('validation-failed', 'Some fields of the system are not valid.', { details: checked.problems });
  const saved = await ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(assets).where(eq(assets.id, id));
    if (!existing || existing.orgId !== user.orgId) throw notFound('The system');
    requireEditor(user, existing.orgId);
    const [row] = await tx.update(assets).set({ ...checked.value, updatedAt: new Date() }).where(eq(assets.id, id)).returning();
    await recordAudit(tx, user, { action: 'asset.updated', targetKind: 'asset', targetId: id });
    if (row!.vendor && row!.product && (row!.vendor !== existing.vendor || row!.product !== existing.product || row!.version !== existing.version)) await queueAssetCheck(tx, { assetIds: [id] });
    return row!;
  });
  ctx.jobs.kick();
  return saved;
}

export async function deleteAsset(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const user = requireWrite(actor);
  await ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(assets).where(eq(assets.id, id));
    if (!existing || existing.orgId !== user.orgId) throw notFound('The system');
    requireEditor(user, existing.orgId);
    await tx.delete(assets).where(eq(assets.id, id));
    await recordAudit(tx, user, { action: 'asset.deleted', targetKind: 'asset', targetId: id, details: { name: existing.name } });
  });
}

export const ASSET_CSV_COLUMNS = ['name', 'component', 'hostnames', 'ip_ranges', 'domains', 'vendor', 'product', 'version', 'certification', 'acquired_on', 'end_of_support', 'connectivity', 'notes'] as const;

/** Bytes of an uploaded CSV as text: UTF-8 when it is valid UTF-8, otherwise Windows-1252 (spreadsheets' other default). */
export function decodeCsv(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

export interface ImportReport {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly skipped: Array<{ line: number; reason: string }>;
  readonly problems: Array<{ line: number; field?: string; message: string }>;
}

/**
 * Imports an inventory CSV (columns as in the export, in any order; lists separated by ";" or spaces). A row
 * with the name of an existing system updates it. Bad rows are reported by line and the rest stored; a
 * totals row ("Total", or a row with nothing but numbers) is skipped and said so.
 */
export async function importAssetsCsv(ctx: AppContext, actor: Actor, orgId: string, bytes: Buffer): Promise<ImportReport> {
  const user = requireWrite(actor);
  requireEditor(user, orgId);
  const parsed = parseCsv(decodeCsv(bytes));
  if ('error' in parsed) throw new AppError('validation-failed', `The file is not valid CSV: ${parsed.error} (line ${parsed.line}).`, { details: [{ field: 'file', message: parsed.error }] });
  const [header, ...rows] = parsed.rows;
  if (!header) throw new AppError('validation-failed', 'The file is empty; the first line names the columns.', { details: [{ field: 'file', message: 'empty' }] });
  const names = header.cells.map((c) => c.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  for (const required of ['name', 'component', 'connectivity']) {
    if (!names.includes(required)) throw new AppError('validation-failed', `The first line must name the columns, at least name, component and connectivity (missing "${required}").`, { details: [{ field: 'file', message: `no ${required} column` }] });
  }
  const problems: ImportReport['problems'] = [];
  const skipped: ImportReport['skipped'] = [];
  const good: Array<{ line: number; value: CheckedAsset }> = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const get = (n: string) => (names.indexOf(n) >= 0 ? (row.cells[names.indexOf(n)] ?? '') : '');
    const cells = row.cells.map((c) => c.trim()).filter(Boolean);
    if (/^(total|totals|sum)\b/i.test(cells[0] ?? '') || (cells.length > 0 && cells.every((c) => /^[\d.,\s$%-]+$/.test(c)))) {
      skipped.push({ line: row.line, reason: 'a totals row' });
      continue;
    }
    const split = (s: string) => s.split(/[;\s]+/).filter(Boolean);
    const checked = checkAsset({
      name: get('name'), component: get('component').trim().toLowerCase(), hostnames: split(get('hostnames')), ipRanges: split(get('ip_ranges')), domains: split(get('domains')),
      vendor: get('vendor'), product: get('product'), version: get('version'), certification: get('certification').trim().toLowerCase() || 'unknown',
      acquiredOn: get('acquired_on'), endOfSupport: get('end_of_support'), connectivity: get('connectivity').trim().toLowerCase(), notes: get('notes'),
    });
    if (!checked.ok) {
      for (const p of checked.problems) problems.push({ line: row.line, ...(p.field ? { field: p.field } : {}), message: p.message });
      continue;
    }
    if (seen.has(checked.value.name)) {
      problems.push({ line: row.line, field: 'name', message: `"${checked.value.name}" appears twice in the file` });
      continue;
    }
    seen.add(checked.value.name);
    good.push({ line: row.line, value: checked.value });
  }
  let created = 0;
  let updated = 0;
  await ctx.db.transaction(async (tx) => {
    const existing = good.length ? await tx.select({ id: assets.id, name: assets.name }).from(assets).where(and(eq(assets.orgId, orgId), inArray(assets.name, good.map((g) => g.value.name)))) : [];
    const byName = new Map(existing.map((e) => [e.name, e.id]));
    for (const g of good) {
      const id = byName.get(g.value.name);
      if (id) {
        await tx.update(assets).set({ ...g.value, updatedAt: new Date() }).where(eq(assets.id, id));
        updated += 1;
      } else {
        await tx.insert(assets).values({ ...g.value, orgId, createdBy: user.userId });
        created += 1;
      }
    }
    await recordAudit(tx, user, { action: 'asset.imported', targetKind: 'org', targetId: orgId, details: { created, updated, refusedRows: new Set(problems.map((p) => p.line)).size } });
    if (good.some((g) => g.value.vendor && g.value.product)) await queueAssetCheck(tx, { orgId });
  });
  ctx.jobs.kick();
  return { rows: rows.length, created, updated, skipped, problems };
}

export async function exportAssetsCsv(ctx: AppContext, actor: Actor, orgId: string): Promise<string> {
  const list = await listAssets(ctx, actor, orgId);
  return [csvLine(ASSET_CSV_COLUMNS), ...list.map((a) => csvLine([a.name, a.component, a.hostnames.join(';'), a.ipRanges.join(';'), a.domains.join(';'), a.vendor ?? '', a.product ?? '', a.version ?? '', a.certification, a.acquiredOn ?? '', a.endOfSupport ?? '', a.connectivity, a.notes ?? '']))].join('');
}

export interface SupportByState {
  readonly stateCode: string | null;
  readonly stateName: string;
  readonly past: number;
  readonly near: number;
  readonly ok: number;
  readonly unknown: number;
}

/**
 * Equipment past, near (within 18 months) or well before its end of support, counted per state (numbers only,
 * for budget planning), and, for a state or a local office, the systems themselves that need attention.
 */
export async function endOfSupport(ctx: AppContext, actor: Actor) {
  const user = requireUser(actor);
  const byState = rowsOf<SupportByState>(
    await ctx.db.execute(sql`
      select s.state_code as "stateCode", s.name as "stateName",
        count(*) filter (where a.end_of_support < current_date)::int as past,
        count(*) filter (where a.end_of_support >= current_date and a.end_of_support < current_date + ${NEAR_END_OF_SUPPORT_DAYS}::int)::int as near,
        count(*) filter (where a.end_of_support >= current_date + ${NEAR_END_OF_SUPPORT_DAYS}::int)::int as ok,
        count(*) filter (where a.end_of_support is null)::int as unknown
      from assets a join orgs o on o.id = a.org_id
      join orgs s on s.id = case when o.type in ('state', 'territory') then o.id else o.parent_id end
      where a.component not in ('email-domain', 'public-website', 'network-range')
      group by s.state_code, s.name order by s.name`),
  );
  const mine = await ctx.db.select({ id: orgs.id, parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, user.orgId));
  const scope = user.role === 'analyst' || user.role === 'org-admin' ? sql`(o.id = ${user.orgId}::uuid or o.parent_id = ${user.orgId}::uuid)` : sql`o.id = ${user.orgId}::uuid`;
  const attention = rowsOf<{ id: string; name: string; orgName: string; component: string; vendor: string | null; product: string | null; version: string | null; endOfSupport: string }>(
    await ctx.db.execute(sql`
      select a.id, a.name, o.name as "orgName", a.component, a.vendor, a.product, a.version, a.end_of_support::text as "endOfSupport"
      from assets a join orgs o on o.id = a.org_id
      where ${scope} and a.end_of_support < current_date + ${NEAR_END_OF_SUPPORT_DAYS}::int
      order by a.end_of_support, o.name, a.name limit 500`),
  );
  return { nearDays: NEAR_END_OF_SUPPORT_DAYS, byState, attention, scope: mine[0]?.parentId ? 'office' : 'state' };
}

export { ASSET_COMPONENTS, CONNECTIVITY, CERTIFICATION };

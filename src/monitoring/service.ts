// Monitors as a service: an office (or the operations center for it) sets up monitors of its public services —
// only targets the office has approved: the systems in its inventory and its approved scanning scope — and
// everyone the policy allows reads their status, history and outages.
import { and, asc, desc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { isCenterAnalyst, requireUser, requireWrite, type Actor, type UserActor } from '../access/actor.js';
import { defaultRecipientOrgs } from '../access/orgs-service.js';
import { readableBy } from '../access/policy.js';
import { orgs } from '../access/schema.js';
import { assets } from '../assets/schema.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import type { Db, Tx } from '../platform/db/client.js';
import { AppError, invalidField, notFound } from '../platform/http/errors.js';
import { isUuid } from '../platform/http/schemas.js';
import { scanAuthorizations } from '../scanning/schema.js';
import { hostName, normaliseAddress, parseScope, parseTarget, targetInScope, type Scope } from '../scanning/scope.js';
import { DNS_RECORD_TYPES, hostPort, MONITOR_KINDS, type MonitorKind } from './probes.js';
import { monitorOutages, monitorSamples, monitors, type MaintenanceWindow, type MonitorOptions } from './schema.js';

export type MonitorRow = typeof monitors.$inferSelect;


/** An office's approved targets: the names and networks of its inventory, and its approved scanning scope. */
export async function approvedScope(db: Db | Tx, orgId: string): Promise<Scope | null> {
  const rows = await db.select({ domains: assets.domains, hostnames: assets.hostnames, ipRanges: assets.ipRanges }).from(assets).where(eq(assets.orgId, orgId));
  const scopes = await db.select({ scope: scanAuthorizations.scope }).from(scanAuthorizations).where(and(eq(scanAuthorizations.ownerOrg, orgId), eq(scanAuthorizations.status, 'approved')));
  const entries = new Set<string>();
  for (const r of rows) {
    for (const d of r.domains) {
      entries.add(d);
      entries.add(`*.${d}`);
    }
    for (const h of r.hostnames) entries.add(h);
    for (const n of r.ipRanges) entries.add(n);
  }
  for (const s of scopes) for (const e of s.scope) entries.add(e);
  // Each entry on its own: one that a scope cannot hold (a network wider than a /16) is left out.
  const parsed = [...entries].flatMap((e) => {
    try {
      return parseScope([e]).entries;
    } catch {
      return [];
    }
  });
  return parsed.length ? { entries: parsed } : null;
}

/** What a monitor is asked with: its target and schedule, and the options of its kind (stored as given). */
export interface MonitorInput extends Omit<MonitorOptions, 'records'> {
  readonly kind: MonitorKind;
  readonly target: string;
  readonly intervalSeconds: number;
  readonly name?: string;
  readonly timeoutSeconds?: number;
  readonly failuresBeforeDown?: number;
  /** Checked against the DNS record types before it is stored. */
  readonly records?: Partial<Record<string, string[]>>;
  readonly maintenance?: MaintenanceWindow[];
  readonly public?: boolean;
  readonly orgId?: string;
}

/** The host a target names, checked for its kind; throws a 400 naming the field. */
export function targetHost(kind: MonitorKind, target: string): string {
  const t = target.trim();
  if (kind === 'http') {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      throw invalidField('target', 'An HTTP monitor watches a web address: http:// or https:// and the host.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidField('target', 'An HTTP monitor watches an http:// or https:// address.');
    if (url.username || url.password) throw invalidField('target', 'Do not put a user name or password in the address.');
    return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  }
  if (kind === 'dns') {
    const name = hostName(t);
    if (!name || !name.includes('.')) throw invalidField('target', 'A DNS monitor watches a domain name (results.county.gov).');
    return name;
  }
  const hp = hostPort(t, kind === 'tls' ? 443 : 0);
  if (!hp || (kind === 'tcp' && !hp.port) || !(normaliseAddress(hp.host) || hostName(hp.host))) throw invalidField('target', kind === 'tcp' ? 'A TCP monitor watches a host and port (vpn.county.gov:443).' : 'A TLS monitor watches a host, with its port if not 443.');
  return hp.host.toLowerCase();
}

function checkMaintenance(windows: readonly MaintenanceWindow[] | undefined): void {
  for (const w of windows ?? []) if (Number.isNaN(Date.parse(w.start)) || Number.isNaN(Date.parse(w.end)) || Date.parse(w.end) <= Date.parse(w.start)) throw invalidField('maintenance', 'A maintenance window has a start and a later end (date and time).');
}

function checkInput(input: MonitorInput): void {
  if (!(MONITOR_KINDS as readonly string[]).includes(input.kind)) throw invalidField('kind', `kind is one of ${MONITOR_KINDS.join(', ')}.`);
  if (!Number.isInteger(input.intervalSeconds) || input.intervalSeconds < 10 || input.intervalSeconds > 86_400) throw invalidField('intervalSeconds', 'Check every 10 seconds at the most often, once a day at the least.');
  const timeout = input.timeoutSeconds ?? Math.min(10, input.intervalSeconds);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > Math.min(60, input.intervalSeconds)) throw invalidField('timeoutSeconds', 'The timeout is 1 to 60 seconds, and no longer than the interval.');
  if (input.failuresBeforeDown !== undefined && (!Number.isInteger(input.failuresBeforeDown) || input.failuresBeforeDown < 1 || input.failuresBeforeDown > 10)) throw invalidField('failuresBeforeDown', 'Between 1 and 10 failed checks in a row.');
  if (input.kind === 'dns') {
    const records = input.records ?? {};
    const types = Object.keys(records);
    if (!types.length) throw invalidField('records', 'Give the approved DNS records to compare, e.g. {"A": ["203.0.113.10"]}.');
    for (const t of types) if (!(DNS_RECORD_TYPES as readonly string[]).includes(t)) throw invalidField('records', `Record types are ${DNS_RECORD_TYPES.join(', ')}.`);
  }
  checkMaintenance(input.maintenance);
  if ((input.ignore ?? []).some((i) => i.length > 200) || (input.ignore ?? []).length > 50) throw invalidField('ignore', 'At most 50 ignore rules of 200 characters.');
}

export async function createMonitor(ctx: AppContext, actor: Actor, input: MonitorInput): Promise<MonitorRow> {
  const user = requireWrite(actor);
  checkInput(input);
  const host = targetHost(input.kind, input.target);
  const orgId = input.orgId ?? user.orgId;
  if (orgId !== user.orgId && !isCenterAnalyst(user)) throw new AppError('forbidden', 'Only the office, or the operations center for it, sets up its monitors.');
  return ctx.db.transaction(async (tx) => {
    const [org] = await tx.select({ id: orgs.id }).from(orgs).where(and(eq(orgs.id, orgId), eq(orgs.active, true)));
    if (!org) throw invalidField('orgId', 'No active organisation has this id.');
    const scope = await approvedScope(tx, orgId);
    if (!scope || !targetInScope(scope, parseTarget(host))) {
      throw new AppError('validation-failed', `${host} is not among the office's approved targets: add it to the inventory (Our systems) or to an approved scanning scope first.`, { details: [{ field: 'target', message: 'not an approved target of the office' }] });
    }
    const options: MonitorOptions = {
      ...(input.expectStatus ? { expectStatus: input.expectStatus } : {}), ...(input.keyword ? { keyword: input.keyword } : {}), ...(input.degradedMs ? { degradedMs: input.degradedMs } : {}),
      ...(input.integrity ? { integrity: true, ignore: input.ignore ?? [] } : {}), ...(input.warnDays ? { warnDays: input.warnDays } : {}), ...(input.records ? { records: input.records as MonitorOptions['records'] } : {}),
    };
    const [row] = await tx.insert(monitors).values({
      ownerOrg: orgId, authorId: user.userId, tlp: 'AMBER', recipientOrgs: await defaultRecipientOrgs(tx, orgId),
      name: input.name?.trim() || `${input.kind.toUpperCase()} ${input.target.trim()}`, kind: input.kind, target: input.target.trim(), intervalSeconds: input.intervalSeconds,
      timeoutSeconds: input.timeoutSeconds ?? Math.min(10, input.intervalSeconds), failuresBeforeDown: input.failuresBeforeDown ?? 2, options, maintenance: input.maintenance ?? [], public: input.public ?? false, createdBy: user.userId,
    }).returning();
    await recordAudit(tx, user, { action: 'monitoring.monitor-created', targetKind: 'monitor', targetId: row!.id, details: { kind: input.kind, target: row!.target, intervalSeconds: input.intervalSeconds } });
    return row!;
  });
}

export function presentMonitor(m: MonitorRow) {
  return {
    id: m.id, orgId: m.ownerOrg, name: m.name, kind: m.kind, target: m.target, intervalSeconds: m.intervalSeconds, timeoutSeconds: m.timeoutSeconds, failuresBeforeDown: m.failuresBeforeDown,
    options: m.options, maintenance: m.maintenance, paused: m.paused, public: m.public,
    status: m.status, statusSince: m.statusSince?.toISOString() ?? null, message: m.message,
    lastCheck: m.lastCheckAt ? { at: m.lastCheckAt.toISOString(), latencyMs: m.lastLatencyMs, message: m.message } : null,
    baselineAt: m.baselineAt?.toISOString() ?? null, incidentId: m.incidentId, createdAt: m.createdAt.toISOString(),
  };
}

async function readable(db: Db | Tx, user: UserActor, id: string): Promise<MonitorRow> {
  if (!isUuid(id)) throw notFound('The monitor');
  const [row] = await db.select().from(monitors).where(and(eq(monitors.id, id), readableBy(monitors, user)));
  if (!row) throw notFound('The monitor');
  return row;
}

async function own(tx: Tx, user: UserActor, id: string): Promise<MonitorRow> {
  const row = await readable(tx, user, id);
  if (row.ownerOrg !== user.orgId && !isCenterAnalyst(user)) throw new AppError('forbidden', 'Only the office, or the operations center, changes its monitors.');
  return row;
}

export async function getMonitor(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const m = await readable(ctx.db, user, id);
  const outages = await ctx.db.select().from(monitorOutages).where(eq(monitorOutages.monitorId, id)).orderBy(desc(monitorOutages.startedAt)).limit(20);
  return { ...presentMonitor(m), outages: outages.map((o) => ({ status: o.status, message: o.message, startedAt: o.startedAt.toISOString(), endedAt: o.endedAt?.toISOString() ?? null, durationSeconds: o.durationSeconds, incidentId: o.incidentId, inMaintenance: o.inMaintenance })) };
}

/**
 * Monitors the viewer may see, worst first (up to `limit`), with counts by status and by state over all of them —
 * so a national board of 30,000 services loads its map and tiles without shipping every healthy one.
 */
export async function listMonitors(ctx: AppContext, actor: Actor, q: { orgId?: string; status?: string; state?: string; limit?: number }) {
  const user = requireUser(actor);
  const where: SQL[] = [readableBy(monitors, user)];
  if (q.orgId) where.push(sql`${monitors.ownerOrg} = ${q.orgId}::uuid`);
  if (q.status) where.push(sql`${monitors.status} = ${q.status}`);
  const stateOf = sql<string | null>`left(${orgs.fips}, 2)`;
  const filtered = q.state ? [...where, sql`${stateOf} = ${q.state}`] : where;
  const rank = sql`case ${monitors.status} when 'down' then 0 when 'changed' then 1 when 'degraded' then 2 when 'pending' then 3 else 4 end`;
  const [rows, groups] = await Promise.all([
    ctx.db.select({ id: monitors.id, orgId: monitors.ownerOrg, orgName: orgs.name, stateCode: orgs.stateCode, fips: orgs.fips, name: monitors.name, kind: monitors.kind, target: monitors.target, status: monitors.status, statusSince: monitors.statusSince, message: monitors.message, lastLatencyMs: monitors.lastLatencyMs, paused: monitors.paused })
      .from(monitors).innerJoin(orgs, eq(orgs.id, monitors.ownerOrg)).where(and(...filtered)).orderBy(rank, asc(orgs.name), asc(monitors.name)).limit(q.limit ?? 1000),
    ctx.db.select({ state: stateOf, stateCode: sql<string | null>`min(${orgs.stateCode})`, status: monitors.status, n: sql<number>`count(*)::int` }).from(monitors).innerJoin(orgs, eq(orgs.id, monitors.ownerOrg)).where(and(...where)).groupBy(stateOf, monitors.status),
  ]);
  const counts: Record<string, number> = { up: 0, degraded: 0, down: 0, changed: 0, pending: 0 };
  const states = new Map<string, { fips: string; stateCode: string | null; counts: Record<string, number> }>();
  for (const g of groups) {
    counts[g.status] = (counts[g.status] ?? 0) + Number(g.n);
    if (!g.state) continue;
    const st = states.get(g.state) ?? { fips: g.state, stateCode: g.stateCode, counts: {} };
    st.counts[g.status] = (st.counts[g.status] ?? 0) + Number(g.n);
    states.set(g.state, st);
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    counts, total, byState: [...states.values()],
    items: rows.map((r) => ({ id: r.id, orgId: r.orgId, orgName: r.orgName, stateCode: r.stateCode, stateFips: r.fips ? r.fips.slice(0, 2) : null, name: r.name, kind: r.kind, target: r.target, status: r.status, statusSince: r.statusSince?.toISOString() ?? null, message: r.message, lastLatencyMs: r.lastLatencyMs, paused: r.paused })),
  };
}

/** Uptime and latency per bucket over the last `hours`. */
export async function monitorHistory(ctx: AppContext, actor: Actor, id: string, hours: number) {
  const user = requireUser(actor);
  await readable(ctx.db, user, id);
  const since = new Date(Date.now() - hours * 3600_000);
  const rows = await ctx.db.select().from(monitorSamples).where(and(eq(monitorSamples.monitorId, id), gte(monitorSamples.bucket, since))).orderBy(asc(monitorSamples.bucket));
  const checks = rows.reduce((n, r) => n + r.checks, 0);
  const up = rows.reduce((n, r) => n + r.up, 0);
  return { hours, uptime: checks ? up / checks : null, checks, buckets: rows.map((r) => ({ at: r.bucket.toISOString(), checks: r.checks, up: r.up, latencyAvgMs: r.checks ? Math.round(r.latencySumMs / r.checks) : null, latencyMaxMs: r.latencyMaxMs })) };
}

export async function updateMonitor(ctx: AppContext, actor: Actor, id: string, patch: { paused?: boolean; maintenance?: MaintenanceWindow[]; public?: boolean; acceptContent?: boolean }) {
  const user = requireWrite(actor);
  checkMaintenance(patch.maintenance);
  return ctx.db.transaction(async (tx) => {
    const m = await own(tx, user, id);
    const [row] = await tx.update(monitors).set({
      ...(patch.paused !== undefined ? { paused: patch.paused } : {}), ...(patch.maintenance ? { maintenance: patch.maintenance } : {}), ...(patch.public !== undefined ? { public: patch.public } : {}),
      // The current content becomes the known-good state at the next check (after an expected change).
      ...(patch.acceptContent ? { baselineHash: null, baselineLines: [], baselineAt: null } : {}),
      updatedAt: new Date(),
    }).where(eq(monitors.id, id)).returning();
    await recordAudit(tx, user, { action: 'monitoring.monitor-changed', targetKind: 'monitor', targetId: id, details: { ...patch, target: m.target } });
    return presentMonitor(row!);
  });
}

export async function deleteMonitor(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const user = requireWrite(actor);
  await ctx.db.transaction(async (tx) => {
    const m = await own(tx, user, id);
    await tx.delete(monitors).where(eq(monitors.id, id));
    await recordAudit(tx, user, { action: 'monitoring.monitor-deleted', targetKind: 'monitor', targetId: id, details: { target: m.target } });
  });
}

/** The public status page of an office: its monitors marked public, with status only. */
export async function publicStatus(ctx: AppContext, orgId: string) {
  if (!isUuid(orgId)) throw notFound('The status page');
  const [org] = await ctx.db.select({ name: orgs.name }).from(orgs).where(and(eq(orgs.id, orgId), eq(orgs.active, true)));
  const rows = await ctx.db.select({ name: monitors.name, status: monitors.status, since: monitors.statusSince }).from(monitors).where(and(eq(monitors.ownerOrg, orgId), eq(monitors.public, true))).orderBy(asc(monitors.name));
  if (!org || !rows.length) throw notFound('The status page');
  return { office: org.name, services: rows.map((r) => ({ name: r.name, status: r.status === 'changed' ? 'degraded' : r.status, since: r.since?.toISOString() ?? null })) };
}


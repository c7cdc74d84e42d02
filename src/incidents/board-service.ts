// The live board's first load: open incidents by state (and by county when one state is chosen) with their
// worst severity, counts operational vs nefarious over time, SLA breaches and the latest activity. All of it
// for what the viewer may see — the same policy predicate as every list — and then kept current by the
// event stream in the browser.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { type Actor, requireUser } from '../access/actor.js';
import { orgs } from '../access/schema.js';
import { countdown } from '../elections/service.js';
import { SEVERITIES, type Category, type Component, type Severity } from './taxonomy.js';
import { incidents } from './schema.js';
import { auditListedReads, filtersOf, kindSql, presentSummary } from './service.js';

export interface BoardQuery {
  readonly state?: string;
  readonly component?: Component;
  readonly category?: Category;
  /** Hours of history in the chart (default 24). */
  readonly hours: number;
}

const severityRank = sql<number>`max(case ${incidents.severity} when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end)::int`;
const worst = (rank: number | null): Severity | null => (rank ? SEVERITIES[rank - 1]! : null);
const overdue = sql`(case when ${incidents.status} = 'new' then ${incidents.triageDueAt} else ${incidents.resolveDueAt} end) < now()`;

export async function loadBoard(ctx: AppContext, actor: Actor, query: BoardQuery) {
  const user = requireUser(actor);
  const filters = { ...(query.state ? { state: query.state } : {}), ...(query.component ? { component: query.component } : {}), ...(query.category ? { category: query.category } : {}) };
  const open = and(...filtersOf(user, { ...filters, status: 'open' }));
  const groupCounts = (key: SQL) =>
    ctx.db
      .select({ key: sql<string | null>`${key}`, open: sql<number>`count(*)::int`, worst: severityRank, breached: sql<number>`count(*) filter (where ${overdue})::int`, nefarious: sql<number>`count(*) filter (where ${kindSql} = 'nefarious')::int` })
      .from(incidents)
      .where(open)
      .groupBy(key);
  const [byState, byCounty, totals, series, breaches, feed, days] = await Promise.all([
    groupCounts(sql`${incidents.stateCode}`),
    query.state ? groupCounts(sql`${incidents.countyFips}`) : Promise.resolve([]),
    ctx.db
      .select({
        open: sql<number>`count(*)::int`,
        operational: sql<number>`count(*) filter (where ${kindSql} = 'operational')::int`,
        nefarious: sql<number>`count(*) filter (where ${kindSql} = 'nefarious')::int`,
        unassessed: sql<number>`count(*) filter (where ${incidents.assessment} is null)::int`,
        breached: sql<number>`count(*) filter (where ${overdue})::int`,
        votingAffected: sql<number>`count(*) filter (where ${incidents.votingAffected} or ${incidents.countingAffected})::int`,
        critical: sql<number>`count(*) filter (where ${incidents.severity} = 'critical')::int`,
        high: sql<number>`count(*) filter (where ${incidents.severity} = 'high')::int`,
        medium: sql<number>`count(*) filter (where ${incidents.severity} = 'medium')::int`,
        low: sql<number>`count(*) filter (where ${incidents.severity} = 'low')::int`,
      })
      .from(incidents)
      .where(open),
    ctx.db
      .select({ hour: sql<string>`to_char(date_trunc('hour', ${incidents.createdAt}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`, operational: sql<number>`count(*) filter (where ${kindSql} = 'operational')::int`, nefarious: sql<number>`count(*) filter (where ${kindSql} = 'nefarious')::int` })
      .from(incidents)
      .where(and(...filtersOf(user, { ...filters, status: 'all', since: new Date(Date.now() - query.hours * 3_600_000) })))
      .groupBy(sql`1`)
      .orderBy(sql`1`),
    ctx.db
      .select({ i: incidents, ownerName: orgs.name, jurisdictionName: sql<string>`(select j.name from orgs j where j.id = ${incidents.jurisdictionId})`, assigneeName: sql<string | null>`(select u.name from users u where u.id = ${incidents.assigneeId})` })
      .from(incidents)
      .innerJoin(orgs, eq(orgs.id, incidents.ownerOrg))
      .where(and(open, sql`(case when ${incidents.status} = 'new' then ${incidents.triageDueAt} else ${incidents.resolveDueAt} end) < now() + interval '30 minutes'`))
      .orderBy(sql`(case when ${incidents.status} = 'new' then ${incidents.triageDueAt} else ${incidents.resolveDueAt} end)`)
      .limit(20),
    ctx.db
      .select({ i: incidents, ownerName: orgs.name, jurisdictionName: sql<string>`(select j.name from orgs j where j.id = ${incidents.jurisdictionId})`, assigneeName: sql<string | null>`(select u.name from users u where u.id = ${incidents.assigneeId})` })
      .from(incidents)
      .innerJoin(orgs, eq(orgs.id, incidents.ownerOrg))
      .where(and(...filtersOf(user, { ...filters, status: 'all' })))
      .orderBy(desc(incidents.updatedAt), desc(incidents.id))
      .limit(25),
    countdown(ctx, user),
  ]);
  const countyNames = byCounty.length
    ? new Map((await ctx.db.select({ fips: orgs.fips, name: orgs.name }).from(orgs).where(and(eq(orgs.type, 'local'), sql`substr(${orgs.fips}, 1, 5) = any(${`{${byCounty.map((c) => c.key).filter(Boolean).join(',')}}`}::text[])`))).map((r) => [r.fips!.slice(0, 5), r.name]))
    : new Map<string, string>();
  await auditListedReads(ctx, user, [...breaches, ...feed].map((r) => r.i), 'board');
  const now = new Date();
  const t = totals[0]!;
  return {
    generatedAt: now.toISOString(),
    countdown: days,
    filters: { state: query.state ?? null, component: query.component ?? null, category: query.category ?? null, hours: query.hours },
    totals: { open: t.open, operational: t.operational, nefarious: t.nefarious, unassessed: t.unassessed, breached: t.breached, votingAffected: t.votingAffected, bySeverity: { critical: t.critical, high: t.high, medium: t.medium, low: t.low } },
    states: byState.filter((s) => s.key).map((s) => ({ stateCode: s.key!, open: s.open, worst: worst(s.worst), breached: s.breached, nefarious: s.nefarious })),
    counties: byCounty.filter((c) => c.key).map((c) => ({ countyFips: c.key!, name: countyNames.get(c.key!) ?? null, open: c.open, worst: worst(c.worst), breached: c.breached, nefarious: c.nefarious })),
    series,
    breaches: breaches.map((r) => presentSummary(r.i, r, now)),
    feed: feed.map((r) => presentSummary(r.i, r, now)),
  };
}

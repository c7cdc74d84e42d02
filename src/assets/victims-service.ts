// Victim notification: the moment indicators arrive, every inventory is checked for what they touch (an
// address inside an office's network, a domain that is an office's or under or above one), and each office
// touched is told privately — what of its systems matched, why it matters, what to do — in the app, by
// email and by webhook. The office acknowledges. The producer of the indicator learns only how many offices
// were told and how many acknowledged, never which.
import { and, desc, eq, sql } from 'drizzle-orm';
import { requireUser, requireWrite, type Actor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf, type Db } from '../platform/db/client.js';
import { eventsInsert } from '../platform/events/outbox.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { valuesOfPattern } from '../intel/match/indicator-index.js';
import { indicatorsOfBatch, readableObjectSummaries } from '../intel/objects-service.js';
import { normaliseValue } from '../intel/indicator-values.js';
import { assets, victimMatches } from './schema.js';
import { InventoryIndex, type InventoryHit, type MatchReason } from './inventory-index.js';

export const WHY: Record<MatchReason, { why: string; todo: string }> = {
  'address-in-network': {
    why: 'An address inside one of your networks is listed as malicious: a system there may be compromised, or the address is used in an attack on you.',
    todo: 'Find the system at that address and check it; search your firewall and server logs for the address (eoc match); report an incident if you find activity.',
  },
  'network-overlaps': {
    why: 'A network listed as malicious overlaps one of yours.',
    todo: 'Check which of your systems are in the overlap; search your logs for traffic from it; report an incident if you find activity.',
  },
  domain: {
    why: 'One of your domains or host names is listed: it may be compromised, or used to reach people in your name.',
    todo: 'Check the site or mail server behind it and its DNS records; change credentials if anything looks wrong; report an incident.',
  },
  subdomain: {
    why: 'A name under one of your domains is listed: someone may have taken over a subdomain, or pointed it somewhere else.',
    todo: 'Check your DNS zone for that name (dangling records, unknown entries) and the system it points to; report an incident.',
  },
  'parent-domain': {
    why: 'A domain above one of your host names is listed: the whole domain may be compromised or impersonated.',
    todo: 'Ask whoever runs that domain what happened; check your systems under it; report an incident.',
  },
};

interface IndicatorRow {
  readonly stix_id: string;
  readonly owner_org: string;
  readonly pattern: string;
}

/** Every inventory, indexed (rebuilt per batch of indicators: ten thousand inventories take milliseconds). */
async function inventoryIndex(db: Db): Promise<InventoryIndex> {
  const index = new InventoryIndex();
  const rows = await db.select({ id: assets.id, orgId: assets.orgId, name: assets.name, ipRanges: assets.ipRanges, hostnames: assets.hostnames, domains: assets.domains }).from(assets);
  for (const r of rows) index.add({ assetId: r.id, orgId: r.orgId, name: r.name }, r.ipRanges, [...r.hostnames, ...r.domains]);
  index.build();
  return index;
}

function hitsFor(index: InventoryIndex, type: string, raw: string): { value: string; hits: InventoryHit[] } {
  if (type === 'ipv4' || type === 'ipv6') return { value: raw, hits: index.byAddress(raw) };
  if (type === 'domain') {
    const v = normaliseValue('domain', raw);
    return v.ok ? { value: v.value, hits: index.byDomain(v.value) } : { value: raw, hits: [] };
  }
  if (type === 'url') {
    try {
      const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
      return { value: raw, hits: /^[\d.]+$|:/.test(host) ? index.byAddress(host) : index.byDomain(host) };
    } catch {
      return { value: raw, hits: [] };
    }
  }
  if (type === 'email') {
    const at = raw.lastIndexOf('@');
    return { value: raw, hits: at > 0 ? index.byDomain(raw.slice(at + 1)) : [] };
  }
  return { value: raw, hits: [] };
}

/** Matches the given indicators against every inventory; records and announces new matches. Returns how many. */
export async function matchIndicators(ctx: AppContext, rows: readonly IndicatorRow[]): Promise<number> {
  if (!rows.length) return 0;
  const index = await inventoryIndex(ctx.db);
  if (index.size === 0) return 0;
  const found: Array<typeof victimMatches.$inferInsert> = [];
  for (const r of rows) {
    for (const { type, value: raw } of valuesOfPattern(r.pattern)) {
      const { value, hits } = hitsFor(index, type, raw);
      for (const h of hits) found.push({ orgId: h.asset.orgId, assetId: h.asset.assetId, stixId: r.stix_id, producerOrg: r.owner_org, indicatorValue: value, indicatorType: type, reason: h.reason, matched: h.matched });
    }
  }
  if (!found.length) return 0;
  return ctx.db.transaction(async (tx) => {
    const inserted = await tx.insert(victimMatches).values(found).onConflictDoNothing().returning();
    if (inserted.length) {
      const names = new Map(rowsOf<{ id: string; name: string }>(await tx.execute(sql`select id, name from assets where id = any(${`{${[...new Set(inserted.map((m) => m.assetId))].join(',')}}`}::uuid[])`)).map((a) => [a.id, a.name]));
      // Private to the office: AMBER+STRICT, owned by it, addressed to nobody else.
      await eventsInsert(tx, inserted.map((m) => ({
        type: 'victim.matched',
        recordKind: 'victim-match',
        recordId: m.id,
        sharing: { ownerOrg: m.orgId, authorId: null, tlp: 'AMBER+STRICT' as const, recipientOrgs: [], recipientUsers: [] },
        payload: { id: m.id, assetName: names.get(m.assetId) ?? '', reason: m.reason, matched: m.matched, indicatorValue: m.indicatorValue, indicatorType: m.indicatorType, title: `A threat touches ${names.get(m.assetId) ?? 'one of your systems'}` },
      })));
    }
    return inserted.length;
  }).finally(() => ctx.relay.kick());
}

/** The job: indicators stored in one batch (a range of store sequence numbers of one collection). */
export function victimMatchHandler(ctx: AppContext) {
  return async (payload: unknown): Promise<void> => {
    const p = payload as { collectionId: string; fromSeq: number; toSeq: number };
    // An installation without inventories has nothing to match: one small query, not a read of the batch.
    const [any] = await ctx.db.select({ id: assets.id }).from(assets).limit(1);
    if (!any) return;
    await matchIndicators(ctx, await indicatorsOfBatch(ctx, p.collectionId, p.fromSeq, p.toSeq));
  };
}

export async function listVictimMatches(ctx: AppContext, actor: Actor, query: { open?: boolean; limit: number }) {
  const user = requireUser(actor);
  const rows = await ctx.db
    .select({ m: victimMatches, assetName: assets.name, component: assets.component })
    .from(victimMatches)
    .innerJoin(assets, eq(assets.id, victimMatches.assetId))
    .where(and(eq(victimMatches.orgId, user.orgId), query.open ? sql`${victimMatches.acknowledgedAt} is null` : sql`true`))
    .orderBy(desc(victimMatches.createdAt))
    .limit(query.limit);
  // The indicator's own words only where the office may read the indicator.
  const readable = new Map((await readableObjectSummaries(ctx, user, [...new Set(rows.map((r) => r.m.stixId))])).map((o) => [o.stixId, o.name]));
  return {
    items: rows.map((r) => ({
      id: r.m.id,
      asset: { id: r.m.assetId, name: r.assetName, component: r.component },
      reason: r.m.reason,
      matched: r.m.matched,
      indicator: { type: r.m.indicatorType, value: r.m.indicatorValue, ...(readable.has(r.m.stixId) ? { stixId: r.m.stixId, name: readable.get(r.m.stixId) ?? null } : {}) },
      why: WHY[r.m.reason as MatchReason]?.why ?? '',
      todo: WHY[r.m.reason as MatchReason]?.todo ?? '',
      createdAt: r.m.createdAt.toISOString(),
      acknowledgedAt: r.m.acknowledgedAt?.toISOString() ?? null,
    })),
  };
}

export async function acknowledgeVictimMatch(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const user = requireWrite(actor);
  await ctx.db.transaction(async (tx) => {
    const [m] = await tx.select().from(victimMatches).where(and(eq(victimMatches.id, id), eq(victimMatches.orgId, user.orgId)));
    if (!m) throw notFound('The notification');
    if (m.acknowledgedAt) throw new AppError('conflict', 'Your office already acknowledged it.');
    await tx.update(victimMatches).set({ acknowledgedBy: user.userId, acknowledgedAt: new Date() }).where(eq(victimMatches.id, id));
    await recordAudit(tx, user, { action: 'victim.acknowledged', targetKind: 'victim-match', targetId: id });
  });
}

/** What the producer of an indicator may know: how many offices were told, how many acknowledged. */
export async function victimCounts(db: Db, stixId: string): Promise<{ notified: number; acknowledged: number }> {
  const [row] = rowsOf<{ notified: number; acknowledged: number }>(
    await db.execute(sql`select count(distinct org_id)::int as notified, count(distinct org_id) filter (where acknowledged_at is not null)::int as acknowledged from victim_matches where stix_id = ${stixId}`),
  );
  return row ?? { notified: 0, acknowledged: 0 };
}

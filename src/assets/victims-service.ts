// Victim notification: the moment indicators arrive, every inventory is checked for what they touch (an
// address inside an office's network, a domain that is an office's or under or above one, or one that imitates it), and each office
// touched is told privately — what of its systems matched, why it matters, what to do — in the app, by
// email and by webhook. The office acknowledges. The producer of the indicator learns only how many offices
// were told and how many acknowledged, never which.
import { and, desc, eq, sql } from 'drizzle-orm';
import { requireUser, requireWrite, type Actor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf, type Db, type Tx } from '../platform/db/client.js';
import { eventsInsert } from '../platform/events/outbox.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { valuesOfPattern } from '../intel/match/indicator-index.js';
import { indicatorsOfBatch, readableObjectSummaries } from '../intel/objects-service.js';
import { normaliseValue } from '../intel/indicator-values.js';
import { orgs } from '../access/schema.js';
import { assets, victimMatches } from './schema.js';
import { InventoryIndex, type InventoryHit, type MatchReason } from './inventory-index.js';

/** Why a vulnerability concerns an office's product. */
export type VulnReason = 'known-exploited' | 'known-exploited-check-version' | 'vulnerable-version';

export const WHY: Record<MatchReason | VulnReason, { why: string; todo: string }> = {
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
  homoglyph: {
    why: 'A domain that reads like one of yours, with look-alike letters (another alphabet, "rn" for "m", a zero for an "o"), is listed as malicious: it is likely used to phish your staff or mislead voters in your name.',
    todo: 'Warn your staff not to trust mail or links from it; tell voters where your real site is; ask the operations center to request a takedown from the registrar; report an incident (phishing or disinformation).',
  },
  typosquat: {
    why: 'A domain one keystroke away from one of yours (a letter missing, added, changed or swapped) is listed as malicious: people who mistype your address, or skim a link, land on it.',
    todo: 'Warn your staff and voters; consider registering the common misspellings of your domain yourself; ask the operations center to request a takedown; report an incident (phishing or disinformation).',
  },
  'other-tld': {
    why: 'A domain with your name under another ending (.com or .org instead of .gov) is listed as malicious: it passes for your site at a glance.',
    todo: 'Tell voters that your official site ends in your real ending; ask the operations center to request a takedown; report an incident (phishing or disinformation).',
  },
  combosquat: {
    why: 'A domain that carries your domain name inside a longer one (your name with "-results" or "-vote", or your whole domain in front of someone else\'s) is listed as malicious: it is made to look official.',
    todo: 'Warn your staff and voters; ask the operations center to request a takedown; report an incident (phishing or disinformation).',
  },
  'known-exploited': {
    why: 'This version of one of your products has a vulnerability that attackers are exploiting now (it is in CISA\'s Known Exploited Vulnerabilities catalog).',
    todo: 'Apply the vendor\'s update or mitigation now, before election day; if you cannot, take the system off the internet or put it behind a VPN; check its logs for signs of compromise and report an incident if you find any.',
  },
  'known-exploited-check-version': {
    why: 'One of your products has a vulnerability that attackers are exploiting now (CISA\'s Known Exploited Vulnerabilities catalog); your inventory does not say which version you run, or the catalog does not say which versions are affected.',
    todo: 'Check the version you run against the vendor\'s advisory; update or mitigate now if it is affected, and record the version in your inventory so the next check is exact.',
  },
  'vulnerable-version': {
    why: 'The version of one of your products listed in your inventory is affected by a published vulnerability.',
    todo: 'Read the vendor\'s advisory and plan the update before election day; the more exposed the system (internet-facing, network-connected), the sooner.',
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

/** The index of every inventory, per database, with what it was built from (count and last change). */
const indexes = new WeakMap<Db, { key: string; index: InventoryIndex }>();

/**
 * Every inventory, indexed; rebuilt only when an inventory changed since. The sum of every row's change time
 * moves with any insert, update or delete, whatever order transactions commit in.
 */
async function inventoryIndex(db: Db): Promise<InventoryIndex> {
  const [v] = rowsOf<{ n: number; at: string | null }>(await db.execute(sql`select count(*)::int as n, sum(extract(epoch from updated_at))::text as at from assets`));
  const key = `${v?.n ?? 0}|${v?.at ?? ''}`;
  const known = indexes.get(db);
  if (known?.key === key) return known.index;
  const index = new InventoryIndex();
  const rows = await db.select({ id: assets.id, orgId: assets.orgId, name: assets.name, ipRanges: assets.ipRanges, hostnames: assets.hostnames, domains: assets.domains }).from(assets);
  for (const r of rows) index.add({ assetId: r.id, orgId: r.orgId, name: r.name }, r.ipRanges, [...r.hostnames, ...r.domains]);
  index.build();
  indexes.set(db, { key, index });
  return index;
}

/** A name touches an office's systems (its own names and what is under or above them) or imitates them. */
function nameHits(index: InventoryIndex, name: string): InventoryHit[] {
  return [...index.byDomain(name), ...index.lookalikes(name)];
}

function hitsFor(index: InventoryIndex, type: string, raw: string): { value: string; hits: InventoryHit[] } {
  if (type === 'ipv4' || type === 'ipv6') return { value: raw, hits: index.byAddress(raw) };
  if (type === 'domain') {
    const v = normaliseValue('domain', raw);
    return v.ok ? { value: v.value, hits: nameHits(index, v.value) } : { value: raw, hits: [] };
  }
  if (type === 'url') {
    try {
      const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
      return { value: raw, hits: /^[\d.]+$|:/.test(host) ? index.byAddress(host) : nameHits(index, host) };
    } catch {
      return { value: raw, hits: [] };
    }
  }
  if (type === 'email') {
    const at = raw.lastIndexOf('@');
    const v = at > 0 ? normaliseValue('domain', raw.slice(at + 1)) : null;
    return { value: raw, hits: v?.ok ? nameHits(index, v.value) : [] };
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
  return recordMatches(ctx, found);
}

export type NewVictimMatch = typeof victimMatches.$inferInsert;

/**
 * Records new matches (a match already recorded is not told twice) and tells each office touched — and its
 * state, when the office shares with it — in one transaction. Returns how many were new.
 */
export async function recordMatches(ctx: AppContext, found: readonly NewVictimMatch[], options: { clear?: (tx: Tx) => Promise<void> } = {}): Promise<number> {
  if (!found.length && !options.clear) return 0;
  return ctx.db.transaction(async (tx) => {
    await options.clear?.(tx);
    const inserted: Array<typeof victimMatches.$inferSelect> = [];
    for (let i = 0; i < found.length; i += 1000) {
      inserted.push(...(await tx.insert(victimMatches).values(found.slice(i, i + 1000))
        // Told once; told again only when "check your version" becomes "your version is affected", or when
        // something that no longer applied applies again.
        .onConflictDoUpdate({
          target: [victimMatches.assetId, victimMatches.stixId, victimMatches.indicatorValue],
          set: { reason: sql`excluded.reason`, matched: sql`excluded.matched`, createdAt: sql`now()`, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolution: null },
          setWhere: sql`${victimMatches.resolvedAt} is not null or (${victimMatches.reason} = 'known-exploited-check-version' and excluded.reason = 'known-exploited')`,
        })
        .returning()));
    }
    if (inserted.length) {
      const names = new Map(rowsOf<{ id: string; name: string }>(await tx.execute(sql`select id, name from assets where id = any(${`{${[...new Set(inserted.map((m) => m.assetId))].join(',')}}`}::uuid[])`)).map((a) => [a.id, a.name]));
      // The offices that let their state see what touches them.
      const toState = new Map(rowsOf<{ id: string; parent_id: string }>(
        await tx.execute(sql`select id, parent_id from orgs where share_matches_with_state and parent_id is not null and id = any(${`{${[...new Set(inserted.map((m) => m.orgId))].join(',')}}`}::uuid[])`),
      ).map((o) => [o.id, o.parent_id]));
      // Private to the office (and its state when it says so): AMBER+STRICT, owned by it.
      const events = inserted.map((m) => {
        const assetName = names.get(m.assetId) ?? 'one of your systems';
        return {
          type: 'victim.matched',
          recordKind: 'victim-match',
          recordId: m.id,
          sharing: { ownerOrg: m.orgId, authorId: null, tlp: 'AMBER+STRICT' as const, recipientOrgs: toState.has(m.orgId) ? [toState.get(m.orgId)!] : [], recipientUsers: [] },
          payload: {
            id: m.id, source: m.source, assetName, reason: m.reason, matched: m.matched, indicatorValue: m.indicatorValue, indicatorType: m.indicatorType,
            title: m.source === 'vulnerability' ? `${m.indicatorValue} ${m.reason === 'known-exploited' ? '(exploited in the wild) ' : ''}affects ${assetName}` : `A threat touches ${assetName}`,
          },
        };
      });
      for (let i = 0; i < events.length; i += 1000) await eventsInsert(tx, events.slice(i, i + 1000));
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

/**
 * The threats that touch the viewer's organisation; for a state, also those of its offices that share them
 * with it (the office's setting), each naming the office.
 */
export async function listVictimMatches(ctx: AppContext, actor: Actor, query: { open?: boolean; limit: number }) {
  const user = requireUser(actor);
  const rows = await ctx.db
    .select({ m: victimMatches, assetName: assets.name, component: assets.component, orgName: orgs.name })
    .from(victimMatches)
    .innerJoin(assets, eq(assets.id, victimMatches.assetId))
    .innerJoin(orgs, eq(orgs.id, victimMatches.orgId))
    .where(and(
      sql`(${victimMatches.orgId} = ${user.orgId}::uuid or (${orgs.parentId} = ${user.orgId}::uuid and ${orgs.shareMatchesWithState}))`,
      query.open ? sql`${victimMatches.acknowledgedAt} is null and ${victimMatches.resolvedAt} is null` : sql`true`,
    ))
    .orderBy(desc(victimMatches.createdAt))
    .limit(query.limit);
  // The indicator's own words only where the viewer may read the indicator.
  const readable = new Map((await readableObjectSummaries(ctx, user, [...new Set(rows.map((r) => r.m.stixId))])).map((o) => [o.stixId, o.name]));
  return {
    items: rows.map((r) => ({
      id: r.m.id,
      org: { id: r.m.orgId, name: r.orgName, own: r.m.orgId === user.orgId },
      asset: { id: r.m.assetId, name: r.assetName, component: r.component },
      reason: r.m.reason,
      matched: r.m.matched,
      indicator: { type: r.m.indicatorType, value: r.m.indicatorValue, ...(readable.has(r.m.stixId) ? { stixId: r.m.stixId, name: readable.get(r.m.stixId) ?? null } : {}) },
      why: WHY[r.m.reason as MatchReason | VulnReason]?.why ?? '',
      todo: WHY[r.m.reason as MatchReason | VulnReason]?.todo ?? '',
      createdAt: r.m.createdAt.toISOString(),
      acknowledgedAt: r.m.acknowledgedAt?.toISOString() ?? null,
      disclosedAt: r.m.disclosedAt?.toISOString() ?? null,
      resolvedAt: r.m.resolvedAt?.toISOString() ?? null,
      resolution: r.m.resolution,
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

/**
 * The office lets the producer of the threat know that it was touched (by default the producer learns only
 * how many offices were told). Only the touched office decides.
 */
export async function discloseVictimMatch(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const user = requireWrite(actor);
  await ctx.db.transaction(async (tx) => {
    const [m] = await tx.select().from(victimMatches).where(and(eq(victimMatches.id, id), eq(victimMatches.orgId, user.orgId)));
    if (!m) throw notFound('The notification');
    if (m.disclosedAt) throw new AppError('conflict', 'Your office already told the producer.');
    if (m.source === 'vulnerability') throw new AppError('conflict', 'A vulnerability comes from the public catalog: there is no producer to tell.');
    await tx.update(victimMatches).set({ disclosedBy: user.userId, disclosedAt: new Date() }).where(eq(victimMatches.id, id));
    await recordAudit(tx, user, { action: 'victim.disclosed', targetKind: 'victim-match', targetId: id, orgIds: [user.orgId, m.producerOrg], details: { stixId: m.stixId } });
  });
}

/**
 * What the producer of an indicator may know: how many offices were told, how many acknowledged, and the
 * names of those offices alone that agreed to be named.
 */
export async function victimCounts(db: Db, stixId: string): Promise<{ notified: number; acknowledged: number; named: string[] }> {
  const [row] = rowsOf<{ notified: number; acknowledged: number; named: string[] | string | null }>(
    await db.execute(sql`select count(distinct m.org_id)::int as notified, count(distinct m.org_id) filter (where m.acknowledged_at is not null)::int as acknowledged,
        array(select distinct o.name from victim_matches d join orgs o on o.id = d.org_id where d.stix_id = ${stixId} and d.disclosed_at is not null order by o.name) as named
      from victim_matches m where m.stix_id = ${stixId}`),
  );
  const named = row?.named ?? [];
  return { notified: row?.notified ?? 0, acknowledged: row?.acknowledged ?? 0, named: Array.isArray(named) ? named : String(named).replace(/^\{|\}$/g, '').split(',').filter(Boolean).map((n) => n.replace(/^"|"$/g, '')) };
}

// Feedback on indicators from the members who use them: false-positive reports and sightings, shared back to
// the producer (the organisation that owns the indicator) — by count, and by name only where the reporting
// organisation allowed it. The producer revokes an indicator with a new version marked revoked.
import { and, eq, sql } from 'drizzle-orm';
import { requireWrite, type Actor, type UserActor } from '../access/actor.js';
import { readableBy } from '../access/policy.js';
import { STIX_ROW } from './stix-row.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import { AppError } from '../platform/http/errors.js';
import { indicatorFeedback, taxiiCollections } from './schema.js';
import { storeObjects } from './store-service.js';
import { isStixTimestamp } from './stix/validate.js';


/** The owner organisations of the visible versions of an object; 404 when the user may see none. */
async function visibleOwners(ctx: AppContext, user: UserActor, stixId: string): Promise<string[]> {
  const rows = rowsOf<{ owner_org: string }>(await ctx.db.execute(sql`select distinct o.owner_org from stix_objects o where o.stix_id = ${stixId} and ${readableBy(STIX_ROW, user)}`));
  if (!rows.length) throw new AppError('not-found', 'No such STIX object, or it is not shared with you.');
  return rows.map((r) => r.owner_org);
}

export async function reportFalsePositive(ctx: AppContext, actor: Actor, stixId: string, note: string | null): Promise<void> {
  const user = requireWrite(actor);
  const owners = await visibleOwners(ctx, user, stixId);
  if (owners.includes(user.orgId)) throw new AppError('conflict', 'Your organisation produced this indicator; revoke it instead.');
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`insert into indicator_feedback (stix_id, org_id, user_id, kind, note) values (${stixId}, ${user.orgId}::uuid, ${user.userId}::uuid, 'false-positive', ${note?.trim() || null})
      on conflict (stix_id, org_id) where kind = 'false-positive' do update set note = excluded.note, user_id = excluded.user_id, created_at = now()`);
    await recordAudit(tx, user, { action: 'intel.false-positive', targetKind: 'stix-object', targetId: stixId, orgIds: owners });
  });
}

export interface SightingInput {
  readonly count?: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly shareName?: boolean;
  readonly note?: string;
}

export async function recordSighting(ctx: AppContext, actor: Actor, stixId: string, input: SightingInput): Promise<void> {
  const user = requireWrite(actor);
  const owners = await visibleOwners(ctx, user, stixId);
  for (const [field, v] of [['firstSeen', input.firstSeen], ['lastSeen', input.lastSeen]] as const) {
    if (v !== undefined && !isStixTimestamp(v)) throw new AppError('validation-failed', `${field} must be a UTC timestamp like 2026-11-03T08:00:00Z.`, { details: [{ field, message: 'not a timestamp' }] });
  }
  if (input.firstSeen && input.lastSeen && Date.parse(input.lastSeen) < Date.parse(input.firstSeen)) throw new AppError('validation-failed', 'lastSeen is before firstSeen.', { details: [{ field: 'lastSeen', message: 'before firstSeen' }] });
  await ctx.db.transaction(async (tx) => {
    await tx.insert(indicatorFeedback).values({
      stixId, orgId: user.orgId, userId: user.userId, kind: 'sighting', count: input.count ?? 1,
      firstSeen: input.firstSeen ? new Date(input.firstSeen) : null, lastSeen: input.lastSeen ? new Date(input.lastSeen) : null,
      shareName: input.shareName ?? false, note: input.note?.trim() || null,
    });
    await recordAudit(tx, user, { action: 'intel.sighting-recorded', targetKind: 'stix-object', targetId: stixId, orgIds: owners, details: { count: input.count ?? 1, named: input.shareName ?? false } });
  });
}

export interface FeedbackSummary {
  readonly falsePositives: number;
  readonly sightings: number;
  readonly sightingOrgs: number;
  /** For the producer: the organisations that allowed their name, and how much each saw. */
  readonly named: ReadonlyArray<{ orgName: string; count: number; lastSeen: string | null }> | null;
  readonly falsePositiveNotes: ReadonlyArray<{ orgName: string | null; note: string | null }> | null;
  /** What the reader's own organisation reported. */
  readonly mine: { falsePositive: boolean; sightings: number };
}

export async function feedbackSummary(ctx: AppContext, user: UserActor, stixId: string, producer: boolean): Promise<FeedbackSummary> {
  const rows = rowsOf<{ kind: string; org_id: string; org_name: string; count: number; share_name: boolean; last_seen: string | null; note: string | null }>(
    await ctx.db.execute(sql`select f.kind, f.org_id, o.name as org_name, f.count, f.share_name, to_char(f.last_seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_seen, f.note
      from indicator_feedback f join orgs o on o.id = f.org_id where f.stix_id = ${stixId}`),
  );
  const sightings = rows.filter((r) => r.kind === 'sighting');
  const fps = rows.filter((r) => r.kind === 'false-positive');
  const named = new Map<string, { orgName: string; count: number; lastSeen: string | null }>();
  for (const s of sightings.filter((r) => r.share_name)) {
    const prev = named.get(s.org_id);
    named.set(s.org_id, { orgName: s.org_name, count: (prev?.count ?? 0) + s.count, lastSeen: [prev?.lastSeen, s.last_seen].filter(Boolean).sort().at(-1) ?? null });
  }
  return {
    falsePositives: fps.length,
    sightings: sightings.reduce((n, r) => n + r.count, 0),
    sightingOrgs: new Set(sightings.map((r) => r.org_id)).size,
    named: producer ? [...named.values()] : null,
    // False-positive reports reach the producer with their notes, without the reporting organisation's name.
    falsePositiveNotes: producer ? fps.map((r) => ({ orgName: null, note: r.note })) : null,
    mine: { falsePositive: fps.some((r) => r.org_id === user.orgId), sightings: sightings.filter((r) => r.org_id === user.orgId).reduce((n, r) => n + r.count, 0) },
  };
}

/** The producer revokes: a new version of each of its visible copies, marked revoked, in the same collection. */
export async function revokeObject(ctx: AppContext, actor: Actor, stixId: string): Promise<number> {
  const user = requireWrite(actor);
  if (user.role !== 'analyst' && user.role !== 'org-admin') throw new AppError('forbidden', 'Analysts revoke indicators.');
  const copies = rowsOf<{ collection_id: string; body: string; revoked: boolean }>(
    await ctx.db.execute(sql`select o.collection_id, o.body, o.revoked from stix_objects o where o.stix_id = ${stixId} and o.is_latest and o.owner_org = ${user.orgId}::uuid and ${readableBy(STIX_ROW, user)}`),
  );
  if (!copies.length) throw new AppError('not-found', 'Your organisation has no such object to revoke.');
  let revoked = 0;
  for (const c of copies.filter((x) => !x.revoked)) {
    const [collection] = await ctx.db.select().from(taxiiCollections).where(and(eq(taxiiCollections.id, c.collection_id)));
    const body = JSON.parse(c.body) as Record<string, unknown>;
    const modified = new Date(Math.max(Date.now(), Date.parse(String(body.modified ?? 0)) + 1)).toISOString();
    const r = await storeObjects(ctx, { orgId: user.orgId, userId: user.userId }, collection!, { objects: [{ ...body, modified, revoked: true }] });
    if (r.failures.length) throw new AppError('conflict', `The revocation could not be stored: ${r.failures[0]!.message ?? ''}`);
    revoked += 1;
  }
  await ctx.db.transaction((tx) => recordAudit(tx, user, { action: 'intel.revoked', targetKind: 'stix-object', targetId: stixId, details: { copies: revoked } }));
  return revoked;
}

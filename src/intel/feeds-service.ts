// TAXII 2.1 client feeds: subscribe to a collection on another server and poll it on a schedule into a local
// collection. Each poll asks for objects added after the checkpoint, follows `next`, stores each page (the
// sharing policy maps incoming TLP markings; unmarked objects take the feed's default), and saves the
// checkpoint from X-TAXII-Date-Added-Last after every page, so a failure resumes where it stopped. Health:
// last success, last error, consecutive failures, counts. Workers claim due feeds with SKIP LOCKED and a
// lease, so any number of worker nodes poll each feed once.
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { requireSystemAdmin, type Actor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError } from '../platform/http/errors.js';
import { checkWebhookUrl } from '../notifications/delivery.js';
import { backoffMs } from '../platform/jobs/queue.js';
import { storable } from '../platform/text/storable.js';
import { taxiiCollections, taxiiFeeds } from './schema.js';
import { storeObjects } from './store-service.js';
import { isStixTimestamp } from './stix/validate.js';

export type Feed = typeof taxiiFeeds.$inferSelect;

const TAXII = 'application/taxii+json;version=2.1';
const PAGE = 1000;
const MAX_PAGES_PER_POLL = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;

export interface FeedInput {
  readonly title: string;
  readonly url: string;
  readonly auth: { readonly type: 'none' } | { readonly type: 'bearer'; readonly token: string } | { readonly type: 'basic'; readonly username: string; readonly password: string };
  readonly targetCollectionId: string;
  readonly defaultTlp?: Exclude<Tlp, 'RED'>;
  readonly intervalMinutes?: number;
  /** Start from objects added after this time (default: everything the remote collection holds). */
  readonly since?: string;
}

function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('validation-failed', 'The feed URL is not a URL.', { details: [{ field: 'url', message: 'not a URL' }] });
  }
  if (!/\/collections\/[^/]+\/?$/.test(url.pathname)) throw new AppError('validation-failed', 'Give the URL of the remote collection, ending in /collections/ID/.', { details: [{ field: 'url', message: 'must end in /collections/ID/' }] });
  if (url.username || url.password) throw new AppError('validation-failed', 'Put credentials in the authentication fields, not in the URL.', { details: [{ field: 'url', message: 'no credentials in the URL' }] });
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/?$/, '/');
}

export async function createFeed(ctx: AppContext, actor: Actor, input: FeedInput): Promise<Feed> {
  requireSystemAdmin(actor);
  if (actor.kind !== 'user') throw new AppError('forbidden', 'Feeds are created by a signed-in administrator (their organisation owns what the feed brings in).');
  const url = normaliseUrl(input.url);
  const problem = await checkWebhookUrl(url, ctx.config.webhookAllowLoopback, 'Feed URLs');
  if (problem) throw new AppError('validation-failed', problem, { details: [{ field: 'url', message: problem }] });
  if (input.since !== undefined && !isStixTimestamp(input.since)) throw new AppError('validation-failed', 'since must be a UTC timestamp like 2026-11-01T00:00:00Z.', { details: [{ field: 'since', message: 'not a timestamp' }] });
  const interval = input.intervalMinutes ?? 60;
  if (!Number.isInteger(interval) || interval < 1 || interval > 7 * 24 * 60) throw new AppError('validation-failed', 'Poll every 1 minute to 7 days.', { details: [{ field: 'intervalMinutes', message: '1 to 10080' }] });
  const [target] = await ctx.db.select().from(taxiiCollections).where(eq(taxiiCollections.id, input.targetCollectionId));
  if (!target) throw new AppError('validation-failed', 'The local collection does not exist.', { details: [{ field: 'targetCollectionId', message: 'unknown collection' }] });
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(taxiiFeeds)
      .values({
        title: input.title.trim().slice(0, 200) || 'TAXII feed',
        url,
        authType: input.auth.type,
        username: input.auth.type === 'basic' ? input.auth.username : null,
        secret: input.auth.type === 'bearer' ? input.auth.token : input.auth.type === 'basic' ? input.auth.password : null,
        targetCollectionId: target.id,
        ownerOrg: actor.orgId,
        createdBy: actor.userId,
        defaultTlp: input.defaultTlp ?? 'AMBER',
        intervalMinutes: interval,
        checkpoint: input.since ?? null,
      })
      .returning();
    await recordAudit(tx, actor, { action: 'taxii.feed-created', targetKind: 'taxii-feed', targetId: row!.id, details: { url, target: target.id } });
    return row!;
  });
}

/** What administrators see of a feed: never its secret. */
export function presentFeed(f: Feed) {
  const health = !f.enabled ? 'paused' : f.lastPolledAt === null ? 'waiting' : f.consecutiveFailures > 0 ? 'failing' : 'healthy';
  return {
    id: f.id,
    title: f.title,
    url: f.url,
    auth: f.authType === 'basic' ? { type: 'basic', username: f.username } : { type: f.authType },
    targetCollectionId: f.targetCollectionId,
    defaultTlp: f.defaultTlp,
    intervalMinutes: f.intervalMinutes,
    enabled: f.enabled,
    health,
    checkpoint: f.checkpoint,
    nextPollAt: f.nextPollAt.toISOString(),
    lastPolledAt: f.lastPolledAt?.toISOString() ?? null,
    lastSuccessAt: f.lastSuccessAt?.toISOString() ?? null,
    lastError: f.lastError,
    consecutiveFailures: f.consecutiveFailures,
    objectsReceived: f.objectsReceived,
    objectsRefused: f.objectsRefused,
    lastPollStored: f.lastPollStored,
    lastPollRefused: f.lastPollRefused,
  };
}

export async function listFeeds(ctx: AppContext, actor: Actor): Promise<Feed[]> {
  requireSystemAdmin(actor);
  return ctx.db.select().from(taxiiFeeds).orderBy(taxiiFeeds.title, taxiiFeeds.id);
}

export async function updateFeed(ctx: AppContext, actor: Actor, id: string, change: { enabled?: boolean; intervalMinutes?: number; pollNow?: boolean; auth?: FeedInput['auth'] }): Promise<Feed> {
  requireSystemAdmin(actor);
  const a = change.auth;
  const [row] = await ctx.db
    .update(taxiiFeeds)
    .set({
      ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
      ...(change.intervalMinutes !== undefined ? { intervalMinutes: change.intervalMinutes } : {}),
      ...(change.pollNow || change.enabled ? { nextPollAt: new Date() } : {}),
      // New credentials (a rotated token): replace the old ones entirely.
      ...(a ? { authType: a.type, username: a.type === 'basic' ? a.username : null, secret: a.type === 'bearer' ? a.token : a.type === 'basic' ? a.password : null } : {}),
      updatedAt: new Date(),
    })
    .where(eq(taxiiFeeds.id, id))
    .returning();
  if (!row) throw new AppError('not-found', 'The feed was not found.');
  return row;
}

export async function deleteFeed(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  requireSystemAdmin(actor);
  await ctx.db.transaction(async (tx) => {
    const gone = await tx.delete(taxiiFeeds).where(eq(taxiiFeeds.id, id)).returning({ id: taxiiFeeds.id });
    if (!gone.length) throw new AppError('not-found', 'The feed was not found.');
    await recordAudit(tx, actor, { action: 'taxii.feed-deleted', targetKind: 'taxii-feed', targetId: id });
  });
}

/** Claims one due feed for this worker (lease of 10 minutes), or null. */
async function claimDueFeed(ctx: AppContext): Promise<Feed | null> {
  const rows = rowsOf<{ id: string }>(
    await ctx.db.execute(sql`
      update taxii_feeds set lease_until = now() + interval '10 minutes'
      where id = (select id from taxii_feeds where enabled and next_poll_at <= now() and (lease_until is null or lease_until < now())
                  order by next_poll_at limit 1 for update skip locked)
      returning id`),
  );
  if (!rows[0]) return null;
  const [feed] = await ctx.db.select().from(taxiiFeeds).where(eq(taxiiFeeds.id, rows[0].id));
  return feed ?? null;
}

function authHeader(f: Feed): Record<string, string> {
  if (f.authType === 'bearer' && f.secret) return { authorization: `Bearer ${f.secret}` };
  if (f.authType === 'basic') return { authorization: `Basic ${Buffer.from(`${f.username ?? ''}:${f.secret ?? ''}`).toString('base64')}` };
  return {};
}

export interface PollResult {
  readonly pages: number;
  readonly stored: number;
  readonly refused: number;
}

/** One poll of one feed: every page added after the checkpoint; the checkpoint saved after each page. */
export async function pollFeed(ctx: AppContext, feed: Feed): Promise<PollResult> {
  const [target] = await ctx.db.select().from(taxiiCollections).where(eq(taxiiCollections.id, feed.targetCollectionId));
  if (!target) throw new Error('the local collection no longer exists');
  const problem = await checkWebhookUrl(feed.url, ctx.config.webhookAllowLoopback, 'Feed URLs');
  if (problem) throw new Error(problem);
  let checkpoint = feed.checkpoint;
  let next: string | undefined;
  let pages = 0;
  let stored = 0;
  let refused = 0;
  for (;;) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (checkpoint) q.set('added_after', checkpoint);
    if (next) q.set('next', next);
    const res = await fetch(`${feed.url}objects/?${q}`, { headers: { accept: TAXII, ...authHeader(feed) }, redirect: 'error', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    if (res.status !== 200) {
      let detail = '';
      try {
        const e = JSON.parse(text) as { title?: string; description?: string };
        detail = [e.title, e.description].filter(Boolean).join(': ');
      } catch {
        detail = text.slice(0, 200);
      }
      throw new Error(`the server answered ${res.status}${detail ? ` (${detail.slice(0, 300)})` : ''}`);
    }
    let body: { more?: boolean; next?: string; objects?: unknown[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error('the server answered with something that is not JSON');
    }
    if (!body || typeof body !== 'object') throw new Error('the server did not answer with a TAXII envelope');
    const objects = Array.isArray(body.objects) ? body.objects : [];
    pages += 1;
    if (objects.length) {
      const r = await storeObjects(ctx, { orgId: feed.ownerOrg, userId: feed.createdBy }, target, { objects }, { defaultTlp: feed.defaultTlp });
      stored += r.successes.length;
      refused += r.failures.length;
    }
    const last = res.headers.get('x-taxii-date-added-last');
    if (last && isStixTimestamp(last)) checkpoint = last;
    await ctx.db.update(taxiiFeeds).set({ checkpoint, objectsReceived: sql`${taxiiFeeds.objectsReceived} + ${objects.length}`, updatedAt: new Date() }).where(eq(taxiiFeeds.id, feed.id));
    if (!body.more || objects.length === 0 || pages >= MAX_PAGES_PER_POLL) break;
    next = typeof body.next === 'string' ? body.next : undefined;
    // Without `next`, the checkpoint moves the window on (servers that page by added_after only).
  }
  return { pages, stored, refused };
}

/** The worker loop: polls due feeds one at a time, records health, and schedules the next poll. */
export class FeedPoller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private closing = false;
  constructor(private readonly ctx: AppContext, private readonly log: Logger, private readonly everyMs = 5_000) {}

  start(): void {
    this.stopped = false;
    this.schedule(500);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then(() => undefined).finally(() => {
        this.running = null;
        this.schedule(this.everyMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** Polls every feed that is due now; returns how many it polled. */
  async tick(): Promise<number> {
    let polled = 0;
    for (;;) {
      const feed = await claimDueFeed(this.ctx).catch((error: unknown) => {
        this.log.warn({ err: error }, 'could not claim a TAXII feed');
        return null;
      });
      if (!feed) break;
      polled += 1;
      const started = new Date();
      try {
        const r = await pollFeed(this.ctx, feed);
        await this.ctx.db
          .update(taxiiFeeds)
          .set({ lastPolledAt: started, lastSuccessAt: new Date(), lastError: null, consecutiveFailures: 0, lastPollStored: r.stored, lastPollRefused: r.refused, objectsRefused: sql`${taxiiFeeds.objectsRefused} + ${r.refused}`, nextPollAt: new Date(Date.now() + feed.intervalMinutes * 60_000), leaseUntil: null })
          .where(eq(taxiiFeeds.id, feed.id));
        this.log.info({ feed: feed.id, ...r }, 'TAXII feed polled');
      } catch (error) {
        // The reason may quote the other server's answer: kept as text the database can hold.
        const message = error instanceof Error ? (error.name === 'TimeoutError' ? 'the server did not answer in time' : error.message) : String(error);
        const failures = feed.consecutiveFailures + 1;
        const retryMs = Math.min(feed.intervalMinutes * 60_000, backoffMs(failures));
        await this.ctx.db
          .update(taxiiFeeds)
          .set({ lastPolledAt: started, lastError: storable(message.slice(0, 500)), consecutiveFailures: failures, nextPollAt: new Date(Date.now() + retryMs), leaseUntil: null })
          .where(and(eq(taxiiFeeds.id, feed.id)));
        this.log.warn({ feed: feed.id, error: message }, 'TAXII feed poll failed');
      }
      if (this.closing) break;
    }
    return polled;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

// In-app notifications, notification preferences, and organisation webhooks (registered by org admins).
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { enqueue } from '../platform/jobs/queue.js';
import { recordAudit } from '../audit/service.js';
import { type Actor, isOrgAdmin, requireOrgAdmin, requireUser } from '../access/actor.js';
import { users } from '../access/schema.js';
import { notifications, webhookDeliveries, webhooks } from './schema.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './rules.js';
import { checkWebhookUrl } from './delivery.js';

export type Preferences = Record<NotificationKind, { inApp: boolean; email: boolean }>;

export async function getPreferences(ctx: AppContext, actor: Actor): Promise<{ kinds: Array<{ kind: NotificationKind; label: string; inApp: boolean; email: boolean }> }> {
  const user = requireUser(actor);
  const [row] = await ctx.db.select({ preferences: users.preferences }).from(users).where(eq(users.id, user.userId));
  const saved = ((row?.preferences ?? {}) as { notifications?: Partial<Preferences> }).notifications ?? {};
  return {
    kinds: (Object.keys(NOTIFICATION_KINDS) as NotificationKind[]).map((kind) => ({
      kind,
      label: NOTIFICATION_KINDS[kind].label,
      inApp: saved[kind]?.inApp ?? NOTIFICATION_KINDS[kind].inApp,
      email: saved[kind]?.email ?? NOTIFICATION_KINDS[kind].email,
    })),
  };
}

export async function setPreferences(ctx: AppContext, actor: Actor, prefs: Partial<Preferences>) {
  const user = requireUser(actor);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ preferences: sql`jsonb_set(${users.preferences}, '{notifications}', coalesce(${users.preferences}->'notifications', '{}'::jsonb) || ${JSON.stringify(prefs)}::jsonb)` }).where(eq(users.id, user.userId));
    await recordAudit(tx, user, { action: 'preferences.updated', targetKind: 'user', targetId: user.userId, orgIds: [user.orgId], details: { notifications: prefs } });
  });
  return getPreferences(ctx, actor);
}

export async function listNotifications(ctx: AppContext, actor: Actor, q: { unread?: boolean; before?: string; limit: number }) {
  const user = requireUser(actor);
  const where = [eq(notifications.userId, user.userId)];
  if (q.unread) where.push(isNull(notifications.readAt));
  if (q.before) where.push(lt(notifications.createdAt, new Date(q.before)));
  const items = await ctx.db.select().from(notifications).where(and(...where)).orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(q.limit);
  return { items: items.map(({ userId: _u, ...n }) => n) };
}

export async function unreadNotifications(ctx: AppContext, actor: Actor): Promise<{ unread: number }> {
  const user = requireUser(actor);
  const [row] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(and(eq(notifications.userId, user.userId), isNull(notifications.readAt)));
  return { unread: row?.n ?? 0 };
}

export async function markNotificationsRead(ctx: AppContext, actor: Actor, id: string | 'all'): Promise<void> {
  const user = requireUser(actor);
  const mine = eq(notifications.userId, user.userId);
  const rows = await ctx.db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(id === 'all' ? mine : and(mine, eq(notifications.id, id)))
    .returning({ id: notifications.id });
  if (id !== 'all' && rows.length === 0) throw notFound('The notification');
}

function presentWebhook(w: typeof webhooks.$inferSelect) {
  return { id: w.id, orgId: w.orgId, url: w.url, eventTypes: w.eventTypes, active: w.active, createdAt: w.createdAt };
}

export async function listWebhooks(ctx: AppContext, actor: Actor, orgId: string) {
  requireOrgAdmin(actor, orgId);
  const rows = await ctx.db.select().from(webhooks).where(eq(webhooks.orgId, orgId)).orderBy(desc(webhooks.createdAt));
  return { items: rows.map(presentWebhook) };
}

export async function createWebhook(ctx: AppContext, actor: Actor, orgId: string, input: { url: string; eventTypes: readonly string[] }) {
  requireOrgAdmin(actor, orgId);
  const problem = await checkWebhookUrl(input.url, ctx.config.webhookAllowLoopback);
  if (problem) throw new AppError('validation-failed', problem, { details: [{ field: 'body/url', message: problem }] });
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const row = await ctx.db.transaction(async (tx) => {
    const [w] = await tx.insert(webhooks).values({ orgId, url: input.url, secret, eventTypes: [...new Set(input.eventTypes)], createdBy: actor.kind === 'user' ? actor.userId : null }).returning();
    await recordAudit(tx, actor, { action: 'webhook.created', targetKind: 'webhook', targetId: w!.id, orgIds: [orgId], details: { url: input.url, eventTypes: input.eventTypes } });
    return w!;
  });
  return { ...presentWebhook(row), secret };
}

async function ownWebhook(ctx: AppContext, actor: Actor, id: string) {
  const [w] = await ctx.db.select().from(webhooks).where(eq(webhooks.id, id));
  if (!w || !isOrgAdmin(actor, w.orgId)) throw notFound('The webhook');
  return w;
}

export async function deleteWebhook(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const w = await ownWebhook(ctx, actor, id);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(webhooks).where(eq(webhooks.id, id));
    await recordAudit(tx, actor, { action: 'webhook.deleted', targetKind: 'webhook', targetId: id, orgIds: [w.orgId], details: { url: w.url } });
  });
}

/** Queues a signed ping to the webhook; returns the delivery to watch. */
export async function pingWebhook(ctx: AppContext, actor: Actor, id: string, kick: () => void) {
  const w = await ownWebhook(ctx, actor, id);
  const delivery = await ctx.db.transaction(async (tx) => {
    const [d] = await tx.insert(webhookDeliveries).values({ webhookId: w.id, eventSeq: null, eventType: 'ping' }).returning();
    await enqueue(tx, 'webhook.deliver', { deliveryId: d!.id }, { maxAttempts: 1 });
    return d!;
  });
  kick();
  return delivery;
}

export async function listDeliveries(ctx: AppContext, actor: Actor, id: string, limit: number) {
  await ownWebhook(ctx, actor, id);
  return { items: await ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id)).orderBy(desc(webhookDeliveries.createdAt)).limit(limit) };
}

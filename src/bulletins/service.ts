// Bulletins, the first shareable record: send, inbox (policy-filtered, with unread state), read, re-share
// (AMBER recipients to their own clients), raise the TLP, attachments. Every read path uses the policy in SQL.
import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, not, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { encodeKeyset, decodeKeyset } from '../platform/http/keyset.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { emitEvent, type Sharing } from '../platform/events/outbox.js';
import { recordAudit, recordAuditNow } from '../audit/service.js';
import { type Actor, requireUser, requireWrite, type UserActor } from '../access/actor.js';
import { isAuditedRead, isRaise, mayChangeSharing, mayReshareTo, readableBy } from '../access/policy.js';
import { clientOrgIds, defaultRecipientOrgs } from '../access/orgs-service.js';
import { checkRecipientsExist, type Recipients } from '../access/recipients.js';
import { orgs, users } from '../access/schema.js';
import { bulletinAttachments, bulletinReads, bulletins } from './schema.js';
import { excerpt, renderMarkdown } from '../platform/text/markdown.js';
import { checkUpload } from '../platform/files/check-upload.js';

export type { Recipients };

export interface NewBulletin {
  readonly title: string;
  readonly body: string;
  readonly tlp: Tlp;
  /** Absent: the defaults (own state and the operations center). Present, even empty: exactly these. */
  readonly recipients?: Recipients;
}

type BulletinRow = typeof bulletins.$inferSelect;

function sharingOf(b: Pick<BulletinRow, 'ownerOrg' | 'authorId' | 'tlp' | 'recipientOrgs' | 'recipientUsers'>): Sharing {
  return { ownerOrg: b.ownerOrg, authorId: b.authorId, tlp: b.tlp, recipientOrgs: b.recipientOrgs, recipientUsers: b.recipientUsers };
}


function eventPayload(b: BulletinRow, ownerName: string) {
  return { id: b.id, title: b.title, tlp: b.tlp, ownerOrg: b.ownerOrg, ownerName, createdAt: b.createdAt.toISOString(), excerpt: excerpt(b.body, 160) };
}

async function orgName(tx: Tx, id: string): Promise<string> {
  const [o] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, id));
  return o?.name ?? '';
}

export async function createBulletin(ctx: AppContext, actor: Actor, input: NewBulletin) {
  const user = requireWrite(actor);
  const bulletin = await ctx.db.transaction(async (tx) => {
    const recipients = input.recipients
      ? { orgs: [...new Set(input.recipients.orgs)], users: [...new Set(input.recipients.users)] }
      : { orgs: await defaultRecipientOrgs(tx, user.orgId), users: [] as string[] };
    await checkRecipientsExist(tx, recipients);
    const [b] = await tx
      .insert(bulletins)
      .values({ ownerOrg: user.orgId, authorId: user.userId, tlp: input.tlp, recipientOrgs: recipients.orgs, recipientUsers: recipients.users, title: input.title.trim(), body: input.body })
      .returning();
    const row = b!;
    await emitEvent(tx, { type: 'bulletin.created', recordKind: 'bulletin', recordId: row.id, sharing: sharingOf(row), payload: eventPayload(row, await orgName(tx, row.ownerOrg)) });
    await recordAudit(tx, user, { action: 'bulletin.created', targetKind: 'bulletin', targetId: row.id, details: { tlp: row.tlp, recipientOrgs: row.recipientOrgs.length, recipientUsers: row.recipientUsers.length } });
    return row;
  });
  ctx.relay.kick();
  return present(bulletin, { read: true, ownerName: await orgName(ctx.db, bulletin.ownerOrg), authorName: user.name, withBody: true });
}

export interface BulletinQuery {
  readonly box: 'inbox' | 'sent' | 'all';
  readonly unread?: boolean;
  readonly tlp?: Tlp;
  readonly q?: string;
  readonly before?: { createdAt: Date; id: string };
  readonly limit: number;
}

const readExists = (userId: string) =>
  sql`exists (select 1 from ${bulletinReads} r where r.bulletin_id = ${bulletins.id} and r.user_id = ${userId}::uuid)`;

/** The viewer's bulletins, newest first, keyset-paged; the policy predicate is part of the query. */
export async function listBulletins(ctx: AppContext, actor: Actor, query: BulletinQuery) {
  const user = requireUser(actor);
  const where: SQL[] = [readableBy(bulletins, user)];
  if (query.box === 'sent') where.push(eq(bulletins.ownerOrg, user.orgId));
  if (query.box === 'inbox') where.push(sql`${bulletins.ownerOrg} <> ${user.orgId}::uuid`);
  if (query.tlp) where.push(eq(bulletins.tlp, query.tlp));
  if (query.unread) where.push(not(readExists(user.userId)));
  if (query.q) where.push(sql`to_tsvector('english', ${bulletins.title} || ' ' || ${bulletins.body}) @@ websearch_to_tsquery('english', ${query.q})`);
  if (query.before) where.push(sql`(${bulletins.createdAt}, ${bulletins.id}) < (${query.before.createdAt.toISOString()}::timestamptz, ${query.before.id}::uuid)`);
  const rows = await ctx.db
    .select({
      b: bulletins,
      ownerName: orgs.name,
      authorName: users.name,
      read: sql<boolean>`${readExists(user.userId)}`,
      attachments: sql<number>`(select count(*)::int from ${bulletinAttachments} a where a.bulletin_id = ${bulletins.id})`,
    })
    .from(bulletins)
    .innerJoin(orgs, eq(orgs.id, bulletins.ownerOrg))
    .leftJoin(users, eq(users.id, bulletins.authorId))
    .where(and(...where))
    .orderBy(desc(bulletins.createdAt), desc(bulletins.id))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  await auditListedReads(ctx, user, restrictedOf(page.map((r) => r.b)));
  const last = page.at(-1);
  return {
    items: page.map((r) => present(r.b, { read: r.read, ownerName: r.ownerName, authorName: r.authorName, attachmentCount: r.attachments, withBody: false })),
    next: more && last ? encodeKeyset(last.b) : null,
  };
}

/** The AMBER+STRICT and RED bulletins on a page a user was shown, for the audit log. */
export function restrictedOf(items: ReadonlyArray<{ id: string; tlp: Tlp; ownerOrg: string }>): Array<{ id: string; ownerOrg: string }> {
  return items.filter((b) => isAuditedRead(b.tlp)).map((b) => ({ id: b.id, ownerOrg: b.ownerOrg }));
}

/** Every listing that shows AMBER+STRICT or RED bulletins is a read: one audit row, visible to their owners' admins. */
export async function auditListedReads(ctx: AppContext, user: UserActor, restricted: ReadonlyArray<{ id: string; ownerOrg: string }>): Promise<void> {
  if (!restricted.length) return;
  await recordAuditNow(ctx.db, user, {
    action: 'bulletin.read-restricted',
    targetKind: 'bulletin',
    orgIds: [...new Set(restricted.map((r) => r.ownerOrg))],
    details: { ids: restricted.map((r) => r.id), via: 'list' },
  });
}

export const parseBulletinCursor = decodeKeyset;

/** Unread bulletins in the inbox, counted up to `cap` (a badge shows "999+"; counting a million rows helps nobody). */
export async function unreadCount(ctx: AppContext, actor: Actor, cap = 999): Promise<{ unread: number; capped: boolean }> {
  const user = requireUser(actor);
  const inner = ctx.db
    .select({ one: sql`1` })
    .from(bulletins)
    .where(and(readableBy(bulletins, user), sql`${bulletins.ownerOrg} <> ${user.orgId}::uuid`, not(readExists(user.userId))))
    .limit(cap + 1)
    .as('unread');
  const [row] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(inner);
  const n = row?.n ?? 0;
  return { unread: Math.min(n, cap), capped: n > cap };
}

/** One bulletin, or 404 — also when it exists but the policy hides it, so existence does not leak. */
async function loadReadable(tx: Tx, user: UserActor, id: string): Promise<BulletinRow> {
  const [b] = await tx.select().from(bulletins).where(and(eq(bulletins.id, id), readableBy(bulletins, user)));
  if (!b) throw notFound('The bulletin');
  return b;
}

export async function getBulletin(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const b = await loadReadable(ctx.db, user, id);
  if (isAuditedRead(b.tlp)) await recordAuditNow(ctx.db, user, { action: 'bulletin.read-restricted', targetKind: 'bulletin', targetId: id, orgIds: [b.ownerOrg], details: { via: 'get' } });
  const [author] = b.authorId ? await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, b.authorId)) : [];
  const attachments = await ctx.db
    .select({ id: bulletinAttachments.id, filename: bulletinAttachments.filename, contentType: bulletinAttachments.contentType, size: bulletinAttachments.size, sha256: bulletinAttachments.sha256 })
    .from(bulletinAttachments)
    .where(eq(bulletinAttachments.bulletinId, id));
  const [read] = await ctx.db.select({ at: bulletinReads.readAt }).from(bulletinReads).where(and(eq(bulletinReads.bulletinId, id), eq(bulletinReads.userId, user.userId)));
  const recipientOrgNames = b.recipientOrgs.length ? await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(inArray(orgs.id, b.recipientOrgs)) : [];
  const recipientUserNames = b.recipientUsers.length ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, b.recipientUsers)) : [];
  return {
    ...present(b, { read: Boolean(read), ownerName: await orgName(ctx.db, b.ownerOrg), authorName: author?.name ?? null, withBody: true }),
    attachments,
    recipientDetails: { orgs: recipientOrgNames, users: recipientUserNames },
    canChangeSharing: mayChangeSharing(b, user) && user.role !== 'viewer',
    canReshare: user.role !== 'viewer' && b.tlp === 'AMBER' && (b.ownerOrg === user.orgId || b.recipientOrgs.includes(user.orgId)),
  };
}

export async function markRead(ctx: AppContext, actor: Actor, id: string, read: boolean): Promise<void> {
  const user = requireUser(actor);
  await loadReadable(ctx.db, user, id);
  if (read) await ctx.db.insert(bulletinReads).values({ bulletinId: id, userId: user.userId }).onConflictDoNothing();
  else await ctx.db.delete(bulletinReads).where(and(eq(bulletinReads.bulletinId, id), eq(bulletinReads.userId, user.userId)));
}

/** Adds recipients: the owner adds anyone; a recipient of AMBER adds its own clients (a state its counties). */
export async function reshare(ctx: AppContext, actor: Actor, id: string, add: Recipients) {
  const user = requireWrite(actor);
  const updated = await ctx.db.transaction(async (tx) => {
    const b = await loadReadable(tx, user, id);
    const clients = await clientOrgIds(tx, user.orgId);
    if (!mayReshareTo(b, user, add.orgs, clients) || (add.users.length > 0 && b.ownerOrg !== user.orgId)) {
      const why =
        b.tlp === 'AMBER+STRICT' ? 'AMBER+STRICT may not be shared beyond its recipients.' :
        b.tlp === 'AMBER' ? 'As a recipient you may share this bulletin only with your own clients (for a state: its local offices).' :
        'Only the sending organisation can add recipients to this bulletin.';
      throw new AppError('forbidden', why);
    }
    await checkRecipientsExist(tx, add);
    const [row] = await tx
      .update(bulletins)
      .set({
        recipientOrgs: [...new Set([...b.recipientOrgs, ...add.orgs])],
        recipientUsers: [...new Set([...b.recipientUsers, ...add.users])],
        updatedAt: new Date(),
      })
      .where(eq(bulletins.id, id))
      .returning();
    await emitEvent(tx, { type: 'bulletin.shared', recordKind: 'bulletin', recordId: id, sharing: sharingOf(row!), payload: { ...eventPayload(row!, await orgName(tx, row!.ownerOrg)), addedOrgs: add.orgs, sharedBy: user.orgId } });
    await recordAudit(tx, user, { action: 'bulletin.reshared', targetKind: 'bulletin', targetId: id, orgIds: [b.ownerOrg], details: { addedOrgs: add.orgs, addedUsers: add.users } });
    return row!;
  });
  ctx.relay.kick();
  return getBulletin(ctx, user, updated.id);
}

/** The owner organisation changes the label; raising (more restrictive) is the common case. */
export async function changeTlp(ctx: AppContext, actor: Actor, id: string, tlp: Tlp, recipients?: Recipients) {
  const user = requireWrite(actor);
  const updated = await ctx.db.transaction(async (tx) => {
    const b = await loadReadable(tx, user, id);
    if (!mayChangeSharing(b, user)) throw new AppError('forbidden', 'Only the sending organisation can change the TLP of this bulletin.');
    if (recipients) await checkRecipientsExist(tx, recipients);
    const [row] = await tx
      .update(bulletins)
      .set({ tlp, ...(recipients ? { recipientOrgs: [...new Set(recipients.orgs)], recipientUsers: [...new Set(recipients.users)] } : {}), updatedAt: new Date() })
      .where(eq(bulletins.id, id))
      .returning();
    await emitEvent(tx, { type: 'bulletin.tlp-changed', recordKind: 'bulletin', recordId: id, sharing: sharingOf(row!), payload: { ...eventPayload(row!, await orgName(tx, row!.ownerOrg)), previousTlp: b.tlp } });
    await recordAudit(tx, user, { action: 'bulletin.tlp-changed', targetKind: 'bulletin', targetId: id, details: { from: b.tlp, to: tlp, raised: isRaise(b.tlp, tlp) } });
    return row!;
  });
  ctx.relay.kick();
  return getBulletin(ctx, user, updated.id);
}

export async function addAttachment(ctx: AppContext, actor: Actor, id: string, file: { filename: string; contentType: string; data: Buffer }) {
  const user = requireWrite(actor);
  if (file.data.length > ctx.config.attachmentLimitBytes) throw new AppError('payload-too-large', `Attachments are limited to ${Math.round(ctx.config.attachmentLimitBytes / 1048576)} MB.`);
  // The same checks as every upload: the bytes must be what the name and type say (no program as a .pdf).
  const { filename, contentType } = await checkUpload(file.filename, file.contentType, file.data);
  return ctx.db.transaction(async (tx) => {
    const b = await loadReadable(tx, user, id);
    if (b.ownerOrg !== user.orgId) throw new AppError('forbidden', 'Only the sending organisation can attach files.');
    const sha256 = createHash('sha256').update(file.data).digest('hex');
    const [a] = await tx.insert(bulletinAttachments).values({ bulletinId: id, filename, contentType, size: file.data.length, sha256, data: file.data }).returning({ id: bulletinAttachments.id });
    await recordAudit(tx, user, { action: 'bulletin.attachment-added', targetKind: 'bulletin', targetId: id, details: { filename, size: file.data.length, sha256 } });
    return { id: a!.id, filename, contentType, size: file.data.length, sha256 };
  });
}

export async function getAttachment(ctx: AppContext, actor: Actor, bulletinId: string, attachmentId: string) {
  const user = requireUser(actor);
  const b = await loadReadable(ctx.db, user, bulletinId);
  const [a] = await ctx.db.select().from(bulletinAttachments).where(and(eq(bulletinAttachments.id, attachmentId), eq(bulletinAttachments.bulletinId, bulletinId)));
  if (!a) throw notFound('The attachment');
  if (isAuditedRead(b.tlp)) await recordAuditNow(ctx.db, user, { action: 'bulletin.read-restricted', targetKind: 'bulletin', targetId: bulletinId, orgIds: [b.ownerOrg], details: { via: 'attachment', attachmentId } });
  return a;
}

/** Export of the viewer's view as JSON lines or CSV rows, under the policy, streamed in pages. */
export async function* exportBulletins(ctx: AppContext, actor: Actor, query: Omit<BulletinQuery, 'limit' | 'before'>) {
  let before: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const page = await listBulletins(ctx, actor, { ...query, limit: 500, ...(before ? { before } : {}) });
    for (const item of page.items) yield item;
    if (!page.next) return;
    before = parseBulletinCursor(page.next);
  }
}

function present(b: BulletinRow, extra: { read: boolean; ownerName: string; authorName: string | null; attachmentCount?: number; withBody: boolean }) {
  return {
    id: b.id,
    title: b.title,
    tlp: b.tlp,
    ownerOrg: b.ownerOrg,
    ownerName: extra.ownerName,
    authorId: b.authorId,
    authorName: extra.authorName,
    recipients: { orgs: b.recipientOrgs, users: b.recipientUsers },
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    read: extra.read,
    excerpt: excerpt(b.body),
    ...(extra.attachmentCount !== undefined ? { attachmentCount: extra.attachmentCount } : {}),
    ...(extra.withBody ? { body: b.body, bodyHtml: renderMarkdown(b.body) } : {}),
  };
}

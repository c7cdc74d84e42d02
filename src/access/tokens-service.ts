// API tokens for machine clients: shown once, stored hashed, scoped, expiring, revocable.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { recordAudit } from '../audit/service.js';
import { type Actor, isOrgAdmin } from './actor.js';
import { apiTokens, users, type TokenScope } from './schema.js';
import { newApiToken } from './secrets.js';

export interface NewToken {
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly expiresInDays?: number | null;
}

function presentToken(t: typeof apiTokens.$inferSelect) {
  return { id: t.id, name: t.name, prefix: t.prefix, scopes: t.scopes, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt };
}

/** A user makes tokens for themself; the CLI operator for anyone. The secret is returned here and never again. */
export async function createToken(ctx: AppContext, actor: Actor, input: NewToken) {
  if (actor.kind === 'user') {
    if (actor.userId !== input.userId) throw new AppError('forbidden', 'You can only create tokens for yourself.');
    if (actor.via === 'token') throw new AppError('forbidden', 'Create API tokens from a signed-in session, not with another token.');
    if (input.scopes.includes('admin') && actor.role !== 'org-admin' && !actor.systemAdmin) throw new AppError('forbidden', 'Only administrators can create admin-scoped tokens.');
    if (input.scopes.includes('write') && actor.role === 'viewer') throw new AppError('forbidden', 'Viewers can only create read-only tokens.');
  }
  const [user] = await ctx.db.select({ id: users.id, orgId: users.orgId, active: users.active }).from(users).where(eq(users.id, input.userId));
  if (!user?.active) throw notFound('The user');
  const { token, prefix, hash } = newApiToken();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const row = await ctx.db.transaction(async (tx) => {
    const [t] = await tx.insert(apiTokens).values({ userId: input.userId, name: input.name, tokenHash: hash, prefix, scopes: [...new Set(input.scopes)], expiresAt }).returning();
    await recordAudit(tx, actor, { action: 'token.created', targetKind: 'api-token', targetId: t!.id, orgIds: [user.orgId], details: { name: input.name, scopes: input.scopes, prefix, forUser: input.userId } });
    return t!;
  });
  return { ...presentToken(row), token };
}

export async function listTokens(ctx: AppContext, actor: Actor, userId: string) {
  if (actor.kind === 'user' && actor.userId !== userId) {
    const [u] = await ctx.db.select({ orgId: users.orgId }).from(users).where(eq(users.id, userId));
    if (!u || !isOrgAdmin(actor, u.orgId)) throw notFound('The user');
  }
  const rows = await ctx.db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt));
  return rows.map(presentToken);
}

export async function revokeToken(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const [t] = await ctx.db.select({ id: apiTokens.id, userId: apiTokens.userId, orgId: users.orgId }).from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId)).where(eq(apiTokens.id, id));
  if (!t || (actor.kind === 'user' && actor.userId !== t.userId && !isOrgAdmin(actor, t.orgId))) throw notFound('The token');
  await ctx.db.transaction(async (tx) => {
    await tx.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
    await recordAudit(tx, actor, { action: 'token.revoked', targetKind: 'api-token', targetId: id, orgIds: [t.orgId] });
  });
}

// First start: while no system administrator exists, a one-time setup link creates the operations-center
// organisation and its first administrator. The link's secret is stored hashed and expires.
import { eq } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { recordAudit } from '../audit/service.js';
import { orgs, settings, users } from './schema.js';
import { randomToken, safeEqual, sha256 } from './secrets.js';
import { insertUser } from './users-service.js';

const SETUP_KEY = 'setup-token';
export const SETUP_TTL_MS = 24 * 60 * 60 * 1000;

export async function needsSetup(ctx: AppContext): Promise<boolean> {
  const [admin] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.systemAdmin, true)).limit(1);
  return !admin;
}

/** Issues a fresh setup link (replacing any earlier one) if the installation has no administrator yet. */
export async function issueSetupLink(ctx: AppContext): Promise<string | null> {
  if (!(await needsSetup(ctx))) return null;
  const token = randomToken(32);
  const value = { hash: sha256(token), expiresAt: new Date(Date.now() + SETUP_TTL_MS).toISOString() };
  await ctx.db.insert(settings).values({ key: SETUP_KEY, value }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
  return `${ctx.config.publicUrl}/setup#token=${token}`;
}

export interface SetupInput {
  readonly token: string;
  readonly orgName: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

export async function completeSetup(ctx: AppContext, input: SetupInput) {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(settings).where(eq(settings.key, SETUP_KEY)).for('update');
    const stored = row?.value as { hash?: string; expiresAt?: string } | undefined;
    if (!stored?.hash || !safeEqual(stored.hash, sha256(input.token))) throw new AppError('not-found', 'This setup link is not valid. Restart the server to print a new one.');
    if (!stored.expiresAt || Date.parse(stored.expiresAt) < Date.now()) throw new AppError('gone', 'This setup link has expired. Restart the server to print a new one.');
    const [admin] = await tx.select({ id: users.id }).from(users).where(eq(users.systemAdmin, true)).limit(1);
    if (admin) throw new AppError('conflict', 'Setup is already complete. Sign in instead.');
    const [org] = await tx.insert(orgs).values({ name: input.orgName.trim(), type: 'operations-center' }).returning();
    const user = await insertUser(tx, { kind: 'anonymous' }, { orgId: org!.id, email: input.email, name: input.name, role: 'org-admin', password: input.password, systemAdmin: true });
    await tx.delete(settings).where(eq(settings.key, SETUP_KEY));
    await recordAudit(tx, { kind: 'anonymous', userId: user.id, orgId: org!.id }, { action: 'setup.completed', targetKind: 'org', targetId: org!.id, orgIds: [org!.id] });
    return { org: org!, user };
  });
}

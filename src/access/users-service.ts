// User accounts: creation (CLI, setup, invitation), roles, deactivation that ends every session and token
// at once, and invitations by email link that expire.
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Tx } from '../platform/db/client.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { emitEvent } from '../platform/events/outbox.js';
import { recordAudit } from '../audit/service.js';
import { type Actor, requireOrgAdmin, requireSystemAdmin, requireUser } from './actor.js';
import { checkPassword, describePasswordProblem } from './password-policy.js';
import { apiTokens, invitations, orgs, sessions, users, type UserRole } from './schema.js';
import { hashPassword, randomToken, sha256 } from './secrets.js';

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type User = typeof users.$inferSelect;

/** The fields of a user that may leave the server. */
export function presentUser(u: Pick<User, 'id' | 'orgId' | 'email' | 'name' | 'role' | 'systemAdmin' | 'active' | 'mfaEnabled' | 'createdAt'>) {
  return { id: u.id, orgId: u.orgId, email: u.email, name: u.name, role: u.role, systemAdmin: u.systemAdmin, active: u.active, mfaEnabled: u.mfaEnabled, createdAt: u.createdAt };
}

export function assertPasswordAcceptable(password: string, context: { email?: string; name?: string }): void {
  const problem = checkPassword(password, context);
  if (problem) throw new AppError('validation-failed', describePasswordProblem(problem), { details: [{ field: 'password', message: problem }] });
}

export interface NewUser {
  readonly orgId: string;
  readonly email: string;
  readonly name?: string;
  readonly role: UserRole;
  readonly password?: string;
  readonly systemAdmin?: boolean;
}

export async function insertUser(tx: Tx, actor: Actor | { kind: 'anonymous' }, input: NewUser): Promise<User> {
  const email = input.email.trim();
  const [org] = await tx.select({ id: orgs.id, active: orgs.active }).from(orgs).where(eq(orgs.id, input.orgId));
  if (!org?.active) throw new AppError('validation-failed', 'The organisation does not exist or is inactive.', { details: [{ field: 'orgId', message: 'unknown organisation' }] });
  const [dup] = await tx.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  if (dup) throw new AppError('conflict', `A user with the email ${email} already exists.`);
  if (input.password !== undefined) assertPasswordAcceptable(input.password, { email, ...(input.name ? { name: input.name } : {}) });
  const [user] = await tx
    .insert(users)
    .values({
      orgId: input.orgId,
      email,
      name: input.name?.trim() || email.split('@')[0]!,
      role: input.role,
      systemAdmin: input.systemAdmin ?? false,
      passwordHash: input.password !== undefined ? await hashPassword(input.password) : null,
    })
    .returning();
  await recordAudit(tx, actor, { action: 'user.created', targetKind: 'user', targetId: user!.id, orgIds: [input.orgId], details: { email, role: input.role, systemAdmin: input.systemAdmin ?? false } });
  return user!;
}

export async function createUser(ctx: AppContext, actor: Actor, input: NewUser): Promise<User> {
  if (input.systemAdmin) requireSystemAdmin(actor);
  else requireOrgAdmin(actor, input.orgId);
  return ctx.db.transaction((tx) => insertUser(tx, actor, input));
}

export async function listUsers(ctx: AppContext, actor: Actor, orgId: string) {
  void actor; // the directory is open to every member; routes authenticate before calling
  const rows = await ctx.db.select().from(users).where(eq(users.orgId, orgId)).orderBy(desc(users.active), asc(users.name));
  return rows.map(presentUser);
}

export async function findUserByEmail(ctx: AppContext, email: string): Promise<User | null> {
  const [user] = await ctx.db.select().from(users).where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
  return user ?? null;
}

export async function getUser(ctx: AppContext, actor: Actor, id: string) {
  requireUser(actor);
  const [user] = await ctx.db.select().from(users).where(eq(users.id, id));
  if (!user) throw notFound('The user');
  return presentUser(user);
}

export async function updateUser(ctx: AppContext, actor: Actor, id: string, patch: { name?: string; role?: UserRole }) {
  const [target] = await ctx.db.select().from(users).where(eq(users.id, id));
  if (!target) throw notFound('The user');
  requireOrgAdmin(actor, target.orgId);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.update(users).set({ ...patch }).where(eq(users.id, id)).returning();
    if (patch.role && patch.role !== target.role) await tx.delete(sessions).where(eq(sessions.userId, id)); // new role, new sign-in (MFA may now apply)
    await recordAudit(tx, actor, { action: 'user.updated', targetKind: 'user', targetId: id, orgIds: [target.orgId], details: { ...patch } });
    return presentUser(user!);
  });
}

/** Ends every session and token of the user at once; live streams close through the user.deactivated event. */
export async function setUserActive(ctx: AppContext, actor: Actor, id: string, active: boolean) {
  const [target] = await ctx.db.select().from(users).where(eq(users.id, id));
  if (!target) throw notFound('The user');
  requireOrgAdmin(actor, target.orgId);
  if (!active && actor.kind === 'user' && actor.userId === id) throw new AppError('conflict', 'You cannot deactivate your own account.');
  const result = await ctx.db.transaction(async (tx) => {
    const [user] = await tx.update(users).set({ active, deactivatedAt: active ? null : new Date(), failedLogins: 0, lockedUntil: null }).where(eq(users.id, id)).returning();
    if (!active) {
      await tx.delete(sessions).where(eq(sessions.userId, id));
      await tx.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.userId, id), isNull(apiTokens.revokedAt)));
      await emitEvent(tx, {
        type: 'user.deactivated',
        recordKind: 'user',
        recordId: id,
        sharing: { ownerOrg: target.orgId, authorId: null, tlp: 'RED', recipientOrgs: [], recipientUsers: [] },
        payload: { userId: id },
      });
    }
    await recordAudit(tx, actor, { action: active ? 'user.reactivated' : 'user.deactivated', targetKind: 'user', targetId: id, orgIds: [target.orgId] });
    return presentUser(user!);
  });
  ctx.relay.kick();
  return result;
}

export async function changePassword(ctx: AppContext, actor: Actor, input: { userId: string; password: string }): Promise<void> {
  const [target] = await ctx.db.select().from(users).where(eq(users.id, input.userId));
  if (!target) throw notFound('The user');
  if (!(actor.kind === 'user' && actor.userId === target.id)) requireOrgAdmin(actor, target.orgId);
  assertPasswordAcceptable(input.password, { email: target.email, name: target.name });
  const hash = await hashPassword(input.password);
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: hash, failedLogins: 0, lockedUntil: null }).where(eq(users.id, target.id));
    // Other sessions end; the current one (if the user changed their own) stays.
    const keep = actor.kind === 'user' && actor.userId === target.id ? actor.sessionId : undefined;
    await tx.delete(sessions).where(keep ? and(eq(sessions.userId, target.id), sql`${sessions.id} <> ${keep}`) : eq(sessions.userId, target.id));
    await recordAudit(tx, actor, { action: 'auth.password-changed', targetKind: 'user', targetId: target.id, orgIds: [target.orgId] });
  });
}

export async function inviteUser(ctx: AppContext, actor: Actor, input: { orgId: string; email: string; role: UserRole }) {
  requireOrgAdmin(actor, input.orgId);
  const email = input.email.trim();
  const token = randomToken(32);
  const row = await ctx.db.transaction(async (tx) => {
    const [org] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, input.orgId));
    if (!org) throw notFound('The organisation');
    const [dup] = await tx.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
    if (dup) throw new AppError('conflict', `${email} already has an account.`);
    const [inv] = await tx
      .insert(invitations)
      .values({ orgId: input.orgId, email, role: input.role, tokenHash: sha256(token), invitedBy: actor.kind === 'user' ? actor.userId : null, expiresAt: new Date(Date.now() + INVITATION_TTL_MS) })
      .returning();
    await recordAudit(tx, actor, { action: 'invitation.created', targetKind: 'invitation', targetId: inv!.id, orgIds: [input.orgId], details: { email, role: input.role } });
    return { inv: inv!, orgName: org.name };
  });
  const link = `${ctx.config.publicUrl}/invite#token=${token}`;
  const inviter = actor.kind === 'user' ? actor.name : 'The administrator';
  await ctx.mailer.send({
    to: email,
    subject: `You are invited to ${row.orgName} on Election Ops Center`,
    text: `${inviter} invited you to join ${row.orgName} on Election Ops Center as ${input.role}.\n\nSet your password here (the link works once and expires in 7 days):\n${link}\n\nIf you did not expect this, ignore this email.`,
  });
  return { id: row.inv.id, email, role: input.role, expiresAt: row.inv.expiresAt, link: ctx.mailer.configured ? undefined : link };
}

export async function listInvitations(ctx: AppContext, actor: Actor, orgId: string) {
  requireOrgAdmin(actor, orgId);
  return ctx.db
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, createdAt: invitations.createdAt, expiresAt: invitations.expiresAt, acceptedAt: invitations.acceptedAt, revokedAt: invitations.revokedAt })
    .from(invitations)
    .where(eq(invitations.orgId, orgId))
    .orderBy(desc(invitations.createdAt));
}

export async function revokeInvitation(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const [inv] = await ctx.db.select().from(invitations).where(eq(invitations.id, id));
  if (!inv) throw notFound('The invitation');
  requireOrgAdmin(actor, inv.orgId);
  await ctx.db.transaction(async (tx) => {
    await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, id));
    await recordAudit(tx, actor, { action: 'invitation.revoked', targetKind: 'invitation', targetId: id, orgIds: [inv.orgId] });
  });
}

export async function acceptInvitation(ctx: AppContext, input: { token: string; name: string; password: string }): Promise<User> {
  return ctx.db.transaction(async (tx) => {
    const [inv] = await tx.select().from(invitations).where(eq(invitations.tokenHash, sha256(input.token))).for('update');
    if (!inv || inv.revokedAt) throw new AppError('not-found', 'This invitation link is not valid. Ask your administrator for a new one.');
    if (inv.acceptedAt) throw new AppError('gone', 'This invitation was already used. Sign in instead.');
    if (inv.expiresAt.getTime() < Date.now()) throw new AppError('gone', 'This invitation has expired. Ask your administrator for a new one.');
    const user = await insertUser(tx, { kind: 'anonymous' }, { orgId: inv.orgId, email: inv.email, name: input.name, role: inv.role, password: input.password });
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, inv.id));
    await recordAudit(tx, { kind: 'anonymous', userId: user.id, orgId: inv.orgId }, { action: 'invitation.accepted', targetKind: 'invitation', targetId: inv.id, orgIds: [inv.orgId] });
    return user;
  });
}

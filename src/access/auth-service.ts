// Sign-in: password (argon2id), throttling and temporary lockout, TOTP second factor with enrolment and
// recovery codes, sessions with a CSRF token, sign-out.
import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { recordAudit, recordAuditNow } from '../audit/service.js';
import type { UserActor } from './actor.js';
import { mfaRequiredFor, SESSION_TTL_MS } from './authenticate.js';
import { checkTotp, enrolmentMaterial, newTotpSecret } from './mfa.js';
import { orgs, sessions, users } from './schema.js';
import { burnPasswordCheck, newRecoveryCodes, normaliseRecoveryCode, randomToken, sha256, verifyPassword } from './secrets.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

export type NextStep = 'done' | 'mfa' | 'mfa-enroll';

export interface LoginResult {
  readonly cookieValue: string;
  readonly csrfToken: string;
  readonly next: NextStep;
  readonly userId: string;
}

const INVALID = () => new AppError('invalid-credentials', 'The email or password is wrong.');

export async function login(ctx: AppContext, input: LoginInput): Promise<LoginResult> {
  const [user] = await ctx.db
    .select({ id: users.id, orgId: users.orgId, passwordHash: users.passwordHash, active: users.active, role: users.role, systemAdmin: users.systemAdmin, mfaEnabled: users.mfaEnabled, failedLogins: users.failedLogins, lockedUntil: users.lockedUntil, orgActive: orgs.active })
    .from(users)
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(eq(sql`lower(${users.email})`, input.email.trim().toLowerCase()))
    .limit(1);
  const anonymous = { kind: 'anonymous' as const, ...(user ? { userId: user.id, orgId: user.orgId } : {}) };
  if (!user || !user.passwordHash) {
    await burnPasswordCheck(input.password);
    await recordAuditNow(ctx.db, anonymous, { action: 'auth.login-failed', outcome: 'failure', details: { reason: 'unknown-email', ip: input.ip } });
    throw INVALID();
  }
  if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    await recordAuditNow(ctx.db, anonymous, { action: 'auth.login-failed', outcome: 'denied', details: { reason: 'locked', ip: input.ip } });
    const retry = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 1000);
    throw new AppError('locked', `Too many failed sign-ins. Try again in ${Math.ceil(retry / 60)} minute(s).`, { headers: { 'retry-after': String(retry) } });
  }
  const ok = await verifyPassword(user.passwordHash, input.password);
  if (!ok || !user.active || !user.orgActive) {
    const failed = user.failedLogins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ failedLogins: lock ? 0 : failed, ...(lock ? { lockedUntil: new Date(Date.now() + LOCKOUT_MS) } : {}) })
        .where(eq(users.id, user.id));
      await recordAudit(tx, anonymous, { action: 'auth.login-failed', outcome: 'failure', details: { reason: ok ? 'deactivated' : 'wrong-password', ip: input.ip } });
      if (lock) await recordAudit(tx, anonymous, { action: 'auth.locked', outcome: 'denied', details: { minutes: LOCKOUT_MS / 60000 } });
    });
    throw INVALID();
  }
  const cookieValue = randomToken(32);
  const csrfToken = randomToken(24);
  const next: NextStep = user.mfaEnabled ? 'mfa' : mfaRequiredFor(user) ? 'mfa-enroll' : 'done';
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
    await tx.insert(sessions).values({
      id: sha256(cookieValue),
      userId: user.id,
      csrfToken,
      mfaVerified: next === 'done',
      expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    await recordAudit(tx, anonymous, { action: 'auth.login', details: { next, ip: input.ip } });
  });
  return { cookieValue, csrfToken, next, userId: user.id };
}

async function markVerified(ctx: AppContext, actor: UserActor): Promise<void> {
  if (!actor.sessionId) throw new AppError('bad-request', 'A second factor applies to browser sessions only.');
  // A fresh session id is not needed: the cookie was issued after the password check on this device.
  await ctx.db.update(sessions).set({ mfaVerified: true }).where(eq(sessions.id, actor.sessionId));
}

export async function verifySecondFactor(ctx: AppContext, actor: UserActor, input: { code?: string; recoveryCode?: string }): Promise<void> {
  const [user] = await ctx.db.select({ secret: users.mfaSecret, enabled: users.mfaEnabled, lastStep: users.mfaLastStep, recovery: users.recoveryCodes, failedLogins: users.failedLogins }).from(users).where(eq(users.id, actor.userId));
  if (!user?.enabled || !user.secret) throw new AppError('bad-request', 'This account has no authenticator enrolled.');
  if (input.code) {
    const step = checkTotp(user.secret, input.code, user.lastStep);
    if (step !== null) {
      await ctx.db.transaction(async (tx) => {
        await tx.update(users).set({ mfaLastStep: step, failedLogins: 0 }).where(eq(users.id, actor.userId));
        await recordAudit(tx, actor, { action: 'auth.mfa-verified' });
      });
      await markVerified(ctx, actor);
      return;
    }
  } else if (input.recoveryCode) {
    const hashed = sha256(normaliseRecoveryCode(input.recoveryCode));
    if (user.recovery.includes(hashed)) {
      await ctx.db.transaction(async (tx) => {
        await tx.update(users).set({ recoveryCodes: user.recovery.filter((h) => h !== hashed) }).where(eq(users.id, actor.userId));
        await recordAudit(tx, actor, { action: 'auth.recovery-code-used', details: { remaining: user.recovery.length - 1 } });
      });
      await markVerified(ctx, actor);
      return;
    }
  } else {
    throw new AppError('validation-failed', 'Give the 6-digit code from your authenticator app, or a recovery code.');
  }
  const failed = user.failedLogins + 1;
  const lock = failed >= MAX_FAILED_LOGINS;
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ failedLogins: lock ? 0 : failed, ...(lock ? { lockedUntil: new Date(Date.now() + LOCKOUT_MS) } : {}) }).where(eq(users.id, actor.userId));
    if (lock) await tx.delete(sessions).where(eq(sessions.userId, actor.userId));
    await recordAudit(tx, actor, { action: 'auth.mfa-failed', outcome: 'failure' });
  });
  throw new AppError('invalid-credentials', lock ? 'Too many wrong codes: the account is locked for 15 minutes.' : 'The code is wrong or was already used.');
}

export async function startEnrolment(ctx: AppContext, actor: UserActor): Promise<{ secret: string; otpauthUrl: string; qrDataUrl: string }> {
  const [user] = await ctx.db.select({ enabled: users.mfaEnabled }).from(users).where(eq(users.id, actor.userId));
  if (user?.enabled && actor.sessionId) {
    const [s] = await ctx.db.select({ v: sessions.mfaVerified }).from(sessions).where(eq(sessions.id, actor.sessionId));
    // Replacing an enrolled authenticator needs the old one first.
    if (!s?.v) throw new AppError('forbidden', 'Verify your current authenticator before enrolling a new one.');
  }
  const secret = newTotpSecret();
  await ctx.db.update(users).set({ mfaPendingSecret: secret }).where(eq(users.id, actor.userId));
  return { secret, ...(await enrolmentMaterial(secret, actor.email)) };
}

export async function confirmEnrolment(ctx: AppContext, actor: UserActor, code: string): Promise<{ recoveryCodes: string[] }> {
  const [user] = await ctx.db.select({ secret: users.mfaPendingSecret }).from(users).where(eq(users.id, actor.userId));
  if (!user?.secret) throw new AppError('bad-request', 'Start the enrolment first.');
  const step = checkTotp(user.secret, code, null);
  if (step === null) throw new AppError('validation-failed', 'That code does not match. Check the time on your phone and try the next code.', { details: [{ field: 'code', message: 'wrong code' }] });
  const recoveryCodes = newRecoveryCodes();
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ mfaSecret: user.secret, mfaPendingSecret: null, mfaEnabled: true, mfaLastStep: step, recoveryCodes: recoveryCodes.map((c) => sha256(c)) }).where(eq(users.id, actor.userId));
    await recordAudit(tx, actor, { action: 'auth.mfa-enrolled' });
  });
  if (actor.sessionId) await ctx.db.update(sessions).set({ mfaVerified: true }).where(eq(sessions.id, actor.sessionId));
  return { recoveryCodes };
}

export async function logout(ctx: AppContext, actor: UserActor): Promise<void> {
  if (!actor.sessionId) return;
  await ctx.db.transaction(async (tx) => {
    await tx.delete(sessions).where(and(eq(sessions.id, actor.sessionId!), eq(sessions.userId, actor.userId)));
    await recordAudit(tx, actor, { action: 'auth.logout' });
  });
}

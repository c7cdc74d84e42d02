// Turns a request's credentials (session cookie, Bearer token, or Basic with a token as password) into an
// actor. Identities are cached per node and dropped as soon as the database reports a change to users,
// organisations, sessions or tokens (any process, see platform/cache), so a deactivation or revocation still
// takes effect on the next request.
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { AppError } from '../platform/http/errors.js';
import type { UserActor } from './actor.js';
import { apiTokens, orgs, sessions, users, type TokenScope } from './schema.js';
import { API_TOKEN_PATTERN, sha256 } from './secrets.js';
import type { ChangeFeed } from '../platform/cache/change-feed.js';
import { ReadCache } from '../platform/cache/read-cache.js';

export const SESSION_COOKIE = 'eoc_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Roles whose sign-in must use a second factor. */
export function mfaRequiredFor(user: { role: string; systemAdmin: boolean }): boolean {
  return user.systemAdmin || user.role === 'org-admin' || user.role === 'analyst';
}

const actorColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  systemAdmin: users.systemAdmin,
  mfaEnabled: users.mfaEnabled,
  orgId: orgs.id,
  orgType: orgs.type,
  orgParentId: orgs.parentId,
} as const;

type Identity = Pick<UserActor, 'userId' | 'orgId' | 'email' | 'name' | 'role' | 'systemAdmin' | 'orgType' | 'orgParentId'>;

/** The identity part of an actor, from a row selected with `actorColumns`. */
function actorOfRow(row: Identity): Identity & { kind: 'user' } {
  return { kind: 'user', userId: row.userId, orgId: row.orgId, email: row.email, name: row.name, role: row.role, systemAdmin: row.systemAdmin, orgType: row.orgType, orgParentId: row.orgParentId };
}

export interface SessionState {
  readonly actor: UserActor;
  readonly csrfToken: string;
  readonly mfaVerified: boolean;
  /** The session is waiting for a second factor (or for enrolment): only auth routes accept it. */
  readonly pendingMfa: 'verify' | 'enroll' | null;
}

interface CachedSession {
  readonly state: SessionState;
  expiresAt: number;
  lastSeenAt: number;
}

interface CachedToken {
  readonly actor: UserActor;
  readonly expiresAt: number | null;
  lastUsedAt: number;
}

/** This node's cache of signed-in identities, keyed by the hash of the cookie or token. */
export class IdentityCache {
  readonly sessions: ReadCache<CachedSession>;
  readonly tokens: ReadCache<CachedToken>;
  constructor(changes: ChangeFeed, maxEntries = 100_000) {
    this.sessions = new ReadCache<CachedSession>(changes, { name: 'sessions', scope: 'access', maxEntries, ttlMs: 5 * 60_000 });
    this.tokens = new ReadCache<CachedToken>(changes, { name: 'api-tokens', scope: 'access', maxEntries, ttlMs: 5 * 60_000 });
  }
}

export async function sessionFromCookie(db: Db, cookieValue: string, cache?: IdentityCache): Promise<SessionState | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return null;
  const now = new Date();
  const id = sha256(cookieValue);
  const hit = cache?.sessions.get(id);
  if (hit && hit.expiresAt > now.getTime()) {
    if (now.getTime() - hit.lastSeenAt > 60_000) {
      hit.lastSeenAt = now.getTime();
      hit.expiresAt = now.getTime() + SESSION_TTL_MS;
      await db.update(sessions).set({ lastSeenAt: now, expiresAt: new Date(hit.expiresAt) }).where(eq(sessions.id, id));
    }
    return hit.state;
  }
  const stamp = cache?.sessions.begin();
  const [row] = await db
    .select({ ...actorColumns, sessionId: sessions.id, csrfToken: sessions.csrfToken, mfaVerified: sessions.mfaVerified, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now), eq(users.active, true), eq(orgs.active, true)))
    .limit(1);
  if (!row) return null;
  let { lastSeenAt, expiresAt } = row;
  // Sliding expiry, written at most once a minute.
  if (now.getTime() - row.lastSeenAt.getTime() > 60_000) {
    lastSeenAt = now;
    expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await db.update(sessions).set({ lastSeenAt, expiresAt }).where(eq(sessions.id, row.sessionId));
  }
  const pendingMfa = row.mfaVerified ? null : row.mfaEnabled ? 'verify' : mfaRequiredFor(row) ? 'enroll' : null;
  const state: SessionState = Object.freeze({
    actor: Object.freeze({ ...actorOfRow(row), via: 'session' as const, scopes: Object.freeze(['read', 'write', 'admin'] as TokenScope[]) as TokenScope[], sessionId: row.sessionId }),
    csrfToken: row.csrfToken,
    mfaVerified: row.mfaVerified,
    pendingMfa,
  });
  if (cache && stamp) cache.sessions.set(id, stamp, { state, expiresAt: expiresAt.getTime(), lastSeenAt: lastSeenAt.getTime() });
  return state;
}

/**
 * When each token was last used, written for many tokens at once a moment later: a request never waits for
 * it, and a burst of requests with new tokens (election-day intake) costs one statement a second, not one each.
 */
class LastUsedWriter {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly db: Db) {}

  note(tokenId: string): void {
    this.pending.add(tokenId);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), 1000);
      this.timer.unref();
    }
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const ids = [...this.pending];
    this.pending = new Set();
    if (!ids.length) return;
    await this.db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(inArray(apiTokens.id, ids)).catch(() => undefined);
  }
}
const lastUsedWriters = new WeakMap<Db, LastUsedWriter>();
function noteTokenUse(db: Db, tokenId: string): void {
  let w = lastUsedWriters.get(db);
  if (!w) {
    w = new LastUsedWriter(db);
    lastUsedWriters.set(db, w);
  }
  w.note(tokenId);
}

export async function actorFromToken(db: Db, token: string, cache?: IdentityCache): Promise<UserActor> {
  if (!API_TOKEN_PATTERN.test(token)) throw new AppError('invalid-token', 'The API token is malformed.');
  const now = new Date();
  const hash = sha256(token);
  const hit = cache?.tokens.get(hash);
  if (hit && (hit.expiresAt === null || hit.expiresAt > now.getTime())) {
    if (now.getTime() - hit.lastUsedAt > 60_000) {
      hit.lastUsedAt = now.getTime();
      noteTokenUse(db, hit.actor.tokenId!);
    }
    return hit.actor;
  }
  const stamp = cache?.tokens.begin();
  const [row] = await db
    .select({ ...actorColumns, tokenId: apiTokens.id, scopes: apiTokens.scopes, lastUsedAt: apiTokens.lastUsedAt, expiresAt: apiTokens.expiresAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(
      and(
        eq(apiTokens.tokenHash, hash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        eq(users.active, true),
        eq(orgs.active, true),
      ),
    )
    .limit(1);
  if (!row) throw new AppError('invalid-token', 'The API token is unknown, expired or revoked.');
  let lastUsedAt = row.lastUsedAt?.getTime() ?? 0;
  if (now.getTime() - lastUsedAt > 60_000) {
    lastUsedAt = now.getTime();
    noteTokenUse(db, row.tokenId);
  }
  const actor: UserActor = Object.freeze({ ...actorOfRow(row), via: 'token' as const, scopes: Object.freeze([...(row.scopes as TokenScope[])]) as TokenScope[], tokenId: row.tokenId });
  if (cache && stamp) cache.tokens.set(hash, stamp, { actor, expiresAt: row.expiresAt?.getTime() ?? null, lastUsedAt });
  return actor;
}

/** Extracts a token from `Authorization: Bearer …` or `Basic base64(anything:token)` (TAXII clients). */
export function tokenFromAuthorization(header: string): string {
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) throw new AppError('invalid-token', 'The Authorization header is malformed.');
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AppError('invalid-token', 'Basic credentials must be "user:token".');
    return decoded.slice(colon + 1);
  }
  throw new AppError('invalid-token', `Authorization scheme "${scheme}" is not supported; use Bearer.`);
}

// Resolves credentials on every API request and enforces CSRF on cookie-authenticated changes.
// Handlers call `actorOf(request)` (or `partialActorOf` on the second-factor routes).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../platform/db/client.js';
import { AppError } from '../platform/http/errors.js';
import type { UserActor } from './actor.js';
import { actorFromToken, IdentityCache, SESSION_COOKIE, sessionFromCookie, tokenFromAuthorization, type SessionState } from './authenticate.js';
import type { ChangeFeed } from '../platform/cache/change-feed.js';
import { safeEqual } from './secrets.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: { actor: UserActor; session: SessionState | null } | null;
    authError: AppError | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that do not act with the session (they create one, or need none): an old cookie must not block them. */
const CSRF_EXEMPT = new Set(['/api/v1/auth/login', '/api/v1/setup', '/api/v1/invitations/accept']);

export function cookieOptions(request: FastifyRequest, secure: 'auto' | boolean) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: secure === 'auto' ? request.protocol === 'https' : secure,
  };
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Db; changes: ChangeFeed }) => {
  const identities = new IdentityCache(opts.changes);
  app.decorateRequest('auth', null);
  app.decorateRequest('authError', null);
  // A change request answers only once this node has heard of the change, so the next read sees it.
  app.addHook('onSend', (request, reply, payload, done) => {
    // Routes whose writes feed no read cache (config.readYourWrites false) skip the round trip.
    if (SAFE_METHODS.has(request.method) || reply.statusCode >= 400 || (request.routeOptions.config as { readYourWrites?: boolean } | undefined)?.readYourWrites === false) {
      done(null, payload);
      return;
    }
    opts.changes.sync().then(() => done(null, payload), (error: Error) => done(error));
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    if (!url.startsWith('/api/') && !url.startsWith('/taxii2')) return;
    const header = request.headers.authorization;
    if (header) {
      try {
        const actor = await actorFromToken(opts.db, tokenFromAuthorization(header), identities);
        request.auth = { actor, session: null };
      } catch (error) {
        // A bad token is an error even on public routes: the client believes it is authenticated.
        request.authError = error instanceof AppError ? error : new AppError('invalid-token', 'The API token is not valid.');
        reply.header('www-authenticate', 'Bearer realm="eoc", error="invalid_token"');
      }
      return;
    }
    const cookieValue = request.cookies[SESSION_COOKIE];
    if (!cookieValue) return;
    const session = await sessionFromCookie(opts.db, cookieValue, identities);
    if (!session) {
      request.authError = new AppError('unauthenticated', 'Your session has ended. Sign in again.');
      return;
    }
    if (CSRF_EXEMPT.has(url.split('?')[0]!)) return;
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
        throw new AppError('csrf-failed', 'This change was refused because it did not carry the CSRF token. Reload the page and try again.');
      }
    }
    request.auth = { actor: session.actor, session };
  });
});

/** The signed-in actor; 401 when there is none, or when the session still waits for its second factor. */
export function actorOf(request: FastifyRequest): UserActor {
  if (request.authError) throw request.authError;
  if (!request.auth) throw new AppError('unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer …".');
  const pending = request.auth.session?.pendingMfa;
  if (pending === 'verify') throw new AppError('mfa-required', 'Enter the code from your authenticator app to finish signing in.');
  if (pending === 'enroll') throw new AppError('mfa-required', 'Your role requires two-factor sign-in: set up an authenticator app first.');
  return request.auth.actor;
}

/** For the sign-in routes that complete a second factor: accepts a session that is still pending. */
export function partialActorOf(request: FastifyRequest): { actor: UserActor; session: SessionState | null } {
  if (request.authError) throw request.authError;
  if (!request.auth) throw new AppError('unauthenticated', 'Sign in first.');
  return request.auth;
}

/** The actor if any (public routes that show more to members). */
export function optionalActorOf(request: FastifyRequest): UserActor | null {
  if (request.authError) throw request.authError;
  if (!request.auth || request.auth.session?.pendingMfa) return null;
  return request.auth.actor;
}

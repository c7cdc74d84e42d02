// HTTP routes of the directory and identity: sign-in and MFA, first-start setup, organisations and contacts,
// users, invitations and API tokens. Each route: validate → authenticate → one service call → present.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { Cursor, Email, IdParams, Limit, Uuid } from '../platform/http/schemas.js';
import { actorOf, cookieOptions, partialActorOf } from './auth-plugin.js';
import { SESSION_COOKIE } from './authenticate.js';
import { confirmEnrolment, login, logout, startEnrolment, verifySecondFactor } from './auth-service.js';
import { createOrg, directoryByState, getOrg, listOrgs, setContacts, updateOrg } from './orgs-service.js';
import { CONTACT_ROLES, ORG_TYPES, PRIVATE_KINDS, TOKEN_SCOPES, USER_ROLES } from './schema.js';
import { completeSetup, needsSetup } from './setup-service.js';
import { createToken, listTokens, revokeToken } from './tokens-service.js';
import { acceptInvitation, changePassword, createUser, getUser, inviteUser, listInvitations, listUsers, presentUser, revokeInvitation, setUserActive, updateUser } from './users-service.js';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Name = Type.String({ minLength: 1, maxLength: 200 });

export function accessRoutes(app: App, ctx: AppContext, authRateLimit: number): void {
  const authLimit = { rateLimit: { max: authRateLimit, timeWindow: '1 minute' } };

  app.post('/api/v1/auth/login', {
    config: authLimit,
    schema: { tags: ['auth'], summary: 'Sign in with email and password', body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const result = await login(ctx, { email: request.body.email, password: request.body.password, ip: request.ip, userAgent: request.headers['user-agent'] ?? '' });
    void reply.setCookie(SESSION_COOKIE, result.cookieValue, cookieOptions(request, ctx.config.secureCookies));
    return { next: result.next, csrfToken: result.csrfToken, userId: result.userId };
  });

  app.post('/api/v1/auth/mfa', {
    config: authLimit,
    schema: { tags: ['auth'], summary: 'Finish sign-in with a TOTP code or a recovery code', body: Type.Object({ code: Type.Optional(Type.String({ maxLength: 10 })), recoveryCode: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false }) },
  }, async (request) => {
    const { actor } = partialActorOf(request);
    await verifySecondFactor(ctx, actor, request.body);
    return { next: 'done' };
  });

  app.post('/api/v1/auth/mfa/enroll', { config: authLimit, schema: { tags: ['auth'], summary: 'Start enrolling an authenticator app (QR code)' } }, async (request) => {
    const { actor } = partialActorOf(request);
    return startEnrolment(ctx, actor);
  });

  app.post('/api/v1/auth/mfa/enroll/confirm', {
    config: authLimit,
    schema: { tags: ['auth'], summary: 'Confirm enrolment with a code; returns one-time recovery codes', body: Type.Object({ code: Type.String({ pattern: '^\\d{6}$' }) }, { additionalProperties: false }) },
  }, async (request) => {
    const { actor } = partialActorOf(request);
    return confirmEnrolment(ctx, actor, request.body.code);
  });

  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out' } }, async (request, reply) => {
    if (request.auth?.session) await logout(ctx, request.auth.actor);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user, their organisation, and the CSRF token' } }, async (request) => {
    const { actor, session } = partialActorOf(request);
    const org = await getOrg(ctx, actor, actor.orgId);
    const me = await getUser(ctx, actor, actor.userId);
    return { user: me, org: { id: org.id, name: org.name, type: org.type, parentId: org.parentId, stateCode: org.stateCode }, csrfToken: session?.csrfToken ?? null, pendingMfa: session?.pendingMfa ?? null, via: actor.via, scopes: actor.scopes };
  });

  app.put('/api/v1/auth/password', {
    config: authLimit,
    schema: { tags: ['auth'], summary: 'Change your password', body: Type.Object({ password: Password }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const actor = actorOf(request);
    await changePassword(ctx, actor, { userId: actor.userId, password: request.body.password });
    return reply.status(204).send();
  });

  app.get('/api/v1/setup', { config: authLimit, schema: { tags: ['setup'], summary: 'Whether the installation still needs its first administrator' } }, async () => ({ needed: await needsSetup(ctx) }));

  app.post('/api/v1/setup', {
    config: authLimit,
    schema: { tags: ['setup'], summary: 'Create the operations center and its first administrator with the one-time link', body: Type.Object({ token: Type.String({ minLength: 20, maxLength: 100 }), orgName: Name, name: Name, email: Email, password: Password }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const { org, user } = await completeSetup(ctx, request.body);
    return reply.status(201).send({ org: { id: org.id, name: org.name }, user: presentUser(user) });
  });

  app.post('/api/v1/invitations/accept', {
    config: authLimit,
    schema: { tags: ['users'], summary: 'Accept an invitation and set a password', body: Type.Object({ token: Type.String({ minLength: 20, maxLength: 100 }), name: Name, password: Password }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const user = await acceptInvitation(ctx, request.body);
    return reply.status(201).send(presentUser(user));
  });

  // --- organisations
  const OrgBody = Type.Object(
    {
      name: Name,
      type: lit(ORG_TYPES),
      parentId: Type.Optional(Type.Union([Uuid, Type.Null()])),
      privateKind: Type.Optional(Type.Union([lit(PRIVATE_KINDS), Type.Null()])),
      fips: Type.Optional(Type.Union([Type.String({ pattern: '^\\d{2,10}$' }), Type.Null()])),
      stateCode: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z]{2}$' }), Type.Null()])),
    },
    { additionalProperties: false },
  );
  app.post('/api/v1/orgs', { schema: { tags: ['directory'], summary: 'Create an organisation', body: OrgBody } }, async (request, reply) => {
    return reply.status(201).send(await createOrg(ctx, actorOf(request), request.body));
  });

  app.get('/api/v1/orgs', {
    schema: {
      tags: ['directory'],
      summary: 'Search the directory',
      querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), type: Type.Optional(lit(ORG_TYPES)), parentId: Type.Optional(Uuid), stateCode: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })), cursor: Type.Optional(Cursor), limit: Limit }, { additionalProperties: false }),
    },
  }, async (request) => {
    const q = request.query;
    return listOrgs(ctx, actorOf(request), { limit: q.limit, ...(q.q ? { q: q.q } : {}), ...(q.type ? { type: q.type } : {}), ...(q.parentId ? { parentId: q.parentId } : {}), ...(q.stateCode ? { stateCode: q.stateCode } : {}), ...(q.cursor ? { after: q.cursor } : {}) });
  });

  app.get('/api/v1/directory/states', { schema: { tags: ['directory'], summary: 'States and territories with their number of local offices (the directory map)' } }, async (request) => ({
    items: await directoryByState(ctx, actorOf(request)),
  }));

  app.get('/api/v1/orgs/:id', { schema: { tags: ['directory'], summary: 'An organisation with its contacts', params: IdParams } }, async (request) => getOrg(ctx, actorOf(request), request.params.id));

  app.patch('/api/v1/orgs/:id', {
    schema: { tags: ['directory'], summary: 'Change an organisation', params: IdParams, body: Type.Object({ name: Type.Optional(Name), fips: Type.Optional(Type.Union([Type.String({ pattern: '^\\d{2,10}$' }), Type.Null()])), active: Type.Optional(Type.Boolean()), shareMatchesWithState: Type.Optional(Type.Boolean({ description: "Let the office's state see the threats matched against its inventory" })) }, { additionalProperties: false, minProperties: 1 }) },
  }, async (request) => updateOrg(ctx, actorOf(request), request.params.id, request.body));

  const Contact = Type.Object(
    {
      role: lit(CONTACT_ROLES),
      rank: Type.Union([Type.Literal('primary'), Type.Literal('backup')]),
      name: Name,
      email: Type.Optional(Type.Union([Email, Type.Null()])),
      phone: Type.Optional(Type.Union([Type.String({ maxLength: 40, pattern: '^[0-9+().\\- x]*$' }), Type.Null()])),
    },
    { additionalProperties: false },
  );
  app.put('/api/v1/orgs/:id/contacts', {
    schema: { tags: ['directory'], summary: 'Replace the contacts of an organisation', params: IdParams, body: Type.Object({ contacts: Type.Array(Contact, { maxItems: 20 }) }, { additionalProperties: false }) },
  }, async (request) => ({ items: await setContacts(ctx, actorOf(request), request.params.id, request.body.contacts) }));

  app.get('/api/v1/orgs/:id/users', { schema: { tags: ['users'], summary: 'Users of an organisation', params: IdParams } }, async (request) => ({ items: await listUsers(ctx, actorOf(request), request.params.id) }));

  app.get('/api/v1/orgs/:id/invitations', { schema: { tags: ['users'], summary: 'Invitations of an organisation (admins)', params: IdParams } }, async (request) => ({ items: await listInvitations(ctx, actorOf(request), request.params.id) }));

  app.post('/api/v1/orgs/:id/invitations', {
    schema: { tags: ['users'], summary: 'Invite someone by email', params: IdParams, body: Type.Object({ email: Email, role: lit(USER_ROLES) }, { additionalProperties: false }) },
  }, async (request, reply) => reply.status(201).send(await inviteUser(ctx, actorOf(request), { orgId: request.params.id, ...request.body })));

  app.delete('/api/v1/invitations/:id', { schema: { tags: ['users'], summary: 'Withdraw an invitation', params: IdParams } }, async (request, reply) => {
    await revokeInvitation(ctx, actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  // --- users
  app.post('/api/v1/users', {
    schema: { tags: ['users'], summary: 'Create a user with a password (admins)', body: Type.Object({ orgId: Uuid, email: Email, name: Type.Optional(Name), role: lit(USER_ROLES), password: Password, systemAdmin: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) },
  }, async (request, reply) => reply.status(201).send(presentUser(await createUser(ctx, actorOf(request), request.body))));

  app.get('/api/v1/users/:id', { schema: { tags: ['users'], summary: 'A user', params: IdParams } }, async (request) => getUser(ctx, actorOf(request), request.params.id));

  app.patch('/api/v1/users/:id', {
    schema: { tags: ['users'], summary: 'Change a user’s name or role', params: IdParams, body: Type.Object({ name: Type.Optional(Name), role: Type.Optional(lit(USER_ROLES)) }, { additionalProperties: false, minProperties: 1 }) },
  }, async (request) => updateUser(ctx, actorOf(request), request.params.id, request.body));

  app.post('/api/v1/users/:id/deactivate', { schema: { tags: ['users'], summary: 'Deactivate: ends every session, token and live stream at once', params: IdParams } }, async (request) => setUserActive(ctx, actorOf(request), request.params.id, false));
  app.post('/api/v1/users/:id/reactivate', { schema: { tags: ['users'], summary: 'Reactivate a user', params: IdParams } }, async (request) => setUserActive(ctx, actorOf(request), request.params.id, true));

  // --- API tokens (your own)
  app.get('/api/v1/tokens', { schema: { tags: ['tokens'], summary: 'Your API tokens' } }, async (request) => {
    const actor = actorOf(request);
    return { items: await listTokens(ctx, actor, actor.userId) };
  });
  app.post('/api/v1/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token; the secret is shown once',
      body: Type.Object({ name: Name, scopes: Type.Array(lit(TOKEN_SCOPES), { minItems: 1, maxItems: 3, uniqueItems: true, default: ['read'] }), expiresInDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 730 }), Type.Null()])) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    return reply.status(201).send(await createToken(ctx, actor, { userId: actor.userId, name: request.body.name, scopes: request.body.scopes, expiresInDays: request.body.expiresInDays ?? 90 }));
  });
  app.delete('/api/v1/tokens/:id', { schema: { tags: ['tokens'], summary: 'Revoke an API token', params: IdParams } }, async (request, reply) => {
    await revokeToken(ctx, actorOf(request), request.params.id);
    return reply.status(204).send();
  });

}

// HTTP routes of notifications: the in-app list and unread count, preferences, and organisation webhooks.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams, Limit } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { NOTIFICATION_KINDS, WEBHOOK_EVENT_TYPES } from './rules.js';
import { createWebhook, deleteWebhook, getPreferences, listDeliveries, listNotifications, listWebhooks, markNotificationsRead, pingWebhook, setPreferences, unreadNotifications } from './service.js';

const Channels = Type.Object({ inApp: Type.Boolean(), email: Type.Boolean() }, { additionalProperties: false });
const PreferencesBody = Type.Object(
  Object.fromEntries(Object.keys(NOTIFICATION_KINDS).map((k) => [k, Type.Optional(Channels)])),
  { additionalProperties: false, minProperties: 1 },
);

export function notificationRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/notifications', {
    schema: {
      tags: ['notifications'],
      summary: 'Your in-app notifications, newest first',
      querystring: Type.Object({ unread: Type.Optional(Type.Boolean()), before: Type.Optional(Type.String({ format: 'date-time' })), limit: Limit }, { additionalProperties: false }),
    },
  }, async (request) => listNotifications(ctx, actorOf(request), { limit: request.query.limit, ...(request.query.unread ? { unread: true } : {}), ...(request.query.before ? { before: request.query.before } : {}) }));

  app.get('/api/v1/notifications/unread-count', { schema: { tags: ['notifications'], summary: 'How many of your notifications are unread' } }, async (request) => unreadNotifications(ctx, actorOf(request)));

  app.post('/api/v1/notifications/:id/read', { schema: { tags: ['notifications'], summary: 'Mark a notification read', params: IdParams } }, async (request, reply) => {
    await markNotificationsRead(ctx, actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post('/api/v1/notifications/read-all', { schema: { tags: ['notifications'], summary: 'Mark all your notifications read' } }, async (request, reply) => {
    await markNotificationsRead(ctx, actorOf(request), 'all');
    return reply.status(204).send();
  });

  app.get('/api/v1/me/notifications', { schema: { tags: ['notifications'], summary: 'What you are told about, and how' } }, async (request) => getPreferences(ctx, actorOf(request)));

  app.put('/api/v1/me/notifications', {
    schema: { tags: ['notifications'], summary: 'Change what you are told about (in-app, email) per kind', body: PreferencesBody },
  }, async (request) => setPreferences(ctx, actorOf(request), request.body as Parameters<typeof setPreferences>[2]));

  app.get('/api/v1/orgs/:id/webhooks', { schema: { tags: ['webhooks'], summary: "The organisation's webhooks (its admins)", params: IdParams } }, async (request) => listWebhooks(ctx, actorOf(request), request.params.id));

  app.post('/api/v1/orgs/:id/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Register a webhook; the signing secret is shown once',
      description: 'Each call is a POST of JSON signed with HMAC-SHA256: header `X-EOC-Signature: t=<unix time>,v1=<hex HMAC of "<t>.<body>">`.',
      params: IdParams,
      body: Type.Object(
        {
          url: Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://' }),
          eventTypes: Type.Array(Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t))), { maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true, default: [] }),
        },
        { additionalProperties: false },
      ),
    },
  }, async (request, reply) => reply.status(201).send(await createWebhook(ctx, actorOf(request), request.params.id, request.body)));

  app.delete('/api/v1/webhooks/:id', { schema: { tags: ['webhooks'], summary: 'Remove a webhook', params: IdParams } }, async (request, reply) => {
    await deleteWebhook(ctx, actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post('/api/v1/webhooks/:id/test', { schema: { tags: ['webhooks'], summary: 'Send a signed test delivery (ping)', params: IdParams } }, async (request, reply) =>
    reply.status(202).send(await pingWebhook(ctx, actorOf(request), request.params.id, () => ctx.jobs.kick())),
  );

  app.get('/api/v1/webhooks/:id/deliveries', {
    schema: { tags: ['webhooks'], summary: 'Recent deliveries with status, attempts and the last answer', params: IdParams, querystring: Type.Object({ limit: Limit }, { additionalProperties: false }) },
  }, async (request) => listDeliveries(ctx, actorOf(request), request.params.id, request.query.limit));
}

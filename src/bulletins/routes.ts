// HTTP routes of bulletins: send, inbox, read, re-share, change TLP, attachments, export.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { Cursor, IdParams, Limit, RecipientsSchema, TlpSchema, Uuid } from '../platform/http/schemas.js';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../access/auth-plugin.js';
import { csvCell } from '../platform/http/csv.js';
import { sendStoredFile } from '../platform/files/send-file.js';
import { requireUser } from '../access/actor.js';
import { ReadCache } from '../platform/cache/read-cache.js';
import { addAttachment, auditListedReads, changeTlp, restrictedOf, createBulletin, exportBulletins, getAttachment, getBulletin, listBulletins, markRead, parseBulletinCursor, reshare, unreadCount } from './service.js';

const ListQuery = Type.Object(
  {
    box: Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('all')], { default: 'all' }),
    unread: Type.Optional(Type.Boolean()),
    tlp: Type.Optional(TlpSchema),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);


export function bulletinRoutes(app: App, ctx: AppContext): void {
  app.post('/api/v1/bulletins', {
    schema: {
      tags: ['bulletins'],
      summary: 'Send a bulletin',
      description: 'Without `recipients` the bulletin goes to the defaults (your state and the operations center); with `recipients`, even empty, to exactly those.',
      body: Type.Object({ title: Type.String({ minLength: 1, maxLength: 300 }), body: Type.String({ maxLength: 100_000 }), tlp: TlpSchema, recipients: Type.Optional(RecipientsSchema) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const b = await createBulletin(ctx, actorOf(request), request.body);
    return reply.status(201).header('location', `/api/v1/bulletins/${b.id}`).send(b);
  });

  // Inbox pages and unread counts are what every signed-in screen polls. Each user's answers are cached on
  // this node as sent (JSON text) and dropped as soon as the database reports a change to bulletins, to that
  // user's read marks, or to any identity (see platform/cache). A page holding AMBER+STRICT or RED bulletins
  // is written to the audit log each time it is served, from the cache or not.
  const pages = new ReadCache<{ text: string; restricted: Array<{ id: string; ownerOrg: string }> }>(ctx.changes, { name: 'bulletin-pages', maxEntries: 50_000, maxBytes: 128 * 1024 * 1024, sizeOf: (p) => p.text.length * 2 });
  const counts = new ReadCache<string>(ctx.changes, { name: 'bulletin-unread-counts', maxEntries: 100_000 });
  const sendJson = (reply: FastifyReply, text: string) => reply.type('application/json; charset=utf-8').send(text);

  app.get('/api/v1/bulletins', { schema: { tags: ['bulletins'], summary: 'Bulletins you may read, newest first', querystring: ListQuery } }, async (request, reply) => {
    const user = requireUser(actorOf(request));
    const q = request.query;
    const key = [user.userId, q.box, q.limit, q.unread ?? '', q.tlp ?? '', q.cursor ?? '', q.q ?? ''].join('\u0000');
    const cached = pages.get(key, user.userId);
    if (cached !== undefined) {
      await auditListedReads(ctx, user, cached.restricted);
      return sendJson(reply, cached.text);
    }
    const stamp = pages.begin(user.userId);
    const page = await listBulletins(ctx, user, {
      box: q.box,
      limit: q.limit,
      ...(q.unread !== undefined ? { unread: q.unread } : {}),
      ...(q.tlp ? { tlp: q.tlp } : {}),
      ...(q.q ? { q: q.q } : {}),
      ...(q.cursor ? { before: parseBulletinCursor(q.cursor) } : {}),
    });
    const text = JSON.stringify(page);
    pages.set(key, stamp, { text, restricted: restrictedOf(page.items) }, user.userId);
    return sendJson(reply, text);
  });

  app.get('/api/v1/bulletins/unread-count', { schema: { tags: ['bulletins'], summary: 'How many bulletins in your inbox are unread' } }, async (request, reply) => {
    const user = requireUser(actorOf(request));
    const cached = counts.get(user.userId, user.userId);
    if (cached !== undefined) return sendJson(reply, cached);
    const stamp = counts.begin(user.userId);
    const text = JSON.stringify(await unreadCount(ctx, user));
    counts.set(user.userId, stamp, text, user.userId);
    return sendJson(reply, text);
  });

  app.get('/api/v1/bulletins/export', {
    schema: { tags: ['bulletins'], summary: 'Export the bulletins you may read (CSV or JSON)', querystring: Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }), box: Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('all')], { default: 'all' }), tlp: Type.Optional(TlpSchema), q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const q = request.query;
    const items = exportBulletins(ctx, actor, { box: q.box, ...(q.tlp ? { tlp: q.tlp } : {}), ...(q.q ? { q: q.q } : {}) });
    if (q.format === 'json') {
      const all = [];
      for await (const item of items) all.push(item);
      return reply.header('content-disposition', 'attachment; filename="bulletins.json"').send({ items: all });
    }
    const cols = ['id', 'createdAt', 'tlp', 'ownerName', 'authorName', 'title', 'excerpt'] as const;
    let out = `${cols.join(',')}\r\n`;
    for await (const item of items) out += `${cols.map((c) => csvCell(item[c])).join(',')}\r\n`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="bulletins.csv"').send(out);
  });

  app.get('/api/v1/bulletins/:id', { schema: { tags: ['bulletins'], summary: 'One bulletin (404 when it does not exist or is not shared with you)', params: IdParams } }, async (request) => getBulletin(ctx, actorOf(request), request.params.id));

  app.put('/api/v1/bulletins/:id/read', { schema: { tags: ['bulletins'], summary: 'Mark as read', params: IdParams } }, async (request, reply) => {
    await markRead(ctx, actorOf(request), request.params.id, true);
    return reply.status(204).send();
  });
  app.delete('/api/v1/bulletins/:id/read', { schema: { tags: ['bulletins'], summary: 'Mark as unread', params: IdParams } }, async (request, reply) => {
    await markRead(ctx, actorOf(request), request.params.id, false);
    return reply.status(204).send();
  });

  app.post('/api/v1/bulletins/:id/share', {
    schema: { tags: ['bulletins'], summary: 'Add recipients (owner: anyone; AMBER recipient: its own clients)', params: IdParams, body: RecipientsSchema },
  }, async (request) => reshare(ctx, actorOf(request), request.params.id, request.body));

  app.put('/api/v1/bulletins/:id/tlp', {
    schema: { tags: ['bulletins'], summary: 'Change the TLP label (owner organisation only)', params: IdParams, body: Type.Object({ tlp: TlpSchema, recipients: Type.Optional(RecipientsSchema) }, { additionalProperties: false }) },
  }, async (request) => changeTlp(ctx, actorOf(request), request.params.id, request.body.tlp, request.body.recipients));

  // Attachments are the raw body (see platform/files/raw-body.ts).
  app.post('/api/v1/bulletins/:id/attachments', {
    bodyLimit: ctx.config.attachmentLimitBytes,
    schema: { tags: ['bulletins'], summary: 'Attach a file (raw body; name in X-Filename)', params: IdParams, headers: Type.Object({ 'x-filename': Type.String({ minLength: 1, maxLength: 300 }) }) },
  }, async (request, reply) => {
    const data = request.body;
    if (!Buffer.isBuffer(data)) throw new AppError('unsupported-media-type', 'Send the file as the raw request body with its content type.');
    const filename = decodeURIComponent(request.headers['x-filename'] as string);
    const a = await addAttachment(ctx, actorOf(request), request.params.id, { filename, contentType: request.headers['content-type'] ?? 'application/octet-stream', data });
    return reply.status(201).send(a);
  });

  app.get('/api/v1/bulletins/:id/attachments/:attachmentId', {
    schema: { tags: ['bulletins'], summary: 'Download an attachment', params: Type.Object({ id: Uuid, attachmentId: Uuid }, { additionalProperties: false }) },
  }, async (request, reply) => {
    return sendStoredFile(reply, await getAttachment(ctx, actorOf(request), request.params.id, request.params.attachmentId));
  });
}

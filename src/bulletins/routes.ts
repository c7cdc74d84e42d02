// HTTP routes of bulletins: send, inbox, read, re-share, change TLP, attachments, export.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { Cursor, IdParams, Limit, RecipientsSchema, TlpSchema, Uuid } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { addAttachment, changeTlp, createBulletin, exportBulletins, getAttachment, getBulletin, listBulletins, markRead, parseBulletinCursor, reshare, unreadCount } from './service.js';

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

function csvCell(value: unknown): string {
  const s = Array.isArray(value) ? value.join(' ') : String(value ?? '');
  // Leading =,+,-,@ would be formulas in a spreadsheet: neutralise them.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

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

  app.get('/api/v1/bulletins', { schema: { tags: ['bulletins'], summary: 'Bulletins you may read, newest first', querystring: ListQuery } }, async (request) => {
    const q = request.query;
    return listBulletins(ctx, actorOf(request), {
      box: q.box,
      limit: q.limit,
      ...(q.unread !== undefined ? { unread: q.unread } : {}),
      ...(q.tlp ? { tlp: q.tlp } : {}),
      ...(q.q ? { q: q.q } : {}),
      ...(q.cursor ? { before: parseBulletinCursor(q.cursor) } : {}),
    });
  });

  app.get('/api/v1/bulletins/unread-count', { schema: { tags: ['bulletins'], summary: 'How many bulletins in your inbox are unread' } }, async (request) => unreadCount(ctx, actorOf(request)));

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

  // Attachments are sent as the raw body with the file's content type and its name in a header, so no
  // multipart parser holds the file twice.
  app.addContentTypeParser(['application/pdf', 'text/plain', 'text/csv', 'image/png', 'image/jpeg', 'application/zip', 'application/octet-stream', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], { parseAs: 'buffer', bodyLimit: ctx.config.attachmentLimitBytes }, (_req, body, done) => done(null, body));
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
    const a = await getAttachment(ctx, actorOf(request), request.params.id, request.params.attachmentId);
    return reply
      .type(a.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .header('x-content-sha256', a.sha256)
      .header('cache-control', 'private, no-store')
      .send(a.data);
  });
}

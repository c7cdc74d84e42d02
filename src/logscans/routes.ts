// HTTP routes of log scans. A log arrives as the raw request body (text, or gzip) and is read as it streams
// in: a gigabyte upload is never held in memory. Streaming logs send parts to the same scan, the last with
// ?final=true.
import { Type } from '@sinclair/typebox';
import type { IncomingMessage } from 'node:http';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams } from '../platform/http/schemas.js';
import { AppError } from '../platform/http/errors.js';
import { actorOf } from '../access/auth-plugin.js';
import { LOG_FORMATS, type LogFormat } from '../intel/match/log-scan.js';
import { COMPONENT_IDS, type Component } from '../incidents/taxonomy.js';
import { feedScan, getScan, listScanMatches, listScans, openIncidentFromScan, startScan } from './service.js';

const tags = ['Log matching'];
const LOG_TYPES = ['text/plain', 'application/octet-stream', 'application/gzip', 'application/x-gzip', 'text/csv'];

export function logScanRoutes(app: App, ctx: AppContext): void {
  app.post('/api/v1/log-scans', {
    schema: {
      tags,
      summary: 'Start a log scan; then send the log to /api/v1/log-scans/{id}/lines',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 300, description: 'the file name, or what the stream is' }), format: Type.Optional(Type.Union(LOG_FORMATS.map((f) => Type.Literal(f)), { description: 'combined, dns, csv, syslog or auto (default)' })) }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(await startScan(ctx, actorOf(request), request.body as { name: string; format?: LogFormat }).then((s) => getScan(ctx, actorOf(request), s.id))));

  app.get('/api/v1/log-scans', { schema: { tags, summary: "Your organisation's log scans, newest first" } }, async (request) => listScans(ctx, actorOf(request)));
  app.get('/api/v1/log-scans/:id', { schema: { tags, summary: 'A scan: progress while it runs, then what it found per indicator', params: IdParams } }, async (request) => getScan(ctx, actorOf(request), (request.params as { id: string }).id));
  app.get('/api/v1/log-scans/:id/matches', {
    schema: { tags, summary: 'The matching lines of a scan (the first 10,000 are kept)', params: IdParams, querystring: Type.Object({ after: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }) }, { additionalProperties: false }) },
  }, async (request) => listScanMatches(ctx, actorOf(request), (request.params as { id: string }).id, request.query as { after: number; limit: number }));
  app.post('/api/v1/log-scans/:id/incident', {
    schema: { tags, summary: 'Open an incident from what a finished scan found (once)', params: IdParams, body: Type.Optional(Type.Object({ component: Type.Optional(Type.Union(COMPONENT_IDS.map((c) => Type.Literal(c)))) }, { additionalProperties: false })) },
  }, async (request, reply) => {
    const r = await openIncidentFromScan(ctx, actorOf(request), (request.params as { id: string }).id, (request.body ?? {}) as { component?: Component });
    return reply.status(r.created ? 201 : 200).send(r);
  });

  // The log itself: its own scope, where the body is handed over as a stream instead of being read first.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, _payload, done) => {
      done(new AppError('unsupported-media-type', `Send the log as ${LOG_TYPES.join(', ')} (got ${String(request.headers['content-type'] ?? 'nothing').slice(0, 80)}).`), undefined);
    });
    scope.addContentTypeParser(LOG_TYPES, (_request, payload, done) => done(null, payload));
    scope.post('/api/v1/log-scans/:id/lines', {
      schema: {
        tags,
        summary: 'Send the log (the whole file, or the next part of a stream): text or gzip as the raw body; ?final=true ends the scan',
        params: IdParams,
        querystring: Type.Object({ final: Type.Boolean({ default: true, description: 'false for a part of a stream that goes on' }) }, { additionalProperties: false }),
      },
    }, async (request) => {
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const gzip = type === 'application/gzip' || type === 'application/x-gzip' || /gzip/i.test(String(request.headers['content-encoding'] ?? ''));
      const length = Number(request.headers['content-length']);
      return feedScan(ctx, actorOf(request), (request.params as { id: string }).id, request.body as IncomingMessage, {
        final: (request.query as { final: boolean }).final,
        gzip,
        expectedBytes: Number.isFinite(length) && length >= 0 && !gzip ? length : null,
      });
    });
  });
}

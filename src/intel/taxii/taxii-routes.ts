// The TAXII 2.1 server under /taxii2/ (OASIS TAXII Version 2.1, sections 4–5): discovery, one API root,
// collections, objects (GET, POST with a status resource, DELETE), an object by id, its versions, and the
// manifest. Written by hand (no maintained JavaScript TAXII server exists) to the letter of the
// specification: TAXII media types with 406/415/413, TAXII error messages (not problem+json), limit/next/more
// paging, added_after and match[] filters, and the X-TAXII-Date-Added-First/-Last headers. Clients
// authenticate with an API token as Bearer, or as the password of HTTP Basic.
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../platform/http/server.js';
import type { AppContext } from '../../platform/context.js';
import { AppError } from '../../platform/http/errors.js';
import { rowsOf } from '../../platform/db/client.js';
import { renderErrorsUnder, toAppError } from '../../platform/http/server.js';
import { actorOf } from '../../access/auth-plugin.js';
import type { UserActor } from '../../access/actor.js';
import { readableBy } from '../../access/policy.js';
import { STIX_ROW } from '../stix-row.js';
import { auditsInsert, auditWritten } from '../../audit/service.js';
import { canRead, canWrite, collectionFor, listCollectionsFor, type Collection } from '../collections-service.js';
import { addObjects } from '../store-service.js';
import { stixPreparer } from '../stix/preparer.js';
import { taxiiStatuses, stixObjects } from '../schema.js';
import { readPage, shownVersion, STIX_MEDIA_TYPE, type TaxiiFilter } from './taxii-service.js';
import { isIdentifier } from '../stix/validate.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

/** A TAXII error message (section 3.6.1): title, description, http_status as a string. */
function sendTaxiiError(reply: FastifyReply, error: AppError): FastifyReply {
  for (const [k, v] of Object.entries(error.headers)) void reply.header(k, v);
  if (error.status === 401) void reply.header('www-authenticate', 'Basic realm="Election Ops Center TAXII", charset="UTF-8"');
  const body: Record<string, unknown> = { title: TITLES[error.status] ?? 'Error', description: error.message, error_code: error.code, http_status: String(error.status) };
  if (error.details.length) body.details = Object.fromEntries(error.details.map((d, i) => [d.field ?? `detail_${i}`, d.message]));
  return reply.status(error.status).header('content-type', TAXII_MEDIA_TYPE).send(Buffer.from(JSON.stringify(body)));
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  406: 'Not acceptable',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Unprocessable entity',
  429: 'Too many requests',
  500: 'Internal error',
};

/** Whether an Accept header allows the TAXII 2.1 media type (absent means anything). */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/taxii+json') return false;
    const version = params.find((p) => p.startsWith('version='));
    return !version || version === 'version=2.1';
  });
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
  return parts.length ? parts : undefined;
}

function filterOf(query: Record<string, unknown>): TaxiiFilter {
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  const one = (k: string) => (Array.isArray(query[k]) ? String((query[k] as unknown[])[0]) : query[k] === undefined ? undefined : String(query[k]));
  const f: TaxiiFilter = {
    ...(one('added_after') !== undefined ? { addedAfter: one('added_after') } : {}),
    ...(one('next') !== undefined ? { next: one('next') } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(list(query['match[id]']) ? { ids: list(query['match[id]']) } : {}),
    ...(list(query['match[type]']) ? { types: list(query['match[type]']) } : {}),
    ...(list(query['match[version]']) ? { versions: list(query['match[version]']) } : {}),
    ...(list(query['match[spec_version]']) ? { specVersions: list(query['match[spec_version]']) } : {}),
  };
  return f;
}

function pageHeaders(reply: FastifyReply, first: string | null, last: string | null): void {
  if (first) void reply.header('X-TAXII-Date-Added-First', first);
  if (last) void reply.header('X-TAXII-Date-Added-Last', last);
}

function send(reply: FastifyReply, status: number, body: string | Record<string, unknown>): FastifyReply {
  // A Buffer, so the media type goes out exactly as TAXII spells it (a string would get "; charset=utf-8").
  return reply.status(status).header('content-type', TAXII_MEDIA_TYPE).send(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

function collectionResource(c: Collection, actor: UserActor): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
    can_read: canRead(c, actor.orgId),
    can_write: canWrite(c, actor.orgId),
    media_types: [STIX_MEDIA_TYPE],
  };
}

function statusResource(s: Pick<typeof taxiiStatuses.$inferSelect, 'id' | 'status' | 'requestedAt' | 'totalCount' | 'successes' | 'failures' | 'pendings'>): Record<string, unknown> {
  return {
    id: s.id,
    status: s.status,
    request_timestamp: s.requestedAt.toISOString(),
    total_count: s.totalCount,
    success_count: s.successes.length,
    successes: s.successes,
    failure_count: s.failures.length,
    failures: s.failures,
    pending_count: s.pendings.length,
    pendings: s.pendings,
  };
}

export function taxiiRoutes(app: App, ctx: AppContext): void {
  // The thread that reads and checks posted objects is ready, and warmed up, before the first bundle arrives.
  stixPreparer.warm(ctx.config.stixSchemaDir || null);
  const root = `${ctx.config.publicUrl}/taxii2/api/`;
  renderErrorsUnder(app, '/taxii2/', sendTaxiiError);
  void app.register(
    async (scope) => {
      scope.setErrorHandler((error, request, reply) => {
        const appError = toAppError(error);
        if (appError.status >= 500) request.log.error({ err: error, url: request.url }, 'TAXII request failed');
        return sendTaxiiError(reply, appError.code === 'unsupported-media-type' ? new AppError('unsupported-media-type', `Send the objects as ${TAXII_MEDIA_TYPE}.`) : appError);
      });
      scope.setNotFoundHandler((request, reply) => sendTaxiiError(reply, new AppError('not-found', `There is no TAXII resource at ${request.url.split('?')[0]}.`)));
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { bodyLimit: ctx.config.taxiiMaxContentLength }, (request, _payload, done) => {
        done(new AppError('unsupported-media-type', `Send the objects as ${TAXII_MEDIA_TYPE} (got ${String(request.headers['content-type']).slice(0, 100)}).`), undefined);
      });
      scope.addContentTypeParser('application/taxii+json', { parseAs: 'buffer', bodyLimit: ctx.config.taxiiMaxContentLength }, (request, body, done) => {
        const version = /;\s*version\s*=\s*"?([^";\s]+)/i.exec(String(request.headers['content-type']))?.[1];
        if (version !== undefined && version !== '2.1') done(new AppError('unsupported-media-type', `This server speaks TAXII 2.1; got version ${version.slice(0, 20)}.`), undefined);
        else done(null, body);
      });
      scope.addHook('onRequest', async (request) => {
        if (!acceptsTaxii(request.headers.accept)) throw new AppError('not-acceptable', `This server answers with ${TAXII_MEDIA_TYPE}; add it to the Accept header.`);
      });

      const user = (request: FastifyRequest) => actorOf(request);

      scope.get('/', async (request, reply) => {
        user(request);
        return send(reply, 200, {
          title: 'Election Ops Center',
          description: 'Threat intelligence shared by election offices and their partners, under the TLP 2.0 sharing policy.',
          default: root,
          api_roots: [root],
        });
      });

      scope.get('/api/', async (request, reply) => {
        user(request);
        return send(reply, 200, {
          title: 'Election Ops Center',
          description: 'STIX 2.1 collections of this community.',
          versions: [TAXII_MEDIA_TYPE],
          max_content_length: ctx.config.taxiiMaxContentLength,
        });
      });

      scope.get('/api/status/:statusId/', async (request, reply) => {
        const actor = user(request);
        const { statusId } = request.params as { statusId: string };
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(statusId)) throw new AppError('not-found', 'No such status.');
        const [s] = await ctx.db.select().from(taxiiStatuses).where(and(eq(taxiiStatuses.id, statusId), eq(taxiiStatuses.userId, actor.userId)));
        if (!s) throw new AppError('not-found', 'No such status.');
        return send(reply, 200, statusResource(s));
      });

      scope.get('/api/collections/', async (request, reply) => {
        const actor = user(request);
        const rows = await listCollectionsFor(ctx, actor);
        return send(reply, 200, rows.length ? { collections: rows.map((c) => collectionResource(c, actor)) } : {});
      });

      scope.get('/api/collections/:id/', async (request, reply) => {
        const actor = user(request);
        const c = await collectionFor(ctx.db, actor, (request.params as { id: string }).id);
        return send(reply, 200, collectionResource(c, actor));
      });

      scope.get('/api/collections/:id/objects/', async (request, reply) => {
        const actor = user(request);
        const c = await collectionFor(ctx.db, actor, (request.params as { id: string }).id);
        const page = await readPage(ctx, actor, c, filterOf(request.query as Record<string, unknown>), { body: true, defaultVersion: 'last' });
        pageHeaders(reply, page.first, page.last);
        return send(reply, 200, envelope(page.more, page.next, page.rows.map((r) => r.body!)));
      });

      scope.get('/api/collections/:id/manifest/', async (request, reply) => {
        const actor = user(request);
        const c = await collectionFor(ctx.db, actor, (request.params as { id: string }).id);
        const page = await readPage(ctx, actor, c, filterOf(request.query as Record<string, unknown>), { body: false, defaultVersion: 'last' });
        pageHeaders(reply, page.first, page.last);
        const objects = page.rows.map((r) => ({ id: r.stix_id, date_added: r.added, version: shownVersion(r), media_type: STIX_MEDIA_TYPE }));
        return send(reply, 200, { more: page.more, ...(page.next ? { next: page.next } : {}), ...(objects.length ? { objects } : {}) });
      });

      scope.get('/api/collections/:id/objects/:objectId/', async (request, reply) => {
        const actor = user(request);
        const { id, objectId } = request.params as { id: string; objectId: string };
        const c = await collectionFor(ctx.db, actor, id);
        if (!isIdentifier(objectId)) throw new AppError('not-found', 'No such object in this collection.');
        const page = await readPage(ctx, actor, c, { ...filterOf(request.query as Record<string, unknown>), ids: [objectId] }, { body: true, defaultVersion: 'last' });
        if (page.rows.length === 0 && !(request.query as Record<string, unknown>).next) throw new AppError('not-found', 'No such object in this collection.');
        pageHeaders(reply, page.first, page.last);
        return send(reply, 200, envelope(page.more, page.next, page.rows.map((r) => r.body!)));
      });

      scope.get('/api/collections/:id/objects/:objectId/versions/', async (request, reply) => {
        const actor = user(request);
        const { id, objectId } = request.params as { id: string; objectId: string };
        const c = await collectionFor(ctx.db, actor, id);
        if (!isIdentifier(objectId)) throw new AppError('not-found', 'No such object in this collection.');
        const { versions: _ignored, ...f } = filterOf(request.query as Record<string, unknown>);
        const page = await readPage(ctx, actor, c, { ...f, ids: [objectId] }, { body: false, defaultVersion: 'all' });
        if (page.rows.length === 0 && !f.next) throw new AppError('not-found', 'No such object in this collection.');
        pageHeaders(reply, page.first, page.last);
        return send(reply, 200, { more: page.more, ...(page.next ? { next: page.next } : {}), versions: page.rows.map(shownVersion) });
      });

      scope.post('/api/collections/:id/objects/', async (request, reply) => {
        const actor = user(request);
        const c = await collectionFor(ctx.db, actor, (request.params as { id: string }).id);
        if (!canWrite(c, actor.orgId)) throw new AppError('forbidden', 'Your organisation may read this collection but not add to it.');
        const requestedAt = new Date();
        // The envelope is read and checked off the main thread (stix/preparer.ts); the status resource is written
        // once the objects and the request's audit entry have committed, before the answer.
        const { recorded: s } = await addObjects(ctx, actor, c, { envelope: (request.body as Buffer | undefined) ?? '' }, async (tx, result) => {
          const status = { collectionId: c.id, userId: actor.userId, orgId: actor.orgId, status: 'complete' as const, totalCount: result.total, successes: result.successes, failures: result.failures, pendings: [], requestedAt };
          // Only the new id comes back: the lists, one entry per object, are already here.
          const [row] = await tx.insert(taxiiStatuses).values(status).returning({ id: taxiiStatuses.id });
          return { ...status, id: row!.id };
        });
        return send(reply, 202, statusResource(s));
      });

      scope.delete('/api/collections/:id/objects/:objectId/', async (request, reply) => {
        const actor = user(request);
        const { id, objectId } = request.params as { id: string; objectId: string };
        const c = await collectionFor(ctx.db, actor, id);
        if (!canWrite(c, actor.orgId)) throw new AppError('forbidden', 'Your organisation may not delete from this collection.');
        if (!isIdentifier(objectId)) throw new AppError('not-found', 'No such object in this collection.');
        const f = filterOf(request.query as Record<string, unknown>);
        const deleted = await deleteObject(ctx, actor, c, objectId, f);
        if (deleted === 0) throw new AppError('not-found', 'No such object (or version) in this collection that your organisation added.');
        return send(reply, 200, '');
      });
    },
    { prefix: '/taxii2' },
  );
}

function envelope(more: boolean, next: string | null, bodies: readonly string[]): string {
  // The stored JSON text of each object goes out as it came in, without being parsed again.
  const head = `{"more":${more}${next ? `,"next":${JSON.stringify(next)}` : ''}`;
  return bodies.length ? `${head},"objects":[${bodies.join(',')}]}` : `${head}}`;
}

async function deleteObject(ctx: AppContext, actor: UserActor, c: Collection, objectId: string, f: TaxiiFilter): Promise<number> {
  const versions = f.versions ?? ['all'];
  return ctx.db.transaction(async (tx) => {
    const stamps = versions.filter((v) => v !== 'first' && v !== 'last' && v !== 'all');
    const cond = versions.includes('all')
      ? sql`true`
      : sql.join(
          [
            ...(versions.includes('last') ? [sql`o.is_latest`] : []),
            ...(versions.includes('first') ? [sql`not exists (select 1 from stix_objects p where p.collection_id = o.collection_id and p.stix_id = o.stix_id and (p.version_at, p.date_added) < (o.version_at, o.date_added))`] : []),
            ...(stamps.length ? [sql`o.version_at = any(${`{${stamps.join(',')}}`}::timestamptz[])`] : []),
          ],
          sql` or `,
        );
    const deleted = rowsOf<{ seq: number }>(await tx.execute(sql`
      delete from ${stixObjects} o
      where o.collection_id = ${c.id}::uuid and o.stix_id = ${objectId} and o.owner_org = ${actor.orgId}::uuid and ${readableBy(STIX_ROW, actor)} and (${cond})
      ${f.specVersions?.length ? sql`and o.spec_version = any(${`{${f.specVersions.join(',')}}`}::text[])` : sql``}
      returning o.seq`));
    const count = deleted.length;
    if (count) {
      await tx.execute(sql`
        update stix_objects s set is_latest = r.latest
        from (select seq, row_number() over (order by version_at desc, date_added desc) = 1 as latest from stix_objects where collection_id = ${c.id}::uuid and stix_id = ${objectId}) r
        where s.seq = r.seq and s.is_latest is distinct from r.latest`);
      await auditsInsert(tx, [{ actor, entry: { action: 'intel.objects-deleted', targetKind: 'stix-object', targetId: objectId, details: { collection: c.id, versions: count } } }]);
    }
    return count;
  }).finally(() => auditWritten());
}

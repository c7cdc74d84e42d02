// REST routes of threat intelligence: TAXII collections for administrators, the STIX store for the web
// application (search, one object with its relationships), and STIX bundle uploads.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { Cursor, Uuid } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { isOrgAdmin } from '../access/actor.js';
import { canRead, canWrite, collectionFor, createCollection, listAllCollections, listCollectionsFor, type Collection } from './collections-service.js';
import { getObject, listObjects } from './objects-service.js';
import { victimCounts } from '../assets/victims-service.js';
import { recordSighting, reportFalsePositive, revokeObject, type SightingInput } from './feedback-service.js';
import { addObjects } from './store-service.js';
import { createFeed, deleteFeed, listFeeds, presentFeed, updateFeed, type FeedInput } from './feeds-service.js';
import { indicatorsFromCsv, objectsFromMisp, type Converted } from './imports.js';
import { exportBundle, exportCsv, type ExportQuery } from './exports.js';
import { advisoryStixRefs } from '../advisories/service.js';
import { Readable } from 'node:stream';

const tags = ['Threat intelligence'];

const CollectionBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    readers: Type.Union([Type.Literal('all'), Type.Array(Uuid, { maxItems: 20_000 })], { description: '"all" (every member organisation) or a list of organisation ids' }),
    writers: Type.Array(Uuid, { maxItems: 20_000, description: 'organisations that may add objects' }),
    defaultTlp: Type.Optional(Type.Union([Type.Literal('CLEAR'), Type.Literal('GREEN'), Type.Literal('AMBER'), Type.Literal('AMBER+STRICT')], { description: 'TLP of objects without a TLP marking (default AMBER)' })),
  },
  { additionalProperties: false },
);

function presentCollection(c: Collection, orgId: string) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    readers: c.readersAll ? 'all' : c.readerOrgs,
    writers: c.writerOrgs,
    defaultTlp: c.defaultTlp,
    canRead: canRead(c, orgId),
    canWrite: canWrite(c, orgId),
    taxiiPath: `/taxii2/api/collections/${c.id}/`,
    lastAddedAt: c.lastAddedAt?.toISOString() ?? null,
    /** Object versions stored in it so far (a deletion does not count down). */
    objectsAdded: c.objectsAdded,
    createdAt: c.createdAt.toISOString(),
  };
}

export function intelRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/taxii/collections', { schema: { tags, summary: 'TAXII collections you may read or write (all of them for system administrators)' } }, async (request) => {
    const actor = actorOf(request);
    const rows = actor.systemAdmin && isOrgAdmin(actor, actor.orgId) ? await listAllCollections(ctx, actor) : await listCollectionsFor(ctx, actor);
    return { items: rows.map((c) => presentCollection(c, actor.orgId)) };
  });

  app.post('/api/v1/taxii/collections', { schema: { tags, summary: 'Create a TAXII collection (system administrators)', body: CollectionBody } }, async (request, reply) => {
    const actor = actorOf(request);
    const body = request.body as { title: string; description?: string; readers: 'all' | string[]; writers: string[]; defaultTlp?: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' };
    const c = await createCollection(ctx, actor, { title: body.title, description: body.description ?? null, readers: body.readers, writers: body.writers, ...(body.defaultTlp ? { defaultTlp: body.defaultTlp } : {}) });
    return reply.status(201).send(presentCollection(c, actor.orgId));
  });

  app.get('/api/v1/intel/objects', {
    schema: {
      tags,
      summary: 'STIX objects shared with you, each once at the newest version you may see (with collection: its latest there), newest first; q searches names, ids, patterns and ATT&CK ids (T1566) and accepts defanged input (hxxp://evil[.]com)',
      querystring: Type.Object(
        {
          type: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,249}$' })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          collection: Type.Optional(Uuid),
          includeRevoked: Type.Optional(Type.Boolean()),
          includeDeprecated: Type.Optional(Type.Boolean({ description: 'also objects their producer marks deprecated (ATT&CK x_mitre_deprecated); they are listed anyway when asked for by id' })),
          cursor: Type.Optional(Cursor),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        },
        { additionalProperties: false },
      ),
    },
  }, async (request) => listObjects(ctx, actorOf(request), request.query as Parameters<typeof listObjects>[2]));

  app.get('/api/v1/intel/objects/:stixId', {
    schema: { tags, summary: 'One STIX object (latest version you may see), its versions, its relationships and the objects it refers to (object_refs) that you may see', params: Type.Object({ stixId: Type.String({ maxLength: 300, pattern: '^[a-z0-9-]+--[0-9a-fA-F-]{36}$' }) }, { additionalProperties: false }) },
  }, async (request) => {
    const actor = actorOf(request);
    const stixId = (request.params as { stixId: string }).stixId;
    const { producer, ...view } = await getObject(ctx, actor, stixId);
    // The producer learns how many offices the indicator touched and how many acknowledged; never which.
    return { ...view, victims: producer ? await victimCounts(ctx.db, stixId) : null };
  });

  const FeedAuth = Type.Union([
    Type.Object({ type: Type.Literal('none') }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('bearer'), token: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('basic'), username: Type.String({ maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }),
  ]);
  const FeedBody = Type.Object(
    {
      title: Type.String({ minLength: 1, maxLength: 200 }),
      url: Type.String({ minLength: 10, maxLength: 2000, description: 'the remote collection: https://host/…/collections/ID/' }),
      auth: FeedAuth,
      targetCollectionId: Uuid,
      defaultTlp: Type.Optional(Type.Union([Type.Literal('CLEAR'), Type.Literal('GREEN'), Type.Literal('AMBER'), Type.Literal('AMBER+STRICT')])),
      intervalMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
      since: Type.Optional(Type.String({ maxLength: 40, description: 'start from objects added after this time (default: everything)' })),
    },
    { additionalProperties: false },
  );
  app.get('/api/v1/intel/feeds', { schema: { tags, summary: 'TAXII feeds this installation polls, with their health (system administrators)' } }, async (request) => ({ items: (await listFeeds(ctx, actorOf(request))).map(presentFeed) }));
  app.post('/api/v1/intel/feeds', { schema: { tags, summary: 'Subscribe to a collection on another TAXII 2.1 server (system administrators)', body: FeedBody } }, async (request, reply) => {
    const feed = await createFeed(ctx, actorOf(request), request.body as FeedInput);
    ctx.jobs.kick();
    return reply.status(201).send(presentFeed(feed));
  });
  app.patch('/api/v1/intel/feeds/:id', {
    schema: { tags, summary: 'Pause or resume a feed, change its interval, or poll it now', params: Type.Object({ id: Uuid }, { additionalProperties: false }), body: Type.Object({ enabled: Type.Optional(Type.Boolean()), intervalMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })), pollNow: Type.Optional(Type.Boolean()), auth: Type.Optional(FeedAuth) }, { additionalProperties: false }) },
  }, async (request) => presentFeed(await updateFeed(ctx, actorOf(request), (request.params as { id: string }).id, request.body as Parameters<typeof updateFeed>[3])));
  app.delete('/api/v1/intel/feeds/:id', { schema: { tags, summary: 'Remove a feed (what it brought in stays)', params: Type.Object({ id: Uuid }, { additionalProperties: false }) } }, async (request, reply) => {
    await deleteFeed(ctx, actorOf(request), (request.params as { id: string }).id);
    return reply.status(204).send();
  });

  app.get('/api/v1/intel/export', {
    schema: {
      tags,
      summary: 'Everything you may see of the STIX store (each object once, at the newest version you may see), as a STIX 2.1 bundle or a CSV list of indicators, with the same filters as the list; advisory: only what that advisory names',
      querystring: Type.Object(
        {
          format: Type.Union([Type.Literal('stix'), Type.Literal('csv')], { default: 'stix' }),
          type: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,249}$' })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          collection: Type.Optional(Uuid),
          includeRevoked: Type.Optional(Type.Boolean()),
          includeDeprecated: Type.Optional(Type.Boolean({ description: 'also objects their producer marks deprecated (ATT&CK x_mitre_deprecated); they are listed anyway when asked for by id' })),
          advisory: Type.Optional(Type.String({ format: 'uuid', pattern: Uuid.pattern, description: 'only the objects this advisory names (404 when it is not shared with you)' })),
        },
        { additionalProperties: false },
      ),
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { advisory, ...query } = request.query as ExportQuery & { format: 'stix' | 'csv'; advisory?: string };
    const q: ExportQuery = advisory ? { ...query, ids: await advisoryStixRefs(ctx, actor, advisory) } : query;
    const name = `${advisory ? `advisory-${advisory.slice(0, 8)}-` : ''}${new Date().toISOString().slice(0, 10)}`;
    if (query.format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="indicators-${name}.csv"`).send(Readable.from(exportCsv(ctx, actor, q)));
    }
    return reply.header('content-type', 'application/stix+json;version=2.1').header('content-disposition', `attachment; filename="stix-${name}.json"`).send(Readable.from(exportBundle(ctx, actor, q)));
  });

  const StixIdParams = Type.Object({ stixId: Type.String({ maxLength: 300, pattern: '^[a-z0-9-]+--[0-9a-fA-F-]{36}$' }) }, { additionalProperties: false });
  app.post('/api/v1/intel/objects/:stixId/false-positive', {
    schema: { tags, summary: 'Report an indicator you may see as a false positive (its producer sees the report, not your name)', params: StixIdParams, body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    await reportFalsePositive(ctx, actorOf(request), (request.params as { stixId: string }).stixId, (request.body as { note?: string }).note ?? null);
    return reply.status(204).send();
  });
  app.post('/api/v1/intel/objects/:stixId/sightings', {
    schema: {
      tags,
      summary: 'Report that your organisation saw an indicator; its producer sees the count, and your name only with shareName',
      params: StixIdParams,
      body: Type.Object(
        {
          count: Type.Optional(Type.Integer({ minimum: 1, maximum: 999_999_999 })),
          firstSeen: Type.Optional(Type.String({ maxLength: 40 })),
          lastSeen: Type.Optional(Type.String({ maxLength: 40 })),
          shareName: Type.Optional(Type.Boolean()),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
    },
  }, async (request, reply) => {
    await recordSighting(ctx, actorOf(request), (request.params as { stixId: string }).stixId, request.body as SightingInput);
    return reply.status(204).send();
  });
  app.post('/api/v1/intel/objects/:stixId/revoke', { schema: { tags, summary: 'Revoke an indicator your organisation produced (a new version marked revoked, served over TAXII too)', params: StixIdParams } }, async (request) => ({
    revokedCopies: await revokeObject(ctx, actorOf(request), (request.params as { stixId: string }).stixId),
  }));

  // Bundle uploads take application/json or application/stix+json, up to the TAXII content limit.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/stix+json', { parseAs: 'string', bodyLimit: ctx.config.taxiiMaxContentLength }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new AppError('invalid-json', 'The body is not valid JSON.'), undefined);
      }
    });
    // Attachments take text/csv as a file (platform/files/raw-body.ts); here it is a list to read as text.
    scope.removeContentTypeParser('text/csv');
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: ctx.config.taxiiMaxContentLength }, (_request, body, done) => done(null, body));
    const importInto = async (request: import('fastify').FastifyRequest, convert: (scopeKey: string, now: string) => Converted) => {
      const actor = actorOf(request);
      const c = await collectionFor(ctx.db, actor, (request.params as { id: string }).id);
      const converted = convert(c.id, new Date().toISOString());
      const result = converted.objects.length ? await addObjects(ctx, actor, c, { objects: converted.objects }) : { successes: [], failures: [] };
      const problems = [...converted.problems.map((p) => ({ where: p.where, message: p.message })), ...result.failures.map((f) => ({ where: f.id, message: f.message ?? 'refused' }))];
      return { converted: converted.objects.length, stored: result.successes.length, refused: problems.length, problems };
    };
    scope.post('/api/v1/intel/collections/:id/csv', {
      bodyLimit: ctx.config.taxiiMaxContentLength,
      schema: { tags, summary: 'Import a CSV list of indicators (header: type,value,description,valid_until; optional confidence) as text/csv; problems are reported per line', params: Type.Object({ id: Uuid }, { additionalProperties: false }) },
    }, async (request) => {
      if (typeof request.body !== 'string') throw new AppError('unsupported-media-type', 'Send the list as text/csv.');
      const text = request.body;
      return importInto(request, (scopeKey, now) => indicatorsFromCsv(text, scopeKey, now));
    });
    scope.post('/api/v1/intel/collections/:id/misp', {
      bodyLimit: ctx.config.taxiiMaxContentLength,
      config: { textCheckedPerObject: true },
      schema: { tags, summary: 'Import MISP JSON events: attributes become STIX indicators, each event a report naming them; the event\'s tlp tag becomes the marking', params: Type.Object({ id: Uuid }, { additionalProperties: false }) },
    }, async (request) => {
      const body = request.body;
      return importInto(request, (_scopeKey, now) => objectsFromMisp(body, now));
    });
    scope.post('/api/v1/intel/collections/:id/bundle', {
      bodyLimit: ctx.config.taxiiMaxContentLength,
      config: { textCheckedPerObject: true },
      schema: { tags, summary: 'Upload a STIX 2.1 bundle into a collection you may write; answers which objects were stored and why others were refused', params: Type.Object({ id: Uuid }, { additionalProperties: false }) },
    }, async (request) => {
      const actor = actorOf(request);
      const c = await collectionFor(ctx.db, actor, (request.params as { id: string }).id);
      const body = request.body as { type?: unknown; objects?: unknown } | null;
      if (!body || typeof body !== 'object' || body.type !== 'bundle' || !Array.isArray(body.objects)) {
        throw new AppError('validation-failed', 'The file is not a STIX bundle: expected {"type": "bundle", "id": "bundle--…", "objects": [...]}.', { details: [{ field: 'body', message: 'not a STIX bundle' }] });
      }
      const result = await addObjects(ctx, actor, c, { objects: body.objects });
      return { total: body.objects.length, stored: result.successes.length, refused: result.failures.length, successes: result.successes, failures: result.failures };
    });
  });
}

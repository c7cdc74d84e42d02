// HTTP routes of advisories: write and edit drafts, review (return or publish), withdraw, read, respond.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { Cursor, IdParams, RecipientsSchema, TlpSchema, Uuid } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { COMPONENT_IDS } from '../incidents/taxonomy.js';
import { ADVISORY_SEVERITIES, ADVISORY_STATUSES, RESPONSE_KINDS } from './schema.js';
import { createAdvisory, getAdvisory, listAdvisories, publishAdvisory, respondToAdvisory, returnAdvisory, submitAdvisory, updateAdvisory, withdrawAdvisory, type AdvisoryInput } from './service.js';

const tags = ['Advisories'];
const literalUnion = (values: readonly string[], description: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });

const AdvisoryBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    summary: Type.String({ minLength: 1, maxLength: 20_000, description: 'What is happening (Markdown)' }),
    actions: Type.String({ minLength: 1, maxLength: 20_000, description: 'What to do now (Markdown)' }),
    components: Type.Optional(Type.Array(literalUnion(COMPONENT_IDS, 'affected component'), { maxItems: COMPONENT_IDS.length, uniqueItems: true })),
    severity: literalUnion(ADVISORY_SEVERITIES, 'low, medium, high or critical'),
    tlp: TlpSchema,
    recipients: Type.Optional(RecipientsSchema),
    stixRefs: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 1000, description: 'STIX ids of linked indicators and other objects' })),
    cves: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 200, description: 'CVE ids the advisory is about (CVE-2024-3400); each reader sees which of its own systems they touch' })),
    incidentIds: Type.Optional(Type.Array(Uuid, { maxItems: 200, description: 'linked incidents' })),
  },
  { additionalProperties: false },
);

export function advisoryRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/advisories', {
    schema: {
      tags,
      summary: 'Advisories you may read (published to you, and your organisation\'s drafts), latest first',
      querystring: Type.Object(
        {
          status: Type.Optional(literalUnion([...ADVISORY_STATUSES, 'drafts'], 'a status, or drafts for draft and in-review')),
          severity: Type.Optional(literalUnion(ADVISORY_SEVERITIES, 'severity')),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          cursor: Type.Optional(Cursor),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        },
        { additionalProperties: false },
      ),
    },
  }, async (request) => listAdvisories(ctx, actorOf(request), request.query as Parameters<typeof listAdvisories>[2]));

  app.post('/api/v1/advisories', { schema: { tags, summary: 'Draft an advisory (analysts)', body: AdvisoryBody } }, async (request, reply) => {
    const a = await createAdvisory(ctx, actorOf(request), request.body as AdvisoryInput);
    return reply.status(201).send(await getAdvisory(ctx, actorOf(request), a.id));
  });

  app.get('/api/v1/advisories/:id', { schema: { tags, summary: 'One advisory with its linked indicators and incidents (those you may see) and responses', params: IdParams } }, async (request) =>
    getAdvisory(ctx, actorOf(request), (request.params as { id: string }).id));

  app.put('/api/v1/advisories/:id', { schema: { tags, summary: 'Edit a draft', params: IdParams, body: AdvisoryBody } }, async (request) => {
    const id = (request.params as { id: string }).id;
    await updateAdvisory(ctx, actorOf(request), id, request.body as AdvisoryInput);
    return getAdvisory(ctx, actorOf(request), id);
  });

  app.post('/api/v1/advisories/:id/submit', { schema: { tags, summary: 'Send a draft for review by another analyst of your organisation', params: IdParams } }, async (request) => {
    const id = (request.params as { id: string }).id;
    await submitAdvisory(ctx, actorOf(request), id);
    return getAdvisory(ctx, actorOf(request), id);
  });

  app.post('/api/v1/advisories/:id/return', { schema: { tags, summary: 'Return an advisory in review to its author with a note', params: IdParams, body: Type.Object({ note: Type.String({ maxLength: 5000 }) }, { additionalProperties: false }) } }, async (request) => {
    const id = (request.params as { id: string }).id;
    await returnAdvisory(ctx, actorOf(request), id, (request.body as { note: string }).note);
    return getAdvisory(ctx, actorOf(request), id);
  });

  app.post('/api/v1/advisories/:id/publish', { schema: { tags, summary: 'Publish an advisory you reviewed: every recipient is notified (in-app, email, webhook)', params: IdParams } }, async (request) => {
    const id = (request.params as { id: string }).id;
    await publishAdvisory(ctx, actorOf(request), id);
    return getAdvisory(ctx, actorOf(request), id);
  });

  app.post('/api/v1/advisories/:id/withdraw', { schema: { tags, summary: 'Withdraw a published advisory, saying why', params: IdParams, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }) } }, async (request) => {
    const id = (request.params as { id: string }).id;
    await withdrawAdvisory(ctx, actorOf(request), id, (request.body as { reason: string }).reason);
    return getAdvisory(ctx, actorOf(request), id);
  });

  app.post('/api/v1/advisories/:id/responses', {
    schema: { tags, summary: 'Acknowledge, or report "we are affected" / "we saw this" (recipient organisations)', params: IdParams, body: Type.Object({ kind: literalUnion(RESPONSE_KINDS, 'acknowledged, affected or seen'), note: Type.Optional(Type.String({ maxLength: 5000 })) }, { additionalProperties: false }) },
  }, async (request) => {
    const id = (request.params as { id: string }).id;
    const body = request.body as { kind: (typeof RESPONSE_KINDS)[number]; note?: string };
    await respondToAdvisory(ctx, actorOf(request), id, body.kind, body.note ?? null);
    return getAdvisory(ctx, actorOf(request), id);
  });
}

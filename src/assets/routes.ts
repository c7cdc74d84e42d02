// HTTP routes of the election systems inventory: list, add, change, remove; CSV import (a report per row) and
// export; equipment near or past its end of support.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { IdParams } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { ASSET_COMPONENTS, CERTIFICATION, CONNECTIVITY, NEAR_END_OF_SUPPORT_DAYS } from './taxonomy.js';
import { acknowledgeVictimMatch, discloseVictimMatch, listVictimMatches } from './victims-service.js';
import { createAsset, deleteAsset, endOfSupport, exportAssetsCsv, importAssetsCsv, listAssets, updateAsset, type AssetInput } from './service.js';

const tags = ['Inventory'];
const Str = (max: number) => Type.String({ maxLength: max });
const AssetBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    component: Type.String({ maxLength: 60, description: Object.keys(ASSET_COMPONENTS).join(', ') }),
    hostnames: Type.Optional(Type.Array(Str(253), { maxItems: 500 })),
    ipRanges: Type.Optional(Type.Array(Str(50), { maxItems: 500, description: 'addresses and networks, e.g. 198.51.100.0/24' })),
    domains: Type.Optional(Type.Array(Str(253), { maxItems: 500 })),
    vendor: Type.Optional(Type.Union([Str(200), Type.Null()])),
    product: Type.Optional(Type.Union([Str(200), Type.Null()])),
    version: Type.Optional(Type.Union([Str(100), Type.Null()])),
    certification: Type.Optional(Type.String({ maxLength: 40, description: Object.keys(CERTIFICATION).join(', ') })),
    acquiredOn: Type.Optional(Type.Union([Str(10), Type.Null()])),
    endOfSupport: Type.Optional(Type.Union([Str(10), Type.Null()])),
    connectivity: Type.String({ maxLength: 40, description: Object.keys(CONNECTIVITY).join(', ') }),
    notes: Type.Optional(Type.Union([Str(5000), Type.Null()])),
  },
  { additionalProperties: false },
);

function present(a: Awaited<ReturnType<typeof listAssets>>[number]) {
  return { ...a, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
}

export function assetRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/assets/taxonomy', { schema: { tags, summary: 'Components, connectivity classes and certifications, with their labels' } }, async (request) => {
    actorOf(request);
    const list = (o: Record<string, string>) => Object.entries(o).map(([id, label]) => ({ id, label }));
    return { components: list(ASSET_COMPONENTS), connectivity: list(CONNECTIVITY), certification: list(CERTIFICATION), nearEndOfSupportDays: NEAR_END_OF_SUPPORT_DAYS };
  });
  app.get('/api/v1/orgs/:id/assets', { schema: { tags, summary: "An organisation's election systems (the organisation and its state's analysts)", params: IdParams } }, async (request) => ({
    items: (await listAssets(ctx, actorOf(request), (request.params as { id: string }).id)).map(present),
  }));
  app.post('/api/v1/orgs/:id/assets', { schema: { tags, summary: 'Add a system to your inventory', params: IdParams, body: AssetBody } }, async (request, reply) =>
    reply.status(201).send(present(await createAsset(ctx, actorOf(request), (request.params as { id: string }).id, request.body as AssetInput))));
  app.put('/api/v1/assets/:id', { schema: { tags, summary: 'Change a system of your inventory', params: IdParams, body: AssetBody } }, async (request) =>
    present(await updateAsset(ctx, actorOf(request), (request.params as { id: string }).id, request.body as AssetInput)));
  app.delete('/api/v1/assets/:id', { schema: { tags, summary: 'Remove a system from your inventory', params: IdParams } }, async (request, reply) => {
    await deleteAsset(ctx, actorOf(request), (request.params as { id: string }).id);
    return reply.status(204).send();
  });
  app.post('/api/v1/orgs/:id/assets/import', {
    bodyLimit: ctx.config.attachmentLimitBytes,
    schema: { tags, summary: 'Import an inventory CSV (text/csv; the columns of the export); a report of every refused row', params: IdParams },
  }, async (request) => {
    if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported-media-type', 'Send the inventory as text/csv.');
    return importAssetsCsv(ctx, actorOf(request), (request.params as { id: string }).id, request.body);
  });
  app.get('/api/v1/orgs/:id/assets/export', { schema: { tags, summary: 'The inventory as CSV (the import format)', params: IdParams } }, async (request, reply) => {
    const csv = await exportAssetsCsv(ctx, actorOf(request), (request.params as { id: string }).id);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="inventory-${new Date().toISOString().slice(0, 10)}.csv"`).send(csv);
  });
  app.get('/api/v1/victim-matches', {
    schema: { tags, summary: 'Threats that touch your organisation\'s systems: what matched, why it matters, what to do', querystring: Type.Object({ open: Type.Optional(Type.Boolean()), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }) },
  }, async (request) => listVictimMatches(ctx, actorOf(request), request.query as { open?: boolean; limit: number }));
  app.post('/api/v1/victim-matches/:id/acknowledge', { schema: { tags, summary: 'Acknowledge a notification (its producer learns only the count)', params: IdParams } }, async (request, reply) => {
    await acknowledgeVictimMatch(ctx, actorOf(request), (request.params as { id: string }).id);
    return reply.status(204).send();
  });
  app.post('/api/v1/victim-matches/:id/disclose', { schema: { tags, summary: 'Let the producer of the threat know your office was touched (otherwise it learns only the count)', params: IdParams } }, async (request, reply) => {
    await discloseVictimMatch(ctx, actorOf(request), (request.params as { id: string }).id);
    return reply.status(204).send();
  });
  app.get('/api/v1/assets/end-of-support', { schema: { tags, summary: 'Equipment past or near its end of support: counts per state, and the systems of your organisation (and, for a state, its offices)' } }, async (request) =>
    endOfSupport(ctx, actorOf(request)));
}

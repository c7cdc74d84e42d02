// Org admins read their organisation's audit log in the UI.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { requireOrgAdmin } from '../access/actor.js';
import { listAuditForOrg } from './service.js';
import { AUDIT_EVENTS } from './events.js';

export function auditRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/orgs/:id/audit', {
    schema: {
      tags: ['audit'],
      summary: 'The audit log entries that concern an organisation (its admins only), newest first',
      params: IdParams,
      querystring: Type.Object({ before: Type.Optional(Type.Integer({ minimum: 1 })), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
    },
  }, async (request) => {
    const actor = actorOf(request);
    requireOrgAdmin(actor, request.params.id);
    const rows = await listAuditForOrg(ctx.db, { orgId: request.params.id, limit: request.query.limit, ...(request.query.before ? { before: request.query.before } : {}) });
    const last = rows.at(-1);
    return {
      items: rows.map((r) => ({ seq: r.seq, at: r.at, action: r.action, description: AUDIT_EVENTS[r.action as keyof typeof AUDIT_EVENTS] ?? r.action, outcome: r.outcome, actorUserId: r.actorUserId, actorOrgId: r.actorOrgId, targetKind: r.targetKind, targetId: r.targetId, details: r.details })),
      next: rows.length === request.query.limit && last ? String(last.seq) : null,
    };
  });
}

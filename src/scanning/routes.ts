// HTTP routes of hygiene scanning: authorisations (request with acceptance, approve, reject, revoke), scans
// (request, list, one with its full report), findings (list, accept as false positive or risk, reopen) and
// the reports (per office as HTML, PDF, CSV or JSON; per state as a roll-up).
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams } from '../platform/http/schemas.js';
import { sendReport, type ReportFormat } from '../platform/http/report-response.js';
import { actorOf } from '../access/auth-plugin.js';
import { CHECKS, SEVERITIES, type Severity } from './checks.js';
import { officeCsv, officeHtml, officePdf, officeReport, rollupCsv, rollupHtml, rollupPdf, stateRollup } from './report.js';
import type { FindingStatus, ScanWindow } from './schema.js';
import {
  acceptFinding, ACCEPTANCE, decideAuthorization, getAuthorization, getScanRun, listAuthorizations, listFindings, listScanRuns, presentAuthorization, presentScan, reopenFinding, requestAuthorization, requestScan, revokeAuthorization,
} from './service.js';

const tags = ['Hygiene scanning'];
const Uuid = Type.String({ format: 'uuid' });
const Window = Type.Object({
  days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7, description: '0 Sunday … 6 Saturday; empty for every day' }),
  start: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM local time (EOC_TIME_ZONE)' }),
  end: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }),
}, { additionalProperties: false });
const Format = (formats: string[], fallback: string) => Type.Object({ format: Type.Union(formats.map((f) => Type.Literal(f)), { default: fallback }) }, { additionalProperties: false });
type Format = ReportFormat;

const STATUSES = ['open', 'new', 'active', 'mitigated', 're-detected', 'accepted'] as const;

export function scanningRoutes(app: App, ctx: AppContext): void {
  app.get('/api/v1/scan-authorizations/terms', { schema: { tags, summary: 'The terms an office accepts when it asks to be scanned' } }, async () => ACCEPTANCE);

  app.post('/api/v1/scan-authorizations', {
    schema: {
      tags,
      summary: 'Ask for internet-facing systems to be scanned: the scope, the acceptance of the terms, a window and a rate',
      body: Type.Object({
        scope: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: 256, description: 'host names (or *.domain), IP addresses and CIDR ranges (at most /16, /112)' }),
        accept: Type.Boolean({ description: 'true: the office accepts the terms (GET /api/v1/scan-authorizations/terms)' }),
        window: Type.Optional(Window),
        ratePerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'new connections per second (default 100)' })),
        orgId: Type.Optional(Uuid),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(presentAuthorization(await requestAuthorization(ctx, actorOf(request), request.body as { scope: string[]; accept: boolean; window?: ScanWindow; ratePerSecond?: number; orgId?: string }))));

  app.get('/api/v1/scan-authorizations', {
    schema: { tags, summary: 'Scanning authorisations you may see', querystring: Type.Object({ status: Type.Optional(Type.Union(['requested', 'approved', 'rejected', 'revoked'].map((s) => Type.Literal(s)))), orgId: Type.Optional(Uuid) }, { additionalProperties: false }) },
  }, async (request) => listAuthorizations(ctx, actorOf(request), request.query as { status?: string; orgId?: string }));
  app.get('/api/v1/scan-authorizations/:id', { schema: { tags, summary: 'One authorisation', params: IdParams } }, async (request) => getAuthorization(ctx, actorOf(request), (request.params as { id: string }).id));
  app.post('/api/v1/scan-authorizations/:id/decision', {
    schema: { tags, summary: "The operations center's decision: approve or reject", params: IdParams, body: Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }) },
  }, async (request) => presentAuthorization(await decideAuthorization(ctx, actorOf(request), (request.params as { id: string }).id, request.body as { decision: 'approve' | 'reject'; note?: string })));
  app.post('/api/v1/scan-authorizations/:id/revoke', {
    schema: { tags, summary: 'Revoke an authorisation (the office or the operations center); queued scans are cancelled', params: IdParams, body: Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false })) },
  }, async (request) => presentAuthorization(await revokeAuthorization(ctx, actorOf(request), (request.params as { id: string }).id, (request.body ?? {}) as { note?: string })));

  app.post('/api/v1/scans', {
    schema: {
      tags,
      summary: 'Scan now under an approved authorisation (runs on a scanner node, inside the window)',
      body: Type.Object({ authorizationId: Uuid, targets: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: 256, description: 'default: the hosts and addresses of the scope' })) }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(202).send(presentScan(await requestScan(ctx, actorOf(request), request.body as { authorizationId: string; targets?: string[] }))));
  app.get('/api/v1/scans', {
    schema: { tags, summary: 'Scans you may see, newest first', querystring: Type.Object({ orgId: Type.Optional(Uuid), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }, { additionalProperties: false }) },
  }, async (request) => listScanRuns(ctx, actorOf(request), request.query as { orgId?: string; limit: number }));
  app.get('/api/v1/scans/:id', { schema: { tags, summary: 'One scan with its full report (hosts, ports, TLS, findings, method)', params: IdParams } }, async (request) => getScanRun(ctx, actorOf(request), (request.params as { id: string }).id));

  app.get('/api/v1/scan-findings', {
    schema: {
      tags,
      summary: 'Findings tracked across scans, worst and soonest due first',
      querystring: Type.Object({
        orgId: Type.Optional(Uuid),
        status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
        severity: Type.Optional(Type.Union(SEVERITIES.map((s) => Type.Literal(s)))),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
      }, { additionalProperties: false }),
    },
  }, async (request) => listFindings(ctx, actorOf(request), request.query as { orgId?: string; status?: FindingStatus | 'open'; severity?: Severity; limit: number; offset: number }));
  app.post('/api/v1/scan-findings/:id/accept', {
    schema: { tags, summary: 'Mark a finding a false positive or an accepted risk until a date (at most a year)', params: IdParams, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }), until: Type.String({ format: 'date-time' }) }, { additionalProperties: false }) },
  }, async (request) => acceptFinding(ctx, actorOf(request), (request.params as { id: string }).id, request.body as { reason: string; until: string }));
  app.post('/api/v1/scan-findings/:id/reopen', { schema: { tags, summary: 'Take back an acceptance', params: IdParams } }, async (request) => reopenFinding(ctx, actorOf(request), (request.params as { id: string }).id));
  app.get('/api/v1/scan-checks', { schema: { tags, summary: 'Every check the scanner makes: id, area, severity, title, fix' } }, async () => Object.entries(CHECKS).map(([id, c]) => ({ id, ...c })));

  app.get('/api/v1/scan-reports/:id', {
    schema: { tags, summary: "An office's hygiene report (id: the office): report card, KEV, findings, changes, trend, days to mitigate, method", params: IdParams, querystring: Format(['html', 'pdf', 'csv', 'json'], 'html') },
  }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const report = await officeReport(ctx, actorOf(request), id);
    return sendReport(reply, (request.query as { format: Format }).format, `hygiene-${id}`, { json: () => report, csv: () => officeCsv(report), pdf: () => officePdf(report), html: () => officeHtml(report) });
  });
  app.get('/api/v1/scan-reports/state/:id', {
    schema: { tags, summary: "A state's roll-up across its offices (id: the state)", params: IdParams, querystring: Format(['html', 'pdf', 'csv', 'json'], 'html') },
  }, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const r = await stateRollup(ctx, actorOf(request), id);
    return sendReport(reply, (request.query as { format: Format }).format, `hygiene-rollup-${id}`, { json: () => r, csv: () => rollupCsv(r), pdf: () => rollupPdf(r), html: () => rollupHtml(r) });
  });
}

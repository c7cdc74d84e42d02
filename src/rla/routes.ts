// HTTP routes of risk-limiting audits: setup by the state (contests, counties, risk limit, type), the counties'
// files (manifest, cast vote records, batch tallies as CSV bodies), the seed, sample sizes and rounds, audit
// boards (created by counties; signed in with a one-time passphrase, no account), retrieval lists, the full
// record, discrepancies into incidents, and the public summary of a finished audit.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams } from '../platform/http/schemas.js';
import { AppError } from '../platform/http/errors.js';
import { sendReport, type ReportFormat } from '../platform/http/report-response.js';
import { actorOf, cookieOptions } from '../access/auth-plugin.js';
import { AUDIT_TYPES, createAudit, enterSeed, listAudits, uploadManifest, uploadResults, type AuditInput } from './audit-service.js';
import { createBoards, sampleSizeOptions, startRound } from './round-service.js';
import { BOARD_COOKIE, boardFromToken, boardView, enterReading, READINGS, setMembers, signInBoard, signOff, type ReadingInput } from './board-service.js';
import { auditDetail, auditRecord, publicHtml, publicSummary, recordCsv, recordPdf, retrievalCsv, retrievalList, retrievalPdf } from './report.js';
import { reportDiscrepancy } from './discrepancy-service.js';

const tags = ['Risk-limiting audits'];
const Uuid = Type.String({ format: 'uuid' });
const CountyParams = Type.Object({ id: Uuid, orgId: Uuid }, { additionalProperties: false });
const Name = Type.String({ minLength: 1, maxLength: 200 });

function fileOf(request: FastifyRequest): { data: Buffer; fileName: string } {
  const body = request.body;
  if (!Buffer.isBuffer(body)) throw new AppError('unsupported-media-type', 'Send the file as the request body with Content-Type: text/csv.');
  const header = request.headers['x-filename'];
  let fileName = 'upload.csv';
  if (typeof header === 'string' && header) {
    try {
      fileName = decodeURIComponent(header).slice(0, 300);
    } catch {
      throw new AppError('validation-failed', 'X-Filename is not a valid URI-encoded name.', { details: [{ field: 'x-filename', message: 'invalid encoding' }] });
    }
  }
  return { data: body, fileName };
}

function boardToken(request: FastifyRequest): string | undefined {
  const header = request.headers['x-audit-board-token'];
  return typeof header === 'string' && header ? header : request.cookies[BOARD_COOKIE];
}

export function rlaRoutes(app: App, ctx: AppContext): void {
  app.post('/api/v1/audits', {
    schema: {
      tags,
      summary: 'Set up a risk-limiting audit (a state or territory): contests with their reported results, risk limit 1–20%, the type, the participating counties',
      body: Type.Object({
        name: Name,
        auditType: Type.Union(AUDIT_TYPES.map((t) => Type.Literal(t))),
        riskLimit: Type.Integer({ minimum: 1, maximum: 20 }),
        electionId: Type.Optional(Uuid),
        counties: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
        contests: Type.Array(Type.Object({
          name: Name,
          numWinners: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          votesAllowed: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          ballotsCast: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
          choices: Type.Array(Type.Object({ name: Name, votes: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) }, { additionalProperties: false }), { minItems: 2, maxItems: 100 }),
          counties: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 500, description: 'the counties whose ballots carry the contest (default: all of the audit)' })),
        }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const audit = await createAudit(ctx, actorOf(request), request.body as AuditInput);
    return reply.status(201).send(await auditDetail(ctx, actorOf(request), audit.id));
  });
  app.get('/api/v1/audits', { schema: { tags, summary: 'Audits you may see' } }, async (request) => listAudits(ctx, actorOf(request)));
  app.get('/api/v1/audits/:id', { schema: { tags, summary: 'An audit: settings, contests, counties with their files and progress this round, rounds with risk, discrepancies, next-round options', params: IdParams } }, async (request) => auditDetail(ctx, actorOf(request), (request.params as { id: string }).id));
  app.post('/api/v1/audits/:id/seed', {
    schema: { tags, summary: 'Enter the public random seed from the dice ceremony (at least 20 digits); it is then frozen', params: IdParams, body: Type.Object({ seed: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }) },
  }, async (request) => {
    const { id } = request.params as { id: string };
    await enterSeed(ctx, actorOf(request), id, (request.body as { seed: string }).seed);
    return auditDetail(ctx, actorOf(request), id);
  });
  app.put('/api/v1/audits/:id/counties/:orgId/manifest', {
    schema: {
      tags,
      summary: "A county's ballot manifest as a CSV body (Container, Tabulator optional; Batch Name, Number of Ballots), UTF-8 or Windows-1252; all or nothing, and it must add up to ballotsCast",
      params: CountyParams,
      querystring: Type.Object({ ballotsCast: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'the ballots cast the county reports' }) }, { additionalProperties: false }),
    },
  }, async (request) => {
    const { id, orgId } = request.params as { id: string; orgId: string };
    return uploadManifest(ctx, actorOf(request), id, orgId, { ...fileOf(request), ballotsCast: (request.query as { ballotsCast: number }).ballotsCast });
  });
  app.put('/api/v1/audits/:id/counties/:orgId/results', {
    schema: { tags, summary: 'Cast vote records (ballot comparison: Batch Name, Ballot Position, 1/0 per choice) or batch tallies (batch comparison: Batch Name, votes per choice) as a CSV body', params: CountyParams },
  }, async (request) => {
    const { id, orgId } = request.params as { id: string; orgId: string };
    return uploadResults(ctx, actorOf(request), id, orgId, fileOf(request));
  });
  app.get('/api/v1/audits/:id/sample-sizes', { schema: { tags, summary: "Sample-size options for the next round, per contest (BRAVO's asn, 0.7, 0.8, 0.9; supersimple; macro; all-ballots)", params: IdParams } }, async (request) => sampleSizeOptions(ctx, actorOf(request), (request.params as { id: string }).id));
  app.post('/api/v1/audits/:id/rounds', {
    schema: {
      tags,
      summary: 'Draw the next round: per contest an option key or a custom size (default: the 90% option, else the only one)',
      params: IdParams,
      body: Type.Object({ sizes: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Type.Object({ key: Type.Optional(Type.String({ maxLength: 20 })), size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })) }, { additionalProperties: false }))) }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(await startRound(ctx, actorOf(request), (request.params as { id: string }).id, (request.body as { sizes?: Record<string, { key?: string; size?: number }> }).sizes ?? {})));
  app.post('/api/v1/audits/:id/counties/:orgId/audit-boards', {
    schema: { tags, summary: "Set up the county's audit boards for this round; each gets a one-time passphrase, shown only in this answer", params: CountyParams, body: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 20 }) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const { id, orgId } = request.params as { id: string; orgId: string };
    reply.header('cache-control', 'no-store');
    return reply.status(201).send(await createBoards(ctx, actorOf(request), id, orgId, (request.body as { count: number }).count));
  });
  app.get('/api/v1/audits/:id/counties/:orgId/retrieval-list', {
    schema: { tags, summary: 'Where the ballots of the round are, per audit board (CSV, printable PDF with ballot labels, or JSON)', params: CountyParams, querystring: Type.Object({ format: Type.Union(['json', 'csv', 'pdf'].map((f) => Type.Literal(f)), { default: 'csv' }), round: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const { id, orgId } = request.params as { id: string; orgId: string };
    const q = request.query as { format: ReportFormat; round?: number };
    const list = await retrievalList(ctx, actorOf(request), id, orgId, q.round);
    return sendReport(reply, q.format, `retrieval-${list.county.replace(/[^A-Za-z0-9]+/g, '-')}-round-${list.round}`, { json: () => list, csv: () => retrievalCsv(list), pdf: () => retrievalPdf(list) });
  });
  app.get('/api/v1/audits/:id/report', {
    schema: { tags, summary: 'The full audit record: settings, seed, manifest digests, sample, every reading, discrepancies, risk per round (CSV, PDF or JSON)', params: IdParams, querystring: Type.Object({ format: Type.Union(['json', 'csv', 'pdf'].map((f) => Type.Literal(f)), { default: 'pdf' }) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const r = await auditRecord(ctx, actorOf(request), id);
    return sendReport(reply, (request.query as { format: ReportFormat }).format, `audit-record-${id}`, { json: () => r, csv: () => recordCsv(r), pdf: () => recordPdf(r) });
  });
  app.post('/api/v1/audits/:id/discrepancies/:interpretationId/incident', {
    schema: { tags, summary: 'Open an incident for a discrepancy the audit found (once)', params: Type.Object({ id: Uuid, interpretationId: Uuid }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const { id, interpretationId } = request.params as { id: string; interpretationId: string };
    return reply.status(201).send(await reportDiscrepancy(ctx, actorOf(request), id, interpretationId));
  });

  // The public summary of a finished audit (TLP:CLEAR): JSON for machines, a page for people.
  app.get('/api/v1/public/audits/:id', { schema: { tags, summary: 'Public summary of a completed audit (TLP:CLEAR); 404 until it is complete', params: IdParams } }, async (request) => {
    const s = await publicSummary(ctx, (request.params as { id: string }).id);
    if (!s) throw new AppError('not-found', 'There is no completed audit here.');
    return s;
  });
  app.get('/public/audits/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const s = await publicSummary(ctx, (request.params as { id: string }).id);
    return reply.status(s ? 200 : 404).type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(publicHtml(s));
  });

  // Audit boards: a passphrase instead of an account; the session lives in its own cookie.
  app.post('/api/v1/audit-board/sign-in', {
    config: { rateLimit: { max: ctx.config.authRateLimit, timeWindow: '1 minute' } },
    schema: { tags, summary: 'An audit board signs in with its one-time passphrase', body: Type.Object({ passphrase: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const session = await signInBoard(ctx, (request.body as { passphrase: string }).passphrase);
    void reply.setCookie(BOARD_COOKIE, session.token, { ...cookieOptions(request, ctx.config.secureCookies), sameSite: 'strict', expires: session.expiresAt });
    return { token: session.token, ...(await boardView(ctx, await boardFromToken(ctx, session.token))) };
  });
  app.get('/api/v1/audit-board', { schema: { tags, summary: "The signed-in board's ballots and what has been entered" } }, async (request) => boardView(ctx, await boardFromToken(ctx, boardToken(request))));
  app.put('/api/v1/audit-board/members', {
    schema: { tags, summary: 'The two board members, by name', body: Type.Object({ members: Type.Array(Type.String({ maxLength: 100 }), { minItems: 2, maxItems: 2 }) }, { additionalProperties: false }) },
  }, async (request) => setMembers(ctx, await boardFromToken(ctx, boardToken(request)), (request.body as { members: string[] }).members));
  app.post('/api/v1/audit-board/readings', {
    schema: {
      tags,
      summary: 'What both members agree a ballot (or batch) shows, for every contest; once per ballot',
      body: Type.Object({
        batchId: Uuid,
        position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
        readings: Type.Array(Type.Object({
          contestId: Uuid,
          reading: Type.Union(READINGS.map((r) => Type.Literal(r))),
          choices: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })),
          votes: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.Integer({ minimum: 0, maximum: 10_000_000 }))),
          comment: Type.Optional(Type.String({ maxLength: 1000 })),
        }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(await enterReading(ctx, await boardFromToken(ctx, boardToken(request)), request.body as { batchId: string; position: number | null; readings: ReadingInput[] })));
  app.post('/api/v1/audit-board/sign-off', { schema: { tags, summary: 'Both members sign off once every ballot is entered; the last board of a round ends it' } }, async (request) => signOff(ctx, await boardFromToken(ctx, boardToken(request))));
  app.post('/api/v1/audit-board/sign-out', { schema: { tags, summary: 'Forget the board session on this device' } }, async (_request, reply) => {
    void reply.clearCookie(BOARD_COOKIE, { path: '/' });
    return { ok: true };
  });
}

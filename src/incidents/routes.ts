// HTTP routes of incidents: report, queue and search, the case file and its work, the live board, after-action
// exports. Each route validates, calls one service function and presents its answer.
import { Type, type TSchema } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { Cursor, IdParams, Limit, RecipientsSchema, TlpSchema, Uuid } from '../platform/http/schemas.js';
import { actorOf } from '../access/auth-plugin.js';
import { sendStoredFile } from '../platform/files/send-file.js';
import { ACCEPTED_FILES } from '../platform/files/check-upload.js';
import { ASSESSMENTS, CATEGORIES, COMPONENTS, ESCALATION_LEVELS, PRIORITIES, SEVERITIES, STATUSES, SYMPTOMS } from './taxonomy.js';
import { PLAYBOOKS } from './playbooks.js';
import { SEVERITY_TABLE, SLA_MINUTES } from './severity.js';
import { getIncident, listIncidents, parseIncidentCursor } from './service.js';
import { reportIncident } from './report-service.js';
import { addIncidentAttachment, addNote, addTask, applyPlaybook, changeSharing, changeStatus, escalateIncident, getIncidentAttachment, linkIncidents, mergeIncident, possibleOwners, removeTask, triageIncident, unlinkIncidents, unmergeIncident, updateTask } from './case-service.js';
import { loadBoard } from './board-service.js';
import { incidentCsv, incidentPdf, periodCsv, periodPdf, periodSummary } from './after-action.js';

const oneOf = (ids: readonly string[], description: string) => Type.Union(ids.map((id) => Type.Literal(id)), { description }) as unknown as TSchema;
const CategorySchema = oneOf(Object.keys(CATEGORIES), `What happened. Operational: ${Object.entries(CATEGORIES).filter(([, c]) => c.kind === 'operational').map(([id]) => id).join(', ')}. Suspected nefarious: ${Object.entries(CATEGORIES).filter(([, c]) => c.kind === 'nefarious').map(([id]) => id).join(', ')}.`);
const ComponentSchema = oneOf(Object.keys(COMPONENTS), 'The affected component');
const SymptomSchema = oneOf(Object.keys(SYMPTOMS), 'How bad it is: observed (no effect yet), degraded, unavailable, compromised');
const StateCode = Type.String({ pattern: '^[A-Za-z]{2}$' });
const Text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });

const ListQuery = Type.Object(
  {
    status: Type.Optional(oneOf(['open', 'all', ...STATUSES], 'open (default): not yet resolved; all; or one status')),
    category: Type.Optional(CategorySchema),
    component: Type.Optional(ComponentSchema),
    severity: Type.Optional(oneOf(SEVERITIES, 'severity')),
    assessment: Type.Optional(oneOf([...Object.keys(ASSESSMENTS), 'none'], 'assessment, or none for not yet assessed')),
    kind: Type.Optional(oneOf(['operational', 'nefarious'], 'operational or suspected/confirmed nefarious')),
    state: Type.Optional(StateCode),
    jurisdiction: Type.Optional(Uuid),
    election: Type.Optional(Uuid),
    assignee: Type.Optional(Type.Union([Type.Literal('me'), Type.Literal('none'), Uuid])),
    q: Type.Optional(Text(200)),
    includeMerged: Type.Optional(Type.Boolean()),
    sort: Type.Union([Type.Literal('newest'), Type.Literal('due')], { default: 'newest', description: 'newest first (paged), or the queue order: SLA due soonest' }),
    cursor: Type.Optional(Cursor),
    limit: Limit,
  },
  { additionalProperties: false },
);

const ReportBody = Type.Object(
  {
    title: Text(200),
    description: Text(20_000),
    category: CategorySchema,
    component: ComponentSchema,
    occurredAt: Type.String({ format: 'date-time', description: 'When it happened or was first noticed (ISO 8601 with time zone); not in the future' }),
    symptom: Type.Optional(SymptomSchema),
    jurisdiction: Type.Optional(Type.Union([Uuid], { description: 'Where it happened (directory id of a local office, state, territory or tribal nation); default: your organisation' })),
    location: Type.Optional(Text(300, 0)),
    address: Type.Optional(Text(300, 0)),
    votingAffected: Type.Optional(Type.Boolean()),
    countingAffected: Type.Optional(Type.Boolean()),
    tlp: Type.Optional(TlpSchema),
    recipients: Type.Optional(RecipientsSchema),
    hotline: Type.Optional(Type.Object({ callerName: Text(200), callerContact: Type.Optional(Text(200, 0)) }, { additionalProperties: false, description: 'Analysts logging a phone call: the caller; the jurisdiction becomes the reporting office' })),
    electionId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const TaskParams = Type.Object({ id: Uuid, taskId: Uuid }, { additionalProperties: false });
const OtherParams = Type.Object({ id: Uuid, otherId: Uuid }, { additionalProperties: false });

export function incidentRoutes(app: App, ctx: AppContext): void {
  const tags = ['incidents'];

  app.get('/api/v1/incidents/taxonomy', { schema: { tags, summary: 'Categories, components, symptoms, assessments, statuses, playbooks, the severity table and SLA windows' } }, async () => ({
    categories: Object.entries(CATEGORIES).map(([id, c]) => ({ id, ...c })),
    components: Object.entries(COMPONENTS).map(([id, c]) => ({ id, ...c })),
    symptoms: Object.entries(SYMPTOMS).map(([id, label]) => ({ id, label })),
    assessments: Object.entries(ASSESSMENTS).map(([id, label]) => ({ id, label })),
    statuses: STATUSES,
    severities: SEVERITIES,
    priorities: PRIORITIES,
    escalationLevels: ESCALATION_LEVELS,
    playbooks: PLAYBOOKS,
    severityTable: SEVERITY_TABLE,
    slaMinutes: SLA_MINUTES,
    attachmentTypes: Object.entries(ACCEPTED_FILES).map(([type, k]) => ({ type, extensions: k.extensions })),
    attachmentLimitBytes: ctx.config.attachmentLimitBytes,
  }));

  // Incident writes touch no table behind the read caches (identities, bulletin pages, counts), so the
  // read-your-writes round trip after each report is not needed; on election day it is one query in three.
  app.post('/api/v1/incidents', {
    config: { readYourWrites: false },
    schema: { tags, summary: 'Report an incident', description: 'Without `recipients` the report goes to your state and the operations center (TLP:AMBER unless given). Severity and SLA timers come from the component, the symptom and how close the election is.', body: ReportBody },
  }, async (request, reply) => {
    const body = request.body as Parameters<typeof reportIncident>[2];
    const i = await reportIncident(ctx, actorOf(request), body);
    return reply.status(201).header('location', `/api/v1/incidents/${i.id}`).send(i);
  });

  app.get('/api/v1/incidents', { schema: { tags, summary: 'Incidents you may see: open by default, newest first or by SLA due', querystring: ListQuery } }, async (request) => {
    const q = request.query as Record<string, unknown> & { sort: 'newest' | 'due'; limit: number; cursor?: string };
    return listIncidents(ctx, actorOf(request), { ...(q as object), sort: q.sort, limit: q.limit, ...(q.cursor ? { before: parseIncidentCursor(q.cursor) } : {}) } as Parameters<typeof listIncidents>[2]);
  });

  app.get('/api/v1/incidents/board', {
    schema: {
      tags,
      summary: 'The live board: open incidents by state (and county), worst severity, operational vs nefarious over time, SLA breaches, latest activity',
      querystring: Type.Object({ state: Type.Optional(StateCode), component: Type.Optional(ComponentSchema), category: Type.Optional(CategorySchema), hours: Type.Integer({ minimum: 1, maximum: 24 * 31, default: 24 }) }, { additionalProperties: false }),
    },
  }, async (request) => loadBoard(ctx, actorOf(request), request.query as Parameters<typeof loadBoard>[2]));

  const PeriodQuery = Type.Object({ election: Type.Optional(Uuid), from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })), state: Type.Optional(StateCode), format: Type.Union([Type.Literal('csv'), Type.Literal('pdf'), Type.Literal('json')], { default: 'csv' }) }, { additionalProperties: false });
  app.get('/api/v1/incidents/after-action', { schema: { tags, summary: 'After-action report for an election or a period (CSV, PDF or JSON summary)', querystring: PeriodQuery } }, async (request, reply) => {
    const q = request.query;
    const period = { ...(q.election ? { election: q.election } : {}), ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}), ...(q.state ? { state: q.state } : {}) };
    const actor = actorOf(request);
    if (q.format === 'json') return periodSummary(ctx, actor, period);
    if (q.format === 'pdf') return reply.type('application/pdf').header('content-disposition', 'attachment; filename="after-action.pdf"').header('cache-control', 'private, no-store').send(await periodPdf(ctx, actor, period));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="after-action.csv"').header('cache-control', 'private, no-store').send(await periodCsv(ctx, actor, period));
  });

  app.get('/api/v1/incidents/:id', { schema: { tags, summary: 'One incident with its case file (404 when it does not exist or is not shared with you)', params: IdParams } }, async (request) => getIncident(ctx, actorOf(request), request.params.id));

  app.get('/api/v1/incidents/:id/report', {
    schema: { tags, summary: 'After-action report of one incident (PDF or CSV)', params: IdParams, querystring: Type.Object({ format: Type.Union([Type.Literal('pdf'), Type.Literal('csv')], { default: 'pdf' }) }, { additionalProperties: false }) },
  }, async (request, reply) => {
    const { id } = request.params;
    const actor = actorOf(request);
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="incident-${id}.csv"`).header('cache-control', 'private, no-store').send(await incidentCsv(ctx, actor, id));
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="incident-${id}.pdf"`).header('cache-control', 'private, no-store').send(await incidentPdf(ctx, actor, id));
  });

  app.post('/api/v1/incidents/:id/triage', {
    schema: {
      tags,
      summary: 'Triage: assessment with rationale, severity, priority, owner (analysts)',
      params: IdParams,
      body: Type.Object({ assessment: Type.Optional(oneOf(Object.keys(ASSESSMENTS), 'assessment')), rationale: Type.Optional(Text(5000)), severity: Type.Optional(oneOf(SEVERITIES, 'severity')), priority: Type.Optional(oneOf(PRIORITIES, 'priority')), assigneeId: Type.Optional(Type.Union([Uuid, Type.Null()])) }, { additionalProperties: false, minProperties: 1 }),
    },
  }, async (request) => triageIncident(ctx, actorOf(request), request.params.id, request.body as Parameters<typeof triageIncident>[3]));

  app.post('/api/v1/incidents/:id/status', {
    schema: { tags, summary: 'Move the case: new → triaged → investigating → contained → resolved → closed; reopen to investigating', params: IdParams, body: Type.Object({ status: oneOf(STATUSES, 'the new status'), note: Type.Optional(Text(5000, 0)) }, { additionalProperties: false }) },
  }, async (request) => changeStatus(ctx, actorOf(request), request.params.id, (request.body as { status: (typeof STATUSES)[number] }).status, request.body.note));

  app.post('/api/v1/incidents/:id/notes', { schema: { tags, summary: 'Add a note to the timeline', params: IdParams, body: Type.Object({ text: Text(20_000) }, { additionalProperties: false }) } }, async (request, reply) => reply.status(201).send(await addNote(ctx, actorOf(request), request.params.id, request.body.text)));

  app.post('/api/v1/incidents/:id/playbooks', { schema: { tags, summary: 'Copy a playbook\'s tasks into the case', params: IdParams, body: Type.Object({ playbook: Text(100) }, { additionalProperties: false }) } }, async (request, reply) => reply.status(201).send(await applyPlaybook(ctx, actorOf(request), request.params.id, request.body.playbook)));
  app.post('/api/v1/incidents/:id/tasks', { schema: { tags, summary: 'Add a task', params: IdParams, body: Type.Object({ title: Text(500) }, { additionalProperties: false }) } }, async (request, reply) => reply.status(201).send(await addTask(ctx, actorOf(request), request.params.id, request.body.title)));
  app.patch('/api/v1/incidents/:id/tasks/:taskId', {
    schema: { tags, summary: 'Edit a task: title, done, position', params: TaskParams, body: Type.Object({ title: Type.Optional(Text(500)), done: Type.Optional(Type.Boolean()), position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })) }, { additionalProperties: false, minProperties: 1 }) },
  }, async (request) => updateTask(ctx, actorOf(request), request.params.id, request.params.taskId, request.body));
  app.delete('/api/v1/incidents/:id/tasks/:taskId', { schema: { tags, summary: 'Remove a task', params: TaskParams } }, async (request) => removeTask(ctx, actorOf(request), request.params.id, request.params.taskId));

  app.post('/api/v1/incidents/:id/links', { schema: { tags, summary: 'Relate another incident', params: IdParams, body: Type.Object({ incidentId: Uuid }, { additionalProperties: false }) } }, async (request, reply) => reply.status(201).send(await linkIncidents(ctx, actorOf(request), request.params.id, request.body.incidentId)));
  app.delete('/api/v1/incidents/:id/links/:otherId', { schema: { tags, summary: 'Remove a relation', params: OtherParams } }, async (request) => unlinkIncidents(ctx, actorOf(request), request.params.id, request.params.otherId));

  app.post('/api/v1/incidents/:id/merge', { schema: { tags, summary: 'Merge this incident into another as a duplicate', params: IdParams, body: Type.Object({ into: Uuid }, { additionalProperties: false }) } }, async (request) => mergeIncident(ctx, actorOf(request), request.params.id, request.body.into));
  app.post('/api/v1/incidents/:id/unmerge', { schema: { tags, summary: 'Make a merged duplicate a separate incident again', params: IdParams } }, async (request) => unmergeIncident(ctx, actorOf(request), request.params.id));

  app.post('/api/v1/incidents/:id/escalate', {
    schema: { tags, summary: 'Share the incident up the ladder: state → operations center → federal partners', params: IdParams, body: Type.Object({ to: oneOf(ESCALATION_LEVELS, 'level'), note: Type.Optional(Text(5000, 0)) }, { additionalProperties: false }) },
  }, async (request) => escalateIncident(ctx, actorOf(request), request.params.id, (request.body as { to: (typeof ESCALATION_LEVELS)[number] }).to, request.body.note));

  app.put('/api/v1/incidents/:id/sharing', {
    schema: { tags, summary: 'Change the TLP or recipients (reporting office only)', params: IdParams, body: Type.Object({ tlp: Type.Optional(TlpSchema), recipients: Type.Optional(RecipientsSchema) }, { additionalProperties: false, minProperties: 1 }) },
  }, async (request) => changeSharing(ctx, actorOf(request), request.params.id, request.body));

  app.get('/api/v1/incidents/:id/owners', { schema: { tags, summary: 'Analysts who could own this case', params: IdParams } }, async (request) => ({ items: await possibleOwners(ctx, actorOf(request), request.params.id) }));

  app.post('/api/v1/incidents/:id/attachments', {
    bodyLimit: ctx.config.attachmentLimitBytes,
    schema: { tags, summary: 'Attach a file (raw body with its content type; name in X-Filename). The content must match the name and type.', params: IdParams, headers: Type.Object({ 'x-filename': Type.String({ minLength: 1, maxLength: 300 }) }) },
  }, async (request, reply) => {
    const data = request.body;
    if (!Buffer.isBuffer(data)) throw new AppError('unsupported-media-type', 'Send the file as the raw request body with its content type.');
    let filename: string;
    try {
      filename = decodeURIComponent(request.headers['x-filename'] as string);
    } catch {
      throw new AppError('validation-failed', 'X-Filename is not a valid URI-encoded name.', { details: [{ field: 'x-filename', message: 'invalid encoding' }] });
    }
    const a = await addIncidentAttachment(ctx, actorOf(request), request.params.id, { filename, contentType: request.headers['content-type'] ?? 'application/octet-stream', data });
    return reply.status(201).send(a);
  });

  app.get('/api/v1/incidents/:id/attachments/:otherId', { schema: { tags, summary: 'Download an attachment', params: OtherParams } }, async (request, reply) => {
    return sendStoredFile(reply, await getIncidentAttachment(ctx, actorOf(request), request.params.id, request.params.otherId));
  });
}

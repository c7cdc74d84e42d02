// Incident reports: file one (web form, API, or an analyst logging a hotline call), find them (queue, search,
// filters) and open one with its case file. Every read path carries the sharing policy in SQL; the case work
// (triage, status, tasks, merge, escalation) is in case-service.ts.
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Db, Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { encodeKeyset, decodeKeyset } from '../platform/http/keyset.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { emitEvent, type Sharing } from '../platform/events/outbox.js';
import { renderMarkdown, excerpt } from '../platform/text/markdown.js';
import { recordAuditNow } from '../audit/service.js';
import { type Actor, requireUser, type UserActor } from '../access/actor.js';
import { isAuditedRead, mayChangeSharing, readableBy, type ShareableColumns } from '../access/policy.js';
import type { Recipients } from '../access/recipients.js';
import { orgs, users } from '../access/schema.js';
import { daysToElection } from '../elections/service.js';
import { computeSeverity, slaClock } from './severity.js';
import { CATEGORIES, categoryKind, isOpen, type Assessment, type Category, type Component, type Severity, type Status } from './taxonomy.js';
import { incidentAttachments, incidentLinks, incidentTasks, incidentTimeline, incidents } from './schema.js';
import { nextStatuses } from './workflow.js';
import { suggestedPlaybooks } from './playbooks.js';

export type IncidentRow = typeof incidents.$inferSelect;

export type { Recipients };

export const JURISDICTION_TYPES = ['local', 'state', 'territory', 'tribal'] as const;

/** An incident's sharing columns as SQL values, to join it against users through the policy. */
export function recordSharingSql(i: Pick<IncidentRow, 'ownerOrg' | 'authorId' | 'tlp' | 'recipientOrgs' | 'recipientUsers'>): ShareableColumns {
  return {
    ownerOrg: sql`${i.ownerOrg}::uuid`,
    authorId: sql`${i.authorId}::uuid`,
    tlp: sql`${i.tlp}::tlp`,
    recipientOrgs: sql`${`{${i.recipientOrgs.join(',')}}`}::uuid[]`,
    recipientUsers: sql`${`{${i.recipientUsers.join(',')}}`}::uuid[]`,
  };
}

export function sharingOf(i: Pick<IncidentRow, 'ownerOrg' | 'authorId' | 'tlp' | 'recipientOrgs' | 'recipientUsers'>): Sharing {
  return { ownerOrg: i.ownerOrg, authorId: i.authorId, tlp: i.tlp, recipientOrgs: i.recipientOrgs, recipientUsers: i.recipientUsers };
}

export const isAnalyst = (u: UserActor) => u.role === 'analyst' || u.role === 'org-admin';

export function formatRef(ref: number): string {
  return `INC-${String(ref).padStart(6, '0')}`;
}

/** Operational or nefarious: the analyst's assessment once there is one, the category's side until then. */
export function kindOf(i: { assessment: Assessment | null; category: Category }): 'operational' | 'nefarious' {
  if (i.assessment === 'operational' || i.assessment === 'unfounded') return 'operational';
  if (i.assessment === 'suspicious' || i.assessment === 'confirmed-malicious') return 'nefarious';
  return categoryKind(i.category);
}

/** The same rule in SQL, for the board's counts. */
export const kindSql = sql<'operational' | 'nefarious'>`(case
  when ${incidents.assessment} in ('operational', 'unfounded') then 'operational'
  when ${incidents.assessment} in ('suspicious', 'confirmed-malicious') then 'nefarious'
  when ${incidents.category} in (${sql.join(Object.entries(CATEGORIES).filter(([, c]) => c.kind === 'nefarious').map(([id]) => sql`${id}`), sql`, `)}) then 'nefarious'
  else 'operational' end)`;

export function eventPayload(i: IncidentRow, names: { jurisdictionName: string; ownerName: string }) {
  return {
    id: i.id,
    ref: formatRef(i.ref),
    title: i.title,
    category: i.category,
    component: i.component,
    kind: kindOf(i),
    status: i.status,
    assessment: i.assessment,
    severity: i.severity,
    tlp: i.tlp,
    stateCode: i.stateCode,
    countyFips: i.countyFips,
    jurisdictionId: i.jurisdictionId,
    jurisdictionName: names.jurisdictionName,
    ownerOrg: i.ownerOrg,
    ownerName: names.ownerName,
    votingAffected: i.votingAffected,
    countingAffected: i.countingAffected,
    mergedInto: i.mergedInto,
    occurredAt: i.occurredAt.toISOString(),
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    triageDueAt: i.triageDueAt.toISOString(),
    resolveDueAt: i.resolveDueAt.toISOString(),
  };
}

export async function namesOf(db: Db | Tx, i: IncidentRow) {
  const rows = await db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(inArray(orgs.id, [...new Set([i.jurisdictionId, i.ownerOrg])]));
  const by = new Map(rows.map((r) => [r.id, r.name]));
  return { jurisdictionName: by.get(i.jurisdictionId) ?? '', ownerName: by.get(i.ownerOrg) ?? '' };
}

/** Writes an event and a timeline entry for a change, in the caller's transaction. */
export async function recordChange(tx: Tx, user: UserActor, i: IncidentRow, change: { type: string; kind: (typeof incidentTimeline.$inferInsert)['kind']; text: string; details?: Record<string, unknown> }, knownNames?: { jurisdictionName: string; ownerName: string }) {
  const [entry] = await tx.insert(incidentTimeline).values({ incidentId: i.id, actorId: user.userId, actorName: user.name, actorOrg: user.orgId, kind: change.kind, text: change.text, details: change.details ?? {} }).returning();
  await emitEvent(tx, { type: change.type, recordKind: 'incident', recordId: i.id, sharing: sharingOf(i), payload: { ...eventPayload(i, knownNames ?? (await namesOf(tx, i))), change: change.kind, text: change.text, by: user.name, byId: user.userId, ...(change.details ? { details: change.details } : {}) } });
  return entry!;
}

export { checkRecipientsForTlp as checkIncidentRecipients } from '../access/recipients.js';

/** One incident the viewer may read, or 404 — also when it exists but the policy hides it. */
export async function loadReadable(db: Db | Tx, user: UserActor, id: string, forUpdate = false): Promise<IncidentRow> {
  const q = db.select().from(incidents).where(and(eq(incidents.id, id), readableBy(incidents, user)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('The incident');
  return row;
}

export interface IncidentQuery {
  readonly status?: Status | 'open' | 'all';
  readonly category?: Category;
  readonly component?: Component;
  readonly severity?: Severity;
  readonly assessment?: Assessment | 'none';
  readonly kind?: 'operational' | 'nefarious';
  readonly state?: string;
  readonly jurisdiction?: string;
  readonly election?: string;
  readonly assignee?: 'me' | 'none' | string;
  readonly q?: string;
  readonly includeMerged?: boolean;
  readonly sort: 'newest' | 'due';
  readonly before?: { createdAt: Date; id: string };
  readonly since?: Date;
  readonly limit: number;
}

const dueAt = sql`(case when ${incidents.status} = 'new' then ${incidents.triageDueAt} else ${incidents.resolveDueAt} end)`;

export function filtersOf(user: UserActor, query: Omit<IncidentQuery, 'sort' | 'limit'>): SQL[] {
  const where: SQL[] = [readableBy(incidents, user)];
  if (!query.includeMerged) where.push(isNull(incidents.mergedInto));
  if (query.status === 'open' || query.status === undefined) where.push(sql`${incidents.status} not in ('resolved', 'closed')`);
  else if (query.status !== 'all') where.push(eq(incidents.status, query.status));
  if (query.category) where.push(eq(incidents.category, query.category));
  if (query.component) where.push(eq(incidents.component, query.component));
  if (query.severity) where.push(eq(incidents.severity, query.severity));
  if (query.assessment === 'none') where.push(isNull(incidents.assessment));
  else if (query.assessment) where.push(eq(incidents.assessment, query.assessment));
  if (query.kind) where.push(sql`${kindSql} = ${query.kind}`);
  if (query.state) where.push(eq(incidents.stateCode, query.state.toUpperCase()));
  if (query.jurisdiction) where.push(eq(incidents.jurisdictionId, query.jurisdiction));
  if (query.election) where.push(eq(incidents.electionId, query.election));
  if (query.assignee === 'me') where.push(eq(incidents.assigneeId, user.userId));
  else if (query.assignee === 'none') where.push(isNull(incidents.assigneeId));
  else if (query.assignee) where.push(eq(incidents.assigneeId, query.assignee));
  if (query.q) where.push(sql`to_tsvector('english', ${incidents.title} || ' ' || ${incidents.description} || ' ' || coalesce(${incidents.location}, '')) @@ websearch_to_tsquery('english', ${query.q})`);
  if (query.since) where.push(sql`${incidents.createdAt} >= ${query.since.toISOString()}::timestamptz`);
  return where;
}

const listColumns = {
  i: incidents,
  ownerName: orgs.name,
  jurisdictionName: sql<string>`(select j.name from orgs j where j.id = ${incidents.jurisdictionId})`,
  assigneeName: sql<string | null>`(select u.name from users u where u.id = ${incidents.assigneeId})`,
};

/** The incidents the viewer may see, newest first (keyset-paged) or by the SLA due soonest (the queue). */
export async function listIncidents(ctx: AppContext, actor: Actor, query: IncidentQuery) {
  const user = requireUser(actor);
  const where = filtersOf(user, query);
  if (query.before && query.sort === 'newest') where.push(sql`(${incidents.createdAt}, ${incidents.id}) < (${query.before.createdAt.toISOString()}::timestamptz, ${query.before.id}::uuid)`);
  const rows = await ctx.db
    .select(listColumns)
    .from(incidents)
    .innerJoin(orgs, eq(orgs.id, incidents.ownerOrg))
    .where(and(...where))
    .orderBy(...(query.sort === 'due' ? [asc(dueAt), asc(incidents.id)] : [desc(incidents.createdAt), desc(incidents.id)]))
    .limit(query.limit + 1);
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  await auditListedReads(ctx, user, page.map((r) => r.i), 'list');
  const last = page.at(-1);
  const now = new Date();
  return {
    items: page.map((r) => presentSummary(r.i, { ownerName: r.ownerName, jurisdictionName: r.jurisdictionName, assigneeName: r.assigneeName }, now)),
    next: more && last && query.sort === 'newest' ? encodeKeyset(last.i) : null,
  };
}

export const parseIncidentCursor = decodeKeyset;

/** AMBER+STRICT and RED incidents a user was shown are reads for the audit log, visible to their owners' admins. */
export async function auditListedReads(ctx: AppContext, user: UserActor, items: ReadonlyArray<{ id: string; tlp: Tlp; ownerOrg: string }>, via: string): Promise<void> {
  const restricted = items.filter((i) => isAuditedRead(i.tlp));
  if (!restricted.length) return;
  await recordAuditNow(ctx.db, user, { action: 'incident.read-restricted', targetKind: 'incident', orgIds: [...new Set(restricted.map((r) => r.ownerOrg))], details: { ids: restricted.map((r) => r.id), via } });
}

export function presentSummary(i: IncidentRow, names: { ownerName: string; jurisdictionName: string; assigneeName: string | null }, now: Date) {
  return {
    id: i.id,
    ref: formatRef(i.ref),
    title: i.title,
    excerpt: excerpt(i.description, 200),
    category: i.category,
    component: i.component,
    kind: kindOf(i),
    symptom: i.symptom,
    status: i.status,
    open: isOpen(i.status),
    assessment: i.assessment,
    severity: i.severity,
    priority: i.priority,
    assignee: i.assigneeId ? { id: i.assigneeId, name: names.assigneeName } : null,
    jurisdiction: { id: i.jurisdictionId, name: names.jurisdictionName },
    stateCode: i.stateCode,
    countyFips: i.countyFips,
    location: i.location,
    votingAffected: i.votingAffected,
    countingAffected: i.countingAffected,
    occurredAt: i.occurredAt.toISOString(),
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    tlp: i.tlp,
    recipients: { orgs: i.recipientOrgs, users: i.recipientUsers },
    ownerOrg: i.ownerOrg,
    ownerName: names.ownerName,
    authorId: i.authorId,
    electionId: i.electionId,
    electionDay: i.electionDay,
    escalationLevel: i.escalationLevel,
    merged: i.mergedInto !== null,
    sla: {
      triage: slaClock(i.createdAt, i.triageDueAt, i.triagedAt, now),
      resolve: slaClock(i.createdAt, i.resolveDueAt, i.resolvedAt, now),
    },
  };
}

type TimelineRow = typeof incidentTimeline.$inferSelect;
type TaskRow = typeof incidentTasks.$inferSelect;

export interface CaseParts {
  readonly names: { jurisdictionName: string; ownerName: string };
  readonly assigneeName: string | null;
  readonly timeline: readonly TimelineRow[];
  readonly tasks: readonly TaskRow[];
  readonly attachments: ReadonlyArray<{ id: string; filename: string; contentType: string; size: number; sha256: string; createdAt: Date }>;
  readonly links: ReadonlyArray<{ id: string; ref: number; title: string; status: Status; severity: Severity }>;
  readonly duplicates: ReadonlyArray<{ id: string; ref: number; title: string; status: Status }>;
  readonly primary: { id: string; ref: number; title: string } | null;
  readonly severityReasons: readonly string[];
}

/** The whole case file as the viewer may see it. */
export async function getIncident(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const i = await loadReadable(ctx.db, user, id);
  if (isAuditedRead(i.tlp)) await recordAuditNow(ctx.db, user, { action: 'incident.read-restricted', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { via: 'get' } });
  const names = await namesOf(ctx.db, i);
  const [assignee] = i.assigneeId ? await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, i.assigneeId)) : [];
  const timeline = await ctx.db.select().from(incidentTimeline).where(eq(incidentTimeline.incidentId, id)).orderBy(asc(incidentTimeline.at), asc(incidentTimeline.id));
  const tasks = await ctx.db.select().from(incidentTasks).where(eq(incidentTasks.incidentId, id)).orderBy(asc(incidentTasks.position), asc(incidentTasks.createdAt));
  const attachments = await ctx.db
    .select({ id: incidentAttachments.id, filename: incidentAttachments.filename, contentType: incidentAttachments.contentType, size: incidentAttachments.size, sha256: incidentAttachments.sha256, createdAt: incidentAttachments.createdAt })
    .from(incidentAttachments)
    .where(eq(incidentAttachments.incidentId, id))
    .orderBy(asc(incidentAttachments.createdAt));
  // Related, duplicate and primary incidents: only those the viewer may read themselves.
  const other = sql`(case when ${incidentLinks.a} = ${id}::uuid then ${incidentLinks.b} else ${incidentLinks.a} end)`;
  const links = await ctx.db
    .select({ id: incidents.id, ref: incidents.ref, title: incidents.title, status: incidents.status, severity: incidents.severity })
    .from(incidentLinks)
    .innerJoin(incidents, eq(incidents.id, other))
    .where(and(sql`(${incidentLinks.a} = ${id}::uuid or ${incidentLinks.b} = ${id}::uuid)`, readableBy(incidents, user)));
  const duplicates = await ctx.db
    .select({ id: incidents.id, ref: incidents.ref, title: incidents.title, status: incidents.status })
    .from(incidents)
    .where(and(eq(incidents.mergedInto, id), readableBy(incidents, user)));
  const [primary] = i.mergedInto
    ? await ctx.db.select({ id: incidents.id, ref: incidents.ref, title: incidents.title }).from(incidents).where(and(eq(incidents.id, i.mergedInto), readableBy(incidents, user)))
    : [];
  const [jur] = await ctx.db.select({ parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, i.jurisdictionId));
  const days = await daysToElection(ctx.db, ctx.config.timeZone, { id: i.jurisdictionId, parentId: jur?.parentId ?? null });
  const severity = computeSeverity({ component: i.component, symptom: i.symptom, daysToElection: days, votingOrCountingAffected: i.votingAffected || i.countingAffected });
  return presentCase(i, user, { names, assigneeName: assignee?.name ?? null, timeline, tasks, attachments, links, duplicates, primary: primary ?? null, severityReasons: severity.reasons });
}

export function presentCase(i: IncidentRow, user: UserActor, parts: CaseParts) {
  const worker = isAnalyst(user) && user.role !== 'viewer';
  const mayWrite = user.role !== 'viewer';
  return {
    ...presentSummary(i, { ...parts.names, assigneeName: parts.assigneeName }, new Date()),
    description: i.description,
    descriptionHtml: renderMarkdown(i.description),
    address: i.address,
    channel: i.channel,
    reporter: { name: i.reporterName, contact: i.reporterContact },
    assessmentRationale: i.assessmentRationale,
    computedSeverity: i.computedSeverity,
    severityReasons: parts.severityReasons,
    triagedAt: i.triagedAt?.toISOString() ?? null,
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
    mergedInto: i.mergedInto ? (parts.primary ? { id: parts.primary.id, ref: formatRef(parts.primary.ref), title: parts.primary.title } : { id: null, ref: null, title: null }) : null,
    duplicates: parts.duplicates.map((d) => ({ id: d.id, ref: formatRef(d.ref), title: d.title, status: d.status })),
    links: parts.links.map((l) => ({ id: l.id, ref: formatRef(l.ref), title: l.title, status: l.status, severity: l.severity })),
    timeline: parts.timeline.map((t) => ({ id: t.id, at: t.at.toISOString(), actorName: t.actorName, kind: t.kind, text: t.text, details: t.details })),
    tasks: parts.tasks.map((t) => ({ id: t.id, title: t.title, position: t.position, playbook: t.playbook, done: t.done, doneAt: t.doneAt?.toISOString() ?? null })),
    attachments: parts.attachments.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
    permissions: {
      work: worker,
      note: mayWrite,
      attach: mayWrite,
      changeSharing: mayWrite && mayChangeSharing(i, user),
      escalate: mayWrite && (mayChangeSharing(i, user) || (worker && (i.tlp === 'AMBER' || i.tlp === 'GREEN' || i.tlp === 'CLEAR'))),
    },
    nextStatuses: worker ? nextStatuses(i.status, i.assessment) : [],
    playbooks: suggestedPlaybooks(i.category, i.component).map((p) => ({ id: p.id, title: p.title, tasks: p.tasks.length })),
  };
}

/** Titles of the incidents among `ids` that this user may read (other domains link to incidents by id). */
export async function readableIncidentTitles(db: Db | Tx, user: UserActor, ids: readonly string[]): Promise<Array<{ id: string; ref: string; title: string; status: string }>> {
  if (!ids.length) return [];
  const rows = await db
    .select({ id: incidents.id, ref: incidents.ref, title: incidents.title, status: incidents.status })
    .from(incidents)
    .where(and(inArray(incidents.id, [...ids]), readableBy(incidents, user)));
  return rows.map((r) => ({ id: r.id, ref: formatRef(r.ref), title: r.title, status: r.status }));
}

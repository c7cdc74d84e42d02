// Incident reports: file one (web form, API, or an analyst logging a hotline call), find them (queue, search,
// filters) and open one with its case file. Every read path carries the sharing policy in SQL; the case work
// (triage, status, tasks, merge, escalation) is in case-service.ts.
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Db, Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError, notFound, type ProblemDetail } from '../platform/http/errors.js';
import { emitEvent, type Sharing } from '../platform/events/outbox.js';
import { renderMarkdown, excerpt } from '../platform/text/markdown.js';
import { recordAudit, recordAuditNow } from '../audit/service.js';
import { type Actor, requireUser, requireWrite, type UserActor } from '../access/actor.js';
import { isAuditedRead, mayChangeSharing, readableBy, type ShareableColumns } from '../access/policy.js';
import { defaultRecipientOrgs } from '../access/orgs-service.js';
import { checkRecipientsExist, type Recipients } from '../access/recipients.js';
import { orgs, users } from '../access/schema.js';
import { daysToElection } from '../elections/service.js';
import { elections } from '../elections/schema.js';
import { computeSeverity, slaClock, slaDue } from './severity.js';
import { CATEGORIES, COMPONENTS, categoryKind, isOpen, type Assessment, type Category, type Channel, type Component, type Severity, type Status, type Symptom } from './taxonomy.js';
import { incidentAttachments, incidentLinks, incidentTasks, incidentTimeline, incidents } from './schema.js';
import { nextStatuses } from './workflow.js';
import { suggestedPlaybooks } from './playbooks.js';

export type IncidentRow = typeof incidents.$inferSelect;

export type { Recipients };

export interface NewIncident {
  readonly title: string;
  readonly description: string;
  readonly category: Category;
  readonly component: Component;
  readonly occurredAt: string;
  readonly symptom?: Symptom;
  readonly jurisdiction?: string;
  readonly location?: string;
  readonly address?: string;
  readonly votingAffected?: boolean;
  readonly countingAffected?: boolean;
  readonly tlp?: Tlp;
  readonly recipients?: Recipients;
  /** An analyst logging a phone call: the caller. Makes the jurisdiction the reporting office. */
  readonly hotline?: { readonly callerName: string; readonly callerContact?: string };
  readonly electionId?: string;
}

export const JURISDICTION_TYPES = ['local', 'state', 'territory', 'tribal'] as const;
/** Reports may say when something began up to this far ahead of the server clock (clock skew), not more. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

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
export async function recordChange(tx: Tx, user: UserActor, i: IncidentRow, change: { type: string; kind: (typeof incidentTimeline.$inferInsert)['kind']; text: string; details?: Record<string, unknown> }) {
  await tx.insert(incidentTimeline).values({ incidentId: i.id, actorId: user.userId, actorName: user.name, actorOrg: user.orgId, kind: change.kind, text: change.text, details: change.details ?? {} });
  await emitEvent(tx, { type: change.type, recordKind: 'incident', recordId: i.id, sharing: sharingOf(i), payload: { ...eventPayload(i, await namesOf(tx, i)), change: change.kind, text: change.text, by: user.name, byId: user.userId, ...(change.details ? { details: change.details } : {}) } });
}

async function checkRecipients(tx: Tx, r: Recipients, tlp: Tlp): Promise<void> {
  const problems: ProblemDetail[] = [];
  if (tlp === 'RED' && r.users.length === 0) problems.push({ field: 'recipients/users', message: 'TLP:RED goes to named people only: name at least one recipient user' });
  if (tlp === 'RED' && r.orgs.length > 0) problems.push({ field: 'recipients/orgs', message: 'TLP:RED is for named people, not organisations; use AMBER to share with organisations' });
  if (problems.length) throw new AppError('validation-failed', 'The recipients do not fit the TLP label.', { details: problems });
  await checkRecipientsExist(tx, r);
}

export { checkRecipients as checkIncidentRecipients };

/** Checks what a form cannot: dates, contradictions, the jurisdiction and who may report for it. */
async function resolveJurisdiction(tx: Tx, user: UserActor, input: NewIncident) {
  const problems: ProblemDetail[] = [];
  const occurredAt = new Date(input.occurredAt);
  if (Number.isNaN(occurredAt.getTime())) problems.push({ field: 'occurredAt', message: 'not a date and time' });
  else if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) problems.push({ field: 'occurredAt', message: 'is in the future; give the time it happened or was noticed' });
  else if (occurredAt.getTime() < Date.now() - 5 * 365 * 86_400_000) problems.push({ field: 'occurredAt', message: 'is more than five years ago' });
  if (input.symptom === 'observed' && (input.votingAffected || input.countingAffected)) {
    problems.push({ field: 'symptom', message: '"no effect yet" contradicts "voting or counting affected right now"; choose degraded or unavailable' });
  }
  if (input.hotline && !isAnalyst(user)) problems.push({ field: 'hotline', message: 'only analysts log hotline calls' });
  if (input.hotline && !input.jurisdiction) problems.push({ field: 'jurisdiction', message: 'a hotline call needs the caller\'s jurisdiction' });
  const jurisdictionId = input.jurisdiction ?? user.orgId;
  const [j] = await tx.select().from(orgs).where(eq(orgs.id, jurisdictionId));
  if (!j || !j.active) problems.push({ field: 'jurisdiction', message: 'unknown jurisdiction' });
  else if (!(JURISDICTION_TYPES as readonly string[]).includes(j.type)) {
    problems.push({ field: 'jurisdiction', message: input.jurisdiction ? `${j.name} is not a jurisdiction (a local office, state, territory or tribal nation)` : 'your organisation is not a jurisdiction: say which jurisdiction this happened in' });
  }
  if (problems.length) throw new AppError('validation-failed', problems.length === 1 ? `The report is not complete: ${problems[0]!.field} ${problems[0]!.message}.` : 'The report has problems; see each field.', { details: problems });
  const jur = j!;
  const mayReport = jur.id === user.orgId || jur.parentId === user.orgId || (user.orgType === 'operations-center' && isAnalyst(user));
  if (!mayReport) throw new AppError('forbidden', 'You can report for your own office (a state also for its local offices); the operations center logs calls for anyone.', { details: [{ field: 'jurisdiction', message: 'not yours to report for' }] });
  let stateCode = jur.stateCode;
  if (!stateCode && jur.parentId) {
    const [parent] = await tx.select({ stateCode: orgs.stateCode }).from(orgs).where(eq(orgs.id, jur.parentId));
    stateCode = parent?.stateCode ?? null;
  }
  return { jur, occurredAt, stateCode, countyFips: jur.type === 'local' && jur.fips && jur.fips.length >= 5 ? jur.fips.slice(0, 5) : null };
}

/** The election a report belongs to: the one given, else the jurisdiction's election within the next 90 days or the last 14. */
async function electionFor(tx: Tx, jur: { id: string; parentId: string | null }, electionId: string | undefined, timeZone: string) {
  if (electionId) {
    const [e] = await tx.select({ id: elections.id }).from(elections).where(eq(elections.id, electionId));
    if (!e) throw new AppError('validation-failed', 'The election does not exist.', { details: [{ field: 'electionId', message: 'unknown election' }] });
  }
  const days = await daysToElection(tx, timeZone, jur);
  if (electionId) return { electionId, days };
  const [near] = await tx
    .select({ id: elections.id })
    .from(elections)
    .where(sql`${elections.day} between current_date - 14 and current_date + 90 and (cardinality(${elections.jurisdictions}) = 0 or ${jur.id}::uuid = any(${elections.jurisdictions})${jur.parentId ? sql` or ${jur.parentId}::uuid = any(${elections.jurisdictions})` : sql``})`)
    .orderBy(sql`abs(${elections.day} - current_date)`)
    .limit(1);
  return { electionId: near?.id ?? null, days };
}

export async function reportIncident(ctx: AppContext, actor: Actor, input: NewIncident) {
  const user = requireWrite(actor);
  const row = await ctx.db.transaction(async (tx) => {
    const { jur, occurredAt, stateCode, countyFips } = await resolveJurisdiction(tx, user, input);
    // A hotline call is the caller's office's report; otherwise the reporter's own organisation owns it.
    const ownerOrg = input.hotline ? jur.id : user.orgId;
    const tlp = input.tlp ?? 'AMBER';
    const recipients = input.recipients
      ? { orgs: [...new Set(input.recipients.orgs)], users: [...new Set(input.recipients.users)] }
      : { orgs: tlp === 'RED' ? [] : await defaultRecipientOrgs(tx, ownerOrg), users: tlp === 'RED' ? [user.userId] : [] };
    await checkRecipients(tx, recipients, tlp);
    const symptom = input.symptom ?? (input.votingAffected || input.countingAffected ? 'degraded' : 'observed');
    const { electionId, days } = await electionFor(tx, jur, input.electionId, ctx.config.timeZone);
    const { severity } = computeSeverity({ component: input.component, symptom, daysToElection: days, votingOrCountingAffected: Boolean(input.votingAffected || input.countingAffected) });
    const electionDay = days === 0;
    const now = new Date();
    const due = slaDue(now, severity, electionDay);
    const channel: Channel = input.hotline ? 'hotline' : user.via === 'token' ? 'api' : 'web';
    const [inserted] = await tx
      .insert(incidents)
      .values({
        ownerOrg,
        authorId: user.userId,
        tlp,
        recipientOrgs: recipients.orgs,
        recipientUsers: recipients.users,
        title: input.title.trim(),
        description: input.description,
        category: input.category,
        component: input.component,
        symptom,
        occurredAt,
        jurisdictionId: jur.id,
        stateCode,
        countyFips,
        location: input.location?.trim() || null,
        address: input.address?.trim() || null,
        votingAffected: Boolean(input.votingAffected),
        countingAffected: Boolean(input.countingAffected),
        channel,
        reporterName: input.hotline?.callerName.trim() ?? user.name,
        reporterContact: input.hotline?.callerContact?.trim() ?? user.email,
        severity,
        computedSeverity: severity,
        electionId,
        electionDay,
        triageDueAt: due.triageDueAt,
        resolveDueAt: due.resolveDueAt,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const i = inserted!;
    const how = channel === 'hotline' ? `Hotline call from ${i.reporterName} logged by ${user.name}` : `Reported by ${user.name}`;
    await recordChange(tx, user, i, { type: 'incident.reported', kind: 'reported', text: `${how}: ${CATEGORIES[i.category].label.toLowerCase()}, ${COMPONENTS[i.component].label.toLowerCase()}. Severity ${severity}.`, details: { channel, severity } });
    await recordAudit(tx, user, { action: 'incident.reported', targetKind: 'incident', targetId: i.id, orgIds: [ownerOrg], details: { tlp, category: i.category, severity, channel } });
    return i;
  });
  ctx.relay.kick();
  return getIncident(ctx, user, row.id);
}

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
    next: more && last && query.sort === 'newest' ? Buffer.from(JSON.stringify([last.i.createdAt.toISOString(), last.i.id])).toString('base64url') : null,
  };
}

export function parseIncidentCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/i.test(id)) return { createdAt, id };
  } catch {
    // fall through
  }
  throw new AppError('validation-failed', 'The page cursor is not valid; start from the first page.', { details: [{ field: 'cursor', message: 'invalid' }] });
}

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
  const linked = await ctx.db
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
  const worker = isAnalyst(user) && user.role !== 'viewer';
  const mayWrite = user.role !== 'viewer';
  const [jur] = await ctx.db.select({ parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, i.jurisdictionId));
  const days = await daysToElection(ctx.db, ctx.config.timeZone, { id: i.jurisdictionId, parentId: jur?.parentId ?? null });
  const severity = computeSeverity({ component: i.component, symptom: i.symptom, daysToElection: days, votingOrCountingAffected: i.votingAffected || i.countingAffected });
  return {
    ...presentSummary(i, { ...names, assigneeName: assignee?.name ?? null }, new Date()),
    description: i.description,
    descriptionHtml: renderMarkdown(i.description),
    address: i.address,
    channel: i.channel,
    reporter: { name: i.reporterName, contact: i.reporterContact },
    assessmentRationale: i.assessmentRationale,
    computedSeverity: i.computedSeverity,
    severityReasons: severity.reasons,
    triagedAt: i.triagedAt?.toISOString() ?? null,
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
    mergedInto: i.mergedInto ? (primary ? { id: primary.id, ref: formatRef(primary.ref), title: primary.title } : { id: null, ref: null, title: null }) : null,
    duplicates: duplicates.map((d) => ({ id: d.id, ref: formatRef(d.ref), title: d.title, status: d.status })),
    links: linked.map((l) => ({ id: l.id, ref: formatRef(l.ref), title: l.title, status: l.status, severity: l.severity })),
    timeline: timeline.map((t) => ({ id: t.id, at: t.at.toISOString(), actorName: t.actorName, kind: t.kind, text: t.text, details: t.details })),
    tasks: tasks.map((t) => ({ id: t.id, title: t.title, position: t.position, playbook: t.playbook, done: t.done, doneAt: t.doneAt?.toISOString() ?? null })),
    attachments: attachments.map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
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

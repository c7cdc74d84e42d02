// Filing a report. On election day hundreds arrive a minute, so the transaction is kept short: one query
// gathers everything the checks need (the jurisdiction and its state, the reporter's organisation, the
// operations centers, the elections that concern it), then the incident, its first timeline entry, its event
// and its audit row are written; the answer is built from what is already known rather than read back.
import { randomUUID } from 'node:crypto';
import { eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Db } from '../platform/db/client.js';
import { rowsOf } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError, type ProblemDetail } from '../platform/http/errors.js';
import { auditInsert, auditWritten } from '../audit/service.js';
import { eventInsert } from '../platform/events/outbox.js';
import { type Actor, requireWrite, type UserActor } from '../access/actor.js';
import type { Recipients } from '../access/recipients.js';
import { elections } from '../elections/schema.js';
import { daysBetween, todayIn } from '../elections/service.js';
import { CLOSE_AFTER_DAYS, computeSeverity, slaDue } from './severity.js';
import { CATEGORIES, COMPONENTS, type Category, type Channel, type Component, type Symptom } from './taxonomy.js';
import { incidentTimeline, incidents } from './schema.js';
import { checkIncidentRecipients, eventPayload, isAnalyst, JURISDICTION_TYPES, presentCase, sharingOf, type IncidentRow } from './service.js';

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

/** Reports may say when something began up to this far ahead of the server clock (clock skew), not more. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** A report belongs to an election held up to this many days before it, or coming within the next 90. */
const ELECTION_BEFORE_DAYS = 14;
const ELECTION_AHEAD_DAYS = 90;

interface Context {
  id: string;
  name: string;
  type: string;
  parent_id: string | null;
  active: boolean;
  state_code: string | null;
  fips: string | null;
  parent_state_code: string | null;
  reporter_org_name: string | null;
  centers: string[];
  elections: Array<{ id: string; day: string }>;
  ref: number | string;
}

function checkForm(user: UserActor, input: NewIncident): { occurredAt: Date; problems: ProblemDetail[] } {
  const problems: ProblemDetail[] = [];
  const occurredAt = new Date(input.occurredAt);
  if (Number.isNaN(occurredAt.getTime())) problems.push({ field: 'occurredAt', message: 'not a date and time' });
  else if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) problems.push({ field: 'occurredAt', message: 'is in the future; give the time it happened or was noticed' });
  else if (occurredAt.getTime() < Date.now() - 5 * 365 * 86_400_000) problems.push({ field: 'occurredAt', message: 'is more than five years ago' });
  if (input.symptom === 'observed' && (input.votingAffected || input.countingAffected)) {
    problems.push({ field: 'symptom', message: '"no effect yet" contradicts "voting or counting affected right now"; choose degraded or unavailable' });
  }
  if (input.hotline && !isAnalyst(user)) problems.push({ field: 'hotline', message: 'only analysts log hotline calls' });
  if (input.hotline && !input.jurisdiction) problems.push({ field: 'jurisdiction', message: "a hotline call needs the caller's jurisdiction" });
  return { occurredAt, problems };
}

async function loadContext(tx: Db, user: UserActor, jurisdictionId: string, today: string): Promise<Context | undefined> {
  const [row] = rowsOf<Context>(
    await tx.execute(sql`select j.id, j.name, j.type::text as type, j.parent_id, j.active, j.state_code, j.fips,
        p.state_code as parent_state_code,
        (select r.name from orgs r where r.id = ${user.orgId}::uuid) as reporter_org_name,
        -- Taken here to write the report, its event and its audit row in one statement; a refused report
        -- leaves a gap in the numbers, which is harmless.
        nextval('incident_ref')::bigint as ref,
        (select coalesce(array_agg(c.id), '{}') from orgs c where c.type = 'operations-center' and c.active) as centers,
        (select coalesce(json_agg(json_build_object('id', e.id, 'day', e.day) order by e.day), '[]'::json) from ${elections} e
          where e.day between ${today}::date - ${ELECTION_BEFORE_DAYS}::int and ${today}::date + ${ELECTION_AHEAD_DAYS}::int
            and (cardinality(e.jurisdictions) = 0 or j.id = any(e.jurisdictions) or j.parent_id = any(e.jurisdictions))) as elections
      from orgs j left join orgs p on p.id = j.parent_id
      where j.id = ${jurisdictionId}::uuid`),
  );
  if (!row) return undefined;
  // Drivers differ on how they hand back uuid[] (array or literal).
  const centers = Array.isArray(row.centers) ? row.centers : String(row.centers).replace(/[{}]/g, '').split(',').filter(Boolean);
  const list = typeof row.elections === 'string' ? (JSON.parse(row.elections) as Context['elections']) : row.elections;
  return { ...row, centers, elections: list };
}

/** A query builder's SQL as is: embedded directly, drizzle would wrap it in parentheses, which a CTE's INSERT cannot have. */
const bare = (query: unknown): SQL => (query as SQLWrapper).getSQL();

export async function reportIncident(ctx: AppContext, actor: Actor, input: NewIncident) {
  const user = requireWrite(actor);
  const today = todayIn(ctx.config.timeZone);
  const { occurredAt, problems } = checkForm(user, input);
  const db = ctx.db;
  const jur = await loadContext(db, user, input.jurisdiction ?? user.orgId, today);
  if (!jur || !jur.active) problems.push({ field: 'jurisdiction', message: 'unknown jurisdiction' });
  else if (!(JURISDICTION_TYPES as readonly string[]).includes(jur.type)) {
    problems.push({ field: 'jurisdiction', message: input.jurisdiction ? `${jur.name} is not a jurisdiction (a local office, state, territory or tribal nation)` : 'your organisation is not a jurisdiction: say which jurisdiction this happened in' });
  }
  if (problems.length) throw new AppError('validation-failed', problems.length === 1 ? `The report is not complete: ${problems[0]!.field} ${problems[0]!.message}.` : 'The report has problems; see each field.', { details: problems });
  const j = jur!;
  const mayReport = j.id === user.orgId || j.parent_id === user.orgId || (user.orgType === 'operations-center' && isAnalyst(user));
  if (!mayReport) throw new AppError('forbidden', 'You can report for your own office (a state also for its local offices); the operations center logs calls for anyone.', { details: [{ field: 'jurisdiction', message: 'not yours to report for' }] });

  // A hotline call is the caller's office's report; otherwise the reporter's own organisation owns it.
  const ownerOrg = input.hotline ? j.id : user.orgId;
  const ownerParent = input.hotline ? j.parent_id : user.orgParentId;
  const ownerName = input.hotline || j.id === user.orgId ? j.name : (j.reporter_org_name ?? '');
  const tlp = input.tlp ?? 'AMBER';
  let recipients: { orgs: string[]; users: string[] };
  if (input.recipients) {
    recipients = { orgs: [...new Set(input.recipients.orgs)], users: [...new Set(input.recipients.users)] };
    await db.transaction((tx) => checkIncidentRecipients(tx, recipients, tlp));
  } else if (tlp === 'RED') {
    recipients = { orgs: [], users: [user.userId] };
  } else {
    // The defaults (the owner's state and the operations center) come from the directory itself.
    recipients = { orgs: [...new Set([...(ownerParent ? [ownerParent] : []), ...j.centers])].filter((id) => id !== ownerOrg), users: [] };
  }
  let electionId: string | null = null;
  if (input.electionId) {
    const [e] = await db.select({ id: elections.id }).from(elections).where(eq(elections.id, input.electionId));
    if (!e) throw new AppError('validation-failed', 'The election does not exist.', { details: [{ field: 'electionId', message: 'unknown election' }] });
    electionId = e.id;
  }
  const dated = j.elections.map((e) => ({ id: e.id, days: daysBetween(today, e.day) }));
  // Severity looks at the next election (or one whose canvass is still under way); the report belongs to the nearest.
  const days = dated.find((e) => e.days >= -CLOSE_AFTER_DAYS)?.days ?? null;
  electionId ??= [...dated].sort((a, b) => Math.abs(a.days) - Math.abs(b.days))[0]?.id ?? null;
  const symptom = input.symptom ?? (input.votingAffected || input.countingAffected ? 'degraded' : 'observed');
  const severity = computeSeverity({ component: input.component, symptom, daysToElection: days, votingOrCountingAffected: Boolean(input.votingAffected || input.countingAffected) });
  const electionDay = days === 0;
  const now = new Date(Math.floor(Date.now()));
  const due = slaDue(now, severity.severity, electionDay);
  const channel: Channel = input.hotline ? 'hotline' : user.via === 'token' ? 'api' : 'web';
  const i: IncidentRow = {
    id: randomUUID(),
    ref: Number(j.ref),
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
    jurisdictionId: j.id,
    stateCode: j.state_code ?? j.parent_state_code,
    countyFips: j.type === 'local' && j.fips && j.fips.length >= 5 ? j.fips.slice(0, 5) : null,
    location: input.location?.trim() || null,
    address: input.address?.trim() || null,
    votingAffected: Boolean(input.votingAffected),
    countingAffected: Boolean(input.countingAffected),
    channel,
    reporterName: input.hotline?.callerName.trim() ?? user.name,
    reporterContact: input.hotline?.callerContact?.trim() ?? user.email,
    status: 'new',
    assessment: null,
    assessmentRationale: null,
    severity: severity.severity,
    computedSeverity: severity.severity,
    priority: null,
    assigneeId: null,
    electionId,
    electionDay,
    escalationLevel: null,
    triageDueAt: due.triageDueAt,
    resolveDueAt: due.resolveDueAt,
    triagedAt: null,
    resolvedAt: null,
    closedAt: null,
    mergedInto: null,
    createdAt: now,
    updatedAt: now,
  };
  const names = { jurisdictionName: j.name, ownerName };
  const how = channel === 'hotline' ? `Hotline call from ${i.reporterName} logged by ${user.name}` : `Reported by ${user.name}`;
  const text = `${how}: ${CATEGORIES[i.category].label.toLowerCase()}, ${COMPONENTS[i.component].label.toLowerCase()}. Severity ${i.severity}.`;
  const entry = { id: randomUUID(), incidentId: i.id, at: now, actorId: user.userId, actorName: user.name, actorOrg: user.orgId, kind: 'reported' as const, text, details: { channel, severity: i.severity } };
  // The report, its first timeline entry, its event and its audit row: one statement, so they commit together.
  await db.execute(sql`with
    i as (${bare(db.insert(incidents).values(i))}),
    t as (${bare(db.insert(incidentTimeline).values(entry))}),
    o as (${bare(eventInsert(db, { type: 'incident.reported', recordKind: 'incident', recordId: i.id, sharing: sharingOf(i), payload: { ...eventPayload(i, names), change: 'reported', text, by: user.name, byId: user.userId, details: entry.details } }))})
    ${bare(auditInsert(db, user, { action: 'incident.reported', targetKind: 'incident', targetId: i.id, orgIds: [ownerOrg], details: { tlp, category: i.category, severity: i.severity, channel } }))}`);
  auditWritten();
  ctx.relay.kick();
  return presentCase(i, user, { names, assigneeName: null, timeline: [entry], tasks: [], attachments: [], links: [], duplicates: [], primary: null, severityReasons: severity.reasons });
}

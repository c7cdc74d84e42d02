// Incidents: anything that interrupts an election, reported by an office and worked by analysts. A shareable
// record (owner organisation = the reporting office, TLP, recipients) with its case file: timeline, tasks,
// links, attachments.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea, createdAt, id, shareableColumns, updatedAt } from '../platform/db/columns.js';
import type { Assessment, Category, Channel, Component, EscalationLevel, Priority, Severity, Status, Symptom } from './taxonomy.js';

/** Human reference numbers (INC-000123), in the order reports arrive. */
export const incidentRefSeq = pgSequence('incident_ref', { startWith: 1 });

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const incidents = pgTable(
  'incidents',
  {
    id: id(),
    ref: bigint('ref', { mode: 'number' }).notNull().default(sql`nextval('incident_ref')`),
    ...shareableColumns(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    category: text('category').$type<Category>().notNull(),
    component: text('component').$type<Component>().notNull(),
    symptom: text('symptom').$type<Symptom>().notNull(),
    occurredAt: ts('occurred_at').notNull(),
    /** The jurisdiction where it happened (a local office, state, territory or tribal nation of the directory). */
    jurisdictionId: uuid('jurisdiction_id').notNull(),
    /** Two-letter state of the jurisdiction and its county FIPS, copied for the board's map. */
    stateCode: text('state_code'),
    countyFips: text('county_fips'),
    location: text('location'),
    address: text('address'),
    votingAffected: boolean('voting_affected').notNull().default(false),
    countingAffected: boolean('counting_affected').notNull().default(false),
    channel: text('channel').$type<Channel>().notNull(),
    /** For hotline calls: who called, as the analyst wrote it down. */
    reporterName: text('reporter_name'),
    reporterContact: text('reporter_contact'),
    status: text('status').$type<Status>().notNull().default('new'),
    assessment: text('assessment').$type<Assessment>(),
    assessmentRationale: text('assessment_rationale'),
    severity: text('severity').$type<Severity>().notNull(),
    /** The severity the table gave at report time, kept when an analyst overrides it. */
    computedSeverity: text('computed_severity').$type<Severity>().notNull(),
    priority: text('priority').$type<Priority>(),
    assigneeId: uuid('assignee_id'),
    electionId: uuid('election_id'),
    electionDay: boolean('election_day').notNull().default(false),
    escalationLevel: text('escalation_level').$type<EscalationLevel>(),
    triageDueAt: ts('triage_due_at').notNull(),
    resolveDueAt: ts('resolve_due_at').notNull(),
    triagedAt: ts('triaged_at'),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    mergedInto: uuid('merged_into'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('incidents_created_idx').on(t.createdAt, t.id),
    index('incidents_open_idx').on(t.status, t.createdAt).where(sql`${t.status} not in ('resolved', 'closed') and ${t.mergedInto} is null`),
    index('incidents_owner_idx').on(t.ownerOrg, t.createdAt),
    index('incidents_jurisdiction_idx').on(t.jurisdictionId),
    index('incidents_state_idx').on(t.stateCode, t.status),
    index('incidents_election_idx').on(t.electionId),
    index('incidents_recipient_orgs_idx').using('gin', t.recipientOrgs),
    index('incidents_recipient_users_idx').using('gin', t.recipientUsers),
    index('incidents_search_idx').using('gin', sql`to_tsvector('english', ${t.title} || ' ' || ${t.description} || ' ' || coalesce(${t.location}, ''))`),
    index('incidents_ref_idx').on(t.ref),
  ],
);

export const TIMELINE_KINDS = [
  'reported', 'note', 'status', 'assessment', 'severity', 'priority', 'assigned', 'task-added', 'task-done', 'task-reopened', 'task-removed',
  'task-edited', 'playbook', 'linked', 'unlinked', 'merged', 'unmerged', 'escalated', 'attachment', 'sharing',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const incidentTimeline = pgTable(
  'incident_timeline',
  {
    id: id(),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name').notNull(),
    actorOrg: uuid('actor_org'),
    kind: text('kind').$type<TimelineKind>().notNull(),
    text: text('text').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('incident_timeline_incident_idx').on(t.incidentId, t.at)],
);

export const incidentTasks = pgTable(
  'incident_tasks',
  {
    id: id(),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    position: integer('position').notNull(),
    playbook: text('playbook'),
    done: boolean('done').notNull().default(false),
    doneAt: ts('done_at'),
    doneBy: uuid('done_by'),
    createdAt: createdAt(),
  },
  (t) => [index('incident_tasks_incident_idx').on(t.incidentId, t.position)],
);

/** Related incidents, one row per pair (the smaller id first). */
export const incidentLinks = pgTable(
  'incident_links',
  {
    a: uuid('a').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    b: uuid('b').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.a, t.b] }), index('incident_links_b_idx').on(t.b)],
);

export const incidentAttachments = pgTable(
  'incident_attachments',
  {
    id: id(),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    uploadedBy: uuid('uploaded_by'),
    createdAt: createdAt(),
  },
  (t) => [index('incident_attachments_incident_idx').on(t.incidentId)],
);

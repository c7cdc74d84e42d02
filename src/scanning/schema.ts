// Cyber hygiene scanning: an office's authorisation (its scope and acceptance, approved by the operations
// center), the scans run under it, and the findings tracked across scans. All three are shareable records —
// owned by the office, TLP:AMBER to its state and the operations center by default — so the sharing policy
// decides who sees them, and a state's roll-up is simply what its counties share with it.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, shareableColumns, textArray, updatedAt } from '../platform/db/columns.js';
import type { ScanReport } from './engine.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type AuthorizationStatus = 'requested' | 'approved' | 'rejected' | 'revoked';

export interface ScanWindow {
  /** Days of the week scans may run (0 Sunday … 6 Saturday); empty: every day. */
  readonly days: readonly number[];
  /** Local times (EOC_TIME_ZONE), "HH:MM"; start after end spans midnight. */
  readonly start: string;
  readonly end: string;
}

export const scanAuthorizations = pgTable(
  'scan_authorizations',
  {
    id: id(),
    ...shareableColumns(),
    /** Host names (or *.domain), addresses and CIDR ranges the office authorises. */
    scope: textArray('scope'),
    status: text('status').$type<AuthorizationStatus>().notNull().default('requested'),
    /** The acceptance: the exact text the office accepted, who accepted it and when. */
    acceptanceText: text('acceptance_text').notNull(),
    acceptanceVersion: text('acceptance_version').notNull(),
    acceptedBy: uuid('accepted_by').notNull(),
    acceptedByName: text('accepted_by_name').notNull(),
    acceptedAt: ts('accepted_at').notNull(),
    window: jsonb('window').$type<ScanWindow>(),
    ratePerSecond: integer('rate_per_second').notNull().default(100),
    decidedBy: uuid('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    /** When the next scan is due (paced by what the last one found). */
    nextScanAt: ts('next_scan_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('scan_authorizations_owner_idx').on(t.ownerOrg, t.createdAt), index('scan_authorizations_due_idx').on(t.nextScanAt).where(sql`${t.status} = 'approved'`)],
);

export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ScanSummary {
  readonly hosts: number;
  readonly findings: number;
  /** Open findings after this scan, by severity (the trend). */
  readonly open: Record<string, number>;
  readonly kev: number;
  readonly new: number;
  readonly mitigated: number;
  readonly redetected: number;
}

export const scans = pgTable(
  'scans',
  {
    id: id(),
    ...shareableColumns(),
    authorizationId: uuid('authorization_id').notNull().references(() => scanAuthorizations.id),
    status: text('status').$type<ScanStatus>().notNull().default('queued'),
    trigger: text('trigger').$type<'manual' | 'schedule'>().notNull(),
    targets: textArray('targets'),
    requestedBy: uuid('requested_by'),
    notBefore: ts('not_before'),
    startedAt: ts('started_at'),
    finishedAt: ts('finished_at'),
    summary: jsonb('summary').$type<ScanSummary>(),
    report: jsonb('report').$type<ScanReport>(),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [index('scans_owner_idx').on(t.ownerOrg, t.createdAt), index('scans_authorization_idx').on(t.authorizationId, t.createdAt)],
);

export type FindingStatus = 'new' | 'active' | 'mitigated' | 're-detected' | 'accepted';

export const scanFindings = pgTable(
  'scan_findings',
  {
    id: id(),
    ...shareableColumns(),
    /** The same check on the same host, port and subject (checks.ts findingKey). */
    key: text('key').notNull(),
    checkId: text('check_id').notNull(),
    severity: text('severity').notNull(),
    title: text('title').notNull(),
    host: text('host').notNull(),
    address: text('address'),
    port: integer('port'),
    subject: text('subject'),
    evidence: text('evidence').notNull(),
    fix: text('fix').notNull(),
    status: text('status').$type<FindingStatus>().notNull().default('new'),
    firstSeenAt: ts('first_seen_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    firstScanId: uuid('first_scan_id').notNull(),
    lastScanId: uuid('last_scan_id').notNull(),
    mitigatedAt: ts('mitigated_at'),
    redetectedAt: ts('redetected_at'),
    /** When the fix is due: the severity's deadline, or election day if that comes first. */
    dueAt: ts('due_at'),
    /** The election day the deadline was brought forward to, when it was. */
    dueElectionDay: text('due_election_day'),
    acceptedUntil: ts('accepted_until'),
    acceptedReason: text('accepted_reason'),
    acceptedBy: uuid('accepted_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('scan_findings_key_idx').on(t.ownerOrg, t.key), index('scan_findings_open_idx').on(t.ownerOrg, t.status, t.severity)],
);

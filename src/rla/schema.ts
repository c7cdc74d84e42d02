// Risk-limiting audits: a state's audit (a shareable record owned by the state, TLP:AMBER to its participating
// counties and the operations center, so the sharing policy decides who reads it), its contests, the counties
// with their manifests, batches and cast vote records, rounds with their draws, audit boards and what the boards
// read on each ballot. The sample is never stored as a choice: it is recomputed from the frozen seed and
// manifests by anyone, and stored only so boards and reports can list it.
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, shareableColumns, textArray, updatedAt } from '../platform/db/columns.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type AuditType = 'ballot-polling' | 'ballot-comparison' | 'batch-comparison';
export type AuditStatus = 'setup' | 'in-progress' | 'complete';

export const rlaAudits = pgTable(
  'rla_audits',
  {
    id: id(),
    ...shareableColumns(),
    name: text('name').notNull(),
    electionId: uuid('election_id'),
    auditType: text('audit_type').$type<AuditType>().notNull(),
    /** Percent, 1–20. */
    riskLimit: integer('risk_limit').notNull(),
    status: text('status').$type<AuditStatus>().notNull().default('setup'),
    seed: text('seed'),
    seedEnteredBy: uuid('seed_entered_by'),
    seedEnteredByName: text('seed_entered_by_name'),
    seedEnteredAt: ts('seed_entered_at'),
    completedAt: ts('completed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('rla_audits_owner_idx').on(t.ownerOrg, t.createdAt)],
);

export interface ReportedChoice {
  readonly name: string;
  readonly votes: number;
}

export const rlaContests = pgTable(
  'rla_contests',
  {
    id: id(),
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    numWinners: integer('num_winners').notNull(),
    votesAllowed: integer('votes_allowed').notNull(),
    ballotsCast: integer('ballots_cast').notNull(),
    choices: jsonb('choices').$type<ReportedChoice[]>().notNull(),
    /** The counties whose ballots carry the contest; empty: every county of the audit. */
    counties: uuid('counties').array().notNull().default(sql`'{}'::uuid[]`),
  },
  (t) => [uniqueIndex('rla_contests_name_uq').on(t.auditId, sql`lower(${t.name})`)],
);

export const rlaCounties = pgTable(
  'rla_counties',
  {
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    /** The county's name as the sample hashes it: frozen when the audit is set up. */
    name: text('name').notNull(),
    /** Ballots cast the county reported with its manifest; the manifest must add up to it. */
    ballotsCast: integer('ballots_cast'),
    manifestFile: text('manifest_file'),
    manifestSha256: text('manifest_sha256'),
    manifestEncoding: text('manifest_encoding'),
    manifestBatches: integer('manifest_batches'),
    manifestBallots: integer('manifest_ballots'),
    manifestUploadedAt: ts('manifest_uploaded_at'),
    manifestUploadedBy: text('manifest_uploaded_by'),
    /** Cast vote records (ballot comparison) or batch tallies (batch comparison). */
    resultsFile: text('results_file'),
    resultsSha256: text('results_sha256'),
    resultsRows: integer('results_rows'),
    resultsUploadedAt: ts('results_uploaded_at'),
    resultsUploadedBy: text('results_uploaded_by'),
  },
  (t) => [primaryKey({ columns: [t.auditId, t.orgId] })],
);

export const rlaBatches = pgTable(
  'rla_batches',
  {
    id: id(),
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    countyOrgId: uuid('county_org_id').notNull(),
    container: text('container'),
    tabulator: text('tabulator'),
    name: text('name').notNull(),
    ballots: integer('ballots').notNull(),
    /** Batch comparison: reported votes per contest name and choice. */
    tallies: jsonb('tallies').$type<Record<string, Record<string, number>>>(),
  },
  (t) => [index('rla_batches_county_idx').on(t.auditId, t.countyOrgId), uniqueIndex('rla_batches_key_uq').on(t.auditId, t.countyOrgId, sql`coalesce(${t.tabulator}, '')`, t.name)],
);

export const rlaCvrs = pgTable(
  'rla_cvrs',
  {
    batchId: uuid('batch_id').notNull().references(() => rlaBatches.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    /** Per contest on the ballot: 1/0 per choice. */
    votes: jsonb('votes').$type<Record<string, Record<string, number>>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.position] })],
);

export interface ContestRoundResult {
  readonly contestId: string;
  readonly name: string;
  readonly sampleSize: number;
  readonly risk: number;
  readonly confirmed: boolean;
  readonly pairs?: ReadonlyArray<{ readonly winner: string; readonly loser: string; readonly risk: number }>;
  /** Polling: votes per choice in the sample so far; comparison: discrepancies so far. */
  readonly tally?: Readonly<Record<string, number>>;
}

export const rlaRounds = pgTable(
  'rla_rounds',
  {
    id: id(),
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    /** Draws per contest this round, and the option they came from ("asn", "0.9", "all-ballots", "custom" …). */
    sizes: jsonb('sizes').$type<Record<string, { size: number; key: string }>>().notNull(),
    startedAt: createdAt(),
    startedBy: text('started_by').notNull(),
    endedAt: ts('ended_at'),
    results: jsonb('results').$type<ContestRoundResult[]>(),
  },
  (t) => [uniqueIndex('rla_rounds_number_uq').on(t.auditId, t.number)],
);

export const rlaAuditBoards = pgTable(
  'rla_audit_boards',
  {
    id: id(),
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    roundId: uuid('round_id').notNull().references(() => rlaRounds.id, { onDelete: 'cascade' }),
    countyOrgId: uuid('county_org_id').notNull(),
    name: text('name').notNull(),
    /** Argon2 hash of the one-time passphrase; cleared once used. */
    passphraseHash: text('passphrase_hash'),
    /** SHA-256 of the board's session token after sign-in. */
    sessionHash: text('session_hash'),
    sessionExpiresAt: ts('session_expires_at'),
    members: textArray('members'),
    signedOffAt: ts('signed_off_at'),
    createdAt: createdAt(),
  },
  (t) => [index('rla_audit_boards_round_idx').on(t.roundId, t.countyOrgId), uniqueIndex('rla_audit_boards_session_uq').on(t.sessionHash)],
);

export const rlaDraws = pgTable(
  'rla_draws',
  {
    id: id(),
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    roundId: uuid('round_id').notNull().references(() => rlaRounds.id, { onDelete: 'cascade' }),
    contestId: uuid('contest_id').notNull(),
    batchId: uuid('batch_id').notNull(),
    /** Ballot position in the batch; null for a batch draw (batch comparison). */
    position: integer('position'),
    ticket: text('ticket').notNull(),
    /** How many times this ballot had been drawn for the contest, this draw included. */
    timesSampled: integer('times_sampled').notNull(),
    boardId: uuid('board_id'),
  },
  (t) => [index('rla_draws_round_idx').on(t.roundId, t.batchId, t.position), index('rla_draws_board_idx').on(t.boardId)],
);

export type Reading = 'vote' | 'blank' | 'cant-agree' | 'not-on-ballot' | 'not-found';

/** What an audit board agreed it saw: per ballot (or batch) and contest. */
export const rlaInterpretations = pgTable(
  'rla_interpretations',
  {
    id: id(),
    auditId: uuid('audit_id').notNull().references(() => rlaAudits.id, { onDelete: 'cascade' }),
    roundId: uuid('round_id').notNull(),
    boardId: uuid('board_id').notNull(),
    batchId: uuid('batch_id').notNull(),
    /** Null for a batch tally (batch comparison). */
    position: integer('position'),
    contestId: uuid('contest_id').notNull(),
    reading: text('reading').$type<Reading>().notNull(),
    /** Choices voted for (ballots), or votes per choice (batch tallies). */
    choices: textArray('choices'),
    votes: jsonb('votes').$type<Record<string, number>>(),
    comment: text('comment'),
    members: textArray('members'),
    incidentId: uuid('incident_id'),
    enteredAt: createdAt(),
  },
  (t) => [uniqueIndex('rla_interpretations_uq').on(t.auditId, t.batchId, sql`coalesce(${t.position}, 0)`, t.contestId)],
);

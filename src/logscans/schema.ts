// Log scans: an office's logs (web server, DNS, firewall or proxy CSV, syslog) uploaded or streamed over the
// API and matched line by line against every active indicator the office may read. Private to the office.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from '../platform/db/columns.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const count = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

export const logScans = pgTable(
  'log_scans',
  {
    id: id(),
    orgId: uuid('org_id').notNull(),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    /** As asked (auto included), then what auto settled on. */
    format: text('format').notNull(),
    status: text('status').$type<'receiving' | 'done' | 'failed'>().notNull().default('receiving'),
    /** The size announced by the uploader (Content-Length), when known: progress is bytes of it. */
    bytesExpected: bigint('bytes_expected', { mode: 'number' }),
    bytes: count('bytes'),
    lines: count('lines'),
    matchedLines: count('matched_lines'),
    matches: count('matches'),
    offFormat: count('off_format'),
    binary: count('binary'),
    /** Indicators the scan was matched against. */
    indicators: integer('indicators').notNull().default(0),
    /** The start of a line that the last part ended in (a streamed scan continues it). */
    carry: text('carry').notNull().default(''),
    error: text('error'),
    incidentId: uuid('incident_id'),
    startedAt: createdAt(),
    updatedAt: ts('updated_at').notNull().default(sql`now()`),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('log_scans_org_idx').on(t.orgId, t.startedAt)],
);

/** The matches of a scan (the first ones, up to a limit; the counts are in the scan). */
export const logScanMatches = pgTable(
  'log_scan_matches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    scanId: uuid('scan_id').notNull().references(() => logScans.id, { onDelete: 'cascade' }),
    line: bigint('line', { mode: 'number' }).notNull(),
    stixId: text('stix_id').notNull(),
    type: text('type').notNull(),
    /** What was seen in the line, and the indicator's value it matched (a network, a parent domain). */
    matched: text('matched').notNull(),
    value: text('value').notNull(),
  },
  (t) => [index('log_scan_matches_scan_idx').on(t.scanId, t.id)],
);

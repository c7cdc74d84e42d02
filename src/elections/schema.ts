// Elections on the calendar: a date and the jurisdictions voting in it. Community information, readable by
// every signed-in member; created by the operations center and by state offices for their own state.
import { date, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from '../platform/db/columns.js';

export const ELECTION_KINDS = ['general', 'primary', 'special', 'runoff', 'municipal'] as const;
export type ElectionKind = (typeof ELECTION_KINDS)[number];

export const elections = pgTable(
  'elections',
  {
    id: id(),
    name: text('name').notNull(),
    kind: text('kind').$type<ElectionKind>().notNull(),
    /** Election day, a calendar date (no time zone: the polls of each jurisdiction open on that date). */
    day: date('day', { mode: 'string' }).notNull(),
    /** The states, territories or local offices voting; empty means nationwide. */
    jurisdictions: uuid('jurisdictions').array().notNull(),
    createdBy: uuid('created_by'),
    createdByOrg: uuid('created_by_org').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('elections_day_idx').on(t.day)],
);

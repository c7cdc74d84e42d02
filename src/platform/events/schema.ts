// The transactional outbox: each change writes an event row in the same transaction as the record.
// The relay gives committed rows a gap-free delivery order (`seq`), which is what SSE ids and resumes use.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgSequence, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tlpEnum } from '../db/columns.js';

/** Source of delivery positions; only the relay (holding its lock) draws from it. */
export const outboxSeq = pgSequence('outbox_seq');

export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Delivery order, assigned by the relay after commit; null until then. */
    seq: bigint('seq', { mode: 'number' }),
    type: text('type').notNull(),
    recordKind: text('record_kind').notNull(),
    recordId: text('record_id').notNull(),
    // A copy of the record's sharing columns at the time of the event: the policy filters events by these.
    ownerOrg: uuid('owner_org').notNull(),
    authorId: uuid('author_id'),
    tlp: tlpEnum('tlp').notNull(),
    recipientOrgs: uuid('recipient_orgs').array().notNull().default(sql`'{}'::uuid[]`),
    recipientUsers: uuid('recipient_users').array().notNull().default(sql`'{}'::uuid[]`),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('outbox_seq_uq').on(t.seq),
    index('outbox_unsequenced_idx').on(t.id).where(sql`${t.seq} is null`),
  ],
);

/** Consumers that process the event stream durably (notification rules) keep their position here. */
export const eventCursors = pgTable('event_cursors', {
  consumer: text('consumer').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

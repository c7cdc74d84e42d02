// The hash-chained audit log: one row per change or sensitive read, each row's hash covering the previous one.
// A row is written in the transaction of the change it records (so it exists if and only if the change
// committed) with no position yet; the chainer then gives committed rows their position and hash, in order,
// one node at a time — so writers never wait on each other for the chain.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const auditLog = pgTable(
  'audit_log',
  {
    /** Arrival order; the chain's order is `seq`, given when the row is chained. */
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Position in the chain; null until chained (milliseconds after commit). */
    seq: bigint('seq', { mode: 'number' }),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    action: text('action').notNull(),
    outcome: text('outcome').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorOrgId: uuid('actor_org_id'),
    targetKind: text('target_kind'),
    targetId: text('target_id'),
    /** Organisations whose admins may read this row in the UI (the actor's and the target's). */
    orgIds: uuid('org_ids').array().notNull(),
    details: jsonb('details').notNull(),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_org_idx').using('gin', t.orgIds),
    index('audit_log_at_idx').on(t.at),
    uniqueIndex('audit_log_seq_uq').on(t.seq),
    index('audit_log_pending_idx').on(t.id).where(sql`${t.seq} is null`),
  ],
);

// The hash-chained audit log: one row per change or sensitive read, each row's hash covering the previous one.
import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
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
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_org_idx').using('gin', t.orgIds), index('audit_log_at_idx').on(t.at)],
);

// Notifications: in-app messages per user, organisation webhooks and their deliveries.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, textArray } from '../platform/db/columns.js';

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: uuid('user_id').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    link: text('link'),
    eventSeq: bigint('event_seq', { mode: 'number' }),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);

export const webhooks = pgTable(
  'webhooks',
  {
    id: id(),
    orgId: uuid('org_id').notNull(),
    url: text('url').notNull(),
    /** Shared secret for the HMAC-SHA256 signature; shown once on creation. */
    secret: text('secret').notNull(),
    eventTypes: textArray('event_types'),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [index('webhooks_org_idx').on(t.orgId)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    webhookId: uuid('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
    /** Null for a test ping. */
    eventSeq: bigint('event_seq', { mode: 'number' }),
    eventType: text('event_type').notNull().default('ping'),
    status: text('status').notNull().default('pending'), // pending | delivered | failed | skipped
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [index('webhook_deliveries_hook_idx').on(t.webhookId, t.createdAt)],
);

export const emailLog = pgTable('email_log', {
  id: id(),
  userId: uuid('user_id'),
  eventSeq: bigint('event_seq', { mode: 'number' }),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  status: text('status').notNull().default(sql`'queued'`),
  createdAt: createdAt(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
});

// Bulletins: messages a state sends its counties or the operations center sends the community.
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea, createdAt, id, shareableColumns, updatedAt } from '../platform/db/columns.js';

export const bulletins = pgTable(
  'bulletins',
  {
    id: id(),
    ...shareableColumns(),
    title: text('title').notNull(),
    /** Markdown as written; the sanitised HTML is derived on read. */
    body: text('body').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Ascending on purpose: PostgreSQL scans them backwards for `order by created_at desc, id desc`
    // (DESC NULLS FIRST). A `desc()` index here is DESC NULLS LAST and the planner cannot use it for that order.
    index('bulletins_created_idx').on(t.createdAt, t.id),
    index('bulletins_owner_idx').on(t.ownerOrg, t.createdAt),
    index('bulletins_recipient_orgs_idx').using('gin', t.recipientOrgs),
    index('bulletins_recipient_users_idx').using('gin', t.recipientUsers),
    index('bulletins_search_idx').using('gin', sql`to_tsvector('english', ${t.title} || ' ' || ${t.body})`),
  ],
);

export const bulletinReads = pgTable(
  'bulletin_reads',
  {
    bulletinId: uuid('bulletin_id').notNull().references(() => bulletins.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    readAt: timestamp('read_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.bulletinId] })],
);

export const bulletinAttachments = pgTable(
  'bulletin_attachments',
  {
    id: id(),
    bulletinId: uuid('bulletin_id').notNull().references(() => bulletins.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    data: bytea('data').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('bulletin_attachments_bulletin_idx').on(t.bulletinId)],
);

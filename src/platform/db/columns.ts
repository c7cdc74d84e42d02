// Column helpers shared by every domain's tables, including the shareable-record columns of the sharing policy.
import { sql } from 'drizzle-orm';
import { customType, pgEnum, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];
export const tlpEnum = pgEnum('tlp', TLP_LEVELS);

export const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/**
 * The five columns every shareable record carries. The sharing policy (access/policy.ts) reads only these,
 * so one predicate serves bulletins, incidents, indicators and the outbox alike.
 */
export const shareableColumns = () => ({
  ownerOrg: uuid('owner_org').notNull(),
  authorId: uuid('author_id'),
  tlp: tlpEnum('tlp').notNull(),
  recipientOrgs: uuid('recipient_orgs').array().notNull().default(sql`'{}'::uuid[]`),
  recipientUsers: uuid('recipient_users').array().notNull().default(sql`'{}'::uuid[]`),
});

export const textArray = (name: string) => text(name).array().notNull().default(sql`'{}'::text[]`);

/** Binary content (attachments): a Buffer in, a Buffer out, whichever driver (pg or PGlite) read it. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

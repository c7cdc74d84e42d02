// Threat intelligence: the STIX 2.1 store and the TAXII 2.1 collections it is served from. Every stored
// object version is a shareable record (owner organisation = the writer's, TLP from its marking or the
// collection's default, recipients = the collection's readers), so TAXII, the REST API and the web UI read it
// through the same sharing policy.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, shareableColumns, tlpEnum, updatedAt } from '../platform/db/columns.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const taxiiCollections = pgTable('taxii_collections', {
  id: id(),
  title: text('title').notNull(),
  description: text('description'),
  /** Every member organisation may read it; otherwise only `readerOrgs`. */
  readersAll: boolean('readers_all').notNull().default(false),
  readerOrgs: uuid('reader_orgs').array().notNull().default(sql`'{}'::uuid[]`),
  writerOrgs: uuid('writer_orgs').array().notNull().default(sql`'{}'::uuid[]`),
  /** The TLP of objects that carry no TLP marking. */
  defaultTlp: tlpEnum('default_tlp').notNull().default('AMBER'),
  /**
   * The date_added of the newest object version. Writers lock the collection row and add after it, so
   * date_added is unique and increasing within a collection and a reader paging by it misses nothing.
   */
  lastAddedAt: ts('last_added_at'),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const stixObjects = pgTable(
  'stix_objects',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    collectionId: uuid('collection_id').notNull().references(() => taxiiCollections.id, { onDelete: 'cascade' }),
    stixId: text('stix_id').notNull(),
    type: text('type').notNull(),
    specVersion: text('spec_version').notNull().default('2.1'),
    /** The object's `modified` (or `created`, or its date_added for objects that have neither), as written. */
    version: text('version').notNull(),
    versionAt: ts('version_at').notNull(),
    dateAdded: ts('date_added').notNull(),
    isLatest: boolean('is_latest').notNull().default(true),
    revoked: boolean('revoked').notNull().default(false),
    ...shareableColumns(),
    /** The object exactly as received (JSON text), served back unchanged. */
    body: text('body').notNull(),
    name: text('name'),
    pattern: text('pattern'),
    patternType: text('pattern_type'),
    validFrom: ts('valid_from'),
    validUntil: ts('valid_until'),
    confidence: integer('confidence'),
    createdByRef: text('created_by_ref'),
    /** The ends of a relationship (source, target) or a sighting (target = what was sighted). */
    sourceRef: text('source_ref'),
    targetRef: text('target_ref'),
  },
  (t) => [
    uniqueIndex('stix_objects_added_idx').on(t.collectionId, t.dateAdded),
    uniqueIndex('stix_objects_version_idx').on(t.collectionId, t.stixId, t.version),
    index('stix_objects_type_idx').on(t.type, t.isLatest),
    index('stix_objects_stix_id_idx').on(t.stixId),
    index('stix_objects_source_idx').on(t.sourceRef).where(sql`${t.sourceRef} is not null`),
    index('stix_objects_target_idx').on(t.targetRef).where(sql`${t.targetRef} is not null`),
  ],
);

/** The status resource of a TAXII POST: which objects were stored and which failed, and why. */
export const taxiiStatuses = pgTable(
  'taxii_statuses',
  {
    id: id(),
    collectionId: uuid('collection_id').notNull(),
    /** The user whose request it was; only they (and their organisation) read it back. */
    userId: uuid('user_id').notNull(),
    orgId: uuid('org_id').notNull(),
    status: text('status').$type<'pending' | 'complete'>().notNull(),
    totalCount: integer('total_count').notNull(),
    successes: jsonb('successes').$type<StatusDetail[]>().notNull(),
    failures: jsonb('failures').$type<StatusDetail[]>().notNull(),
    pendings: jsonb('pendings').$type<StatusDetail[]>().notNull().default(sql`'[]'::jsonb`),
    requestedAt: ts('requested_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('taxii_statuses_user_idx').on(t.userId, t.createdAt)],
);

export interface StatusDetail {
  readonly id: string;
  readonly version?: string;
  readonly message?: string;
}

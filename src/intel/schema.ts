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
  /** Object versions stored here so far: it changes with every commit that adds some (caches key on it). */
  objectsAdded: bigint('objects_added', { mode: 'number' }).notNull().default(0),
  createdBy: uuid('created_by'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const stixObjects = pgTable(
  'stix_objects',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /**
     * No foreign key: its check ran once per row, about an eighth of the time of storing a bundle. The store is the one
     * writer, and it locks the collection's row before every insert (the collection exists, and stays, until
     * the objects are committed); whatever removes a collection removes its objects in the same transaction.
     */
    collectionId: uuid('collection_id').notNull(),
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
    // Led by the id, it also serves every look-up of an object by id, in a collection or across collections:
    // one index fewer to write for each object stored.
    uniqueIndex('stix_objects_version_idx').on(t.stixId, t.collectionId, t.version),
    index('stix_objects_type_idx').on(t.type, t.isLatest),
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

/**
 * TAXII client feeds: a collection on another server (another state's instance, a national feed, a vendor)
 * polled on a schedule into a local collection. `checkpoint` is the date_added of the last object received;
 * each poll asks for what was added after it, and saves it after every page, so a failure resumes there.
 */
export const taxiiFeeds = pgTable(
  'taxii_feeds',
  {
    id: id(),
    title: text('title').notNull(),
    /** The remote collection's URL: https://host/…/collections/ID/ */
    url: text('url').notNull(),
    authType: text('auth_type').$type<'none' | 'bearer' | 'basic'>().notNull().default('none'),
    username: text('username'),
    /** The token or password; never returned by the API. */
    secret: text('secret'),
    targetCollectionId: uuid('target_collection_id').notNull().references(() => taxiiCollections.id, { onDelete: 'cascade' }),
    /** The organisation that subscribed: it owns what the feed brings in. */
    ownerOrg: uuid('owner_org').notNull(),
    createdBy: uuid('created_by'),
    /** TLP of incoming objects that carry no TLP marking. */
    defaultTlp: tlpEnum('default_tlp').notNull().default('AMBER'),
    intervalMinutes: integer('interval_minutes').notNull().default(60),
    enabled: boolean('enabled').notNull().default(true),
    checkpoint: text('checkpoint'),
    nextPollAt: ts('next_poll_at').notNull().defaultNow(),
    leaseUntil: ts('lease_until'),
    lastPolledAt: ts('last_polled_at'),
    lastSuccessAt: ts('last_success_at'),
    lastError: text('last_error'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    objectsReceived: bigint('objects_received', { mode: 'number' }).notNull().default(0),
    objectsRefused: bigint('objects_refused', { mode: 'number' }).notNull().default(0),
    lastPollStored: integer('last_poll_stored'),
    lastPollRefused: integer('last_poll_refused'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('taxii_feeds_due_idx').on(t.enabled, t.nextPollAt)],
);

/**
 * What members tell the producer of an indicator: a false positive, or a sighting (seen in their logs or
 * traffic). The producer sees the counts; an organisation's name only where it allowed it.
 */
export const indicatorFeedback = pgTable(
  'indicator_feedback',
  {
    id: id(),
    stixId: text('stix_id').notNull(),
    orgId: uuid('org_id').notNull(),
    userId: uuid('user_id'),
    kind: text('kind').$type<'false-positive' | 'sighting'>().notNull(),
    count: integer('count').notNull().default(1),
    firstSeen: ts('first_seen'),
    lastSeen: ts('last_seen'),
    /** The producer may see which organisation it was. */
    shareName: boolean('share_name').notNull().default(false),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [index('indicator_feedback_stix_idx').on(t.stixId, t.kind), uniqueIndex('indicator_feedback_fp_once_idx').on(t.stixId, t.orgId).where(sql`${t.kind} = 'false-positive'`)],
);

// Advisories: threat information written for people (what is happening, what to do now), drafted, reviewed
// by a second analyst, published to its recipients; recipients acknowledge and say "we are affected" or
// "we saw this". A shareable record: the owner organisation, TLP and recipients decide who reads it.
import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, shareableColumns, textArray, updatedAt } from '../platform/db/columns.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const ADVISORY_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AdvisorySeverity = (typeof ADVISORY_SEVERITIES)[number];
export const ADVISORY_STATUSES = ['draft', 'in-review', 'published', 'withdrawn'] as const;
export type AdvisoryStatus = (typeof ADVISORY_STATUSES)[number];
export const RESPONSE_KINDS = ['acknowledged', 'affected', 'seen'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

export const advisories = pgTable(
  'advisories',
  {
    id: id(),
    ...shareableColumns(),
    title: text('title').notNull(),
    /** What is happening, in plain words (Markdown). */
    summary: text('summary').notNull(),
    /** What to do now (Markdown). */
    actions: text('actions').notNull(),
    components: textArray('components'),
    severity: text('severity').$type<AdvisorySeverity>().notNull(),
    status: text('status').$type<AdvisoryStatus>().notNull().default('draft'),
    /** STIX ids of linked indicators and other objects (shown to a reader only where the policy lets them see them). */
    stixRefs: textArray('stix_refs'),
    /** CVE ids the advisory is about: matched against the inventories of the organisations that may read it. */
    cves: textArray('cves'),
    incidentIds: uuid('incident_ids').array().notNull().default(sql`'{}'::uuid[]`),
    reviewerId: uuid('reviewer_id'),
    reviewNote: text('review_note'),
    submittedAt: ts('submitted_at'),
    publishedAt: ts('published_at'),
    withdrawnAt: ts('withdrawn_at'),
    withdrawnReason: text('withdrawn_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('advisories_published_idx').on(t.status, t.publishedAt, t.id),
    index('advisories_owner_idx').on(t.ownerOrg, t.updatedAt),
  ],
);

export const advisoryResponses = pgTable(
  'advisory_responses',
  {
    id: id(),
    advisoryId: uuid('advisory_id').notNull().references(() => advisories.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    userId: uuid('user_id').notNull(),
    kind: text('kind').$type<ResponseKind>().notNull(),
    note: text('note'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('advisory_responses_once_idx').on(t.advisoryId, t.orgId, t.kind)],
);

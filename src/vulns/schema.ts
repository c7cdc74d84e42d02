// The vulnerability catalog: every CVE the platform has learned (from CVE records, CISA's KEV catalog, STIX
// vulnerability objects and advisories name them), with the products and versions it affects. Public
// reference data, readable by every member; matched against every inventory as it arrives.
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, real, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from '../platform/db/columns.js';
import type { AffectedEntry, KevEntry } from './catalog.js';

export const vulnerabilities = pgTable(
  'vulnerabilities',
  {
    cveId: text('cve_id').primaryKey(),
    title: text('title'),
    description: text('description'),
    published: timestamp('published', { withTimezone: true, mode: 'date' }),
    cvssScore: real('cvss_score'),
    cvssSeverity: text('cvss_severity'),
    /** The KEV catalog's entry, when CISA lists it as exploited in the wild. */
    kev: jsonb('kev').$type<KevEntry>(),
    /** Affected products from the CVE record (its CNA and enrichments). */
    affected: jsonb('affected').$type<AffectedEntry[]>().notNull().default(sql`'[]'::jsonb`),
    /** The product the KEV catalog names (no versions). */
    kevAffected: jsonb('kev_affected').$type<AffectedEntry[]>().notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('vulnerabilities_kev_idx').on(sql`(${t.kev} ->> 'dateAdded')`).where(sql`${t.kev} is not null`), index('vulnerabilities_updated_idx').on(t.updatedAt)],
);

// The election systems inventory: what each organisation runs, where it is reachable (host names, addresses
// and networks, domains), who made it and which version, certification, dates, and how it connects. Private
// to the organisation and its state: it tells an attacker where to look, and it is what the platform matches
// threats against to tell an office, privately, that a threat touches it.
import { sql } from 'drizzle-orm';
import { date, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, textArray, updatedAt } from '../platform/db/columns.js';
import type { AssetComponent, Certification, Connectivity } from './taxonomy.js';

export const assets = pgTable(
  'assets',
  {
    id: id(),
    orgId: uuid('org_id').notNull(),
    name: text('name').notNull(),
    component: text('component').$type<AssetComponent>().notNull(),
    hostnames: textArray('hostnames'),
    /** Addresses and networks in CIDR form (a single address is /32 or /128). */
    ipRanges: textArray('ip_ranges'),
    domains: textArray('domains'),
    vendor: text('vendor'),
    product: text('product'),
    version: text('version'),
    certification: text('certification').$type<Certification>().notNull().default('unknown'),
    acquiredOn: date('acquired_on'),
    endOfSupport: date('end_of_support'),
    connectivity: text('connectivity').$type<Connectivity>().notNull(),
    notes: text('notes'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Names are unique within an organisation: a CSV import updates the system of the same name.
    uniqueIndex('assets_org_name_idx').on(t.orgId, t.name),
    index('assets_eos_idx').on(t.endOfSupport).where(sql`${t.endOfSupport} is not null`),
    index('assets_domains_idx').using('gin', t.domains),
    index('assets_hostnames_idx').using('gin', t.hostnames),
  ],
);

/**
 * A threat that touches an office's system: an indicator whose address falls in one of its networks, whose
 * domain is one of its names or above one. Private to the office (its state too, when the office says so);
 * the producer of the indicator learns only how many offices were told and how many acknowledged.
 */
export const victimMatches = pgTable(
  'victim_matches',
  {
    id: id(),
    orgId: uuid('org_id').notNull(),
    assetId: uuid('asset_id').notNull().references(() => assets.id, { onDelete: 'cascade' }),
    /** What touched it: an indicator (by STIX id), or a vulnerability (by CVE id) learned from the catalog or an advisory. */
    source: text('source').$type<'indicator' | 'vulnerability'>().notNull().default('indicator'),
    stixId: text('stix_id').notNull(),
    /** The indicator's owner organisation (who produced it). */
    producerOrg: uuid('producer_org').notNull(),
    indicatorValue: text('indicator_value').notNull(),
    indicatorType: text('indicator_type').notNull(),
    reason: text('reason').notNull(),
    /** What of the inventory matched: the network or the name. */
    matched: text('matched').notNull(),
    acknowledgedBy: uuid('acknowledged_by'),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
    /** The office agreed to let the producer of the threat know it was touched. */
    disclosedBy: uuid('disclosed_by'),
    disclosedAt: timestamp('disclosed_at', { withTimezone: true, mode: 'date' }),
    /** It no longer applies (a vulnerability the system's version turned out not to have, or was updated away from), and why. */
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    resolution: text('resolution'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('victim_matches_once_idx').on(t.assetId, t.stixId, t.indicatorValue), index('victim_matches_org_idx').on(t.orgId, t.createdAt), index('victim_matches_stix_idx').on(t.stixId)],
);

// Election-day monitoring: the monitors of an office's public services (shareable records — owned by the office,
// TLP:AMBER to its state and the operations center), the outages and changes they saw, and their history in
// five-minute buckets (uptime and latency charts without a row per check).
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, shareableColumns, textArray, updatedAt } from '../platform/db/columns.js';
import type { DnsRecordType, MonitorKind, MonitorStatus } from './probes.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export interface MonitorOptions {
  readonly expectStatus?: [number, number];
  readonly keyword?: string;
  readonly degradedMs?: number;
  readonly integrity?: boolean;
  readonly ignore?: string[];
  readonly warnDays?: number;
  readonly records?: Partial<Record<DnsRecordType, string[]>>;
}

export interface MaintenanceWindow {
  readonly start: string;
  readonly end: string;
  readonly note?: string;
}

export const monitors = pgTable(
  'monitors',
  {
    id: id(),
    ...shareableColumns(),
    name: text('name').notNull(),
    kind: text('kind').$type<MonitorKind>().notNull(),
    target: text('target').notNull(),
    intervalSeconds: integer('interval_seconds').notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    /** Failed checks in a row before the monitor is down (1: at once). */
    failuresBeforeDown: integer('failures_before_down').notNull().default(2),
    options: jsonb('options').$type<MonitorOptions>().notNull().default(sql`'{}'::jsonb`),
    maintenance: jsonb('maintenance').$type<MaintenanceWindow[]>().notNull().default(sql`'[]'::jsonb`),
    paused: boolean('paused').notNull().default(false),
    /** Shown on the office's public status page. */
    public: boolean('public').notNull().default(false),
    createdBy: uuid('created_by').notNull(),
    status: text('status').$type<MonitorStatus>().notNull().default('pending'),
    statusSince: ts('status_since'),
    message: text('message'),
    lastCheckAt: ts('last_check_at'),
    lastLatencyMs: integer('last_latency_ms'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** The known-good content (integrity) and when it was taken. */
    baselineHash: text('baseline_hash'),
    baselineLines: textArray('baseline_lines'),
    baselineAt: ts('baseline_at'),
    /** The incident an ongoing outage or change is reported in. */
    incidentId: uuid('incident_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('monitors_owner_idx').on(t.ownerOrg), index('monitors_status_idx').on(t.status)],
);

/** An interruption or change: from the first failed check to recovery. */
export const monitorOutages = pgTable(
  'monitor_outages',
  {
    id: id(),
    monitorId: uuid('monitor_id').notNull().references(() => monitors.id, { onDelete: 'cascade' }),
    ownerOrg: uuid('owner_org').notNull(),
    status: text('status').$type<MonitorStatus>().notNull(),
    message: text('message').notNull(),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    durationSeconds: integer('duration_seconds'),
    incidentId: uuid('incident_id'),
    inMaintenance: boolean('in_maintenance').notNull().default(false),
  },
  (t) => [index('monitor_outages_monitor_idx').on(t.monitorId, t.startedAt)],
);

/** Checks per monitor in five-minute buckets: how many, how many up, latency sum and worst. */
export const monitorSamples = pgTable(
  'monitor_samples',
  {
    monitorId: uuid('monitor_id').notNull().references(() => monitors.id, { onDelete: 'cascade' }),
    bucket: ts('bucket').notNull(),
    checks: integer('checks').notNull(),
    up: integer('up').notNull(),
    latencySumMs: bigint('latency_sum_ms', { mode: 'number' }).notNull(),
    latencyMaxMs: real('latency_max_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.monitorId, t.bucket] })],
);

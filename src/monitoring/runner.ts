// The monitors of the installation, run by one node (scanner or all role; one at a time across a cluster, the
// holder of a lease renewed every 10 seconds and taken over 30 seconds after its holder stops renewing): every check on its schedule, the status decided from the results (failures in
// a row before down, flapping suppressed), outages opened and closed with their duration, an incident opened
// or updated for the owning office — operational until an analyst says otherwise — and the office told at once.
// Routine results (last check, latency, five-minute samples) are written in batches every few seconds.
import { eq, sql } from 'drizzle-orm';
import type { UserActor } from '../access/actor.js';
import { orgs, users } from '../access/schema.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import { monitorChecks, monitorDrift, monitorsScheduled, monitorTurnsSkipped } from '../platform/http/metrics.js';
import { emitEvent } from '../platform/events/outbox.js';
import { addNote } from '../incidents/case-service.js';
import { reportIncident } from '../incidents/report-service.js';
import { incidents } from '../incidents/schema.js';
import { DnsClient, parseServer, type Server } from '../scanning/dns-client.js';
import { parseScope } from '../scanning/scope.js';
import { probe, type MonitorSpec, type MonitorStatus, type ProbeResult } from './probes.js';
import { Scheduler } from './scheduler.js';
import { monitorOutages, monitors, type MaintenanceWindow } from './schema.js';
import { approvedScope, type MonitorRow } from './service.js';

/** A failure this soon after a recovery reopens the same incident instead of a new one. */
const FLAP_WINDOW_MS = 15 * 60_000;
const FLUSH_MS = 3000;
const RELOAD_MS = 5000;
const BUCKET_MS = 5 * 60_000;
const LEASE_SECONDS = 30;
const RELOAD_OVERLAP_SECONDS = 60;

interface Live {
  spec: MonitorSpec;
  /** updated_at of the row it was built from, as the database writes it. */
  version: string;
  row: MonitorRow;
  status: MonitorStatus;
  failures: number;
  openOutage: string | null;
  lastRecovery: number;
  changing: boolean;
}

const inMaintenance = (windows: readonly MaintenanceWindow[], at: number) => windows.some((w) => Date.parse(w.start) <= at && at < Date.parse(w.end));
const isFailure = (s: MonitorStatus) => s === 'down' || s === 'changed';

export class MonitorRunner {
  private readonly live = new Map<string, Live>();
  private readonly scheduler: Scheduler<MonitorSpec>;
  private readonly dns: DnsClient;
  private pendingSeen = new Map<string, { at: Date; latencyMs: number | null; message: string; failures: number; status?: MonitorStatus }>();
  private pendingSamples = new Map<string, { bucket: number; checks: number; up: number; latencySum: number; latencyMax: number }>();
  private timers: NodeJS.Timeout[] = [];
  private lastReload: string | null = null;
  private active = false;
  private loops: NodeJS.Timeout[] = [];

  constructor(private readonly ctx: AppContext, options: { concurrency?: number } = {}) {
    this.scheduler = new Scheduler((spec, plannedAt) => this.check(spec, plannedAt), { concurrency: options.concurrency ?? 2000 });
    const servers = ctx.config.scanDnsServers.map(parseServer).filter((s): s is Server => s !== null);
    this.dns = servers.length ? new DnsClient(servers, 3000) : new DnsClient(undefined, 3000);
  }

  get drift() {
    return this.scheduler.drift;
  }

  get size(): number {
    return this.scheduler.size;
  }

  async start(): Promise<void> {
    this.timers.push(setInterval(() => void this.lease().catch((e: unknown) => this.ctx.log.error({ err: e }, 'monitor lease failed')), 10_000));
    await this.lease();
  }

  /** Takes or renews the lease; starts the monitors when taken, stops them when another node has it. */
  private async lease(): Promise<void> {
    const node = this.ctx.config.nodeId;
    const held = rowsOf<{ key: string }>(await this.ctx.db.execute(sql`insert into settings (key, value, updated_at) values ('monitoring.runner', ${JSON.stringify({ node })}::jsonb, now())
      on conflict (key) do update set value = excluded.value, updated_at = now()
      where settings.value->>'node' = ${node} or settings.updated_at < now() - make_interval(secs => ${LEASE_SECONDS})
      returning key`)).length > 0;
    if (held && !this.active) {
      try {
        await this.reload();
      } catch (error) {
        // Start over at the next renewal, from nothing.
        this.lastReload = null;
        this.live.clear();
        throw error;
      }
      this.active = true;
      this.scheduler.start();
      this.loops.push(setInterval(() => void this.flush().catch((e: unknown) => this.ctx.log.error({ err: e }, 'monitor flush failed')), FLUSH_MS));
      this.loops.push(setInterval(() => void this.reload().catch((e: unknown) => this.ctx.log.error({ err: e }, 'monitor reload failed')), RELOAD_MS));
    } else if (!held && this.active) {
      this.pause();
    }
  }

  private pause(): void {
    for (const t of this.loops) clearInterval(t);
    this.loops = [];
    this.scheduler.stop();
    this.active = false;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const wasActive = this.active;
    this.pause();
    if (wasActive) {
      await this.flush().catch(() => undefined);
      await this.ctx.db.execute(sql`delete from settings where key = 'monitoring.runner' and value->>'node' = ${this.ctx.config.nodeId}`).catch(() => undefined);
    }
  }

  /** Picks up monitors added, changed or removed (by any node) since the last look; answers how many it took up. */
  async reload(): Promise<number> {
    const since = this.lastReload;
    const first = since === null;
    // Each look goes back a while before the last change seen, for a change committed after a later one; a monitor
    // is taken again only when its version (the database's own text of updated_at, to the microsecond) moved.
    // Taken again unchanged, its next check would be moved up at every look.
    const read = await this.ctx.db.select({ m: monitors, version: sql<string>`${monitors.updatedAt}::text` }).from(monitors)
      .where(since === null ? sql`true` : sql`${monitors.updatedAt} > ${since}::timestamptz - make_interval(secs => ${RELOAD_OVERLAP_SECONDS})`).orderBy(monitors.updatedAt);
    if (read.length) this.lastReload = read[read.length - 1]!.version;
    const versions = new Map(read.map((r) => [r.m.id, r.version]));
    const changed = read.filter((r) => this.live.get(r.m.id)?.version !== r.version).map((r) => r.m);
    const scopes = new Map<string, ReturnType<typeof parseScope> | null>();
    // Outages still open (of monitors this node does not hold yet), in one query.
    const fresh = changed.filter((m) => !this.live.has(m.id)).map((m) => m.id);
    const openOutages = new Map(
      fresh.length
        ? rowsOf<{ monitor_id: string; id: string }>(await this.ctx.db.execute(sql`select monitor_id, id from monitor_outages where ended_at is null and monitor_id = any(${`{${fresh.join(',')}}`}::uuid[])`)).map((r) => [r.monitor_id, r.id])
        : [],
    );
    for (const m of changed) {
      if (m.paused) {
        this.scheduler.remove(m.id);
        this.live.delete(m.id);
        continue;
      }
      if (!scopes.has(m.ownerOrg)) scopes.set(m.ownerOrg, await approvedScope(this.ctx.db, m.ownerOrg));
      const scope = scopes.get(m.ownerOrg);
      if (!scope) continue;
      const o = m.options;
      const spec: MonitorSpec = {
        id: m.id, kind: m.kind, target: m.target, intervalMs: m.intervalSeconds * 1000, timeoutMs: m.timeoutSeconds * 1000, scope,
        ...(m.kind === 'http' ? { http: { ...(o.expectStatus ? { expectStatus: o.expectStatus } : {}), ...(o.keyword ? { keyword: o.keyword } : {}), ...(o.degradedMs ? { degradedMs: o.degradedMs } : {}), ...(o.integrity ? { integrity: { ignore: o.ignore ?? [], baselineHash: m.baselineHash, baselineLines: m.baselineLines } } : {}) } } : {}),
        ...(m.kind === 'tls' ? { tls: { warnDays: o.warnDays ?? 14 } } : {}),
        ...(m.kind === 'dns' ? { dns: { records: o.records ?? {} } } : {}),
      };
      const prev = this.live.get(m.id);
      this.live.set(m.id, { spec, row: m, version: versions.get(m.id)!, status: prev?.status ?? m.status, failures: prev?.failures ?? m.consecutiveFailures, openOutage: prev?.openOutage ?? openOutages.get(m.id) ?? null, lastRecovery: prev?.lastRecovery ?? 0, changing: false });
      // At start the checks spread over one interval; a monitor added or changed later is checked within a second.
      this.scheduler.add(spec, first ? undefined : Date.now() + Math.floor(Math.random() * Math.min(spec.intervalMs, 1000)));
    }
    // Deleted monitors: the full list is read only when the count says some went.
    const [count] = rowsOf<{ n: number }>(await this.ctx.db.execute(sql`select count(*)::int as n from monitors where not paused`));
    if (this.live.size && Number(count?.n ?? 0) < this.live.size) {
      const ids = rowsOf<{ id: string }>(await this.ctx.db.execute(sql`select id from monitors where not paused`)).map((r) => r.id);
      const present = new Set(ids);
      for (const id of [...this.live.keys()]) {
        if (!present.has(id)) {
          this.scheduler.remove(id);
          this.live.delete(id);
        }
      }
    }
    return changed.length;
  }

  private async check(spec: MonitorSpec, plannedAt: number): Promise<void> {
    monitorDrift.observe(Math.max(0, Date.now() - plannedAt) / 1000);
    const result = await probe(spec, { dns: this.dns, ...(this.ctx.config.scanCa.length ? { ca: this.ctx.config.scanCa } : {}) });
    monitorChecks.inc({ status: result.status });
    const l = this.live.get(spec.id);
    if (!l || l.spec !== spec) return;
    const now = Date.now();
    this.sample(spec.id, now, result);
    // The first good answer of an integrity monitor is its known-good content.
    if (spec.http?.integrity && !spec.http.integrity.baselineHash && result.contentHash && result.status !== 'down') {
      const integrity = { ...spec.http.integrity, baselineHash: result.contentHash, baselineLines: result.contentLines ?? [] };
      l.spec = { ...spec, http: { ...spec.http, integrity } };
      this.scheduler.add(l.spec, now + spec.intervalMs);
      await this.ctx.db.update(monitors).set({ baselineHash: result.contentHash, baselineLines: [...(result.contentLines ?? [])], baselineAt: new Date(now) }).where(eq(monitors.id, spec.id));
    }
    l.failures = isFailure(result.status) ? l.failures + 1 : 0;
    const next = this.decide(l, result);
    // Moves between pending, up and degraded touch no outage or incident: they go with the batched writes (at a
    // node's start every monitor leaves pending at once). Failures and recoveries are written at once.
    const quiet = next !== l.status && !isFailure(next) && l.status !== 'down' && l.status !== 'changed';
    if (quiet) {
      // A certificate about to expire is worth a word to the office (once, when it starts), though not an incident.
      if (next === 'degraded' && spec.kind === 'tls' && l.status !== 'degraded' && !inMaintenance(l.row.maintenance, now)) void this.alert(l, `${l.row.name}: ${result.message}`, null);
      l.status = next;
    }
    // A quiet move not yet written survives a later check in the same flush window (which carries no move).
    const unwritten = quiet ? next : this.pendingSeen.get(spec.id)?.status;
    this.pendingSeen.set(spec.id, { at: new Date(now), latencyMs: result.latencyMs, message: result.message, failures: l.failures, ...(unwritten ? { status: unwritten } : {}) });
    if (next !== l.status && !l.changing) {
      l.changing = true;
      try {
        await this.transition(l, next, result, now);
      } catch (error) {
        this.ctx.log.error({ err: error, monitor: spec.id }, 'monitor status change not recorded');
      } finally {
        l.changing = false;
      }
    }
  }

  /** The new status: failures count only after `failuresBeforeDown` in a row; slowness and expiring certificates degrade. */
  private decide(l: Live, r: ProbeResult): MonitorStatus {
    if (isFailure(r.status)) return l.failures >= l.row.failuresBeforeDown ? r.status : l.status === 'pending' ? 'pending' : l.status;
    return r.status;
  }

  private async transition(l: Live, to: MonitorStatus, r: ProbeResult, now: number): Promise<void> {
    const from = l.status;
    l.status = to;
    const maintenance = inMaintenance(l.row.maintenance, now);
    const ctx = this.ctx;
    const failing = to === 'down' || to === 'changed';
    let incidentId = l.row.incidentId;
    let outageSeconds: number | null = null;
    await ctx.db.transaction(async (tx) => {
      await tx.update(monitors).set({ status: to, statusSince: new Date(now), message: r.message, consecutiveFailures: l.failures, lastCheckAt: new Date(now), lastLatencyMs: r.latencyMs }).where(eq(monitors.id, l.row.id));
      if (failing && !l.openOutage) {
        const [o] = await tx.insert(monitorOutages).values({ monitorId: l.row.id, ownerOrg: l.row.ownerOrg, status: to, message: r.message, startedAt: new Date(now), inMaintenance: maintenance }).returning({ id: monitorOutages.id });
        l.openOutage = o!.id;
      } else if (!failing && l.openOutage && (to === 'up' || to === 'degraded')) {
        const [o] = await tx.update(monitorOutages).set({ endedAt: new Date(now), durationSeconds: sql`greatest(0, round(extract(epoch from (${new Date(now)}::timestamptz - started_at))))::int` }).where(eq(monitorOutages.id, l.openOutage)).returning({ durationSeconds: monitorOutages.durationSeconds });
        outageSeconds = o?.durationSeconds ?? null;
        l.openOutage = null;
        l.lastRecovery = now;
      }
      await emitEvent(tx, {
        type: 'monitor.status', recordKind: 'monitor', recordId: l.row.id,
        sharing: { ownerOrg: l.row.ownerOrg, authorId: null, tlp: l.row.tlp, recipientOrgs: l.row.recipientOrgs, recipientUsers: l.row.recipientUsers },
        payload: { id: l.row.id, name: l.row.name, target: l.row.target, kind: l.row.kind, from, to, message: r.message, at: new Date(now).toISOString(), ...(outageSeconds !== null ? { outageSeconds } : {}) },
      });
    });
    if (maintenance) return ctx.relay.kick();
    const actor = await this.actorOf(l.row);
    if (failing && actor) {
      const open = incidentId ? (await ctx.db.select({ status: incidents.status }).from(incidents).where(eq(incidents.id, incidentId)))[0] : undefined;
      const title = to === 'changed' ? `${l.row.name}: content or records changed` : `${l.row.name} is down`;
      // Flapping: failing again soon after recovering is noted on the same incident, and nobody is told again.
      const flapping = l.lastRecovery > 0 && now - l.lastRecovery < FLAP_WINDOW_MS;
      const stillOpen = open && open.status !== 'closed' && open.status !== 'resolved';
      if (incidentId && open && (stillOpen || flapping)) {
        await addNote(ctx, actor, incidentId, flapping ? `${to === 'changed' ? 'Changed' : 'Down'} again ${Math.max(1, Math.round((now - l.lastRecovery) / 60_000))} minute(s) after recovering (flapping): ${r.message}` : `The monitor saw it again (${to}): ${r.message}`).catch(() => undefined);
        if (flapping) return ctx.relay.kick();
      } else {
        const incident = await reportIncident(ctx, actor, {
          title, category: 'software-error', component: l.row.kind === 'dns' ? 'website' : 'election-night-results-site', symptom: to === 'changed' ? 'compromised' : 'unavailable',
          occurredAt: new Date(now).toISOString(),
          description: `Opened by the monitor of ${l.row.target} (${l.row.kind}, every ${l.row.intervalSeconds} s) after ${l.failures} failed check${l.failures === 1 ? '' : 's'} in a row: ${r.message}. Filed as operational until an analyst assesses it.`,
        });
        incidentId = incident.id;
        await ctx.db.update(monitors).set({ incidentId }).where(eq(monitors.id, l.row.id));
        l.row = { ...l.row, incidentId };
        if (l.openOutage) await ctx.db.update(monitorOutages).set({ incidentId }).where(eq(monitorOutages.id, l.openOutage));
      }
      await this.alert(l, `${title}: ${r.message}`, incidentId);
    } else if (!failing && from !== 'pending' && (from === 'down' || from === 'changed') && incidentId && actor) {
      const minutes = outageSeconds !== null ? Math.max(1, Math.round(outageSeconds / 60)) : null;
      await addNote(ctx, actor, incidentId, `Recovered (${to})${minutes !== null ? ` after ${minutes} minute${minutes === 1 ? '' : 's'}` : ''}: ${r.message}`).catch(() => undefined);
      await this.alert(l, `${l.row.name} recovered${minutes !== null ? ` after ${minutes} minute${minutes === 1 ? '' : 's'}` : ''}`, incidentId);
    }
    ctx.relay.kick();
  }

  /** Tells the office, privately and at once. */
  private async alert(l: Live, title: string, incidentId: string | null): Promise<void> {
    await this.ctx.db.transaction(async (tx) => {
      await emitEvent(tx, {
        type: 'monitor.alert', recordKind: 'monitor', recordId: l.row.id,
        sharing: { ownerOrg: l.row.ownerOrg, authorId: null, tlp: 'AMBER+STRICT', recipientOrgs: [], recipientUsers: [] },
        payload: { id: l.row.id, title: title.slice(0, 300), incidentId },
      });
    });
    this.ctx.relay.kick();
  }

  /** The monitor reports as the person who set it up, named as the monitor. */
  private async actorOf(m: MonitorRow): Promise<UserActor | null> {
    const [u] = await this.ctx.db.select({ userId: users.id, orgId: users.orgId, email: users.email, role: users.role, systemAdmin: users.systemAdmin, orgType: orgs.type, orgParentId: orgs.parentId }).from(users).innerJoin(orgs, eq(orgs.id, users.orgId)).where(eq(users.id, m.createdBy));
    if (!u) return null;
    // Filed for the owning office even when the operations center set the monitor up.
    const [office] = await this.ctx.db.select({ id: orgs.id, type: orgs.type, parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, m.ownerOrg));
    return { kind: 'user', ...u, role: u.role === 'viewer' ? 'member' : u.role, orgId: office!.id, orgType: office!.type, orgParentId: office!.parentId, name: `Monitor: ${m.name}`, via: 'session', scopes: ['read', 'write'] };
  }

  private sample(id: string, now: number, r: ProbeResult): void {
    const bucket = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    let s = this.pendingSamples.get(`${id}|${bucket}`);
    if (!s) {
      s = { bucket, checks: 0, up: 0, latencySum: 0, latencyMax: 0 };
      this.pendingSamples.set(`${id}|${bucket}`, s);
    }
    s.checks += 1;
    if (r.status === 'up' || r.status === 'degraded') s.up += 1;
    s.latencySum += r.latencyMs ?? 0;
    s.latencyMax = Math.max(s.latencyMax, r.latencyMs ?? 0);
  }

  /** Last checks and samples, in two statements for every monitor that ran since the last flush. */
  async flush(): Promise<void> {
    monitorsScheduled.set(this.scheduler.size);
    monitorTurnsSkipped.set(this.scheduler.skipped);
    const seen = this.pendingSeen;
    const samples = this.pendingSamples;
    this.pendingSeen = new Map();
    this.pendingSamples = new Map();
    try {
      await this.write(seen, samples);
    } catch (error) {
      // Nothing is dropped: what was not written goes back, under anything newer, for the next flush.
      for (const [id, v] of seen) {
        const newer = this.pendingSeen.get(id);
        this.pendingSeen.set(id, newer ? { ...newer, ...(newer.status ? {} : v.status ? { status: v.status } : {}) } : v);
      }
      for (const [key, s] of samples) {
        const newer = this.pendingSamples.get(key);
        this.pendingSamples.set(key, newer ? { bucket: s.bucket, checks: s.checks + newer.checks, up: s.up + newer.up, latencySum: s.latencySum + newer.latencySum, latencyMax: Math.max(s.latencyMax, newer.latencyMax) } : s);
      }
      throw error;
    }
  }

  private async write(seen: MonitorRunner['pendingSeen'], samples: MonitorRunner['pendingSamples']): Promise<void> {
    if (seen.size) {
      const rows = [...seen].map(([id, v]) => ({ id, at: v.at.toISOString(), latency: v.latencyMs, message: v.message.slice(0, 1000), failures: v.failures, status: v.status ?? null }));
      await this.ctx.db.execute(sql`update monitors m set last_check_at = x.at::timestamptz, last_latency_ms = x.latency, message = x.message, consecutive_failures = x.failures,
          status = coalesce(x.status, m.status), status_since = case when x.status is not null and x.status <> m.status then x.at::timestamptz else m.status_since end
        from json_to_recordset(${JSON.stringify(rows)}::json) as x(id uuid, at text, latency int, message text, failures int, status text) where m.id = x.id`);
    }
    if (samples.size) {
      const rows = [...samples].map(([key, s]) => ({ id: key.split('|')[0], bucket: new Date(s.bucket).toISOString(), checks: s.checks, up: s.up, sum: s.latencySum, max: s.latencyMax }));
      await this.ctx.db.execute(sql`insert into monitor_samples (monitor_id, bucket, checks, up, latency_sum_ms, latency_max_ms)
        select x.id, x.bucket::timestamptz, x.checks, x.up, x.sum, x.max from json_to_recordset(${JSON.stringify(rows)}::json) as x(id uuid, bucket text, checks int, up int, sum bigint, max real)
        where exists (select 1 from monitors m where m.id = x.id)
        on conflict (monitor_id, bucket) do update set checks = monitor_samples.checks + excluded.checks, up = monitor_samples.up + excluded.up,
          latency_sum_ms = monitor_samples.latency_sum_ms + excluded.latency_sum_ms, latency_max_ms = greatest(monitor_samples.latency_max_ms, excluded.latency_max_ms)`);
    }
  }
}

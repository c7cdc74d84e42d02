// Cyber hygiene scanning as a service of the operations center: an office asks for its internet-facing
// systems to be scanned and accepts the terms (recorded: the text, who, when); the center approves; scans then
// run on scanner nodes inside the office's window and rate, on request and on a pace set by what they find.
// Findings are tracked across scans with deadlines against the next election; new critical findings reach
// the office at once. Every read goes through the sharing policy (owned by the office, AMBER to its state and
// the operations center by default).
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { isCenterAnalyst, requireUser, requireWrite, type Actor, type UserActor } from '../access/actor.js';
import { defaultRecipientOrgs } from '../access/orgs-service.js';
import { readableBy } from '../access/policy.js';
import { orgs } from '../access/schema.js';
import { recordAudit } from '../audit/service.js';
import { nextElectionFor } from '../elections/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf, type Tx } from '../platform/db/client.js';
import { emitEvent } from '../platform/events/outbox.js';
import { AppError, invalidField, notFound } from '../platform/http/errors.js';
import { isUuid } from '../platform/http/schemas.js';
import { enqueue, PermanentJobError } from '../platform/jobs/queue.js';
import { recordsForVendor } from '../vulns/service.js';
import { findingKey, type Finding, type Severity } from './checks.js';
import { DnsClient, parseServer, type Server } from './dns-client.js';
import { runScan } from './engine.js';
import { scanAuthorizations, scanFindings, scans, type FindingStatus, type ScanSummary, type ScanWindow } from './schema.js';
import { planTargets } from './engine.js';
import { parseScope, ScopeError } from './scope.js';
import { dueDate, insideWindow, rescanHours, track, type Tracked } from './tracking.js';

export type Authorization = typeof scanAuthorizations.$inferSelect;
export type ScanRun = typeof scans.$inferSelect;
export type ScanFinding = typeof scanFindings.$inferSelect;

/** The terms an office accepts when it asks to be scanned; the version is recorded with the text. */
export const ACCEPTANCE = {
  version: '2026-11',
  text: [
    'We authorise the operations center to scan, from the internet, the hosts, addresses and ranges listed in this request, which we own or operate.',
    'Scans connect to common ports, complete TLS and web requests and read DNS and mail records; they do not try to break in, guess passwords or change anything.',
    'Scans run inside the window and rate we set, from the operations center’s scanner nodes, until we or the operations center revoke this authorisation.',
    'We will tell our hosting providers where they require it. Results are shared with our state and the operations center under TLP:AMBER.',
  ].join(' '),
} as const;

/** How long after approval the first scheduled scan runs. */
const FIRST_SCAN_AFTER_MS = 15 * 60_000;


export interface AuthorizationInput {
  readonly scope: readonly string[];
  readonly accept: boolean;
  readonly window?: ScanWindow;
  readonly ratePerSecond?: number;
  /** The operations center may file a request on behalf of an office (a signed paper form). */
  readonly orgId?: string;
}

function checkWindow(w: ScanWindow | undefined): void {
  if (!w) return;
  const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
  if (!hhmm.test(w.start) || !hhmm.test(w.end)) throw invalidField('window', 'The window start and end are times of day, HH:MM (24-hour).');
  if (w.days.some((d) => !Number.isInteger(d) || d < 0 || d > 6) || new Set(w.days).size !== w.days.length) throw invalidField('window.days', 'Days are 0 (Sunday) to 6 (Saturday), each once.');
}

export async function requestAuthorization(ctx: AppContext, actor: Actor, input: AuthorizationInput): Promise<Authorization> {
  const user = requireWrite(actor);
  if (input.accept !== true) throw invalidField('accept', 'The office must accept the scanning terms (accept: true) for its request to be considered.');
  let scope;
  try {
    scope = parseScope(input.scope);
  } catch (error) {
    if (error instanceof ScopeError) throw invalidField('scope', error.message);
    throw error;
  }
  checkWindow(input.window);
  const orgId = input.orgId ?? user.orgId;
  if (orgId !== user.orgId && !isCenterAnalyst(user)) throw new AppError('forbidden', 'Only the office itself, or the operations center on its behalf, asks for its systems to be scanned.');
  return ctx.db.transaction(async (tx) => {
    const [org] = await tx.select({ id: orgs.id, type: orgs.type }).from(orgs).where(and(eq(orgs.id, orgId), eq(orgs.active, true)));
    if (!org) throw invalidField('orgId', 'No active organisation has this id.');
    const [row] = await tx.insert(scanAuthorizations).values({
      ownerOrg: orgId, authorId: user.userId, tlp: 'AMBER', recipientOrgs: await defaultRecipientOrgs(tx, orgId),
      scope: scope.entries.map((e) => e.text), acceptanceText: ACCEPTANCE.text, acceptanceVersion: ACCEPTANCE.version,
      acceptedBy: user.userId, acceptedByName: `${user.name} <${user.email}>`, acceptedAt: new Date(),
      ...(input.window ? { window: { days: [...input.window.days].sort(), start: input.window.start, end: input.window.end } } : {}),
      ratePerSecond: input.ratePerSecond ?? 100,
    }).returning();
    await recordAudit(tx, user, { action: 'scanning.authorization-requested', targetKind: 'scan-authorization', targetId: row!.id, details: { orgId, scope: row!.scope, acceptanceVersion: ACCEPTANCE.version } });
    return row!;
  });
}

async function readableAuthorization(ctx: AppContext | { db: Tx }, user: UserActor, id: string): Promise<Authorization> {
  if (!isUuid(id)) throw notFound('The scan authorisation');
  const [row] = await ctx.db.select().from(scanAuthorizations).where(and(eq(scanAuthorizations.id, id), readableBy(scanAuthorizations, user)));
  if (!row) throw notFound('The scan authorisation');
  return row;
}

export async function decideAuthorization(ctx: AppContext, actor: Actor, id: string, input: { decision: 'approve' | 'reject'; note?: string }): Promise<Authorization> {
  const user = requireWrite(actor);
  if (!isCenterAnalyst(user)) throw new AppError('forbidden', "Only the operations center's analysts approve scanning.");
  return ctx.db.transaction(async (tx) => {
    const current = await readableAuthorization({ db: tx }, user, id);
    if (current.status !== 'requested') throw new AppError('conflict', `This request was already ${current.status}.`);
    const approve = input.decision === 'approve';
    const [row] = await tx.update(scanAuthorizations).set({
      status: approve ? 'approved' : 'rejected', decidedBy: user.userId, decidedByName: user.name, decidedAt: new Date(), decisionNote: input.note?.trim() || null,
      // The first scan runs a quarter of an hour after approval (or at once, with Scan now), then on its pace.
      ...(approve ? { nextScanAt: new Date(Date.now() + FIRST_SCAN_AFTER_MS) } : {}), updatedAt: new Date(),
    }).where(eq(scanAuthorizations.id, id)).returning();
    await recordAudit(tx, user, { action: approve ? 'scanning.authorization-approved' : 'scanning.authorization-rejected', targetKind: 'scan-authorization', targetId: id, details: { note: input.note ?? null } });
    return row!;
  });
}

export async function revokeAuthorization(ctx: AppContext, actor: Actor, id: string, input: { note?: string }): Promise<Authorization> {
  const user = requireWrite(actor);
  return ctx.db.transaction(async (tx) => {
    const current = await readableAuthorization({ db: tx }, user, id);
    if (current.ownerOrg !== user.orgId && !isCenterAnalyst(user)) throw new AppError('forbidden', 'Only the office or the operations center revokes a scanning authorisation.');
    if (current.status === 'revoked' || current.status === 'rejected') throw new AppError('conflict', `This authorisation is already ${current.status}.`);
    const [row] = await tx.update(scanAuthorizations).set({ status: 'revoked', nextScanAt: null, decisionNote: input.note?.trim() || current.decisionNote, updatedAt: new Date() }).where(eq(scanAuthorizations.id, id)).returning();
    // Scans not yet started will not run.
    await tx.update(scans).set({ status: 'failed', error: 'The authorisation was revoked before the scan ran.', finishedAt: new Date() }).where(and(eq(scans.authorizationId, id), eq(scans.status, 'queued')));
    await recordAudit(tx, user, { action: 'scanning.authorization-revoked', targetKind: 'scan-authorization', targetId: id, details: { note: input.note ?? null } });
    return row!;
  });
}

export async function listAuthorizations(ctx: AppContext, actor: Actor, q: { status?: string; orgId?: string }) {
  const user = requireUser(actor);
  const where: SQL[] = [readableBy(scanAuthorizations, user)];
  if (q.status) where.push(sql`${scanAuthorizations.status} = ${q.status}`);
  if (q.orgId) where.push(sql`${scanAuthorizations.ownerOrg} = ${q.orgId}::uuid`);
  const rows = await ctx.db
    .select({ a: scanAuthorizations, orgName: orgs.name })
    .from(scanAuthorizations)
    .innerJoin(orgs, eq(orgs.id, scanAuthorizations.ownerOrg))
    .where(and(...where))
    .orderBy(desc(scanAuthorizations.createdAt))
    .limit(500);
  return rows.map((r) => presentAuthorization(r.a, r.orgName));
}

export function presentAuthorization(a: Authorization, orgName?: string) {
  return {
    id: a.id, orgId: a.ownerOrg, ...(orgName ? { orgName } : {}), scope: a.scope, status: a.status, window: a.window, ratePerSecond: a.ratePerSecond,
    acceptance: { text: a.acceptanceText, version: a.acceptanceVersion, acceptedBy: a.acceptedByName, acceptedAt: a.acceptedAt.toISOString() },
    decision: a.decidedAt ? { by: a.decidedByName, at: a.decidedAt.toISOString(), note: a.decisionNote } : null,
    nextScanAt: a.nextScanAt?.toISOString() ?? null, createdAt: a.createdAt.toISOString(),
  };
}

export async function getAuthorization(ctx: AppContext, actor: Actor, id: string) {
  return presentAuthorization(await readableAuthorization(ctx, requireUser(actor), id));
}

// ---------------------------------------------------------------------------------------------- scans

/** The targets of a scan: those asked for (each inside the scope), or the scope's hosts and addresses. */
function targetsOf(a: Authorization, asked: readonly string[] | undefined): string[] {
  const scope = parseScope(a.scope);
  const targets = asked?.length ? [...asked] : a.scope.filter((s) => !s.startsWith('*.'));
  if (!targets.length) throw invalidField('targets', 'The scope has only wildcards: name the hosts to scan.');
  try {
    planTargets(scope, targets);
  } catch (error) {
    if (error instanceof ScopeError) throw invalidField('targets', error.message);
    throw error;
  }
  return targets;
}

async function queueScan(tx: Tx, a: Authorization, trigger: 'manual' | 'schedule', targets: string[], requestedBy: string | null): Promise<ScanRun> {
  const [row] = await tx.insert(scans).values({ ownerOrg: a.ownerOrg, authorId: requestedBy, tlp: a.tlp, recipientOrgs: a.recipientOrgs, recipientUsers: a.recipientUsers, authorizationId: a.id, trigger, targets, requestedBy }).returning();
  await enqueue(tx, 'scan.run', { scanId: row!.id }, { maxAttempts: 3 });
  return row!;
}

export async function requestScan(ctx: AppContext, actor: Actor, input: { authorizationId: string; targets?: readonly string[] }): Promise<ScanRun> {
  const user = requireWrite(actor);
  const scan = await ctx.db.transaction(async (tx) => {
    const a = await readableAuthorization({ db: tx }, user, input.authorizationId);
    if (a.ownerOrg !== user.orgId && !isCenterAnalyst(user)) throw new AppError('forbidden', 'Only the office or the operations center starts a scan.');
    if (a.status !== 'approved') throw new AppError('conflict', a.status === 'requested' ? 'The operations center has not approved this scope yet.' : `This authorisation is ${a.status}; ask for a new one.`);
    const targets = targetsOf(a, input.targets);
    const row = await queueScan(tx, a, 'manual', targets, user.userId);
    await recordAudit(tx, user, { action: 'scanning.scan-requested', targetKind: 'scan', targetId: row.id, details: { authorizationId: a.id, targets } });
    return row;
  });
  ctx.jobs.kick();
  return scan;
}

export function presentScan(s: ScanRun, options: { report?: boolean } = {}) {
  return {
    id: s.id, orgId: s.ownerOrg, authorizationId: s.authorizationId, status: s.status, trigger: s.trigger, targets: s.targets,
    startedAt: s.startedAt?.toISOString() ?? null, finishedAt: s.finishedAt?.toISOString() ?? null, createdAt: s.createdAt.toISOString(),
    summary: s.summary, error: s.error, ...(options.report ? { report: s.report } : {}),
  };
}

export async function getScanRun(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  if (!isUuid(id)) throw notFound('The scan');
  const [row] = await ctx.db.select().from(scans).where(and(eq(scans.id, id), readableBy(scans, user)));
  if (!row) throw notFound('The scan');
  return presentScan(row, { report: true });
}

export async function listScanRuns(ctx: AppContext, actor: Actor, q: { orgId?: string; limit: number }) {
  const user = requireUser(actor);
  const rows = await ctx.db
    .select({ s: scans, orgName: orgs.name })
    .from(scans)
    .innerJoin(orgs, eq(orgs.id, scans.ownerOrg))
    .where(and(readableBy(scans, user), ...(q.orgId ? [sql`${scans.ownerOrg} = ${q.orgId}::uuid`] : [])))
    .orderBy(desc(scans.createdAt))
    .limit(q.limit);
  return rows.map((r) => ({ ...presentScan(r.s), orgName: r.orgName }));
}

function localClock(timeZone: string, at: Date): { weekday: number; time: string } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((p) => [p.type, p.value]));
  return { weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!), time: `${parts.hour}:${parts.minute}` };
}

/** The job: runs one scan on a scanner node, then tracks its findings and paces the next. */
export function scanJobHandler(ctx: AppContext) {
  return async (payload: unknown): Promise<void> => {
    const scanId = (payload as { scanId?: string }).scanId;
    if (!scanId || !isUuid(scanId)) throw new PermanentJobError('scan.run needs a scanId');
    const [scan] = await ctx.db.select().from(scans).where(eq(scans.id, scanId));
    if (!scan || scan.status === 'done' || (scan.status === 'failed' && scan.finishedAt)) return;
    const [a] = await ctx.db.select().from(scanAuthorizations).where(eq(scanAuthorizations.id, scan.authorizationId));
    if (!a || a.status !== 'approved') {
      await ctx.db.update(scans).set({ status: 'failed', error: 'The authorisation is no longer approved; nothing was scanned.', finishedAt: new Date() }).where(eq(scans.id, scanId));
      return;
    }
    // Outside the office's window: wait for it (checked again in ten minutes).
    const clock = localClock(ctx.config.timeZone, new Date());
    if (!insideWindow(a.window ?? null, clock.weekday, clock.time)) {
      await ctx.db.transaction(async (tx) => {
        await tx.update(scans).set({ notBefore: new Date(Date.now() + 600_000) }).where(eq(scans.id, scanId));
        await enqueue(tx, 'scan.run', { scanId }, { runAt: new Date(Date.now() + 600_000), maxAttempts: 3 });
      });
      return;
    }
    await ctx.db.update(scans).set({ status: 'running', startedAt: new Date() }).where(eq(scans.id, scanId));
    let report;
    try {
      report = await runScan(parseScope(a.scope), scan.targets, {
        ratePerSecond: a.ratePerSecond,
        ...(ctx.config.scanCa.length ? { ca: ctx.config.scanCa } : {}),
        vulnLookup: (vendor) => recordsForVendor(ctx, vendor),
        ...(ctx.config.scanDnsServers.length ? { dns: new DnsClient(ctx.config.scanDnsServers.map(parseServer).filter((x): x is Server => x !== null)) } : {}),
      });
    } catch (error) {
      await ctx.db.update(scans).set({ status: 'failed', error: (error as Error).message, finishedAt: new Date() }).where(eq(scans.id, scanId));
      await ctx.db.update(scanAuthorizations).set({ nextScanAt: new Date(Date.now() + 24 * 3600_000) }).where(eq(scanAuthorizations.id, a.id));
      return;
    }
    await recordScanResults(ctx, a, scan, report);
    ctx.relay.kick();
  };
}

/** Tracks a finished scan's findings, sets deadlines and the next scan, and tells the office of new criticals. */
export async function recordScanResults(ctx: AppContext, a: Authorization, scan: ScanRun, report: Awaited<ReturnType<typeof runScan>>): Promise<void> {
  const now = new Date(report.finishedAt);
  const [org] = await ctx.db.select({ id: orgs.id, parentId: orgs.parentId, type: orgs.type }).from(orgs).where(eq(orgs.id, a.ownerOrg));
  const next = await nextElectionFor(ctx.db, ctx.config.timeZone, { id: org!.id, parentId: org!.parentId, type: org!.type }, now);
  const electionDay = next.next?.day ?? null;
  const detected = report.findings.filter((f) => f.severity !== 'info').map((finding) => ({ key: findingKey(finding), finding }));
  // Hosts (and domains) the scan reached: a finding there that was not seen again is mitigated.
  const reached = new Set<string>([...report.hosts.filter((h) => h.addresses.some((x) => x.scanned) && (h.ports.length || !h.findings.some((f) => f.check === 'host-unreachable'))).map((h) => h.host), ...report.domains.map((d) => d.domain)]);
  await ctx.db.transaction(async (tx) => {
    const existing = await tx.select({ id: scanFindings.id, key: scanFindings.key, host: scanFindings.host, status: scanFindings.status, acceptedUntil: scanFindings.acceptedUntil, severity: scanFindings.severity }).from(scanFindings).where(eq(scanFindings.ownerOrg, a.ownerOrg));
    const changes = track(existing as Tracked[], detected, reached, now);
    const idOf = new Map(existing.map((e) => [e.key, e.id]));
    let added = 0;
    let mitigated = 0;
    let redetected = 0;
    const criticalNew: Finding[] = [];
    const inserts: Array<typeof scanFindings.$inferInsert> = [];
    for (const c of changes) {
      if (c.kind === 'new') {
        added += 1;
        if (c.finding.severity === 'critical') criticalNew.push(c.finding);
        const due = dueDate(c.finding.severity, now, electionDay);
        inserts.push({
          ownerOrg: a.ownerOrg, authorId: null, tlp: a.tlp, recipientOrgs: a.recipientOrgs, recipientUsers: a.recipientUsers, key: c.key,
          checkId: c.finding.check, severity: c.finding.severity, title: c.finding.title, host: c.finding.host, address: c.finding.address ?? null, port: c.finding.port ?? null, subject: c.finding.subject ?? null,
          evidence: c.finding.evidence, fix: c.finding.fix, status: 'new', firstSeenAt: now, lastSeenAt: now, firstScanId: scan.id, lastScanId: scan.id, dueAt: due.dueAt, dueElectionDay: due.electionDay,
        });
      } else if (c.kind === 'seen') {
        if (c.redetected) {
          redetected += 1;
          if (c.finding.severity === 'critical') criticalNew.push(c.finding);
        }
        await tx.update(scanFindings).set({
          status: c.status, severity: c.finding.severity, title: c.finding.title, evidence: c.finding.evidence, fix: c.finding.fix, address: c.finding.address ?? null, lastSeenAt: now, lastScanId: scan.id,
          ...(c.redetected ? { redetectedAt: now, mitigatedAt: null, ...dueFields(c.finding.severity, now, electionDay) } : {}),
          ...(c.status === 'active' ? { acceptedUntil: null } : {}), updatedAt: now,
        }).where(eq(scanFindings.id, idOf.get(c.key)!));
      } else {
        mitigated += 1;
        await tx.update(scanFindings).set({ status: 'mitigated', mitigatedAt: now, updatedAt: now }).where(eq(scanFindings.id, idOf.get(c.key)!));
      }
    }
    for (let i = 0; i < inserts.length; i += 500) await tx.insert(scanFindings).values(inserts.slice(i, i + 500));
    const open = rowsOf<{ severity: string; n: number }>(await tx.execute(sql`select severity, count(*)::int as n from scan_findings where owner_org = ${a.ownerOrg}::uuid and status in ('new', 'active', 're-detected') group by severity`));
    const openBySeverity = Object.fromEntries(open.map((o) => [o.severity, o.n]));
    const worst = (['critical', 'high', 'medium', 'low'] as const).find((s) => (openBySeverity[s] ?? 0) > 0) ?? null;
    const summary: ScanSummary = {
      hosts: report.hosts.length, findings: report.findings.length, open: openBySeverity,
      kev: rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from scan_findings where owner_org = ${a.ownerOrg}::uuid and status in ('new', 'active', 're-detected') and check_id = 'vuln-kev'`))[0]?.n ?? 0,
      new: added, mitigated, redetected,
    };
    await tx.update(scans).set({ status: 'done', finishedAt: now, startedAt: new Date(report.startedAt), report, summary }).where(eq(scans.id, scan.id));
    await tx.update(scanAuthorizations).set({ nextScanAt: new Date(now.getTime() + rescanHours(worst) * 3600_000), updatedAt: now }).where(eq(scanAuthorizations.id, a.id));
    await recordAudit(tx, { kind: 'system' }, { action: 'scanning.scan-finished', targetKind: 'scan', targetId: scan.id, details: { hosts: summary.hosts, new: added, mitigated, redetected, open: openBySeverity } });
    if (criticalNew.length) {
      // The office hears at once, privately, like any other threat that touches its systems.
      await emitEvent(tx, {
        type: 'scan.critical-found', recordKind: 'scan', recordId: scan.id,
        sharing: { ownerOrg: a.ownerOrg, authorId: null, tlp: 'AMBER+STRICT', recipientOrgs: [], recipientUsers: [] },
        payload: { scanId: scan.id, count: criticalNew.length, title: `Critical finding${criticalNew.length === 1 ? '' : 's'} on your systems: ${criticalNew.slice(0, 3).map((f) => `${f.title} (${f.host}${f.subject ? `, ${f.subject}` : ''})`).join('; ')}` },
      });
    }
  });
}

const dueFields = (severity: string, now: Date, electionDay: string | null) => {
  const d = dueDate(severity as Severity, now, electionDay);
  return { dueAt: d.dueAt, dueElectionDay: d.electionDay };
};

/** Scanner nodes: approved authorisations whose next scan is due get one (claimed by one node). */
export async function queueDueScans(ctx: AppContext, now = new Date()): Promise<number> {
  const queued = await ctx.db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(scanAuthorizations)
      .where(and(eq(scanAuthorizations.status, 'approved'), sql`${scanAuthorizations.nextScanAt} <= ${now}`, sql`not exists (select 1 from scans s where s.authorization_id = ${scanAuthorizations.id} and s.status in ('queued', 'running'))`))
      .orderBy(asc(scanAuthorizations.nextScanAt))
      .limit(50)
      .for('update', { skipLocked: true });
    for (const a of due) {
      await queueScan(tx, a, 'schedule', a.scope.filter((s) => !s.startsWith('*.')), null);
      await tx.update(scanAuthorizations).set({ nextScanAt: null }).where(eq(scanAuthorizations.id, a.id));
    }
    return due.length;
  });
  if (queued) ctx.jobs.kick();
  return queued;
}

/** Runs queueDueScans every minute on a scanner node. */
export class ScanScheduler {
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly ctx: AppContext, private readonly everyMs = 60_000) {}
  start(): void {
    const tick = async () => {
      try {
        await queueDueScans(this.ctx);
      } catch (error) {
        this.ctx.log.error({ err: error }, 'queueing due scans failed');
      }
      this.timer = setTimeout(() => void tick(), this.everyMs);
    };
    this.timer = setTimeout(() => void tick(), 1000);
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

// ------------------------------------------------------------------------------------------- findings

export const OPEN_STATUSES: readonly FindingStatus[] = ['new', 'active', 're-detected'];

export interface FindingQuery {
  readonly orgId?: string;
  readonly status?: FindingStatus | 'open';
  readonly severity?: Severity;
  readonly limit: number;
  readonly offset: number;
}

export async function listFindings(ctx: AppContext, actor: Actor, q: FindingQuery) {
  const user = requireUser(actor);
  const where: SQL[] = [readableBy(scanFindings, user)];
  if (q.orgId) where.push(sql`${scanFindings.ownerOrg} = ${q.orgId}::uuid`);
  if (q.status === 'open') where.push(inArray(scanFindings.status, [...OPEN_STATUSES]));
  else if (q.status) where.push(eq(scanFindings.status, q.status));
  if (q.severity) where.push(eq(scanFindings.severity, q.severity));
  const rank = sql`case ${scanFindings.severity} when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`;
  const [rows, total] = await Promise.all([
    ctx.db.select({ f: scanFindings, orgName: orgs.name }).from(scanFindings).innerJoin(orgs, eq(orgs.id, scanFindings.ownerOrg)).where(and(...where)).orderBy(rank, asc(scanFindings.dueAt), asc(scanFindings.host)).limit(q.limit).offset(q.offset),
    ctx.db.select({ n: sql<number>`count(*)::int` }).from(scanFindings).where(and(...where)),
  ]);
  return { items: rows.map((r) => presentFinding(r.f, r.orgName)), total: total[0]?.n ?? 0 };
}

export function presentFinding(f: ScanFinding, orgName?: string) {
  const now = Date.now();
  const open = (OPEN_STATUSES as readonly string[]).includes(f.status);
  return {
    id: f.id, orgId: f.ownerOrg, ...(orgName ? { orgName } : {}), check: f.checkId, severity: f.severity, title: f.title, host: f.host, address: f.address, port: f.port, subject: f.subject,
    evidence: f.evidence, fix: f.fix, status: f.status, firstSeenAt: f.firstSeenAt.toISOString(), lastSeenAt: f.lastSeenAt.toISOString(),
    mitigatedAt: f.mitigatedAt?.toISOString() ?? null, redetectedAt: f.redetectedAt?.toISOString() ?? null,
    dueAt: f.dueAt?.toISOString() ?? null, dueElectionDay: f.dueElectionDay, overdue: open && f.dueAt !== null && f.dueAt.getTime() < now,
    daysOpen: Math.floor(((f.mitigatedAt ?? new Date()).getTime() - f.firstSeenAt.getTime()) / 86_400_000),
    accepted: f.status === 'accepted' ? { until: f.acceptedUntil?.toISOString() ?? null, reason: f.acceptedReason } : null,
  };
}

async function ownFinding(tx: Tx, user: UserActor, id: string): Promise<ScanFinding> {
  if (!isUuid(id)) throw notFound('The finding');
  const [row] = await tx.select().from(scanFindings).where(and(eq(scanFindings.id, id), readableBy(scanFindings, user)));
  if (!row) throw notFound('The finding');
  if (row.ownerOrg !== user.orgId && !isCenterAnalyst(user)) throw new AppError('forbidden', 'Only the office (or the operations center) decides about its findings.');
  return row;
}

/** Marks a finding a false positive or an accepted risk until a date (at most a year); it comes back after. */
export async function acceptFinding(ctx: AppContext, actor: Actor, id: string, input: { reason: string; until: string }) {
  const user = requireWrite(actor);
  const until = new Date(input.until);
  if (Number.isNaN(until.getTime()) || until.getTime() <= Date.now()) throw invalidField('until', 'Give a date in the future until which the finding is accepted.');
  if (until.getTime() > Date.now() + 366 * 86_400_000) throw invalidField('until', 'A finding is accepted for a year at most; look at it again then.');
  if (!input.reason.trim()) throw invalidField('reason', 'Say why the finding is a false positive or an accepted risk.');
  return ctx.db.transaction(async (tx) => {
    const f = await ownFinding(tx, user, id);
    if (f.status === 'mitigated') throw new AppError('conflict', 'This finding is mitigated already.');
    const [row] = await tx.update(scanFindings).set({ status: 'accepted', acceptedUntil: until, acceptedReason: input.reason.trim(), acceptedBy: user.userId, updatedAt: new Date() }).where(eq(scanFindings.id, id)).returning();
    await recordAudit(tx, user, { action: 'scanning.finding-accepted', targetKind: 'scan-finding', targetId: id, details: { check: f.checkId, host: f.host, until: until.toISOString(), reason: input.reason.trim() } });
    return presentFinding(row!);
  });
}

export async function reopenFinding(ctx: AppContext, actor: Actor, id: string) {
  const user = requireWrite(actor);
  return ctx.db.transaction(async (tx) => {
    const f = await ownFinding(tx, user, id);
    if (f.status !== 'accepted') throw new AppError('conflict', 'Only an accepted finding can be reopened.');
    const [row] = await tx.update(scanFindings).set({ status: 'active', acceptedUntil: null, acceptedReason: null, acceptedBy: null, updatedAt: new Date() }).where(eq(scanFindings.id, id)).returning();
    await recordAudit(tx, user, { action: 'scanning.finding-reopened', targetKind: 'scan-finding', targetId: id, details: { check: f.checkId, host: f.host } });
    return presentFinding(row!);
  });
}

// Log scans: an office uploads a log file, or streams its logs in parts, and every line is matched against
// every active indicator the uploader may read (the sharing policy in SQL chooses them). Lines are read as
// they arrive, never the whole file in memory; progress is visible while it runs. When the scan ends, each
// indicator seen becomes a sighting for its producer, the office is alerted, and one click opens an incident.
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { and, desc, eq, sql } from 'drizzle-orm';
import { requireUser, requireWrite, type Actor, type UserActor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import { emitEvent } from '../platform/events/outbox.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { IndicatorIndex, valuesOfPattern } from '../intel/match/indicator-index.js';
import { LOG_FORMATS, LogScanner, type LineMatch, type LogFormat, type ScanStats } from '../intel/match/log-scan.js';
import { readableIndicatorPatterns } from '../intel/objects-service.js';
import { recordSighting } from '../intel/feedback-service.js';
import { reportIncident } from '../incidents/report-service.js';
import { COMPONENT_IDS, type Component } from '../incidents/taxonomy.js';
import { logScanMatches, logScans } from './schema.js';

export type LogScan = typeof logScans.$inferSelect;

/** Matches kept per scan for people to read (all are counted). */
const MAX_STORED_MATCHES = 10_000;
/** Progress is written this often while a scan runs. */
const PROGRESS_MS = 1000;
/** A built index serves the same reader for this long (and while no indicator was added). */
const INDEX_TTL_MS = 60_000;
/** Indicators that become sightings at the end of a scan, most seen first. */
const MAX_SIGHTINGS = 500;

interface CachedIndex {
  readonly key: string;
  readonly builtAt: number;
  /** The store as it was read: the highest indicator seq and the object versions stored. */
  readonly high: string;
  readonly index: Promise<IndicatorIndex>;
}

/** The indicators a reader may see, indexed; built once for a burst of scans (large communities hold millions). */
const indexCache: CachedIndex[] = [];

async function indexFor(ctx: AppContext, user: UserActor): Promise<IndicatorIndex> {
  // What has been stored so far: the highest seq alone can stay put while a writer that took lower seqs commits.
  const [row] = rowsOf<{ high: string | number | null; added: string | number | null }>(
    await ctx.db.execute(sql`select (select max(seq) from stix_objects where type = 'indicator') as high, (select sum(objects_added) from taxii_collections) as added`),
  );
  const high = `${row?.high ?? 0}/${row?.added ?? 0}`;
  const key = `${user.userId}/${user.orgId}`;
  const hit = indexCache.find((c) => c.key === key && c.high === high && Date.now() - c.builtAt < INDEX_TTL_MS);
  if (hit) return hit.index;
  const index = (async () => {
    const ix = new IndicatorIndex();
    for await (const page of readableIndicatorPatterns(ctx, user)) {
      for (const r of page) {
        const values = valuesOfPattern(r.pattern);
        if (!values.length) ix.skipped += 1;
        for (const v of values) ix.add(r.stix_id, v.type, v.value);
      }
    }
    ix.build();
    return ix;
  })();
  // Two readers' indexes at most stay in memory.
  indexCache.unshift({ key, builtAt: Date.now(), high, index });
  indexCache.splice(2);
  return index;
}

function requireOwn(user: UserActor, scan: LogScan | undefined): LogScan {
  if (!scan || scan.orgId !== user.orgId) throw notFound('The log scan');
  return scan;
}

export async function startScan(ctx: AppContext, actor: Actor, input: { name: string; format?: LogFormat }): Promise<LogScan> {
  const user = requireWrite(actor);
  const format = input.format ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new AppError('validation-failed', `format must be one of ${LOG_FORMATS.join(', ')}.`, { details: [{ field: 'format', message: 'unknown format' }] });
  const name = input.name.trim();
  if (!name) throw new AppError('validation-failed', 'Name the log (its file name will do).', { details: [{ field: 'name', message: 'required' }] });
  return ctx.db.transaction(async (tx) => {
    const [scan] = await tx.insert(logScans).values({ orgId: user.orgId, userId: user.userId, name, format }).returning();
    await recordAudit(tx, user, { action: 'logs.scan-started', targetKind: 'log-scan', targetId: scan!.id, details: { name, format } });
    return scan!;
  });
}

/** Scans being fed in this process, with their live counts (the database has them once a second). */
const feeding = new Map<string, ScanStats>();

function statsOf(scan: LogScan): ScanStats {
  return { lines: scan.lines, matchedLines: scan.matchedLines, matches: scan.matches, offFormat: scan.offFormat, binary: scan.binary, bytes: scan.bytes };
}

/**
 * Feeds one part of a log to a scan: the whole file, or the next batch of a stream (`final` ends it). The
 * body is read as it arrives; a part that is cut off keeps what was read, and the scan takes the next part.
 */
export async function feedScan(ctx: AppContext, actor: Actor, id: string, body: AsyncIterable<Buffer> | Readable, options: { final: boolean; gzip: boolean; expectedBytes: number | null }): Promise<ReturnType<typeof presentScan>> {
  const user = requireWrite(actor);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('The log scan');
  const scan = requireOwn(user, (await ctx.db.select().from(logScans).where(eq(logScans.id, id)))[0]);
  if (scan.status !== 'receiving') throw new AppError('conflict', 'This scan is finished; start a new one.');
  if (feeding.has(id)) throw new AppError('conflict', 'A part of this log is being read now; send the next part when it is done.');
  const stats = statsOf(scan);
  feeding.set(id, stats);
  try {
    const index = await indexFor(ctx, user);
    let pending: Array<typeof logScanMatches.$inferInsert> = [];
    let stored = rowsOf<{ n: number }>(await ctx.db.execute(sql`select count(*)::int as n from log_scan_matches where scan_id = ${id}::uuid`))[0]?.n ?? 0;
    const onMatch = (m: LineMatch) => {
      if (stored >= MAX_STORED_MATCHES) return;
      stored += 1;
      pending.push({ scanId: id, line: m.line, stixId: m.indicator, type: m.type, matched: m.matched.slice(0, 2000), value: m.value.slice(0, 2000) });
    };
    const scanner = new LogScanner(index, scan.format as LogFormat, onMatch, { stats, rest: scan.carry });
    feeding.set(id, scanner.stats);
    const save = async (done: boolean, carry: string) => {
      const batch = pending;
      pending = [];
      await ctx.db.transaction(async (tx) => {
        for (let i = 0; i < batch.length; i += 1000) await tx.insert(logScanMatches).values(batch.slice(i, i + 1000));
        const s = scanner.stats;
        await tx.update(logScans).set({
          bytes: s.bytes, lines: s.lines, matchedLines: s.matchedLines, matches: s.matches, offFormat: s.offFormat, binary: s.binary,
          indicators: index.count, format: scanner.detectedFormat, carry, updatedAt: new Date(),
          ...(options.expectedBytes !== null ? { bytesExpected: scan.bytes + options.expectedBytes } : {}),
          ...(done ? { status: 'done' as const, finishedAt: new Date() } : {}),
        }).where(eq(logScans.id, id));
      });
    };
    const source: AsyncIterable<Buffer> = options.gzip ? (Readable.from(body as AsyncIterable<Buffer>).pipe(zlib.createGunzip()) as AsyncIterable<Buffer>) : body;
    let last = Date.now();
    try {
      for await (const chunk of source) {
        scanner.push(chunk);
        if (Date.now() - last > PROGRESS_MS) {
          last = Date.now();
          await save(false, '');
        }
      }
    } catch (error) {
      // The upload was cut off or is not valid gzip: keep what was read; the rest can follow.
      await save(false, scanner.takeRest());
      throw new AppError('validation-failed', `The log stopped arriving after ${scanner.stats.bytes.toLocaleString('en-US')} bytes (${(error as Error).message}); what arrived was scanned. Send the rest as the next part.`);
    }
    if (options.final) {
      scanner.end();
      await save(true, '');
      await finish(ctx, user, id);
    } else {
      await save(false, scanner.takeRest());
    }
  } finally {
    feeding.delete(id);
  }
  return getScan(ctx, user, id);
}

/** At the end: each indicator seen becomes a sighting for its producer, and the office is alerted. */
async function finish(ctx: AppContext, user: UserActor, id: string): Promise<void> {
  const seen = rowsOf<{ stix_id: string; n: number; first_line: number }>(
    await ctx.db.execute(sql`select stix_id, count(*)::int as n, min(line)::bigint as first_line from log_scan_matches where scan_id = ${id}::uuid group by stix_id order by n desc limit ${MAX_SIGHTINGS}`),
  );
  const [scan] = await ctx.db.select().from(logScans).where(eq(logScans.id, id));
  for (const s of seen) {
    await recordSighting(ctx, user, s.stix_id, { count: s.n, note: `Seen in the log "${scan!.name}" (line ${s.first_line} first).` }).catch((error: unknown) => ctx.log.warn({ err: error, stixId: s.stix_id }, 'log scan: sighting not recorded'));
  }
  await ctx.db.transaction(async (tx) => {
    await recordAudit(tx, user, { action: 'logs.scan-finished', targetKind: 'log-scan', targetId: id, details: { lines: scan!.lines, matches: scan!.matches, indicators: seen.length } });
    if (scan!.matches > 0) {
      // Private to the office, like a victim notification.
      await emitEvent(tx, {
        type: 'log-scan.matched', recordKind: 'log-scan', recordId: id,
        sharing: { ownerOrg: user.orgId, authorId: null, tlp: 'AMBER+STRICT', recipientOrgs: [], recipientUsers: [] },
        payload: { id, name: scan!.name, matches: scan!.matches, matchedLines: scan!.matchedLines, indicators: seen.length, title: `Threats seen in your log "${scan!.name}": ${scan!.matchedLines.toLocaleString('en-US')} line${scan!.matchedLines === 1 ? '' : 's'}` },
      });
    }
  });
  ctx.relay.kick();
}

function presentScan(scan: LogScan, live?: ScanStats) {
  const s = live ?? statsOf(scan);
  return {
    id: scan.id, name: scan.name, format: scan.format, status: scan.status,
    bytes: s.bytes, bytesExpected: scan.bytesExpected, lines: s.lines, matchedLines: s.matchedLines, matches: s.matches, offFormat: s.offFormat, binary: s.binary,
    indicators: scan.indicators, incidentId: scan.incidentId, error: scan.error,
    startedAt: scan.startedAt.toISOString(), updatedAt: scan.updatedAt.toISOString(), finishedAt: scan.finishedAt?.toISOString() ?? null,
  };
}

/** A scan with its progress (live while it runs), what it found per indicator, and the first matching lines. */
export async function getScan(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('The log scan');
  const scan = requireOwn(user, (await ctx.db.select().from(logScans).where(eq(logScans.id, id)))[0]);
  const byIndicator = rowsOf<{ stix_id: string; type: string; value: string; n: number; first_line: number }>(
    await ctx.db.execute(sql`select stix_id, min(type) as type, min(value) as value, count(*)::int as n, min(line)::bigint as first_line
      from log_scan_matches where scan_id = ${id}::uuid group by stix_id order by n desc limit 200`),
  );
  return { ...presentScan(scan, feeding.get(id)), indicatorsSeen: byIndicator.map((b) => ({ stixId: b.stix_id, type: b.type, value: b.value, count: b.n, firstLine: Number(b.first_line) })) };
}

export async function listScans(ctx: AppContext, actor: Actor) {
  const user = requireUser(actor);
  const rows = await ctx.db.select().from(logScans).where(eq(logScans.orgId, user.orgId)).orderBy(desc(logScans.startedAt)).limit(100);
  return { items: rows.map((r) => presentScan(r, feeding.get(r.id))) };
}

export async function listScanMatches(ctx: AppContext, actor: Actor, id: string, q: { after: number; limit: number }) {
  const user = requireUser(actor);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('The log scan');
  requireOwn(user, (await ctx.db.select().from(logScans).where(eq(logScans.id, id)))[0]);
  const rows = await ctx.db.select().from(logScanMatches).where(and(eq(logScanMatches.scanId, id), sql`${logScanMatches.id} > ${q.after}`)).orderBy(logScanMatches.id).limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { items: page.map((m) => ({ line: m.line, stixId: m.stixId, type: m.type, matched: m.matched, value: m.value })), next: rows.length > q.limit ? page.at(-1)!.id : null };
}

/** One click: an incident from what a finished scan found (once; later clicks return the same incident). */
export async function openIncidentFromScan(ctx: AppContext, actor: Actor, id: string, input: { component?: Component }) {
  const user = requireWrite(actor);
  const scan = await getScan(ctx, user, id);
  if (scan.status !== 'done') throw new AppError('conflict', 'The scan is still reading the log; open an incident when it is done.');
  if (scan.matches === 0) throw new AppError('conflict', 'The scan found nothing to report.');
  if (scan.incidentId) return { id: scan.incidentId, created: false };
  const component = input.component ?? 'network';
  if (!(COMPONENT_IDS as readonly string[]).includes(component)) throw new AppError('validation-failed', 'Unknown component.', { details: [{ field: 'component', message: 'unknown component' }] });
  const top = scan.indicatorsSeen.slice(0, 10).map((i) => `- ${i.type} ${i.value}: ${i.count.toLocaleString('en-US')} line${i.count === 1 ? '' : 's'} (first at line ${i.firstLine.toLocaleString('en-US')})`).join('\n');
  const incident = await reportIncident(ctx, user, {
    title: `Known threats seen in our log "${scan.name}"`.slice(0, 200),
    description: `A log scan found ${scan.matchedLines.toLocaleString('en-US')} line${scan.matchedLines === 1 ? '' : 's'} of ${scan.lines.toLocaleString('en-US')} matching ${scan.indicatorsSeen.length} shared indicator${scan.indicatorsSeen.length === 1 ? '' : 's'}:\n${top}\n\nScan: /logs/${scan.id}`,
    category: 'unauthorized-access',
    component,
    occurredAt: new Date(Date.parse(scan.startedAt)).toISOString(),
    symptom: 'observed',
  });
  await ctx.db.update(logScans).set({ incidentId: incident.id }).where(eq(logScans.id, id));
  return { id: incident.id, created: true };
}

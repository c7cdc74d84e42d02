// Benchmarks: `npm run bench -- NAME [--db embedded|postgres|both] [--quick]`, NAME one of api, events, incidents, intel, match, victims, scan, monitor, rla, all.
// Each runs the built server (`eoc start` from dist/) as its own process on a generated community, embedded
// (PGlite in a data folder) and on PostgreSQL, and prints a table. The load generator shares the machine.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, migrate, rowsOf, type Database } from '../src/platform/db/client.js';
import { ensureCommunity, benchViewers, benchAuthor, clearBenchTokens, FULL, QUICK, type CommunitySize } from './community.js';
import { startServer, ownPeakMemoryMiB, root } from './server.js';
import { startBareServer } from './bare.js';
import { API_SCENARIOS, runApiScenario } from './api.js';
import { runEvents } from './events.js';
import { ensureIncidents, incidentActors, INCIDENTS_FULL, INCIDENTS_QUICK, measureBoardLoad, runIntake } from './incidents.js';
import { ATTACK_ROUNDS, ingestAttack, ingestFeed, intelCollections, pageThrough } from './intel.js';
import { ensureMatchData, MATCH_FULL, MATCH_QUICK, runMatch } from './match.js';
import { ensureInventories, measureVictimLatency, officeNumbers } from './victims.js';
import { runScanBench } from './scan.js';
import { runMonitorBench } from './monitor.js';
import { runRlaBench } from './rla.js';

type Mode = 'embedded' | 'postgres';
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'all';
const flag = (f: string) => {
  const i = args.indexOf(f);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const dbChoice = flag('--db') ?? 'both';
const size: CommunitySize = quick ? QUICK : FULL;
const pgBase = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const viewersWanted = Number(flag('--viewers') ?? (quick ? 500 : 5000));

const feedSize = Number(flag('--indicators') ?? (quick ? 100_000 : 1_000_000));
/** intel: only the ATT&CK bundles (to compare storage changes quickly). */
const attackOnly = args.includes('--attack-only');

if (!['api', 'events', 'incidents', 'intel', 'match', 'victims', 'scan', 'monitor', 'rla', 'all'].includes(name) || !['embedded', 'postgres', 'both'].includes(dbChoice)) {
  process.stderr.write('usage: npm run bench -- api|events|incidents|intel|match|victims|scan|monitor|rla|all [--hosts N] [--ballots N] [--draws N] [--reference DIR] [--steps 10000,30000] [--db embedded|postgres|both] [--quick] [--viewers N] [--indicators N] [--attack-only]\n');
  process.exit(2);
}
const modes: Mode[] = dbChoice === 'both' ? ['embedded', 'postgres'] : [dbChoice as Mode];
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function postgresUrl(): Promise<string> {
  const dbName = quick ? 'eoc_bench_quick' : 'eoc_bench';
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [dbName]);
  if (exists.rowCount === 0) await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(pgBase);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function prepare(mode: Mode): Promise<{ dataDir: string; databaseUrl?: string }> {
  const dataDir = path.join(root, '.bench-data', quick ? 'quick' : 'full');
  fs.mkdirSync(dataDir, { recursive: true });
  const databaseUrl = mode === 'postgres' ? await postgresUrl() : undefined;
  await withDatabase({ dataDir, databaseUrl }, async (database) => {
    await migrate(database);
    log(`${mode}: community of ${size.locals + size.privates + 57} organisations, ${(size.locals + size.privates + 57) * size.usersPerOrg} users, ${size.bulletins} bulletins`);
    const how = await ensureCommunity(database.db, size, (line) => log(`${mode}: ${line}`));
    log(`${mode}: community ${how}`);
    // Work an earlier run left queued (an intake run's thousands of notification emails) is not this run's:
    // left in place, the server would work through it while this run measures.
    const dropped = rowsOf<{ n: number }>(await database.db.execute(sql`with d as (delete from jobs where state in ('queued', 'running') returning 1) select count(*)::int as n from d`))[0]!.n;
    if (dropped) log(`${mode}: ${dropped.toLocaleString('en-US')} jobs left queued by earlier runs dropped`);
    if (name === 'victims' || name === 'all') {
      const inv = await ensureInventories(database.db, (line) => log(`${mode}: ${line}`));
      log(`${mode}: ${inv.inventories} inventories ${inv.how}`);
    }
    if (name === 'incidents' || name === 'all') log(`${mode}: incidents ${await ensureIncidents(database.db, quick ? INCIDENTS_QUICK : INCIDENTS_FULL, (line) => log(`${mode}: ${line}`))}`);
  });
  return { dataDir, ...(databaseUrl ? { databaseUrl } : {}) };
}

/** The embedded database admits one process at a time, so the bench closes it before starting the server. */
async function withDatabase<T>(where: { dataDir: string; databaseUrl?: string | undefined }, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(where);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
};

async function main() {
  log('building the server (tsc)');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (name === 'rla') {
    await runRlaBench({ ballots: Number(flag('--ballots') ?? (quick ? 1_000_000 : 10_000_000)), draws: Number(flag('--draws') ?? 1000), reference: flag('--reference') ?? process.env.RLA_REFERENCE_DIR }, log);
    return;
  }
  if (name === 'monitor') {
    await runMonitorBench((flag('--steps') ?? '10000,30000,60000,90000').split(',').map(Number), Number(flag('--seconds') ?? 45));
    return;
  }
  const apiRows: string[][] = [];
  const eventRows: string[][] = [];
  const boardRows: string[][] = [];
  const intakeRows: string[][] = [];
  const intelRows: string[][] = [];
  const pagingRows: string[][] = [];
  const victimRows: string[][] = [];
  const rates = new Map<string, number>();
  const out0: string[] = [];
  let bareRow: string[] | null = null;
  let port = 18_080;
  if (name === 'scan') {
    await runScanBench(Number(flag('--hosts') ?? 256));
    return;
  }
  if (name === 'match') {
    const size = quick ? MATCH_QUICK : MATCH_FULL;
    const data = await ensureMatchData(size, log);
    log(`matching ${fmt(size.lines)} lines (${fmt(data.logBytes / 1048576)} MiB) against ${fmt(size.indicators)} indicators: eoc match, then grep -F -f`);
    const { eoc, grep } = await runMatch(data);
    const s = eoc.summary ?? {};
    const ind = (s.indicators ?? {}) as { values?: number };
    const rows = [
      ['eoc match (networks, subdomains, URLs, hashes)', fmt(Number(s.lines)), fmt(Number(s.matchedLines)), fmt(Number(s.loadSeconds), 1), fmt(Number(s.scanSeconds), 1), fmt(eoc.seconds, 1), fmt(Number(s.linesPerSecond)), fmt(size.lines / eoc.seconds), fmt(eoc.peakMiB)],
      ['GNU grep -F -c -f (exact strings only)', fmt(size.lines), '–', '–', '–', fmt(grep.seconds, 1), '–', fmt(size.lines / grep.seconds), fmt(grep.peakMiB)],
    ];
    process.stdout.write(`${[
      `Log matching, one core each (taskset -c 0): ${fmt(size.lines)} combined-format lines, ${fmt(data.logBytes / 1048576)} MiB; ${fmt(size.indicators)} indicators (${fmt(Number(ind.values))} values loaded). Node ${process.version}.`,
      '',
      table(['matcher', 'lines', 'lines with a match', 'load s', 'scan s', 'total s', 'scan lines/s', 'lines/s overall', 'peak MiB'], rows),
      '',
      `Ratios in this run: eoc match scans ${fmt(Number(s.linesPerSecond) / (size.lines / grep.seconds), 1)}× grep's lines/s (${fmt((size.lines / eoc.seconds) / (size.lines / grep.seconds), 1)}× counting the start and loading the indicators), with ${fmt((100 * eoc.peakMiB) / grep.peakMiB)} % of its memory.`,
    ].join('\n')}\n`);
    return;
  }
  for (const mode of modes) {
    const where = await prepare(mode);
    if (name === 'api' || name === 'all') {
      const viewers = await withDatabase(where, async (database) => {
        await clearBenchTokens(database.db);
        return benchViewers(database.db, 200, 'local');
      });
      // The same requests with the read caches on and off, in this one run, so their ratio is measured here.
      for (const cache of [true, false]) {
        const server = await startServer({ ...where, port: port++, env: { EOC_READ_CACHE: String(cache) } });
        try {
          for (const scenario of API_SCENARIOS) {
            log(`${mode}: api — ${scenario.name} (read cache ${cache ? 'on' : 'off'})`);
            const r = await runApiScenario(server.url, viewers, scenario, { seconds: quick ? 5 : 15, connections: 32 });
            apiRows.push([mode, r.scenario, cache ? 'on' : 'off', fmt(r.requestsPerSecond), fmt(r.p50Ms, 1), fmt(r.p99Ms, 1), fmt(r.requests), fmt(r.errors), cache ? `${fmt(r.cacheHitRate * 100)} %` : '–', fmt(server.peakMemoryMiB())]);
            rates.set(`${mode}|${scenario.name}|${cache}`, r.requestsPerSecond);
          }
          if (cache && !bareRow) {
            // The machine's ceiling for a page of this size: a bare server and the same load generator.
            const page = await (await fetch(`${server.url}${API_SCENARIOS[0]!.path}`, { headers: { authorization: `Bearer ${viewers[0]!.token}` } })).text();
            const bare = await startBareServer(port++, page);
            try {
              log(`bare Fastify answering a ${fmt(page.length / 1024, 1)} KB page from memory`);
              const r = await runApiScenario(bare.url, viewers, { name: 'bare', path: API_SCENARIOS[0]!.path }, { seconds: quick ? 5 : 15, connections: 32 });
              bareRow = [`bare Fastify, same ${fmt(page.length / 1024, 1)} KB page from memory`, fmt(r.requestsPerSecond), fmt(r.p50Ms, 1), fmt(r.p99Ms, 1)];
              rates.set('bare', r.requestsPerSecond);
            } finally {
              await bare.stop();
            }
          }
        } finally {
          await server.stop();
        }
      }
    }
    if (name === 'events' || name === 'all') {
      const { author, viewers } = await withDatabase(where, async (database) => {
        await clearBenchTokens(database.db);
        const a = await benchAuthor(database.db, 0);
        return { author: a, viewers: await benchViewers(database.db, viewersWanted, 'local', a.orgId) };
      });
      const server = await startServer({ ...where, port: port++ });
      try {
        const r = await runEvents(server.url, viewers, author, { bulletins: quick ? 15 : 30, intervalMs: 250, progress: (l) => log(`${mode}: events — ${l}`) });
        eventRows.push([mode, fmt(r.viewers), fmt(r.bulletins), fmt(r.expected), fmt(r.delivered), fmt(r.missing), fmt(r.unexpected), fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.maxMs), fmt(server.peakMemoryMiB())]);
      } finally {
        await server.stop();
      }
    }
    if (name === 'incidents' || name === 'all') {
      const actors = await withDatabase(where, async (database) => incidentActors(database.db, quick ? 500 : 2000));
      const server = await startServer({ ...where, port: port++ });
      try {
        const center = actors.viewers.find((v) => v.kind === 'center')!;
        const state = actors.viewers.find((v) => v.kind === 'state')!;
        for (const [who, v] of [['operations center analyst', center], ['state analyst', state]] as const) {
          log(`${mode}: incidents — board first load as ${who}`);
          await measureBoardLoad(server.url, v.token, who, 2); // warm the server's code paths, not its data
          const b = await measureBoardLoad(server.url, v.token, who, 20);
          boardRows.push([mode, who, fmt(b.open), fmt(b.p50Ms), fmt(b.p99Ms), fmt(b.maxMs)]);
        }
        const r = await runIntake(server.url, actors, { seconds: quick ? 10 : 20, concurrency: 32, progress: (l) => log(`${mode}: incidents — ${l}`) });
        intakeRows.push([mode, fmt(r.viewers), fmt(r.seconds, 1), fmt(r.reports), fmt(r.reportsPerSecond), fmt(r.postP99Ms), fmt(r.errors), fmt(r.expected), fmt(r.delivered), fmt(r.missing), fmt(r.unexpected), fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.maxMs), fmt(server.peakMemoryMiB())]);
      } finally {
        await server.stop();
      }
    }
    if (name === 'victims' || name === 'all') {
      const setup = await withDatabase(where, async (database) => {
        await clearBenchTokens(database.db);
        const author = await benchAuthor(database.db, 2);
        const offices = await benchViewers(database.db, 20, 'local');
        const numbers = await officeNumbers(database.db, offices.map((o) => o.orgId));
        const [col] = rowsOf<{ id: string }>(await database.db.execute(sql`insert into taxii_collections (title, readers_all, writer_orgs, default_tlp)
          values ('bench victims', true, array[${author.orgId}::uuid], 'GREEN') returning id`));
        const [inv] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(distinct org_id)::int as n from assets`));
        return { writer: author.token, collection: col!.id, offices: offices.map((o) => ({ ...o, n: numbers.get(o.orgId)! })), inventories: inv!.n };
      });
      const server = await startServer({ ...where, port: port++ });
      try {
        const r = await measureVictimLatency(server.url, setup.writer, setup.collection, setup.offices, quick ? 10 : 20, (l) => log(`${mode}: victims — ${l}`));
        const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
        victimRows.push([mode, fmt(setup.inventories), fmt(r.rounds), fmt(r.told), fmt(r.wrongOffice), fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.maxMs), fmt(p50(r.byKind.address ?? [])), fmt(p50(r.byKind['look-alike domain'] ?? [])), fmt(server.peakMemoryMiB())]);
      } finally {
        await server.stop();
      }
    }
    if (name === 'intel' || name === 'all') {
      const setup = await withDatabase(where, async (database) => {
        await clearBenchTokens(database.db);
        const author = await benchAuthor(database.db, 1);
        const [reader] = await benchViewers(database.db, 1, 'local', author.orgId);
        const cols = await intelCollections(database.db, author.orgId, reader!.orgId);
        return { writerToken: author.token, readerToken: reader!.token, attackCollections: cols.attack, feedCollection: cols.feed };
      });
      const server = await startServer({ ...where, port: port++ });
      try {
        log(`${mode}: intel — ATT&CK bundles over TAXII POST`);
        const a = await ingestAttack(server.url, setup);
        intelRows.push([mode, `ATT&CK ICS + Mobile bundles, ${ATTACK_ROUNDS} rounds`, 'a bundle', '2', fmt(a.objects), fmt(a.failed), fmt(a.seconds, 1), fmt(a.perSecond), fmt(a.postP99Ms), fmt(server.peakMemoryMiB())]);
        if (attackOnly) continue;
        log(`${mode}: intel — generated feed of ${fmt(feedSize)} indicators`);
        const f = await ingestFeed(server.url, setup, feedSize, { envelope: 5000, concurrency: 2, progress: (l) => log(`${mode}: intel — ${l}`) });
        intelRows.push([mode, `generated feed of ${fmt(feedSize)} indicators`, '5,000', '2', fmt(f.objects), fmt(f.failed), fmt(f.seconds, 1), fmt(f.perSecond), fmt(f.postP99Ms), fmt(server.peakMemoryMiB())]);
        log(`${mode}: intel — paging through the feed`);
        const p = await pageThrough(server.url, setup, setup.feedCollection, f.objects, 1000, (l) => log(`${mode}: intel — ${l}`));
        pagingRows.push([mode, fmt(p.objects), fmt(p.pages), fmt(p.duplicates), fmt(p.missing), fmt(p.seconds, 1), fmt(p.objects / p.seconds), fmt(p.p50Ms, 1), fmt(p.p99Ms, 1), fmt(p.maxMs, 1), fmt(server.peakMemoryMiB())]);
      } finally {
        await server.stop();
      }
    }
  }
  if (victimRows.length) {
    out0.push('', 'Indicator arrival (TAXII POST of one indicator) → victim notification at the office, every organisation keeping an inventory:', table(['database', 'inventories', 'rounds', 'told', 'told the wrong office', 'p50 ms', 'p99 ms', 'max ms', 'address p50 ms', 'look-alike p50 ms', 'server peak MiB'], victimRows));
  }
  if (intelRows.length) {
    out0.push('', 'STIX ingest over TAXII POST (status resources checked; objects already present count as stored):', table(['database', 'input', 'objects per POST', 'concurrent POSTs', 'objects stored', 'refused', 'seconds', 'objects/s', 'POST p99 ms', 'server peak MiB'], intelRows));
    out0.push('', 'TAXII paging through the feed collection (limit 1,000, following next; every id checked once):', table(['database', 'objects', 'pages', 'duplicates', 'missing', 'seconds', 'objects/s', 'page p50 ms', 'page p99 ms', 'max ms', 'server peak MiB'], pagingRows));
  }
  if (boardRows.length) {
    out0.push('', `Board first load with ${fmt(quick ? INCIDENTS_QUICK : INCIDENTS_FULL)} incidents in the database (20 sequential loads each, over loopback):`, table(['database', 'viewer', 'open incidents seen', 'p50 ms', 'p99 ms', 'max ms'], boardRows));
    out0.push('', 'Election-day intake (reports over the API while board viewers hold the live stream):', table(['database', 'board viewers', 'seconds', 'reports', 'reports/s', 'POST p99 ms', 'errors', 'deliveries due', 'delivered', 'missing', 'unexpected', 'delivery p50 ms', 'delivery p99 ms', 'max ms', 'server peak MiB'], intakeRows));
  }
  const out: string[] = [`Community: ${fmt(size.locals + size.privates + 57)} organisations, ${fmt((size.locals + size.privates + 57) * size.usersPerOrg)} users, ${fmt(size.bulletins)} bulletins. Node ${process.version}, ${(await import('node:os')).cpus().length} cores; load generator on the same machine.`];
  if (apiRows.length) {
    out.push('', 'API (GET as local-office users, 32 connections, one token per user):', table(['database', 'request', 'read cache', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors', 'cache hits', 'server peak MiB'], apiRows));
    const ratios = modes.flatMap((mode) =>
      API_SCENARIOS.map((s) => {
        const on = rates.get(`${mode}|${s.name}|true`) ?? NaN;
        const off = rates.get(`${mode}|${s.name}|false`) ?? NaN;
        return [mode, s.name, `${fmt(on / off, 1)}×`, `${fmt((100 * on) / (rates.get('bare') ?? NaN))} %`];
      }),
    );
    out.push('', 'Ratios in this run (req/s with the read cache ÷ without; with the cache ÷ the bare server):', table(['database', 'request', 'cache on ÷ off', 'of bare server'], ratios));
    if (bareRow) out.push('', table(['baseline', 'req/s', 'p50 ms', 'p99 ms'], [bareRow]));
  }
  if (eventRows.length) out.push('', 'Live stream (post over the API → delivery on every viewer the policy allows):', table(['database', 'viewers', 'bulletins', 'expected', 'delivered', 'missing', 'unexpected', 'p50 ms', 'p99 ms', 'max ms', 'server peak MiB'], eventRows));
  out.push(...out0);
  out.push('', `Load generator peak memory: ${fmt(ownPeakMemoryMiB())} MiB`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : '';
  process.stderr.write(`${error instanceof Error ? error.message.split('\n')[0] : String(error)}${cause}\n`);
  process.exit(1);
});

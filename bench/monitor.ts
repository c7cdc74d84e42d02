// `npm run bench -- monitor`: HTTP monitors at a 30-second interval against loopback services, run by one node
// (`eoc start`, the built server, embedded database): schedule drift (from the node's /metrics), its CPU and
// memory, and how long the operations center's status list of every monitor takes to load; 10,000 monitors
// first, then more until the drift p99 passes one second or the largest step is reached.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { newApiToken } from '../src/access/secrets.js';
import { migrate, openDatabase, rowsOf } from '../src/platform/db/client.js';
import { root, startServer } from './server.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : NaN;
}

interface Step {
  monitors: number;
  checksPerSecond: number;
  driftP50: number;
  driftP99: number;
  driftMax: number;
  skipped: number;
  cpuPercent: number;
  rssMiB: number;
  peakMiB: number;
  boardP50: number;
  boardP99: number;
  boardKiB: number;
}

export async function runMonitorBench(steps: readonly number[], measureSeconds: number): Promise<void> {
  const dataDir = path.join(root, '.bench-data', 'monitor');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const targets = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/monitor-targets.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    targets.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    targets.on('exit', (code) => reject(new Error(`targets exited (${code})`)));
  });
  const results: Step[] = [];
  let token = '';
  let have = 0;
  try {
    for (const wanted of steps) {
      // Monitors are added with the database closed to the server (the embedded database has one user at a time).
      const database = await openDatabase({ dataDir });
      try {
        await migrate(database);
        const db = database.db;
        if (!token) {
          const [ids] = rowsOf<{ center: string; county: string; user: string; analyst: string }>(await db.execute(sql`with
            c as (insert into orgs (name, type) values ('Operations Center (bench)', 'operations-center') returning id),
            s as (insert into orgs (name, type, state_code, fips) values ('State (bench)', 'state', 'GA', '13') returning id),
            k as (insert into orgs (name, type, parent_id, state_code, fips) select 'County (bench)', 'local', s.id, 'GA', '13999' from s returning id),
            u as (insert into users (org_id, email, name, role, password_hash) select k.id, 'clerk@bench.test', 'Clerk', 'member', 'x' from k returning id),
            a as (insert into users (org_id, email, name, role, password_hash) select c.id, 'analyst@bench.test', 'Analyst', 'analyst', 'x' from c returning id)
            select c.id as center, k.id as county, u.id as user, a.id as analyst from c, k, u, a`));
          await db.execute(sql`insert into assets (org_id, name, component, ip_ranges, connectivity) values (${ids!.county}::uuid, 'Results sites', 'election-night-results-site', array['127.0.10.0/24'], 'network-connected')`);
          const t = newApiToken();
          await db.execute(sql`insert into api_tokens (user_id, name, token_hash, prefix, scopes) values (${ids!.analyst}::uuid, 'bench', ${t.hash}, ${t.prefix}, array['read']::text[])`);
          token = t.token;
          await db.execute(sql`insert into settings (key, value) values ('bench.monitor', ${JSON.stringify(ids)}::jsonb) on conflict (key) do update set value = excluded.value`);
        }
        const [ids] = rowsOf<{ value: { center: string; county: string; user: string } | string }>(await db.execute(sql`select value from settings where key = 'bench.monitor'`));
        const v = typeof ids!.value === 'string' ? (JSON.parse(ids!.value) as { center: string; county: string; user: string }) : ids!.value;
        await db.execute(sql`insert into monitors (owner_org, tlp, recipient_orgs, name, kind, target, interval_seconds, timeout_seconds, created_by)
          select ${v.county}::uuid, 'AMBER', array[${v.center}::uuid], 'results ' || i, 'http', 'http://127.0.10.' || (i % 40 + 1) || ':8080/p' || i, 30, 10, ${v.user}::uuid
          from generate_series(${have + 1}::int, ${wanted}::int) as i`);
        have = wanted;
      } finally {
        await database.close();
      }
      log(`${fmt(wanted)} monitors: starting the node`);
      const server = await startServer({ dataDir, port: 18_800, env: { LOG_LEVEL: 'error' } });
      try {
        // One full interval for every monitor to be on its schedule, then the measurement.
        await sleep(35_000);
        const before = await (await fetch(`${server.url}/metrics`)).text();
        const cpu0 = cpuSeconds(server.pid);
        const t0 = Date.now();
        await sleep(measureSeconds * 1000);
        const after = await (await fetch(`${server.url}/metrics`)).text();
        const seconds = (Date.now() - t0) / 1000;
        const cpu = cpuSeconds(server.pid) - cpu0;
        const checks = (text: string) => ['up', 'degraded', 'down', 'changed'].reduce((n, s) => n + (metric(text, 'eoc_monitor_checks_total', `{status="${s}"}`) || 0), 0);
        const times: number[] = [];
        let size = 0;
        for (let i = 0; i < 10; i += 1) {
          const t = process.hrtime.bigint();
          const res = await fetch(`${server.url}/api/v1/monitors`, { headers: { authorization: `Bearer ${token}` } });
          const body = await res.text();
          times.push(Number(process.hrtime.bigint() - t) / 1e6);
          size = body.length;
          if (!res.ok) throw new Error(`status list: ${res.status} ${body.slice(0, 200)}`);
        }
        times.sort((a, b) => a - b);
        results.push({
          monitors: wanted,
          checksPerSecond: (checks(after) - checks(before)) / seconds,
          driftP50: metric(after, 'eoc_monitor_check_drift_seconds', '{quantile="0.5"}') * 1000,
          driftP99: metric(after, 'eoc_monitor_check_drift_seconds', '{quantile="0.99"}') * 1000,
          driftMax: metric(after, 'eoc_monitor_check_drift_seconds', '{quantile="1"}') * 1000,
          skipped: metric(after, 'eoc_monitor_turns_skipped'),
          cpuPercent: (100 * cpu) / seconds,
          rssMiB: rssMiB(server.pid),
          peakMiB: server.peakMemoryMiB(),
          boardP50: times[4]!,
          boardP99: times[9]!,
          boardKiB: size / 1024,
        });
        const r = results[results.length - 1]!;
        log(`${fmt(wanted)} monitors: ${fmt(r.checksPerSecond)} checks/s, drift p99 ${fmt(r.driftP99)} ms, CPU ${fmt(r.cpuPercent)} %, status list ${fmt(r.boardP50)} ms`);
      } finally {
        await server.stop();
      }
      if (results[results.length - 1]!.driftP99 > 1000) break;
    }
  } finally {
    targets.kill();
  }
  const header = ['monitors', 'checks/s', 'drift p50 ms', 'drift p99 ms', 'drift max ms', 'turns skipped', 'node CPU % (of one core)', 'RSS MiB', 'peak MiB', 'status list p50 ms', 'p99 ms', 'KiB'];
  const rows = results.map((r) => [fmt(r.monitors), fmt(r.checksPerSecond), fmt(r.driftP50), fmt(r.driftP99), fmt(r.driftMax), fmt(r.skipped), fmt(r.cpuPercent), fmt(r.rssMiB), fmt(r.peakMiB), fmt(r.boardP50), fmt(r.boardP99), fmt(r.boardKiB)]);
  process.stdout.write(`HTTP monitors every 30 s against 40 loopback pages; one node (eoc start, embedded database, role all); ${measureSeconds} s measured after a 35 s warm-up. Node ${process.version}, ${os.cpus().length} cores.\n\n| ${header.join(' | ')} |\n|${header.map(() => '--:').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
}

// `npm run bench -- incidents`: election-day intake. 100,000 incidents already in the database; 2,000 live
// board viewers (analysts of the operations center, of every state and of local offices, each with a token)
// hold the event stream open while local offices report incidents over the API as fast as the server takes
// them. Measures the sustained intake rate, report-to-board delivery latency for every viewer the policy
// allows (and checks nobody else got it), and the board's first load on 100,000 incidents.
import http from 'node:http';
import { sql } from 'drizzle-orm';
import { build } from 'hdr-histogram-js';
import type { Db } from '../src/platform/db/client.js';
import { rowsOf } from '../src/platform/db/client.js';
import { newApiToken } from '../src/access/secrets.js';
import { CATEGORY_IDS, COMPONENT_IDS } from '../src/incidents/taxonomy.js';
import { openStream } from './events.js';

export const INCIDENTS_FULL = 100_000;
export const INCIDENTS_QUICK = 10_000;

/** Adds `count` incidents over the last 30 days (one in ten still open) unless this database has them. */
export async function ensureIncidents(db: Db, count: number, progress: (line: string) => void): Promise<'built' | 'reused'> {
  const marker = `bench-incidents-v1:${count}`;
  const [existing] = rowsOf<{ value: unknown }>(await db.execute(sql`select value from settings where key = 'bench.incidents'`));
  if (existing && JSON.stringify(existing.value) === JSON.stringify(marker)) {
    // Reports filed by earlier intake runs go, so every run measures the same 100,000.
    await db.execute(sql`delete from incidents where title like 'Bench % report %'`);
    return 'reused';
  }
  progress(`incidents: generating ${count.toLocaleString('en-US')}`);
  const categories = sql.raw(`array[${CATEGORY_IDS.map((c) => `'${c}'`).join(',')}]`);
  const components = sql.raw(`array[${COMPONENT_IDS.map((c) => `'${c}'`).join(',')}]`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from incidents`);
    await tx.execute(sql`insert into incidents (owner_org, author_id, tlp, recipient_orgs, title, description, category, component, symptom, occurred_at,
        jurisdiction_id, state_code, county_fips, channel, reporter_name, status, assessment, assessment_rationale, severity, computed_severity,
        triage_due_at, resolve_due_at, triaged_at, resolved_at, created_at, updated_at)
      select o.id, u.id, (case when x.r < 0.85 then 'AMBER' when x.r < 0.95 then 'GREEN' else 'AMBER+STRICT' end)::tlp,
        array[o.parent_id, (select id from orgs where type = 'operations-center' limit 1)],
        (${categories})[x.c + 1] || ' at ' || o.name || ' #' || x.g,
        'Generated incident ' || x.g || ': ' || (${categories})[x.c + 1] || ' affecting ' || (${components})[x.k + 1] || '.',
        (${categories})[x.c + 1], (${components})[x.k + 1], (array['observed', 'degraded', 'unavailable', 'compromised'])[x.s + 1],
        x.at - interval '5 minutes', o.id, o.state_code, substr(o.fips, 1, 5), 'web', u.name,
        case when x.open then (array['new', 'triaged', 'investigating', 'contained'])[x.s + 1] else (array['resolved', 'closed'])[(x.g % 2) + 1] end,
        case when x.open and x.s = 0 then null when x.c < 8 then 'operational' else (array['suspicious', 'confirmed-malicious', 'unfounded'])[(x.g % 3) + 1] end,
        case when x.open and x.s = 0 then null else 'Generated assessment.' end,
        (array['low', 'medium', 'high', 'critical'])[x.v + 1], (array['low', 'medium', 'high', 'critical'])[x.v + 1],
        x.at + interval '1 hour', x.at + interval '1 day',
        case when x.open and x.s = 0 then null else x.at + (x.g % 90) * interval '1 minute' end,
        case when x.open then null else x.at + (x.g % 600) * interval '1 minute' end,
        x.at, x.at
      from (
        select g, random() as r, floor(random() * ${CATEGORY_IDS.length})::int as c, floor(random() * ${COMPONENT_IDS.length})::int as k,
          floor(random() * 4)::int as s, floor(random() * 4)::int as v, random() < 0.1 as open,
          now() - random() * interval '30 days' as at, 1 + floor(random() * (select count(*) from orgs where type = 'local'))::int as o
        from generate_series(1, ${count}::int) g
      ) x
      join (select id, name, parent_id, state_code, fips, row_number() over (order by id) as n from orgs where type = 'local') o on o.n = x.o
      join lateral (select id, name from users where org_id = o.id and role = 'member' limit 1) u on true`);
    await tx.execute(sql`insert into settings (key, value) values ('bench.incidents', ${JSON.stringify(marker)}::jsonb) on conflict (key) do update set value = excluded.value`);
  });
  await db.execute(sql`analyze incidents`);
  return 'built';
}

export interface IncidentActors {
  /** Board viewers: the operations center's analyst, every state's analyst, then local offices' analysts. */
  readonly viewers: ReadonlyArray<{ token: string; userId: string; orgId: string; stateId: string | null; kind: 'center' | 'state' | 'local' }>;
  /** Reporters: members of the local offices whose analysts watch, with write tokens. */
  readonly reporters: ReadonlyArray<{ token: string; orgId: string; stateId: string }>;
}

export async function incidentActors(db: Db, viewerCount: number): Promise<IncidentActors> {
  await db.execute(sql`delete from api_tokens where name = 'bench-incidents'`);
  const analysts = rowsOf<{ user_id: string; org_id: string; org_type: string; parent_id: string | null }>(
    await db.execute(sql`select distinct on (o.id) u.id as user_id, o.id as org_id, o.type::text as org_type, o.parent_id
      from orgs o join users u on u.org_id = o.id and u.role = 'analyst'
      where o.type in ('operations-center', 'state', 'territory', 'local') order by o.id, u.id`),
  );
  const rank = (t: string) => (t === 'operations-center' ? 0 : t === 'local' ? 2 : 1);
  analysts.sort((a, b) => rank(a.org_type) - rank(b.org_type) || a.org_id.localeCompare(b.org_id));
  const chosen = analysts.slice(0, viewerCount);
  const localIds = chosen.filter((a) => a.org_type === 'local').map((a) => a.org_id);
  const members = rowsOf<{ user_id: string; org_id: string; parent_id: string }>(
    await db.execute(sql`select distinct on (o.id) u.id as user_id, o.id as org_id, o.parent_id from orgs o join users u on u.org_id = o.id and u.role = 'member'
      where o.id = any(${`{${localIds.join(',')}}`}::uuid[]) order by o.id, u.id`),
  );
  const rows: ReturnType<typeof sql>[] = [];
  const viewers = chosen.map((a) => {
    const t = newApiToken();
    rows.push(sql`(${a.user_id}::uuid, 'bench-incidents', ${t.hash}, ${t.prefix}, array['read']::text[])`);
    const kind: 'center' | 'state' | 'local' = a.org_type === 'operations-center' ? 'center' : a.org_type === 'local' ? 'local' : 'state';
    return { token: t.token, userId: a.user_id, orgId: a.org_id, stateId: kind === 'state' ? a.org_id : a.parent_id, kind };
  });
  const reporters = members.map((m) => {
    const t = newApiToken();
    rows.push(sql`(${m.user_id}::uuid, 'bench-incidents', ${t.hash}, ${t.prefix}, array['read', 'write']::text[])`);
    return { token: t.token, orgId: m.org_id, stateId: m.parent_id };
  });
  for (let i = 0; i < rows.length; i += 1000) await db.execute(sql`insert into api_tokens (user_id, name, token_hash, prefix, scopes) values ${sql.join(rows.slice(i, i + 1000), sql`, `)}`);
  return { viewers, reporters };
}

export interface BoardLoadResult {
  readonly who: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly open: number;
}

/** The board's first load, sequentially (one viewer opening it), as the server answers it over loopback. */
export async function measureBoardLoad(url: string, token: string, who: string, times: number): Promise<BoardLoadResult> {
  const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000, numberOfSignificantValueDigits: 3 });
  let open = 0;
  for (let i = 0; i < times; i += 1) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/incidents/board`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { totals?: { open: number } };
    if (res.status !== 200) throw new Error(`board answered ${res.status}: ${JSON.stringify(body)}`);
    h.recordValue(Math.max(1, Math.round(performance.now() - t0)));
    open = body.totals?.open ?? 0;
  }
  return { who, p50Ms: h.getValueAtPercentile(50), p99Ms: h.getValueAtPercentile(99), maxMs: h.maxValue, open };
}

export interface IntakeResult {
  readonly viewers: number;
  readonly seconds: number;
  readonly reports: number;
  readonly reportsPerSecond: number;
  readonly postP99Ms: number;
  readonly errors: number;
  readonly expected: number;
  readonly delivered: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Reports arrive from `concurrency` offices at once, each posting its next report as soon as the last was
 * accepted, for `seconds`. A report (default recipients: the office's state and the operations center) is due
 * at the center's and its state's analysts and at its own office's analyst, when they watch.
 */
export async function runIntake(url: string, actors: IncidentActors, options: { seconds: number; concurrency: number; progress: (line: string) => void }): Promise<IntakeResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const delivery = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 3 });
  const posting = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 3 });
  const sent = new Map<string, { t0: number; org: string; state: string }>();
  const seen = new Set<string>();
  let delivered = 0;
  let unexpected = 0;
  const runId = Date.now().toString(36);
  const streams: http.ClientRequest[] = [];
  const onEventFor = (v: IncidentActors['viewers'][number]) => (type: string, data: string) => {
    if (type !== 'incident.reported') return;
    const now = performance.now();
    const title = (JSON.parse(data) as { data?: { title?: string } }).data?.title ?? '';
    const s = sent.get(title);
    if (!s) return;
    const key = `${v.token.slice(-12)} ${title}`;
    const due = v.kind === 'center' || (v.kind === 'state' && v.orgId === s.state) || (v.kind === 'local' && v.orgId === s.org);
    if (!due || seen.has(key)) {
      unexpected += 1;
      return;
    }
    seen.add(key);
    delivered += 1;
    delivery.recordValue(Math.max(1, Math.round(now - s.t0)));
  };
  options.progress(`opening ${actors.viewers.length} board streams`);
  for (let i = 0; i < actors.viewers.length; i += 250) {
    streams.push(...(await Promise.all(actors.viewers.slice(i, i + 250).map((v) => openStream(agent, url, v.token, onEventFor(v))))));
  }
  const watching = {
    center: actors.viewers.filter((v) => v.kind === 'center').length,
    state: new Map<string, number>(),
    local: new Set(actors.viewers.filter((v) => v.kind === 'local').map((v) => v.orgId)),
  };
  for (const v of actors.viewers) if (v.kind === 'state') watching.state.set(v.orgId, (watching.state.get(v.orgId) ?? 0) + 1);
  options.progress(`${streams.length} streams open; ${options.concurrency} offices reporting for ${options.seconds} s`);

  let reports = 0;
  let errors = 0;
  let expected = 0;
  let n = 0;
  const end = performance.now() + options.seconds * 1000;
  const occurredAt = new Date(Date.now() - 60_000).toISOString();
  const worker = async (w: number) => {
    while (performance.now() < end) {
      const reporter = actors.reporters[(n++ * 7 + w) % actors.reporters.length]!;
      const i = n;
      const title = `Bench ${runId} report ${w}-${i}`;
      const category = CATEGORY_IDS[i % CATEGORY_IDS.length]!;
      const body = JSON.stringify({ title, description: 'Generated by the intake benchmark: a report as an office would file it on election day.', category, component: COMPONENT_IDS[i % COMPONENT_IDS.length], occurredAt, symptom: 'degraded', location: `Precinct ${i % 400}` });
      const t0 = performance.now();
      sent.set(title, { t0, org: reporter.orgId, state: reporter.stateId });
      const res = await new Promise<number>((resolve) => {
        const req = http.request(`${url}/api/v1/incidents`, { method: 'POST', agent, headers: { authorization: `Bearer ${reporter.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
          r.resume();
          r.on('end', () => resolve(r.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end(body);
      });
      posting.recordValue(Math.max(1, Math.round(performance.now() - t0)));
      if (res === 201) {
        reports += 1;
        expected += watching.center + (watching.state.get(reporter.stateId) ?? 0) + (watching.local.has(reporter.orgId) ? 1 : 0);
      } else {
        errors += 1;
        sent.delete(title);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  const deadline = Date.now() + 60_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000));
  for (const s of streams) s.destroy();
  agent.destroy();
  return {
    viewers: actors.viewers.length,
    seconds: elapsed,
    reports,
    reportsPerSecond: reports / elapsed,
    postP99Ms: posting.getValueAtPercentile(99),
    errors,
    expected,
    delivered,
    missing: expected - delivered,
    unexpected,
    p50Ms: delivery.getValueAtPercentile(50),
    p99Ms: delivery.getValueAtPercentile(99),
    maxMs: delivery.maxValue,
  };
}

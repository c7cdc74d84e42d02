// `npm run bench -- victims`: from an indicator's arrival to its victim notification, with every organisation of
// the community keeping an inventory (10,000 on the full community). Each round, a member of one office holds
// the live stream open; an analyst posts one indicator over TAXII — an address in the office's network, or a
// look-alike of its domain — and the time is taken from just before the POST to the `victim.matched` event at
// the office. Other offices' streams are watched too, to check nobody else is told.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../src/platform/db/client.js';
import { rowsOf } from '../src/platform/db/client.js';
import { openStream } from './events.js';
import type { BenchViewer } from './community.js';

const TAXII = 'application/taxii+json;version=2.1';

/** The office's domain in the benchmark: a registrable name of its own (look-alikes are measured against it). */
export const officeDomain = (n: number) => `county${n}votes.gov`;
/** Its network: a /28 of 10.0.0.0/8, one per office. */
export const officeNetwork = (n: number) => `10.${(n >> 12) & 255}.${(n >> 4) & 255}.${(n & 15) << 4}/28`;

/** Gives every organisation an inventory (a results site and a firewall) unless this database has them. */
export async function ensureInventories(db: Db, progress: (line: string) => void): Promise<{ how: 'built' | 'reused'; inventories: number }> {
  const [count] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from orgs`));
  const marker = `bench-inventories-v1:${count!.n}`;
  const [existing] = rowsOf<{ value: unknown }>(await db.execute(sql`select value from settings where key = 'bench.inventories'`));
  if (existing && JSON.stringify(existing.value) === JSON.stringify(marker)) return { how: 'reused', inventories: count!.n };
  progress(`inventories: adding two systems to each of ${count!.n.toLocaleString('en-US')} organisations`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from victim_matches`);
    await tx.execute(sql`delete from assets`);
    await tx.execute(sql`create temporary table bench_office on commit drop as select id, (row_number() over (order by id))::int as n from orgs`);
    await tx.execute(sql`insert into assets (org_id, name, component, ip_ranges, domains, hostnames, connectivity)
      select id, 'Election-night results', 'election-night-results-site',
        array['10.' || ((n >> 12) & 255) || '.' || ((n >> 4) & 255) || '.' || ((n & 15) << 4) || '/28'],
        array['county' || n || 'votes.gov'], array['results.county' || n || 'votes.gov'], 'network-connected' from bench_office`);
    await tx.execute(sql`insert into assets (org_id, name, component, vendor, product, version, connectivity)
      select id, 'Firewall', 'network-range', 'Palo Alto Networks', 'PAN-OS', '10.2.' || (n % 12), 'network-connected' from bench_office`);
    await tx.execute(sql`insert into settings (key, value) values ('bench.inventories', ${JSON.stringify(marker)}::jsonb) on conflict (key) do update set value = excluded.value`);
  });
  await db.execute(sql`analyze assets`);
  return { how: 'built', inventories: count!.n };
}

/** The benchmark number of an office (its rank by id), as ensureInventories gave it its network and domain. */
export async function officeNumbers(db: Db, orgIds: readonly string[]): Promise<Map<string, number>> {
  const rows = rowsOf<{ id: string; n: number }>(await db.execute(sql`select id, n from (select id, (row_number() over (order by id))::int as n from orgs) o where id = any(${`{${orgIds.join(',')}}`}::uuid[])`));
  return new Map(rows.map((r) => [r.id, r.n]));
}

export interface VictimLatency {
  readonly rounds: number;
  readonly told: number;
  readonly wrongOffice: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly byKind: Record<string, number[]>;
}

function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * `rounds` indicators, one at a time, each touching one of `offices` (address in its network, or a look-alike
 * of its domain, alternately); every office's member watches the live stream.
 */
export async function measureVictimLatency(url: string, writerToken: string, collection: string, offices: ReadonlyArray<BenchViewer & { n: number }>, rounds: number, progress: (line: string) => void): Promise<VictimLatency> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const waiting = new Map<string, { resolve: (ms: number) => void; t0: number }>();
  let wrongOffice = 0;
  const sent = new Set<string>();
  const streams = await Promise.all(offices.map((o) => openStream(agent, url, o.token, (type, data) => {
    if (type !== 'victim.matched') return;
    const value = String((JSON.parse(data) as { data?: { indicatorValue?: string } }).data?.indicatorValue ?? '');
    const w = waiting.get(`${o.orgId} ${value}`);
    if (w) {
      waiting.delete(`${o.orgId} ${value}`);
      w.resolve(performance.now() - w.t0);
    } else if (sent.has(value)) {
      wrongOffice += 1;
    }
  })));
  const times: number[] = [];
  const byKind: Record<string, number[]> = { address: [], 'look-alike domain': [] };
  try {
    for (let i = 0; i < rounds; i += 1) {
      const office = offices[i % offices.length]!;
      const kind = i % 2 === 0 ? 'address' : 'look-alike domain';
      const [net] = officeNetwork(office.n).split('/');
      const parts = net!.split('.').map(Number);
      // A homoglyph of the office's domain: a zero for the "o".
      const value = kind === 'address' ? `${parts[0]}.${parts[1]}.${parts[2]}.${parts[3]! + 1 + (i % 14)}` : officeDomain(office.n).replace('votes.gov', 'v0tes.gov');
      sent.add(value);
      const pattern = kind === 'address' ? `[ipv4-addr:value = '${value}']` : `[domain-name:value = '${value}']`;
      const indicator = { type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: new Date().toISOString(), modified: new Date().toISOString(), name: `bench-round${i}`, pattern, pattern_type: 'stix', valid_from: new Date().toISOString() };
      const key = `${office.orgId} ${value}`;
      const t0 = performance.now();
      const told = new Promise<number>((resolve) => waiting.set(key, { resolve, t0 }));
      const res = await fetch(`${url}/taxii2/api/collections/${collection}/objects/`, { method: 'POST', headers: { authorization: `Bearer ${writerToken}`, accept: TAXII, 'content-type': TAXII }, body: JSON.stringify({ objects: [indicator] }) });
      if (res.status !== 202) throw new Error(`TAXII POST answered ${res.status}`);
      await res.arrayBuffer();
      const ms = await Promise.race([told, new Promise<number>((resolve) => setTimeout(() => resolve(NaN), 30_000))]);
      waiting.delete(key);
      if (Number.isFinite(ms)) {
        times.push(ms);
        byKind[kind]!.push(ms);
      }
      progress(`round ${i + 1}/${rounds} (${kind}): ${Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'not told within 30 s'}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    for (const s of streams) s.destroy();
    agent.destroy();
  }
  return { rounds, told: times.length, wrongOffice, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: Math.max(...times), byKind };
}

// `npm run bench -- api`: requests per second and latency of the bulletin list (the inbox) for local-office
// users, each with their own API token, against a real server on the generated community.
import autocannon from 'autocannon';
import type { BenchViewer } from './community.js';

export interface ApiScenario {
  readonly name: string;
  readonly path: string;
}

export const API_SCENARIOS: readonly ApiScenario[] = [
  { name: 'inbox, first page (25)', path: '/api/v1/bulletins?limit=25' },
  { name: 'unread count', path: '/api/v1/bulletins/unread-count' },
  { name: 'search "ransomware"', path: '/api/v1/bulletins?limit=25&q=ransomware' },
];

export interface ApiResult {
  readonly scenario: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
  /** Share of the scenario's lookups in the page/count caches that were served from memory. */
  readonly cacheHitRate: number;
}

/** Hits and misses of the bulletin caches so far, from the server's /metrics. */
async function cacheCounts(url: string): Promise<{ hits: number; misses: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let hits = 0;
  let misses = 0;
  for (const m of text.matchAll(/^eoc_read_cache_lookups_total\{cache="bulletin-[^"]+",result="(hit|miss)"\} (\d+)/gm)) {
    if (m[1] === 'hit') hits += Number(m[2]);
    else misses += Number(m[2]);
  }
  return { hits, misses };
}

export async function runApiScenario(url: string, viewers: readonly BenchViewer[], scenario: ApiScenario, options: { seconds: number; connections: number }): Promise<ApiResult> {
  let next = 0;
  const headersFor = () => {
    const v = viewers[next++ % viewers.length]!;
    return { authorization: `Bearer ${v.token}`, accept: 'application/json' };
  };
  const run = (seconds: number) =>
    autocannon({
      url: `${url}${scenario.path}`,
      connections: options.connections,
      duration: seconds,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...headersFor() } }) }],
    });
  await run(3); // warm-up: JIT, database caches
  const before = await cacheCounts(url);
  const r = await run(options.seconds);
  const after = await cacheCounts(url);
  const hits = after.hits - before.hits;
  const lookups = hits + after.misses - before.misses;
  return {
    scenario: scenario.name,
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
    cacheHitRate: lookups > 0 ? hits / lookups : 0,
  };
}

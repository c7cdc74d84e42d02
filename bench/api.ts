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
  const r = await run(options.seconds);
  return {
    scenario: scenario.name,
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

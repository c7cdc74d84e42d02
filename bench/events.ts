// `npm run bench -- events`: thousands of concurrent live-stream viewers (SSE, each a different user with a
// token) while a state posts bulletins over the API; measures post-to-delivery latency per viewer and checks
// that every viewer got exactly what the sharing policy allows: no more, no less.
import http from 'node:http';
import { build } from 'hdr-histogram-js';
import type { BenchViewer } from './community.js';

export interface EventsResult {
  readonly viewers: number;
  readonly bulletins: number;
  readonly expected: number;
  readonly delivered: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

interface Sent {
  readonly t0: number;
  readonly audience: ReadonlySet<string> | 'all';
}

/** Opens one SSE stream; calls onEvent with each event's type and data. Resolves once the stream is open. */
export function openStream(agent: http.Agent, url: string, token: string, onEvent: (type: string, data: string) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/v1/events`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      let opened = false;
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!opened) {
            opened = true;
            resolve(req);
          }
          let type = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent(type, data);
        }
      });
    });
    req.on('error', reject);
  });
}

export async function runEvents(
  url: string,
  viewers: readonly BenchViewer[],
  author: { token: string; counties: readonly string[] },
  options: { bulletins: number; intervalMs: number; progress: (line: string) => void },
): Promise<EventsResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 3 });
  const sent = new Map<string, Sent>();
  const seen = new Set<string>();
  let delivered = 0;
  let unexpected = 0;
  const streams: http.ClientRequest[] = [];

  const onEventFor = (viewer: BenchViewer) => (type: string, data: string) => {
    if (type !== 'bulletin.created') return;
    const now = performance.now();
    const event = JSON.parse(data) as { data?: { title?: string } };
    const title = event.data?.title ?? '';
    const s = sent.get(title);
    if (!s) return; // a bulletin from before this run
    const key = `${viewer.userId} ${title}`;
    if (seen.has(key) || (s.audience !== 'all' && !s.audience.has(viewer.orgId))) {
      unexpected += 1;
      return;
    }
    seen.add(key);
    delivered += 1;
    histogram.recordValue(Math.max(1, Math.round(now - s.t0)));
  };

  options.progress(`opening ${viewers.length} live streams`);
  for (let i = 0; i < viewers.length; i += 250) {
    streams.push(...(await Promise.all(viewers.slice(i, i + 250).map((v) => openStream(agent, url, v.token, onEventFor(v))))));
  }
  options.progress(`${streams.length} streams open; posting ${options.bulletins} bulletins`);

  const viewerOrgs = new Set(viewers.map((v) => v.orgId));
  let expected = 0;
  const runId = Date.now().toString(36);
  for (let i = 0; i < options.bulletins; i += 1) {
    // Every third bulletin is GREEN (the whole community); the others are AMBER to some of the state's counties.
    const green = i % 3 === 0;
    const recipients = green ? [] : author.counties.filter((_, k) => (k + i) % (i % 2 === 0 ? 2 : 25) === 0);
    const title = `Bench ${runId} #${i}`;
    const audience: Sent['audience'] = green ? 'all' : new Set(recipients);
    expected += green ? viewers.length : recipients.filter((r) => viewerOrgs.has(r)).length;
    sent.set(title, { t0: performance.now(), audience });
    const res = await fetch(`${url}/api/v1/bulletins`, {
      method: 'POST',
      headers: { authorization: `Bearer ${author.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title, body: 'Benchmark bulletin.', tlp: green ? 'GREEN' : 'AMBER', recipients: { orgs: recipients, users: [] } }),
    });
    if (res.status !== 201) throw new Error(`posting a bulletin answered ${res.status}: ${await res.text()}`);
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
  const deadline = Date.now() + 60_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000)); // let anything unexpected arrive too
  for (const s of streams) s.destroy();
  agent.destroy();
  return {
    viewers: viewers.length,
    bulletins: options.bulletins,
    expected,
    delivered,
    missing: expected - delivered,
    unexpected,
    p50Ms: histogram.getValueAtPercentile(50),
    p99Ms: histogram.getValueAtPercentile(99),
    maxMs: histogram.maxValue,
  };
}

// Threat-intelligence benchmark: TAXII POST ingest of the MITRE ATT&CK bundles and of a generated feed of
// indicators, then a TAXII client paging through the whole feed collection (limit 1,000, following `next`),
// checking it got every object exactly once. Everything goes over HTTP to the real server process.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../src/platform/db/client.js';
import { rowsOf } from '../src/platform/db/client.js';

/** The value at percentile p of a list of timings (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const TAXII = 'application/taxii+json;version=2.1';
const DATA = new URL('../../shared/data/', import.meta.url);

export interface IntelSetup {
  readonly writerToken: string;
  readonly readerToken: string;
  /** One collection per round of the ATT&CK ingest, so every round stores every object anew. */
  readonly attackCollections: readonly string[];
  readonly feedCollection: string;
}

export const ATTACK_ROUNDS = 5;

/** Fresh collections for this run (earlier runs' objects are removed with their collections). */
export async function intelCollections(db: Db, writerOrg: string, readerOrg: string): Promise<{ attack: string[]; feed: string }> {
  // Each run starts from empty tables (the benchmark database holds nothing else of the store): the last
  // run's million rows are gone rather than left as dead rows and bloated indexes for this run to work around.
  await db.execute(sql`truncate stix_objects, taxii_statuses, indicator_feedback`);
  await db.execute(sql`delete from taxii_collections where title like 'bench %'`);
  const make = async (title: string) =>
    rowsOf<{ id: string }>(await db.execute(sql`insert into taxii_collections (title, reader_orgs, writer_orgs, default_tlp)
      values (${title}, array[${writerOrg}::uuid, ${readerOrg}::uuid], array[${writerOrg}::uuid], 'GREEN') returning id`))[0]!.id;
  const attack: string[] = [];
  for (let i = 0; i < ATTACK_ROUNDS; i += 1) attack.push(await make(`bench ATT&CK ${i + 1}`));
  return { attack, feed: await make('bench feed') };
}

/** An envelope as it goes on the wire: a client sending a file sends its bytes, it does not build them anew. */
function envelopeOf(objects: readonly unknown[]): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify({ objects }));
}

async function post(url: string, token: string, collection: string, envelope: Uint8Array<ArrayBuffer>): Promise<{ ms: number; stored: number; failed: number }> {
  const t = performance.now();
  const res = await fetch(`${url}/taxii2/api/collections/${collection}/objects/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: TAXII, 'content-type': TAXII },
    body: envelope,
  });
  const body = (await res.json()) as { success_count?: number; failure_count?: number; description?: string };
  if (res.status !== 202) throw new Error(`TAXII POST answered ${res.status}: ${body.description ?? ''}`);
  return { ms: performance.now() - t, stored: body.success_count ?? 0, failed: body.failure_count ?? 0 };
}

export interface IngestResult {
  readonly objects: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly failed: number;
  readonly postP99Ms: number;
}

/**
 * Each ATT&CK bundle as one TAXII POST, as a user loads a bundle, the two bundles at once; repeated into a
 * fresh collection each round (the first round also warms the server up, as a running server is).
 */
export async function ingestAttack(url: string, s: IntelSetup): Promise<IngestResult> {
  const bundles = ['attack/ics-attack-18.1.json', 'attack/mobile-attack-17.1.json'].map((f) => envelopeOf((JSON.parse(fs.readFileSync(new URL(f, DATA), 'utf8')) as { objects: unknown[] }).objects));
  const results: Array<{ ms: number; stored: number; failed: number }> = [];
  const t0 = performance.now();
  for (const collection of s.attackCollections) results.push(...(await Promise.all(bundles.map((envelope) => post(url, s.writerToken, collection, envelope)))));
  const seconds = (performance.now() - t0) / 1000;
  const objects = results.reduce((n, r) => n + r.stored, 0);
  return { objects, seconds, perSecond: objects / seconds, failed: results.reduce((n, r) => n + r.failed, 0), postP99Ms: percentile(results.map((r) => r.ms), 99) };
}

/** A feed of `count` indicators of the kinds election offices receive: IPs, domains, URLs, file hashes, senders. */
function indicatorAt(i: number, batch: string): Record<string, unknown> {
  const kinds = [
    () => `[ipv4-addr:value = '198.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}']`,
    () => `[domain-name:value = 'ballot-${i}.${batch}.example']`,
    () => `[url:value = 'https://results-${i}.example/login.php?id=${i}']`,
    () => `[file:hashes.'SHA-256' = '${i.toString(16).padStart(64, '0')}']`,
    () => `[email-addr:value = 'clerk-support-${i}@${batch}.example']`,
  ];
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: '2026-11-01T00:00:00.000Z',
    modified: '2026-11-01T00:00:00.000Z',
    name: `Feed indicator ${i}`,
    indicator_types: ['malicious-activity'],
    pattern: kinds[i % kinds.length]!(),
    pattern_type: 'stix',
    valid_from: '2026-11-01T00:00:00Z',
    confidence: 60 + (i % 40),
  };
}

export async function ingestFeed(url: string, s: IntelSetup, count: number, options: { envelope: number; concurrency: number; progress: (line: string) => void }): Promise<IngestResult> {
  const batch = randomUUID().slice(0, 8);
  const times: number[] = [];
  let next = 0;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  let lastReport = t0;
  const worker = async () => {
    for (;;) {
      const start = next;
      if (start >= count) return;
      next += options.envelope;
      const objects = Array.from({ length: Math.min(options.envelope, count - start) }, (_, k) => indicatorAt(start + k, batch));
      const r = await post(url, s.writerToken, s.feedCollection, envelopeOf(objects));
      times.push(r.ms);
      done += r.stored;
      failed += r.failed;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        options.progress(`${done.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} indicators stored (${Math.round(done / ((lastReport - t0) / 1000)).toLocaleString('en-US')}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { objects: done, seconds, perSecond: done / seconds, failed, postP99Ms: percentile(times, 99) };
}

export interface PagingResult {
  readonly objects: number;
  readonly pages: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly duplicates: number;
  readonly missing: number;
}

/** Pages through a collection as a TAXII client does, checking every object arrives once. */
export async function pageThrough(url: string, s: IntelSetup, collection: string, expected: number, limit: number, progress: (line: string) => void): Promise<PagingResult> {
  const seen = new Set<string>();
  const times: number[] = [];
  let duplicates = 0;
  let next: string | undefined;
  const t0 = performance.now();
  for (;;) {
    const t = performance.now();
    const res = await fetch(`${url}/taxii2/api/collections/${collection}/objects/?limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`, { headers: { authorization: `Bearer ${s.readerToken}`, accept: TAXII } });
    const body = (await res.json()) as { more: boolean; next?: string; objects?: Array<{ id: string }> };
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`TAXII GET answered ${res.status}`);
    for (const o of body.objects ?? []) {
      if (seen.has(o.id)) duplicates += 1;
      seen.add(o.id);
    }
    if (times.length % 200 === 0) progress(`${seen.size.toLocaleString('en-US')} objects in ${times.length} pages`);
    if (!body.more) break;
    next = body.next;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { objects: seen.size, pages: times.length, seconds, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: Math.max(...times), duplicates, missing: Math.max(0, expected - seen.size) };
}

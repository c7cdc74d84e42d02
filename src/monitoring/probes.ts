// One check of one monitor: HTTP(S) availability, status, latency, keyword and content integrity; a TLS
// certificate's expiry and trust; DNS records against the approved values; a TCP port. Each check is bounded in
// time (its timeout) and memory (a body cap), and goes only to addresses the office approved — the same
// scope rules and connection gate as the hygiene scanner, so a hijacked DNS answer is reported, not followed.
import { request } from '../scanning/http-checks.js';
import type { DnsClient, RecordType } from '../scanning/dns-client.js';
import { Guard } from '../scanning/guard.js';
import { allowAddress, normaliseAddress, type Scope } from '../scanning/scope.js';
import { fetchCertificate } from '../scanning/tls-cert.js';
import { contentDiff, contentHash, meaningfulLines } from './content.js';

export const MONITOR_KINDS = ['http', 'tls', 'dns', 'tcp'] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];
export type MonitorStatus = 'up' | 'degraded' | 'down' | 'changed' | 'pending';
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'NS', 'MX', 'CNAME'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export interface HttpOptions {
  /** Status codes that count as up (default 200–399). */
  readonly expectStatus?: readonly [number, number];
  readonly keyword?: string;
  /** Slower than this is degraded (default 2000 ms). */
  readonly degradedMs?: number;
  /** Compare the page's meaningful text with its known-good state. */
  readonly integrity?: { readonly ignore: readonly string[]; readonly baselineHash?: string | null; readonly baselineLines?: readonly string[] | null };
}

export interface MonitorSpec {
  readonly id: string;
  readonly kind: MonitorKind;
  readonly target: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** What the office approved: the monitor never contacts anything else. */
  readonly scope: Scope;
  readonly http?: HttpOptions;
  readonly tls?: { readonly warnDays: number };
  readonly dns?: { readonly records: Partial<Record<DnsRecordType, readonly string[]>> };
}

export interface ProbeResult {
  readonly status: Exclude<MonitorStatus, 'pending'>;
  readonly latencyMs: number | null;
  /** What went wrong or changed, in words. */
  readonly message: string;
  readonly httpStatus?: number;
  readonly contentHash?: string;
  readonly contentLines?: readonly string[];
  readonly certDaysLeft?: number;
  readonly records?: Partial<Record<DnsRecordType, string[]>>;
}

/** The most a check reads of a page. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ProbeContext {
  readonly dns: DnsClient;
  readonly ca?: readonly string[];
}

/** host and port of a target ("host:port", "[v6]:port", a URL). */
export function hostPort(target: string, defaultPort: number): { host: string; port: number } | null {
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(target) ? target : `tcp://${target}`);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) return null;
    return { host, port: url.port ? Number(url.port) : /^https:/i.test(target) ? 443 : /^http:/i.test(target) ? 80 : defaultPort };
  } catch {
    return null;
  }
}

/** An approved address for a host (resolved now, with its CNAME chain checked), marked open on the guard. */
async function addressOf(spec: MonitorSpec, host: string, guard: Guard, ctx: ProbeContext): Promise<{ address: string } | { error: string }> {
  if (normaliseAddress(host)) {
    const v = allowAddress(spec.scope, [], host);
    if (!v.allowed) return { error: v.reason };
    guard.allow(host);
    return { address: host };
  }
  let r;
  try {
    r = await ctx.dns.resolveHost(host);
  } catch (error) {
    return { error: `${host} could not be resolved: ${(error as Error).message}` };
  }
  if (!r.addresses.length) return { error: `${host} has no address` };
  let reason = '';
  for (const a of r.addresses) {
    const v = allowAddress(spec.scope, r.chain, a);
    if (v.allowed) {
      guard.allow(a);
      return { address: a };
    }
    reason = v.reason;
  }
  return { error: reason };
}

const elapsed = (t0: bigint) => Math.round(Number(process.hrtime.bigint() - t0) / 1e6);

async function probeHttp(spec: MonitorSpec, ctx: ProbeContext): Promise<ProbeResult> {
  const o = spec.http ?? {};
  const guard = new Guard();
  let url: URL;
  try {
    url = new URL(spec.target);
  } catch {
    return { status: 'down', latencyMs: null, message: `${spec.target} is not a URL` };
  }
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + spec.timeoutMs;
  for (let hop = 0; ; hop += 1) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const where = await addressOf(spec, host, guard, ctx);
    if ('error' in where) return { status: 'down', latencyMs: null, message: where.error };
    const left = deadline - Date.now();
    if (left <= 0) return { status: 'down', latencyMs: elapsed(t0), message: `no answer within ${spec.timeoutMs} ms` };
    let res;
    try {
      res = await request(guard, { host, address: where.address, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80, tls: url.protocol === 'https:' }, `${url.pathname}${url.search}`, { timeoutMs: left, maxBodyBytes: MAX_BODY_BYTES, userAgent: 'ElectionOpsCenter-Monitor/1' });
    } catch (error) {
      return { status: 'down', latencyMs: elapsed(t0), message: (error as Error).message };
    }
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && typeof location === 'string') {
      if (hop >= 5) return { status: 'down', latencyMs: elapsed(t0), httpStatus: res.status, message: `more than 5 redirects (the last to ${location})` };
      try {
        url = new URL(location, url);
      } catch {
        return { status: 'down', latencyMs: elapsed(t0), httpStatus: res.status, message: `redirect to an address that is not a URL (${location.slice(0, 200)})` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: 'down', latencyMs: elapsed(t0), httpStatus: res.status, message: `redirect to ${url.protocol} is not followed` };
      continue;
    }
    const latencyMs = elapsed(t0);
    const big = res.truncated ? ` (the page is larger than ${MAX_BODY_BYTES / 1048576} MiB; its first MiB was read)` : '';
    const [min, max] = o.expectStatus ?? [200, 399];
    if (res.status < min || res.status > max) return { status: 'down', latencyMs, httpStatus: res.status, message: `HTTP ${res.status} (expected ${min}–${max})` };
    if (o.keyword && !res.body.includes(o.keyword)) return { status: 'down', latencyMs, httpStatus: res.status, message: `the page does not contain "${o.keyword}"` };
    if (o.integrity) {
      const lines = meaningfulLines(res.body, o.integrity.ignore);
      const hash = contentHash(lines);
      if (o.integrity.baselineHash && hash !== o.integrity.baselineHash) {
        const d = contentDiff(o.integrity.baselineLines ?? [], lines, 5);
        return { status: 'changed', latencyMs, httpStatus: res.status, contentHash: hash, contentLines: lines.slice(0, 2000), message: `the page's content changed${d.removed.length ? `; gone: ${d.removed.map((l) => `"${l.slice(0, 120)}"`).join(', ')}` : ''}${d.added.length ? `; new: ${d.added.map((l) => `"${l.slice(0, 120)}"`).join(', ')}` : ''}` };
      }
      if (latencyMs > (o.degradedMs ?? 2000)) return { status: 'degraded', latencyMs, httpStatus: res.status, contentHash: hash, contentLines: lines.slice(0, 2000), message: `slow: ${latencyMs} ms` };
      return { status: 'up', latencyMs, httpStatus: res.status, contentHash: hash, contentLines: lines.slice(0, 2000), message: `HTTP ${res.status}` };
    }
    if (latencyMs > (o.degradedMs ?? 2000)) return { status: 'degraded', latencyMs, httpStatus: res.status, message: `slow: ${latencyMs} ms${big}` };
    return { status: 'up', latencyMs, httpStatus: res.status, message: `HTTP ${res.status}${big}` };
  }
}

async function probeTls(spec: MonitorSpec, ctx: ProbeContext): Promise<ProbeResult> {
  const hp = hostPort(spec.target, 443);
  if (!hp) return { status: 'down', latencyMs: null, message: `${spec.target} is not a host and port` };
  const guard = new Guard();
  const where = await addressOf(spec, hp.host, guard, ctx);
  if ('error' in where) return { status: 'down', latencyMs: null, message: where.error };
  const t0 = process.hrtime.bigint();
  const cert = await fetchCertificate(guard, where.address, hp.port, normaliseAddress(hp.host) ? undefined : hp.host, { timeoutMs: spec.timeoutMs, ...(ctx.ca ? { ca: ctx.ca } : {}) });
  const latencyMs = elapsed(t0);
  if ('error' in cert) return { status: 'down', latencyMs, message: cert.error };
  const warn = spec.tls?.warnDays ?? 14;
  if (cert.daysLeft < 0) return { status: 'down', latencyMs, certDaysLeft: cert.daysLeft, message: `the certificate expired on ${cert.validTo.slice(0, 10)}` };
  if (cert.trustError) return { status: 'down', latencyMs, certDaysLeft: cert.daysLeft, message: `the certificate is not trusted (${cert.trustError})` };
  if (cert.nameError) return { status: 'down', latencyMs, certDaysLeft: cert.daysLeft, message: cert.nameError };
  if (cert.daysLeft <= warn) return { status: 'degraded', latencyMs, certDaysLeft: cert.daysLeft, message: `the certificate expires in ${cert.daysLeft} days (${cert.validTo.slice(0, 10)})` };
  return { status: 'up', latencyMs, certDaysLeft: cert.daysLeft, message: `the certificate is valid for ${cert.daysLeft} more days` };
}

const normaliseRecord = (type: DnsRecordType, data: unknown): string => {
  if (type === 'MX') {
    const mx = data as { preference: number; exchange: string };
    return `${mx.preference} ${mx.exchange.toLowerCase().replace(/\.$/, '')}`;
  }
  return String(data).toLowerCase().replace(/\.$/, '');
};

async function probeDns(spec: MonitorSpec, ctx: ProbeContext): Promise<ProbeResult> {
  const name = spec.target.toLowerCase().replace(/\.$/, '');
  const wanted = spec.dns?.records ?? {};
  const types = Object.keys(wanted) as DnsRecordType[];
  const t0 = process.hrtime.bigint();
  const records: Partial<Record<DnsRecordType, string[]>> = {};
  try {
    for (const type of types) {
      const r = await ctx.dns.query(name, type as RecordType);
      records[type] = r.answers.filter((a) => a.type === type).map((a) => normaliseRecord(type, a.data)).sort();
    }
  } catch (error) {
    return { status: 'down', latencyMs: elapsed(t0), records, message: `DNS: ${(error as Error).message}` };
  }
  const latencyMs = elapsed(t0);
  const changes: string[] = [];
  for (const type of types) {
    const approved = [...(wanted[type] ?? [])].map((v) => normaliseRecord(type, type === 'MX' ? { preference: Number(v.split(' ')[0]), exchange: v.split(' ').slice(1).join(' ') } : v)).sort();
    const seen = records[type] ?? [];
    if (approved.join(',') !== seen.join(',')) changes.push(`${type} is ${seen.length ? seen.join(', ') : 'empty'} (approved: ${approved.join(', ') || 'none'})`);
  }
  if (changes.length) return { status: 'changed', latencyMs, records, message: `${name}: ${changes.join('; ')}` };
  return { status: 'up', latencyMs, records, message: `${name}: every record as approved` };
}

async function probeTcp(spec: MonitorSpec, ctx: ProbeContext): Promise<ProbeResult> {
  const hp = hostPort(spec.target, 0);
  if (!hp || !hp.port) return { status: 'down', latencyMs: null, message: `${spec.target} is not a host and port` };
  const guard = new Guard();
  const where = await addressOf(spec, hp.host, guard, ctx);
  if ('error' in where) return { status: 'down', latencyMs: null, message: where.error };
  const t0 = process.hrtime.bigint();
  await guard.permit(where.address);
  return new Promise((resolve) => {
    const socket = guard.connect(where.address, hp.port);
    const timer = setTimeout(() => done({ status: 'down', latencyMs: elapsed(t0), message: `no answer on port ${hp.port} within ${spec.timeoutMs} ms` }), spec.timeoutMs);
    let settled = false;
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    socket.on('connect', () => done({ status: 'up', latencyMs: elapsed(t0), message: `port ${hp.port} answers` }));
    socket.on('error', (e) => done({ status: 'down', latencyMs: elapsed(t0), message: `port ${hp.port}: ${e.message}` }));
  });
}

/** Runs one check; never throws (a failure is a result). */
export async function probe(spec: MonitorSpec, ctx: ProbeContext): Promise<ProbeResult> {
  try {
    switch (spec.kind) {
      case 'http':
        return await probeHttp(spec, ctx);
      case 'tls':
        return await probeTls(spec, ctx);
      case 'dns':
        return await probeDns(spec, ctx);
      case 'tcp':
        return await probeTcp(spec, ctx);
    }
  } catch (error) {
    return { status: 'down', latencyMs: null, message: (error as Error).message };
  }
}

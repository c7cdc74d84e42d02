// An in-memory index of indicator values for matching log lines fast: exact sets for addresses, URLs, email
// addresses and file hashes; a set of domains looked up with every parent of a host name (an indicator for
// evil.example matches a.b.evil.example); and IPv4/IPv6 networks as sorted disjoint segments searched by
// bisection. Built from STIX indicators (the simple comparisons of their patterns) or plain type/value pairs.
import { parsePattern } from '../pattern/parse.js';
import type { Comparison, Observation } from '../pattern/ast.js';
import { normaliseValue, VALUE_TYPES, type ValueType } from '../indicator-values.js';
import { ipv4ToInt, ipv6ToBigInt } from '../../platform/text/ip.js';

export { ipv4ToInt, ipv6ToBigInt };

/** One indicator, or the list of those that share a value. */
export type Refs = IndicatorRef | IndicatorRef[];

export interface IndicatorRef {
  /** The STIX id, or for plain lists "line N". */
  readonly id: string;
  readonly type: ValueType;
  readonly value: string;
}

interface Segment {
  readonly start: bigint;
  readonly end: bigint;
  readonly refs: IndicatorRef[];
}

/** Disjoint, sorted address segments, each with the networks that cover it. */
class RangeIndex {
  private starts: bigint[] = [];
  private segments: Segment[] = [];
  private pending: Array<{ start: bigint; end: bigint; ref: IndicatorRef }> = [];

  add(start: bigint, end: bigint, ref: IndicatorRef): void {
    this.pending.push({ start, end, ref });
  }

  get size(): number {
    return this.pending.length + this.segments.length;
  }

  /** Sweeps the networks into disjoint segments (call once after adding). */
  build(): void {
    if (!this.pending.length) return;
    const all = [...this.segments.flatMap((s) => s.refs.map((ref) => ({ start: s.start, end: s.end, ref }))), ...this.pending];
    this.pending = [];
    const points = [...new Set(all.flatMap((r) => [r.start, r.end + 1n]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const byStart = [...all].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const segments: Segment[] = [];
    const open: typeof all = [];
    let k = 0;
    for (let i = 0; i < points.length - 1; i += 1) {
      const from = points[i]!;
      const to = points[i + 1]! - 1n;
      while (k < byStart.length && byStart[k]!.start <= from) open.push(byStart[k++]!);
      for (let j = open.length - 1; j >= 0; j -= 1) if (open[j]!.end < from) open.splice(j, 1);
      if (open.length) segments.push({ start: from, end: to, refs: open.map((o) => o.ref) });
    }
    this.segments = segments;
    this.starts = segments.map((s) => s.start);
  }

  all(): readonly Segment[] {
    return this.segments;
  }

  find(addr: bigint): IndicatorRef[] | null {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    const s = this.segments[hi];
    return s && addr <= s.end ? s.refs : null;
  }
}

/** IPv4 networks as disjoint segments in typed arrays, searched by bisection without allocating. */
class V4RangeIndex {
  private readonly inner = new RangeIndex();
  private starts = new Float64Array(0);
  private ends = new Float64Array(0);
  private refs: IndicatorRef[][] = [];
  /** One bit per /24 block that some network touches: most addresses are answered by this alone. */
  private readonly blocks = new Uint32Array(1 << 19);

  add(start: number, end: number, ref: IndicatorRef): void {
    this.inner.add(BigInt(start), BigInt(end), ref);
    for (let b = Math.floor(start / 256); b <= Math.floor(end / 256); b += 1) this.blocks[b >>> 5]! |= 1 << (b & 31);
  }

  get size(): number {
    return this.refs.length;
  }

  build(): void {
    this.inner.build();
    const segs = this.inner.all();
    this.starts = Float64Array.from(segs, (s) => Number(s.start));
    this.ends = Float64Array.from(segs, (s) => Number(s.end));
    this.refs = segs.map((s) => s.refs);
  }

  find(addr: number): IndicatorRef[] | null {
    const b = addr >>> 8;
    if ((this.blocks[b >>> 5]! & (1 << (b & 31))) === 0) return null;
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= addr) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && addr <= this.ends[hi]! ? this.refs[hi]! : null;
  }
}

/**
 * IPv4 addresses in an open-addressing hash table over typed arrays: a lookup per log line with no boxed
 * numbers (addresses above 2^30 are not small integers to V8) and no pointer chasing.
 */
export class V4AddressSet {
  /** Pairs [key, slot + 1] side by side (one cache line per probe); slot 0 is empty. */
  private table = new Int32Array(32);
  private lists: IndicatorRef[][] = [];
  private mask = 15;
  /**
   * A one-hash filter of 2^24 bits (2 MiB, mostly in cache) in front of the table: nearly every address in a
   * log is not listed, and the filter says so without touching the table.
   */
  private readonly filter = new Uint32Array(1 << 19);

  get size(): number {
    return this.lists.length;
  }

  private static hash(k: number): number {
    const h = Math.imul(k ^ (k >>> 16), 0x45d9f3b);
    return h ^ (h >>> 15);
  }

  get(k: number): IndicatorRef[] | undefined {
    const key = k | 0;
    const h = V4AddressSet.hash(key);
    const bit = h >>> 8;
    if ((this.filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return undefined;
    let i = h & this.mask;
    const t = this.table;
    for (;;) {
      const slot = t[2 * i + 1]!;
      if (slot === 0) return undefined;
      if (t[2 * i] === key) return this.lists[slot - 1];
      i = (i + 1) & this.mask;
    }
  }

  add(k: number, ref: IndicatorRef): void {
    const found = this.get(k);
    if (found) {
      found.push(ref);
      return;
    }
    if ((this.lists.length + 1) * 2 > this.mask + 1) this.grow();
    this.insert(k, this.lists.length);
    this.lists.push([ref]);
  }

  private insert(k: number, slot: number): void {
    const key = k | 0;
    const h = V4AddressSet.hash(key);
    const bit = h >>> 8;
    this.filter[bit >>> 5]! |= 1 << (bit & 31);
    let i = h & this.mask;
    while (this.table[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    this.table[2 * i] = key;
    this.table[2 * i + 1] = slot + 1;
  }

  private grow(): void {
    const old = this.table;
    const size = (this.mask + 1) * 2;
    this.table = new Int32Array(size * 2);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]! - 1);
  }
}

const HASH_TYPES: readonly ValueType[] = ['md5', 'sha1', 'sha256', 'sha512'];

export class IndicatorIndex {
  readonly ipv4 = new V4AddressSet();
  readonly ipv6 = new Map<string, Refs>();
  readonly v4Ranges = new V4RangeIndex();
  readonly v6Ranges = new RangeIndex();
  readonly domains = new Map<string, Refs>();
  readonly urls = new Map<string, Refs>();
  readonly emails = new Map<string, Refs>();
  readonly hashes = new Map<string, Refs>();
  readonly filenames = new Map<string, Refs>();
  /** Indicators that could not be used line by line (complex patterns, unsupported kinds). */
  skipped = 0;
  count = 0;

  /** Most values have one indicator: it is kept as is, a list only for the few with more. */
  private static push<K>(map: Map<K, Refs>, key: K, ref: IndicatorRef): void {
    const cur = map.get(key);
    if (cur === undefined) map.set(key, ref);
    else if (Array.isArray(cur)) cur.push(ref);
    else map.set(key, [cur, ref]);
  }


  /** Adds a plain value; returns a reason when it is not a valid value of its type. */
  add(id: string, type: ValueType, raw: string): string | null {
    const v = normaliseValue(type, raw);
    if (!v.ok) return v.reason;
    const ref: IndicatorRef = { id, type, value: v.value };
    this.count += 1;
    switch (type) {
      case 'ipv4': {
        const [ip, prefix] = v.value.split('/') as [string, string | undefined];
        const n = ipv4ToInt(ip);
        if (prefix === undefined || prefix === '32') this.ipv4.add(n >>> 0, ref);
        else {
          const bits = Number(prefix);
          const size = 2 ** (32 - bits);
          const start = Math.floor(n / size) * size;
          this.v4Ranges.add(start, start + size - 1, ref);
        }
        break;
      }
      case 'ipv6': {
        const [ip, prefix] = v.value.split('/') as [string, string | undefined];
        const n = ipv6ToBigInt(ip)!;
        if (prefix === undefined || prefix === '128') IndicatorIndex.push(this.ipv6, n.toString(16), ref);
        else {
          const host = 128n - BigInt(prefix);
          const start = (n >> host) << host;
          this.v6Ranges.add(start, start + (1n << host) - 1n, ref);
        }
        break;
      }
      case 'domain':
        IndicatorIndex.push(this.domains, v.value, ref);
        break;
      case 'url':
        IndicatorIndex.push(this.urls, normaliseUrl(v.value), ref);
        break;
      case 'email':
        IndicatorIndex.push(this.emails, v.value.toLowerCase(), ref);
        break;
      case 'filename':
        IndicatorIndex.push(this.filenames, v.value, ref);
        break;
      default:
        IndicatorIndex.push(this.hashes, v.value, ref);
    }
    return null;
  }

  /** Adds a STIX indicator: each simple comparison of a pattern made only of ORs. Returns how many values. */
  addStix(indicator: { id?: unknown; pattern?: unknown; pattern_type?: unknown; revoked?: unknown }): number {
    if (indicator.pattern_type !== 'stix' || typeof indicator.pattern !== 'string' || indicator.revoked === true) {
      this.skipped += 1;
      return 0;
    }
    const parsed = parsePattern(indicator.pattern);
    const leaves: Array<{ path: string; value: string }> = [];
    const ok = parsed.ok && collectLeaves(parsed.pattern, leaves);
    if (!ok || leaves.length === 0) {
      this.skipped += 1;
      return 0;
    }
    let added = 0;
    for (const leaf of leaves) {
      const entry = (Object.entries(VALUE_TYPES) as Array<[ValueType, { path: string }]>).find(([, d]) => d.path === leaf.path);
      const type: ValueType | undefined = entry?.[0] ?? (leaf.path === 'network-traffic:dst_ref.value' || leaf.path === 'network-traffic:src_ref.value' ? (leaf.value.includes(':') ? 'ipv6' : 'ipv4') : undefined);
      if (type && this.add(String(indicator.id), type, leaf.value) === null) added += 1;
    }
    if (!added) this.skipped += 1;
    return added;
  }

  build(): void {
    this.v4Ranges.build();
    this.v6Ranges.build();
  }
}

/** The plain values (type and value) a STIX pattern names, when it is made of simple comparisons joined by OR. */
/** The one-comparison pattern of a plain value, as imports write it: `[domain-name:value = 'x']`. */
const SIMPLE = /^\[([a-z0-9-]+:[A-Za-z0-9_.'-]+) = '((?:[^'\\]|\\['\\])*)'\]$/;
const TYPE_OF_PATH = new Map((Object.entries(VALUE_TYPES) as Array<[ValueType, { path: string }]>).map(([type, d]) => [d.path, type]));

export function valuesOfPattern(pattern: string): Array<{ type: ValueType; value: string }> {
  // Most indicators are one comparison of a plain value: read without the full parser (a tenth of the time).
  const simple = SIMPLE.exec(pattern);
  if (simple) {
    const type = TYPE_OF_PATH.get(simple[1]!);
    if (type) return [{ type, value: simple[2]!.replace(/\\(['\\])/g, '$1') }];
  }
  return valuesOfParsedPattern(pattern);
}

/** The same through the full STIX pattern parser (any pattern of OR-ed comparisons). */
export function valuesOfParsedPattern(pattern: string): Array<{ type: ValueType; value: string }> {
  const parsed = parsePattern(pattern);
  const leaves: Array<{ path: string; value: string }> = [];
  if (!parsed.ok || !collectLeaves(parsed.pattern, leaves)) return [];
  const out: Array<{ type: ValueType; value: string }> = [];
  for (const leaf of leaves) {
    const entry = (Object.entries(VALUE_TYPES) as Array<[ValueType, { path: string }]>).find(([, d]) => d.path === leaf.path);
    const type: ValueType | undefined = entry?.[0] ?? (leaf.path.startsWith('network-traffic:') && leaf.path.endsWith('_ref.value') ? (leaf.value.includes(':') ? 'ipv6' : 'ipv4') : undefined);
    if (type) out.push({ type, value: leaf.value });
  }
  return out;
}

/** The comparisons of a pattern that is a single observation of ORs (or ORs of such observations). */
function collectLeaves(o: Observation, out: Array<{ path: string; value: string }>): boolean {
  if (o.kind === 'or') return collectLeaves(o.left, out) && collectLeaves(o.right, out);
  if (o.kind !== 'observation') return false;
  const walk = (c: Comparison): boolean => {
    if (c.kind === 'or') return walk(c.left) && walk(c.right);
    if (c.kind !== 'test' || c.negated) return false;
    if (c.op === 'IN' && Array.isArray(c.value)) {
      for (const v of c.value as ReadonlyArray<{ kind: string; value: unknown }>) {
        if (v.kind !== 'string') return false;
        out.push({ path: pathText(c), value: v.value as string });
      }
      return true;
    }
    const lit = c.value as { kind: string; value: unknown };
    if ((c.op === '=' || c.op === 'ISSUBSET') && !Array.isArray(c.value) && lit.kind === 'string') {
      out.push({ path: pathText(c), value: lit.value as string });
      return true;
    }
    return false;
  };
  return walk(o.comparison);
}

function pathText(c: Extract<Comparison, { kind: 'test' }>): string {
  return `${c.path.objectType}:${c.path.steps.map((s, i) => (s.kind === 'prop' ? (i === 0 ? s.name : /^[a-z_]+$/.test(s.name) ? `.${s.name}` : `.'${s.name}'`) : '')).join('')}`;
}

/** URLs compare with the scheme and host in lower case, without a fragment or a trailing slash after the host. */
export function normaliseUrl(url: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)/.exec(url);
  if (!m) return url;
  const path = m[3] === '/' ? '' : m[3]!;
  return `${m[1]!.toLowerCase()}://${m[2]!.toLowerCase()}${path}`;
}

export const hashTypes = HASH_TYPES;

// Evaluates a parsed STIX 2.1 pattern against observed data (STIX 2.1 section 9.6): each observation is a set
// of cyber-observable objects seen together at a time (an observed-data object, or one log line). The result
// says whether the pattern matches and which observations made it match.
import type { Comparison, Literal, ObjectPath, Observation } from './ast.js';
import { ipv4ToInt, ipv6ToBigInt } from '../../platform/text/ip.js';

export interface ObservedData {
  /** ISO timestamps of the observation window. */
  readonly firstObserved: string;
  readonly lastObserved: string;
  readonly numberObserved?: number;
  /** The cyber-observable objects, keyed by id (or by "0", "1"… as in the deprecated `objects` property). */
  readonly objects: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** One way the pattern was satisfied: the observations used, and the time span they cover. */
interface Binding {
  readonly used: ReadonlySet<number>;
  readonly start: number;
  readonly end: number;
}

export interface MatchResult {
  readonly matched: boolean;
  /** Indexes (into the input) of the observations of the first match. */
  readonly observations: readonly number[];
}

const MAX_BINDINGS = 1_000;

export function evaluatePattern(pattern: Observation, observations: readonly ObservedData[]): MatchResult {
  const bindings = evalObservation(pattern, observations);
  const first = bindings[0];
  return { matched: first !== undefined, observations: first ? [...first.used].sort((a, b) => a - b) : [] };
}

function evalObservation(o: Observation, data: readonly ObservedData[]): Binding[] {
  switch (o.kind) {
    case 'observation': {
      const out: Binding[] = [];
      data.forEach((d, i) => {
        if (out.length < MAX_BINDINGS && matchesComparison(o.comparison, d)) {
          out.push({ used: new Set([i]), start: Date.parse(d.firstObserved), end: Date.parse(d.lastObserved) });
        }
      });
      return out;
    }
    case 'or':
      return [...evalObservation(o.left, data), ...evalObservation(o.right, data)].slice(0, MAX_BINDINGS);
    case 'and':
    case 'followedby': {
      const left = evalObservation(o.left, data);
      if (left.length === 0) return [];
      const right = evalObservation(o.right, data);
      const out: Binding[] = [];
      for (const a of left) {
        for (const b of right) {
          if (out.length >= MAX_BINDINGS) return out;
          if (o.kind === 'followedby' && a.end > b.start) continue;
          out.push(join(a, b));
        }
      }
      return out;
    }
    case 'qualified': {
      const inner = evalObservation(o.inner, data);
      const q = o.qualifier;
      switch (q.kind) {
        case 'within':
          return inner.filter((b) => b.end - b.start <= q.seconds * 1000);
        case 'startstop': {
          const start = Date.parse(q.start);
          const stop = Date.parse(q.stop);
          return inner.filter((b) => b.start >= start && b.end < stop);
        }
        case 'repeats': {
          // Greedily take bindings that use observations not used before; n of them make one match.
          const taken = new Set<number>();
          const chosen: Binding[] = [];
          for (const b of inner) {
            if ([...b.used].some((i) => taken.has(i))) continue;
            for (const i of b.used) taken.add(i);
            chosen.push(b);
            if (chosen.length === q.times) return [chosen.reduce(join)];
          }
          return [];
        }
      }
    }
  }
}

function join(a: Binding, b: Binding): Binding {
  return { used: new Set([...a.used, ...b.used]), start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/**
 * Which objects of the observation satisfy the comparison. Comparisons on the same object type joined by AND
 * must hold for the same object; on different types, each for some object of the observation.
 */
function matchesComparison(c: Comparison, d: ObservedData): boolean {
  return satisfying(c, d) !== null;
}

/** The ids of the objects satisfying the comparison keyed by their type; null when it does not hold. */
function satisfying(c: Comparison, d: ObservedData): Map<string, Set<string>> | null {
  switch (c.kind) {
    case 'or': {
      const a = satisfying(c.left, d);
      const b = satisfying(c.right, d);
      if (!a) return b;
      if (!b) return a;
      const out = new Map(a);
      for (const [t, ids] of b) out.set(t, new Set([...(out.get(t) ?? []), ...ids]));
      return out;
    }
    case 'and': {
      const a = satisfying(c.left, d);
      if (!a) return null;
      const b = satisfying(c.right, d);
      if (!b) return null;
      const out = new Map(a);
      for (const [t, ids] of b) {
        const prev = out.get(t);
        if (!prev) out.set(t, ids);
        else {
          const both = new Set([...ids].filter((id) => prev.has(id)));
          if (both.size === 0) return null;
          out.set(t, both);
        }
      }
      return out;
    }
    case 'exists':
    case 'test': {
      const ids = new Set<string>();
      for (const [id, obj] of Object.entries(d.objects)) {
        if (obj.type !== c.path.objectType) continue;
        const values = resolvePath(obj, c.path, d);
        if (c.kind === 'exists' ? values.length > 0 : values.some((v) => test(c.op, c.value, v) !== c.negated)) ids.add(id);
      }
      return ids.size ? new Map([[c.path.objectType, ids]]) : null;
    }
  }
}

/** The values an object path reaches (several through [*]); `_ref` properties are followed into the observation. */
export function resolvePath(obj: Readonly<Record<string, unknown>>, path: ObjectPath, d?: ObservedData): unknown[] {
  let current: unknown[] = [obj];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (let value of current) {
      if (typeof value === 'string' && d && step.kind === 'prop' && d.objects[value]) value = d.objects[value];
      if (step.kind === 'prop') {
        if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, step.name)) next.push((value as Record<string, unknown>)[step.name]);
      } else if (Array.isArray(value)) {
        if (step.kind === 'any') next.push(...value);
        else {
          const at = step.index < 0 ? value.length + step.index : step.index;
          if (at >= 0 && at < value.length) next.push(value[at]);
        }
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined && v !== null);
}

function literalValue(l: Literal): string | number | boolean | Uint8Array {
  return l.value;
}

function test(op: string, lit: Literal | readonly Literal[], value: unknown): boolean {
  if (Array.isArray(lit)) return (lit as readonly Literal[]).some((l) => equals(l, value));
  const l = lit as Literal;
  switch (op) {
    case '=':
      return equals(l, value);
    case '!=':
      return !equals(l, value);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const cmp = compare(l, value);
      if (cmp === null) return false;
      return op === '<' ? cmp < 0 : op === '<=' ? cmp <= 0 : op === '>' ? cmp > 0 : cmp >= 0;
    }
    case 'LIKE':
      return typeof value === 'string' && likeToRegExp(l.value as string).test(value);
    case 'MATCHES':
      return typeof value === 'string' && regExpOf(l.value as string).test(value);
    case 'ISSUBSET':
      return typeof value === 'string' && cidrSubset(value, l.value as string);
    case 'ISSUPERSET':
      return typeof value === 'string' && cidrSubset(l.value as string, value);
    default:
      return false;
  }
}

function bytesOf(value: unknown, kind: 'binary' | 'hex'): Uint8Array | null {
  if (typeof value !== 'string') return null;
  return Uint8Array.from(Buffer.from(value, kind === 'binary' ? 'base64' : 'hex'));
}

function equals(l: Literal, value: unknown): boolean {
  switch (l.kind) {
    case 'string':
      return typeof value === 'string' && value === l.value;
    case 'int':
    case 'float':
      return typeof value === 'number' && value === l.value;
    case 'bool':
      return value === l.value;
    case 'timestamp':
      return typeof value === 'string' && Date.parse(value) === Date.parse(l.value);
    case 'binary':
    case 'hex': {
      const b = bytesOf(value, l.kind);
      return b !== null && Buffer.compare(Buffer.from(b), Buffer.from(l.value)) === 0;
    }
  }
}

/** value compared with the literal: negative when value < literal. */
function compare(l: Literal, value: unknown): number | null {
  const v = literalValue(l);
  if ((l.kind === 'int' || l.kind === 'float') && typeof value === 'number') return value - (v as number);
  if (l.kind === 'timestamp' && typeof value === 'string') return Date.parse(value) - Date.parse(v as string);
  if (l.kind === 'string' && typeof value === 'string') return value < (v as string) ? -1 : value > (v as string) ? 1 : 0;
  if ((l.kind === 'binary' || l.kind === 'hex') && typeof value === 'string') {
    const b = bytesOf(value, l.kind);
    return b && Buffer.compare(Buffer.from(b), Buffer.from(l.value));
  }
  return null;
}

const regexCache = new Map<string, RegExp>();
/** MATCHES uses PCRE syntax; JavaScript's dialect covers what indicators use. Compiled once per pattern text. */
function regExpOf(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source, 's');
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

const likeCache = new Map<string, RegExp>();
function likeToRegExp(like: string): RegExp {
  let re = likeCache.get(like);
  if (!re) {
    re = new RegExp(`^${like.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's');
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(like, re);
  }
  return re;
}

/** Whether the address or network `inner` lies inside the network `outer` (IPv4 or IPv6 CIDR). */
export function cidrSubset(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (!a || !b || a.bits !== b.bits || a.prefix < b.prefix) return false;
  const mask = b.prefix === 0 ? 0n : ((1n << BigInt(b.prefix)) - 1n) << BigInt(b.bits - b.prefix);
  return (a.addr & mask) === (b.addr & mask);
}

export function parseCidr(s: string): { addr: bigint; prefix: number; bits: 32 | 128 } | null {
  const [ip, pfx] = s.split('/', 2) as [string, string | undefined];
  const v4 = ipv4ToInt(ip);
  if (v4 >= 0) {
    const prefix = pfx === undefined ? 32 : Number(pfx);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null;
    return { addr: BigInt(v4), prefix, bits: 32 };
  }
  const addr = ipv6ToBigInt(ip);
  if (addr === null) return null;
  const prefix = pfx === undefined ? 128 : Number(pfx);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 128) return null;
  return { addr, prefix, bits: 128 };
}

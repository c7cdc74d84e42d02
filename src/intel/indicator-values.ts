// Plain indicator values (an IP address, a domain, a URL, a hash…) to STIX indicators and back: the bridge
// between the lists people exchange (CSV, MISP) and STIX patterns. Values are refanged and checked; each
// becomes the one-comparison pattern the STIX specification shows for its kind.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { parsePattern } from './pattern/parse.js';
import { refang } from './refang.js';

export const VALUE_TYPES = {
  ipv4: { label: 'IPv4 address or network', path: 'ipv4-addr:value' },
  ipv6: { label: 'IPv6 address or network', path: 'ipv6-addr:value' },
  domain: { label: 'Domain name', path: 'domain-name:value' },
  url: { label: 'URL', path: 'url:value' },
  email: { label: 'Email address', path: 'email-addr:value' },
  md5: { label: 'MD5 file hash', path: "file:hashes.'MD5'" },
  sha1: { label: 'SHA-1 file hash', path: "file:hashes.'SHA-1'" },
  sha256: { label: 'SHA-256 file hash', path: "file:hashes.'SHA-256'" },
  sha512: { label: 'SHA-512 file hash', path: "file:hashes.'SHA-512'" },
  filename: { label: 'File name', path: 'file:name' },
} as const;
export type ValueType = keyof typeof VALUE_TYPES;

const HASH_LENGTH: Partial<Record<ValueType, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;
const EMAIL = /^[^\s@"]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/** Checks and normalises a value of a type; returns the value or a reason it is not one. */
export function normaliseValue(type: ValueType, raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const value = refang(raw.trim());
  if (!value) return { ok: false, reason: 'the value is empty' };
  if (value.length > 2048) return { ok: false, reason: 'the value is longer than 2,048 characters' };
  switch (type) {
    case 'ipv4': {
      const [ip, prefix] = value.split('/', 2) as [string, string | undefined];
      if (!net.isIPv4(ip) || (prefix !== undefined && !(/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32))) return { ok: false, reason: `"${value}" is not an IPv4 address or network` };
      return { ok: true, value };
    }
    case 'ipv6': {
      const [ip, prefix] = value.split('/', 2) as [string, string | undefined];
      if (!net.isIPv6(ip) || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128))) return { ok: false, reason: `"${value}" is not an IPv6 address or network` };
      return { ok: true, value: value.toLowerCase() };
    }
    case 'domain': {
      // Internationalised names are compared in their ASCII (punycode) form, as they travel in DNS and logs.
      const ascii = /[^\x00-\x7f]/.test(value) ? domainToASCII(value) : value;
      return ascii && DOMAIN.test(ascii) ? { ok: true, value: ascii.toLowerCase().replace(/\.$/, '') } : { ok: false, reason: `"${value.slice(0, 80)}" is not a domain name` };
    }
    case 'email':
      return EMAIL.test(value) ? { ok: true, value } : { ok: false, reason: `"${value.slice(0, 80)}" is not an email address` };
    case 'url': {
      try {
        const u = new URL(value);
        if (!['http:', 'https:', 'ftp:'].includes(u.protocol)) return { ok: false, reason: `"${value.slice(0, 80)}" is not an http, https or ftp URL` };
        return { ok: true, value };
      } catch {
        return { ok: false, reason: `"${value.slice(0, 80)}" is not a URL` };
      }
    }
    case 'filename':
      return /[\u0000/\\]/.test(value) ? { ok: false, reason: 'a file name has no slashes or NUL characters' } : { ok: true, value };
    default: {
      const length = HASH_LENGTH[type]!;
      return new RegExp(`^[0-9a-f]{${length}}$`, 'i').test(value) ? { ok: true, value: value.toLowerCase() } : { ok: false, reason: `a ${VALUE_TYPES[type].label} is ${length} hexadecimal digits` };
    }
  }
}

const quote = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

export function patternFor(type: ValueType, value: string): string {
  const op = (type === 'ipv4' || type === 'ipv6') && value.includes('/') ? 'ISSUBSET' : '=';
  return `[${VALUE_TYPES[type].path} ${op} ${quote(value)}]`;
}

/** A name-based UUID (version 5 layout over SHA-1), so one value in one collection is always one indicator. */
export function nameUuid(name: string): string {
  const h = createHash('sha1').update('election-ops-center/indicator/').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export interface IndicatorFromValue {
  readonly type: ValueType;
  readonly value: string;
  readonly scope: string;
  readonly description?: string | null;
  readonly validUntil?: string | null;
  readonly name?: string | null;
  readonly labels?: readonly string[];
  readonly markingRefs?: readonly string[];
  readonly confidence?: number | null;
  readonly now: string;
}

/** A STIX 2.1 indicator for a value; re-importing the same value gives a new version of the same indicator. */
export function indicatorFor(i: IndicatorFromValue): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${nameUuid(`${i.scope}|${i.type}|${i.value}`)}`,
    created: i.now,
    modified: i.now,
    name: i.name ?? `${VALUE_TYPES[i.type].label}: ${i.value}`.slice(0, 300),
    ...(i.description ? { description: i.description } : {}),
    indicator_types: ['malicious-activity'],
    pattern: patternFor(i.type, i.value),
    pattern_type: 'stix',
    valid_from: i.now,
    ...(i.validUntil ? { valid_until: i.validUntil } : {}),
    ...(i.labels?.length ? { labels: [...i.labels] } : {}),
    ...(i.confidence !== undefined && i.confidence !== null ? { confidence: i.confidence } : {}),
    ...(i.markingRefs?.length ? { object_marking_refs: [...i.markingRefs] } : {}),
  };
}

/** The plain type and value of a one-comparison pattern (for CSV exports and matching), or null. */
export function valueOfPattern(pattern: string): { type: ValueType; value: string } | null {
  const r = parsePattern(pattern);
  if (!r.ok || r.pattern.kind !== 'observation' || r.pattern.comparison.kind !== 'test') return null;
  const t = r.pattern.comparison;
  if (t.negated || (t.op !== '=' && t.op !== 'ISSUBSET') || Array.isArray(t.value) || (t.value as { kind: string }).kind !== 'string') return null;
  const path = `${t.path.objectType}:${t.path.steps.map((s, i) => (s.kind === 'prop' ? (i === 0 ? s.name : /^[a-z_]+$/.test(s.name) ? `.${s.name}` : `.'${s.name}'`) : '')).join('')}`;
  const entry = (Object.entries(VALUE_TYPES) as Array<[ValueType, { path: string }]>).find(([, v]) => v.path === path);
  return entry ? { type: entry[0], value: (t.value as { value: string }).value } : null;
}

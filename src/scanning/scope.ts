// The scan scope: the hosts, addresses and ranges an office has authorised for scanning. Every packet the
// scanner sends is checked against it first — the target itself, every address a name resolves to (and the
// names in a CNAME chain), and every redirect. Pure logic; the network lives elsewhere.
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

export type ScopeEntry =
  | { readonly kind: 'host'; readonly text: string; readonly name: string; readonly wildcard: boolean }
  | { readonly kind: 'range'; readonly text: string; readonly address: Addr; readonly prefix: number };

export interface Scope {
  readonly entries: readonly ScopeEntry[];
}

export type Target =
  | { readonly kind: 'host'; readonly text: string; readonly name: string }
  | { readonly kind: 'range'; readonly text: string; readonly address: Addr; readonly prefix: number };

/** The widest range a scope or a target may name: a /16 of IPv4 (65,536 addresses), a /112 of IPv6. */
export const MAX_SCOPE_PREFIX = { ipv4: 16, ipv6: 112 } as const;
/** The most hosts one scan expands a target range into. */
export const MAX_TARGET_HOSTS = 4096;

export class ScopeError extends Error {
  constructor(readonly entry: string, message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS host name in lower case without a trailing dot, or null. */
export function hostName(text: string): string | null {
  const name = text.trim().toLowerCase().replace(/\.$/, '');
  if (!name || name.length > 253) return null;
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return null;
  // A name of digits and dots only is a malformed address ("10.1.2"), not a host.
  if (/^[0-9.]+$/.test(name)) return null;
  return name;
}

function parseRange(text: string): { address: Addr; prefix: number } | null {
  const t = text.trim().replace(/^\[(.*)\]$/, '$1');
  try {
    if (t.includes('/')) {
      const [address, prefix] = ipaddr.parseCIDR(t);
      // The network itself: 10.0.0.7/24 means 10.0.0.0/24.
      const base = networkOf(address, prefix);
      return { address: base, prefix };
    }
    if (!ipaddr.isValid(t)) return null;
    const address = ipaddr.parse(t);
    // Only the four-part dotted form counts as IPv4 ("127.1" and "0x7f.1" are refused as ambiguous).
    if (address.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(t)) return null;
    return { address, prefix: address.kind() === 'ipv4' ? 32 : 128 };
  } catch {
    return null;
  }
}

function networkOf(address: Addr, prefix: number): Addr {
  const bytes = address.toByteArray();
  for (let i = 0; i < bytes.length; i += 1) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes);
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it carries. */
export function normaliseAddress(text: string): Addr | null {
  try {
    const a = ipaddr.parse(text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''));
    return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
  } catch {
    return null;
  }
}

/** Parses a scope — a comma- or space-separated string, or a list of entries — every entry a host name, an address or a range. */
export function parseScope(text: string | readonly string[]): Scope {
  const items = (typeof text === 'string' ? text.split(/[\s,]+/) : [...text]).map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new ScopeError('', 'The scope is empty: name the hosts, addresses or ranges the office has authorised.');
  const entries: ScopeEntry[] = [];
  for (const item of items) {
    const range = parseRange(item);
    if (range) {
      const widest = range.address.kind() === 'ipv4' ? MAX_SCOPE_PREFIX.ipv4 : MAX_SCOPE_PREFIX.ipv6;
      if (range.prefix < widest) throw new ScopeError(item, `${item} is too large a range: at most /${widest} for ${range.address.kind() === 'ipv4' ? 'IPv4' : 'IPv6'}.`);
      entries.push({ kind: 'range', text: item, ...range });
      continue;
    }
    const wildcard = item.startsWith('*.');
    const name = hostName(wildcard ? item.slice(2) : item);
    if (!name) throw new ScopeError(item, `${item} is not a host name, an IP address or a CIDR range.`);
    if (wildcard && !name.includes('.')) throw new ScopeError(item, `${item} is too wide: a wildcard needs a domain with at least two labels (*.county.gov).`);
    entries.push({ kind: 'host', text: item, name, wildcard });
  }
  return { entries };
}

/** Parses one scan target: a host name, an address or a range (expanded to at most MAX_TARGET_HOSTS). */
export function parseTarget(text: string): Target {
  const range = parseRange(text);
  if (range) {
    const bits = (range.address.kind() === 'ipv4' ? 32 : 128) - range.prefix;
    if (bits > Math.log2(MAX_TARGET_HOSTS)) throw new ScopeError(text, `${text} is too large a range to scan at once: at most ${MAX_TARGET_HOSTS.toLocaleString('en-US')} addresses (a /${(range.address.kind() === 'ipv4' ? 32 : 128) - Math.log2(MAX_TARGET_HOSTS)}).`);
    return { kind: 'range', text, ...range };
  }
  const name = hostName(text);
  if (!name) throw new ScopeError(text, `${text} is not a host name, an IP address or a CIDR range.`);
  return { kind: 'host', text, name };
}

function rangeContains(entry: { address: Addr; prefix: number }, address: Addr): boolean {
  return entry.address.kind() === address.kind() && address.match(entry.address as never, entry.prefix);
}

/** Whether a host name is named by the scope (exactly, or under a wildcard). */
export function nameInScope(scope: Scope, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return scope.entries.some((e) => e.kind === 'host' && (e.name === n || (e.wildcard && n.endsWith(`.${e.name}`))));
}

/** Whether an address is inside a range or address the scope names. */
export function addressInScope(scope: Scope, text: string): boolean {
  const a = normaliseAddress(text);
  return Boolean(a && scope.entries.some((e) => e.kind === 'range' && rangeContains(e, a)));
}

/** Addresses no public service lives at: private, loopback, link-local, reserved, multicast and the like. */
export function isPublicAddress(text: string): boolean {
  const a = normaliseAddress(text);
  return Boolean(a && a.range() === 'unicast');
}

/**
 * Whether the scanner may send packets to an address it reached through these names (the target and any CNAME
 * targets). An address the scope lists is always allowed. A public address is allowed when every name that led
 * to it is in scope; a private or loopback address only when the scope lists it — so a name in scope that
 * suddenly answers 127.0.0.1 or 10.0.0.5 (DNS rebinding) is not followed.
 */
export function allowAddress(scope: Scope, names: readonly string[], address: string): { allowed: true } | { allowed: false; reason: string } {
  if (addressInScope(scope, address)) return { allowed: true };
  const outside = names.find((n) => !nameInScope(scope, n));
  if (outside) return { allowed: false, reason: `${outside} is not in the authorised scope, so ${address} was not contacted.` };
  if (!isPublicAddress(address)) return { allowed: false, reason: `${names[0] ?? 'The name'} resolved to ${address}, a ${normaliseAddress(address)?.range() ?? 'non-public'} address the scope does not list, so it was not contacted.` };
  return { allowed: true };
}

/** Whether a target is inside the scope before anything is resolved: its name, or its whole range. */
export function targetInScope(scope: Scope, target: Target): boolean {
  if (target.kind === 'host') return nameInScope(scope, target.name);
  return scope.entries.some((e) => e.kind === 'range' && e.prefix <= target.prefix && rangeContains(e, target.address));
}

/** The addresses of a target range, in order (at most MAX_TARGET_HOSTS). */
export function expandRange(target: Extract<Target, { kind: 'range' }>): string[] {
  const bits = (target.address.kind() === 'ipv4' ? 32 : 128) - target.prefix;
  const count = 2 ** bits;
  const bytes = target.address.toByteArray();
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const b = [...bytes];
    let carry = i;
    for (let j = b.length - 1; j >= 0 && carry > 0; j -= 1) {
      const sum = b[j]! + (carry & 0xff);
      b[j] = sum & 0xff;
      carry = (carry >>> 8) + (sum >> 8);
    }
    out.push(ipaddr.fromByteArray(b).toString());
  }
  // In an IPv4 range of four or more addresses the network and broadcast addresses are not hosts.
  return target.address.kind() === 'ipv4' && bits >= 2 ? out.slice(1, -1) : out;
}

export function describeScope(scope: Scope): string {
  return scope.entries.map((e) => e.text).join(', ');
}

// Which inventories a threat touches: every organisation's systems indexed by their networks (IPv4 and IPv6,
// as sorted disjoint segments), host names and domains (a threat on a domain touches that domain and every
// name under it). Pure and in memory; the matching job rebuilds it when inventories change.
import { ipv4ToInt, ipv6ToBigInt } from '../platform/text/ip.js';
import { LookalikeIndex, type LookalikeKind } from './lookalike.js';

export interface AssetRef {
  readonly assetId: string;
  readonly orgId: string;
  readonly name: string;
}

export type MatchReason = 'address-in-network' | 'network-overlaps' | 'domain' | 'subdomain' | 'parent-domain' | LookalikeKind;

export interface InventoryHit {
  readonly asset: AssetRef;
  readonly reason: MatchReason;
  /** What of the inventory matched (the network, the domain). */
  readonly matched: string;
}

interface Range {
  readonly start: bigint;
  readonly end: bigint;
  readonly bits: 32 | 128;
  readonly text: string;
  readonly asset: AssetRef;
}

function rangeOf(cidr: string): { start: bigint; end: bigint; bits: 32 | 128 } | null {
  const [ip, p] = cidr.split('/') as [string, string | undefined];
  const v4 = ipv4ToInt(ip);
  if (v4 >= 0) {
    const prefix = p === undefined ? 32 : Number(p);
    const size = 2n ** BigInt(32 - prefix);
    const start = (BigInt(v4) / size) * size;
    return { start, end: start + size - 1n, bits: 32 };
  }
  const v6 = ipv6ToBigInt(ip);
  if (v6 === null) return null;
  const prefix = p === undefined ? 128 : Number(p);
  const host = 128n - BigInt(prefix);
  const start = (v6 >> host) << host;
  return { start, end: start + (1n << host) - 1n, bits: 128 };
}

export class InventoryIndex {
  private ranges: Range[] = [];
  /** The networks of each address family sorted by start, with the greatest end so far at each position. */
  private readonly sorted = new Map<32 | 128, { ranges: Range[]; maxEnd: bigint[] }>();
  private readonly names = new Map<string, AssetRef[]>();
  /** Every parent domain (of two labels or more) of every name, to the names under it. */
  private readonly under = new Map<string, Array<{ asset: AssetRef; name: string }>>();
  private readonly lookalike = new LookalikeIndex<AssetRef>();

  add(asset: AssetRef, ipRanges: readonly string[], names: readonly string[]): void {
    for (const r of ipRanges) {
      const range = rangeOf(r);
      if (range) this.ranges.push({ ...range, text: r, asset });
    }
    for (const n of names) {
      this.lookalike.add(asset, asset.assetId, n);
      const list = this.names.get(n);
      if (list) list.push(asset);
      else this.names.set(n, [asset]);
      let dot = n.indexOf('.');
      while (dot >= 0) {
        const parent = n.slice(dot + 1);
        if (!parent.includes('.')) break;
        const entries = this.under.get(parent);
        if (entries) entries.push({ asset, name: n });
        else this.under.set(parent, [{ asset, name: n }]);
        dot = n.indexOf('.', dot + 1);
      }
    }
  }

  build(): void {
    this.ranges.sort((a, b) => (a.bits - b.bits) || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (const bits of [32, 128] as const) {
      const ranges = this.ranges.filter((r) => r.bits === bits);
      const maxEnd: bigint[] = [];
      for (const r of ranges) maxEnd.push(maxEnd.length && maxEnd[maxEnd.length - 1]! > r.end ? maxEnd[maxEnd.length - 1]! : r.end);
      this.sorted.set(bits, { ranges, maxEnd });
    }
  }

  get size(): number {
    return this.ranges.length + this.names.size;
  }

  /**
   * Systems whose networks contain this address, or overlap this network: a binary search for the last network
   * starting at or before its end, then back while a network so far may still reach its start (ten thousand
   * inventories are a few steps, not a pass over every network).
   */
  byAddress(value: string): InventoryHit[] {
    const r = rangeOf(value);
    if (!r) return [];
    const family = this.sorted.get(r.bits);
    if (!family) return [];
    const { ranges, maxEnd } = family;
    let lo = 0;
    let hi = ranges.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid]!.start <= r.end) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const single = r.start === r.end;
    const out: InventoryHit[] = [];
    for (let i = last; i >= 0 && maxEnd[i]! >= r.start; i -= 1) {
      const x = ranges[i]!;
      if (x.end >= r.start) out.push({ asset: x.asset, reason: single ? 'address-in-network' : 'network-overlaps', matched: x.text });
    }
    return out.reverse();
  }

  /** Systems named by this domain, or under it (a threat on evil-twin.example touches www.evil-twin.example). */
  byDomain(domain: string): InventoryHit[] {
    const d = domain.toLowerCase().replace(/\.$/, '');
    const out: InventoryHit[] = [];
    for (const a of this.names.get(d) ?? []) out.push({ asset: a, reason: 'domain', matched: d });
    // The indicator is a name under an office's domain (vote.county.example under county.example).
    let dot = d.indexOf('.');
    while (dot >= 0) {
      const parent = d.slice(dot + 1);
      if (!parent.includes('.')) break;
      for (const a of this.names.get(parent) ?? []) out.push({ asset: a, reason: 'subdomain', matched: parent });
      dot = d.indexOf('.', dot + 1);
    }
    // A threat on a parent domain of an office's name (the office's results.county.example under a
    // compromised county.example) touches it too.
    for (const e of this.under.get(d) ?? []) out.push({ asset: e.asset, reason: 'parent-domain', matched: e.name });
    return out;
  }

  /** Systems whose domains this one imitates (a look-alike under another registrable domain). */
  lookalikes(domain: string): InventoryHit[] {
    return this.lookalike.match(domain).map((h) => ({ asset: h.ref, reason: h.kind, matched: h.imitated }));
  }
}

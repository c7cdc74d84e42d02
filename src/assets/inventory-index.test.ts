// Which inventories a threat touches: network edges (IPv4, IPv6), overlapping networks, a domain, a name
// under an office's domain, a domain above an office's host name, internationalised names — and never a
// look-alike suffix (notfulton.example is not fulton.example).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InventoryIndex } from './inventory-index.js';
import { normaliseRange, normaliseHost } from './values.js';

function index(): InventoryIndex {
  const ix = new InventoryIndex();
  ix.add({ assetId: 'a1', orgId: 'fulton', name: 'Results site' }, ['203.0.113.0/24', '2001:db8:10::/48'], ['fultonvotes.example', 'results.fulton.example.gov', normaliseHost('bücher.example')!]);
  ix.add({ assetId: 'a2', orgId: 'cobb', name: 'Website' }, ['203.0.113.128/25'], ['cobb.example']);
  ix.build();
  return ix;
}

describe('inventory matching', () => {
  it('finds addresses inside networks to their edges, and overlapping networks', () => {
    const ix = index();
    const orgs = (v: string) => ix.byAddress(v).map((h) => `${h.asset.orgId}:${h.reason}`).sort();
    expect(orgs('203.0.113.0')).toEqual(['fulton:address-in-network']);
    expect(orgs('203.0.113.127')).toEqual(['fulton:address-in-network']);
    expect(orgs('203.0.113.128')).toEqual(['cobb:address-in-network', 'fulton:address-in-network']);
    expect(orgs('203.0.113.255')).toEqual(['cobb:address-in-network', 'fulton:address-in-network']);
    expect(orgs('203.0.114.0')).toEqual([]);
    expect(orgs('203.0.112.255')).toEqual([]);
    expect(orgs('203.0.0.0/16')).toEqual(['cobb:network-overlaps', 'fulton:network-overlaps']);
    expect(orgs('2001:db8:10:ffff::1')).toEqual(['fulton:address-in-network']);
    expect(orgs('2001:db8:11::1')).toEqual([]);
    expect(orgs('not an address')).toEqual([]);
  });

  it('finds a domain, a name under an office domain, and a domain above an office host name; never a look-alike suffix', () => {
    const ix = index();
    const hits = (d: string) => ix.byDomain(d).map((h) => `${h.asset.orgId}:${h.reason}:${h.matched}`);
    expect(hits('fultonvotes.example')).toEqual(['fulton:domain:fultonvotes.example']);
    expect(hits('vote.FultonVotes.example.')).toEqual(['fulton:subdomain:fultonvotes.example']);
    expect(hits('fulton.example.gov')).toEqual(['fulton:parent-domain:results.fulton.example.gov']);
    expect(hits('notfultonvotes.example')).toEqual([]);
    expect(hits('fultonvotes.example.com')).toEqual([]);
    expect(hits('example')).toEqual([]);
    expect(hits('xn--bcher-kva.example')).toEqual(['fulton:domain:xn--bcher-kva.example']);
  });

  it('agrees with arithmetic on every address and network (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (base, prefix, probe) => {
        const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        const cidr = normaliseRange(`${dotted(base)}/${prefix}`)!;
        const ix = new InventoryIndex();
        ix.add({ assetId: 'x', orgId: 'o', name: 'n' }, [cidr], []);
        ix.build();
        const size = 2 ** (32 - prefix);
        const start = Math.floor(base / size) * size;
        expect(cidr).toBe(`${dotted(start)}/${prefix}`);
        expect(ix.byAddress(dotted(probe)).length).toBe(probe >= start && probe < start + size ? 1 : 0);
      }),
      { numRuns: 500 },
    );
  });

  it('finds every network of many, nested and overlapping, that holds an address (property against a full pass)', () => {
    const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
    const net = fc.record({ base: fc.integer({ min: 0, max: 2 ** 16 - 1 }), prefix: fc.integer({ min: 16, max: 32 }) });
    fc.assert(
      fc.property(fc.array(net, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 2 ** 16 - 1 }), { minLength: 1, maxLength: 20 }), (nets, probes) => {
        // All in 10.0.0.0/16, so that they nest and overlap often.
        const ix = new InventoryIndex();
        const cidrs = nets.map((n, i) => {
          const cidr = normaliseRange(`${dotted(0x0a000000 + n.base)}/${n.prefix}`)!;
          ix.add({ assetId: `a${i}`, orgId: 'o', name: 'n' }, [cidr], []);
          return cidr;
        });
        ix.build();
        for (const p of probes) {
          const addr = 0x0a000000 + p;
          const expected = cidrs.map((c, i) => {
            const [ip, prefix] = c.split('/') as [string, string];
            const start = ip.split('.').reduce((a, x) => a * 256 + Number(x), 0);
            return addr >= start && addr < start + 2 ** (32 - Number(prefix)) ? `a${i}` : null;
          }).filter(Boolean).sort();
          expect(ix.byAddress(dotted(addr)).map((h) => h.asset.assetId).sort()).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

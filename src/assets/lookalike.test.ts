// Look-alike domains: homoglyphs (other alphabets, in punycode as they travel, and Latin look-alikes),
// typosquats one keystroke away, the same name under another ending, the office's name inside a longer one —
// and never the office's own names, names under them, or unrelated domains.
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LookalikeIndex, oneEditApart, registrableOf, skeleton } from './lookalike.js';

function index(): LookalikeIndex<string> {
  const ix = new LookalikeIndex<string>();
  ix.add('travis', 'a1', 'traviscountytx.gov');
  ix.add('travis', 'a2', 'votetravis.com');
  ix.add('travis-tx', 'a3', 'results.co.travis.tx.us');
  ix.add('fulton', 'a4', 'fultoncountyga.gov');
  ix.add('cobb', 'a5', 'cobbcounty.org');
  return ix;
}
const hits = (ix: LookalikeIndex<string>, d: string) => ix.match(d).map((h) => `${h.ref}:${h.kind}:${h.imitated}`).sort();

describe('look-alike domains', () => {
  it('finds homoglyphs in another alphabet (as punycode) and in Latin look-alikes', () => {
    const ix = index();
    const cyrillic = domainToASCII('trаviscountytx.gov'); // Cyrillic а
    expect(cyrillic.startsWith('xn--')).toBe(true);
    expect(hits(ix, cyrillic)).toEqual(['travis:homoglyph:traviscountytx.gov']);
    expect(hits(ix, domainToASCII('trävíscountytx.gov'))).toEqual(['travis:homoglyph:traviscountytx.gov']);
    expect(hits(ix, 'travlscountytx.gov')).toEqual(['travis:homoglyph:traviscountytx.gov']);
    expect(hits(ix, 'fu1toncountyga.gov')).toEqual(['fulton:homoglyph:fultoncountyga.gov']);
    expect(hits(ix, 'fultoncountyga.com')).toEqual(['fulton:other-tld:fultoncountyga.gov']);
    expect(hits(ix, 'cobbcounty.org.example.com')).toEqual(['cobb:combosquat:cobbcounty.org']);
    expect(hits(ix, 'cobbcoumty.org')).toEqual(['cobb:typosquat:cobbcounty.org']); // a different letter, not a look-alike
    const maricopa = new LookalikeIndex<string>();
    maricopa.add('maricopa', 'a', 'recorder.maricopa.gov');
    expect(hits(maricopa, 'recorder.rnaricopa.gov')).toEqual(['maricopa:homoglyph:maricopa.gov']);
  });

  it('finds typosquats one keystroke away, and not two', () => {
    const ix = index();
    expect(hits(ix, 'traviscuontytx.gov')).toEqual(['travis:typosquat:traviscountytx.gov']); // swap
    expect(hits(ix, 'traviscountyx.gov')).toEqual(['travis:typosquat:traviscountytx.gov']); // missing letter
    expect(hits(ix, 'traviscounttytx.gov')).toEqual(['travis:typosquat:traviscountytx.gov']); // doubled letter
    expect(hits(ix, 'travis-countytx.gov')).toEqual(['travis:typosquat:traviscountytx.gov']); // hyphen
    expect(hits(ix, 'traviscountytz.gov')).toEqual(['travis:typosquat:traviscountytx.gov']); // wrong letter
    expect(hits(ix, 'votetrevis.com')).toEqual(['travis:typosquat:votetravis.com']);
    expect(hits(ix, 'tarviscuontytx.gov')).toEqual([]);
  });

  it('finds the same name under another ending, and the name inside a longer one', () => {
    const ix = index();
    expect(hits(ix, 'traviscountytx.org')).toEqual(['travis:other-tld:traviscountytx.gov']);
    expect(hits(ix, 'www.votetravis.net')).toEqual(['travis:other-tld:votetravis.com']);
    expect(hits(ix, 'traviscountytx-results.com')).toEqual(['travis:combosquat:traviscountytx.gov']);
    expect(hits(ix, 'officialvotetravis.info')).toEqual(['travis:combosquat:votetravis.com']);
    expect(hits(ix, 'login.traviscountytx.gov.secure-check.net')).toEqual(['travis:combosquat:traviscountytx.gov']);
  });

  it("never flags an office's own names, names under them, or unrelated domains", () => {
    const ix = index();
    for (const d of ['traviscountytx.gov', 'www.traviscountytx.gov', 'vote.co.travis.tx.us', 'example.com', 'google.com', 'cobb.org', '203.0.113.9']) expect(hits(ix, d)).toEqual([]);
    // A domain that is some office's own is nobody's look-alike.
    const two = new LookalikeIndex<string>();
    two.add('adams-co', 'a', 'adamscounty.gov');
    two.add('adams-pa', 'b', 'adamscountypa.gov');
    expect(hits(two, 'adamscountypa.gov')).toEqual([]);
    expect(hits(two, 'adamscounty.us')).toEqual(['adams-co:other-tld:adamscounty.gov']);
  });

  it('reads registrable domains from the public suffix list', () => {
    expect(registrableOf('results.co.travis.tx.us')).toMatchObject({ domain: 'travis.tx.us', label: 'travis', suffix: 'tx.us' });
    expect(registrableOf('www.example.co.uk')).toMatchObject({ domain: 'example.co.uk', label: 'example', suffix: 'co.uk' });
    expect(registrableOf('192.0.2.1')).toBeNull();
    expect(skeleton('rnaricopa')).toBe(skeleton('maricopa'));
  });

  it('one edit apart agrees with the edit distance (property)', () => {
    const dl = (a: string, b: string): number => {
      const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i += 1) {
        for (let j = 1; j <= b.length; j += 1) {
          const cost = a[i - 1] === b[j - 1] ? 0 : 1;
          d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
        }
      }
      return d[a.length]![b.length]!;
    };
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 7 });
    fc.assert(fc.property(word, word, (a, b) => oneEditApart(a, b) === (dl(a, b) === 1)));
  });
});

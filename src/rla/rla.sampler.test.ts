// The sampler against the reference's own documented examples (the consistent sampler's docstrings and usage
// examples, Arlo's sampler snapshots) and its promises as properties: the sample does not depend on manifest
// order, and a bigger sample starts with the smaller one.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ballotIdText, firstFraction, nextFraction, sampleBallots, sampleIds, sha256Uniform, trimTicket, type ManifestBatch } from './sampler.js';
import { pyRepr, pyStrRepr } from './python-repr.js';
import { PrefixedSha256, wordsMod1e9, wordsToBigInt } from './sha256-midstate.js';
import { Sha256Lanes } from './sha256-lanes.js';
import { SHA256X4_WASM } from './sha256x4-wasm.js';
import { compileSha256x4 } from './sha256x4-compile.js';
import { offerBatches, TicketSelector, type BallotRef } from './sampler.js';

const ARLO_SEED = '12345678901234567890abcdefghijklmnopqrstuvwxyz😊';

describe('the reference sampler examples', () => {
  it('reproduces the docstring values of sha256_uniform, first_fraction, next_fraction and trim', () => {
    expect(sha256Uniform('abc')).toBe('0.56998071861792858926477341561059638840106636224182943832566300809078486324348');
    expect(firstFraction('AB-130', '01382438112797316654')).toBe('0.26299714122838008416507544297546663599715395525154425586041245287750224561854');
    expect(nextFraction('0.25471')).toBe('0.642853261655004694691182528114375607701032283189922170593838029306715548381901');
    expect(nextFraction('0.26299714122838008416507544297546663599715395525154425586041245287750224561854')).toBe('0.8232357229934205790595761924514048157652891124687533667363938813600770093316');
    expect(trimTicket('0.9991234567890', 4)).toBe('0.9991234');
  });

  it('draws the usage examples: shuffles, seeds, drop/take, tuples, with replacement', () => {
    const ids = (seed: string, list: Array<string | number>, take = Infinity, withReplacement = false) => sampleIds(seed, list, take, withReplacement, 9).map((d) => d.item);
    expect(ids('31', ['a', 'b', 'c', 'd'])).toEqual(['b', 'a', 'd', 'c']);
    expect(ids('77', ['a', 'b', 'c', 'd'])).toEqual(['b', 'd', 'c', 'a']);
    const hundred = Array.from({ length: 100 }, (_, i) => i);
    expect(ids('41', hundred, 10)).toEqual([73, 51, 17, 58, 38, 42, 39, 20, 11, 67]);
    expect(sampleIds('41', hundred, 5, false, 9).map((d) => d.ticket)).toEqual(['0.000508333', '0.003446232', '0.004419823', '0.020115273', '0.023482375']);
    expect(ids('314159', ['A#2', 'B#7', 'C#1', 'D#4'], 8, true)).toEqual(['D#4', 'C#1', 'C#1', 'B#7', 'A#2', 'C#1', 'D#4', 'B#7']);
    expect(sampleIds('314159', ['ab-1', 'ab-2', 'cd-1', 'ef-3'], Infinity, false, 9).map((d) => [d.ticket, d.item, d.timesSampled])).toEqual([
      ['0.317685817', 'cd-1', 1],
      ['0.832984519', 'ef-3', 1],
      ['0.9098039269', 'ab-1', 1],
      ['0.9231549043', 'ab-2', 1],
    ]);
  });

  it("gives Arlo's snapshot sample for its test seed (with replacement, 18 digits)", () => {
    const manifest: Array<[string, number]> = [];
    for (const pct of ['pct 1', 'pct 2', 'pct 3', 'pct 4']) for (let i = 1; i <= 25; i++) manifest.push([pct, i]);
    const draws = sampleIds(ARLO_SEED, manifest, 20, true).map((d) => [d.ticket, d.item, d.timesSampled]);
    expect(draws.slice(0, 3)).toEqual([
      ['0.000617786129909912', ['pct 2', 3], 1],
      ['0.002991631653037245', ['pct 3', 24], 1],
      ['0.012057030610635061', ['pct 1', 25], 1],
    ]);
    expect(draws[10]).toEqual(['0.096136506157297637', ['pct 1', 20], 2]);
    expect(draws[19]).toEqual(['0.138772253094235762', ['pct 4', 20], 1]);
  });

  it('refuses the same id twice', () => {
    expect(() => sampleIds('1', ['a', 'b', 'a'], 2, false)).toThrow(/appears twice/);
  });
});

describe("Python's text form of ids", () => {
  it('quotes and escapes strings as repr() does', () => {
    expect(pyStrRepr('Batch 1')).toBe("'Batch 1'");
    expect(pyStrRepr("O'Brien")).toBe('"O\'Brien"');
    expect(pyStrRepr('say "hi" it\'s')).toBe("'say \"hi\" it\\'s'");
    expect(pyStrRepr('a\\b\tc\n')).toBe("'a\\\\b\\tc\\n'");
    expect(pyStrRepr('Doña Ana')).toBe("'Doña Ana'");
    expect(pyStrRepr('nbsp\u00a0x\u200b')).toBe("'nbsp\\xa0x\\u200b'");
    expect(pyStrRepr('\u0007')).toBe("'\\x07'");
    expect(pyRepr([['Fulton', null, 'Batch 1'], 3])).toBe("(('Fulton', None, 'Batch 1'), 3)");
    expect(pyRepr(['one'])).toBe("('one',)");
  });
});

describe('the fast paths', () => {
  it('hashes a 64-byte prefix and any tail exactly as SHA-256 does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 200 }), (prefix, tail) => {
        const out = new Int32Array(8);
        new PrefixedSha256(prefix).digest(tail, tail.length, out);
        const expected = crypto.createHash('sha256').update(prefix).update(tail).digest('hex');
        expect(wordsToBigInt(out).toString(16).padStart(64, '0')).toBe(expected);
        expect(wordsMod1e9(out)).toBe(Number(BigInt(`0x${expected}`) % 1_000_000_000n));
      }),
      { numRuns: 200 },
    );
  });

  it('hashes four ballots at once in WebAssembly exactly as SHA-256 does, whatever the prefix and positions', () => {
    const seedBlock = Buffer.from('e'.repeat(64));
    const lanes = Sha256Lanes.create(new PrefixedSha256(seedBlock).midstate);
    expect(lanes, 'WebAssembly SIMD is available in Node 20').not.toBeNull();
    const out = new Int32Array(8);
    fc.assert(
      fc.property(fc.string({ maxLength: 44 }), fc.integer({ min: 1, max: 99_999 }), (text, first) => {
        const prefix = Buffer.from(`(${text}, `, 'utf8');
        fc.pre(Sha256Lanes.fits(prefix.length, first + 3));
        lanes!.setPrefix(prefix);
        lanes!.hash4(first);
        for (let lane = 0; lane < 4; lane++) {
          const expected = crypto.createHash('sha256').update(seedBlock).update(prefix).update(`${first + lane})`).digest('hex');
          lanes!.digest(lane, out);
          expect(wordsToBigInt(out).toString(16).padStart(64, '0')).toBe(expected);
          expect(lanes!.mod1e9(lane)).toBe(Number(BigInt(`0x${expected}`) % 1_000_000_000n));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('ships the WebAssembly its text compiles to', async () => {
    expect((await compileSha256x4()).toString('base64')).toBe(SHA256X4_WASM);
  });

  it('draws the same with and without the WebAssembly lanes', () => {
    const batches: ManifestBatch[] = [{ county: 'Adams', tabulator: 'T1', batch: 'P1', ballots: 1003 }, { county: 'Baker', tabulator: null, batch: 'Early', ballots: 9 }];
    const run = (lanes: boolean) => {
      const sel = new TicketSelector<BallotRef>(50);
      offerBatches('11112222333344445555', batches, sel, { lanes });
      return sel.candidates().sort((a, b) => (a.ticket < b.ticket ? -1 : 1));
    };
    expect(run(true)).toEqual(run(false));
  });

  it('samples manifests exactly as the plain sampler does on the same ids (long names, quotes, 9→10 and 99→100 ballots)', () => {
    const batches: ManifestBatch[] = [
      { county: 'Fulton', tabulator: null, batch: 'Batch 1', ballots: 120 },
      { county: "O'Brien", tabulator: 'T-2', batch: 'Absentee "early"', ballots: 11 },
      { county: 'Doña Ana', tabulator: 'Tabulator with a rather long name', batch: 'A batch name long enough to need two blocks', ballots: 15 },
      { county: 'Fulton', tabulator: null, batch: 'Empty', ballots: 0 },
    ];
    const ids = batches.flatMap((b) => Array.from({ length: b.ballots }, (_, i) => ballotIdText({ ...b, position: i + 1 })));
    const plain = sampleIds('86317492001853297544', ids, 60, true);
    const fast = sampleBallots('86317492001853297544', batches, 60, true);
    expect(fast.map((d) => [d.ticket, ballotIdText(d.item), d.timesSampled])).toEqual(plain.map((d) => [d.ticket, d.item, d.timesSampled]));
  });
});

const manifestArb = fc
  .uniqueArray(fc.record({ county: fc.constantFrom('Adams', 'Baker', 'Clark'), tabulator: fc.constantFrom(null, 'T1', 'T2'), batch: fc.string({ minLength: 1, maxLength: 12 }), ballots: fc.integer({ min: 0, max: 40 }) }), {
    selector: (b) => `${b.county}|${b.tabulator}|${b.batch}`,
    minLength: 1,
    maxLength: 12,
  })
  .filter((bs) => bs.reduce((n, b) => n + b.ballots, 0) > 0);

describe('sample properties', () => {
  it('never depends on the order of the manifest rows', () => {
    fc.assert(
      fc.property(manifestArb, fc.integer({ min: 1, max: 30 }), fc.boolean(), (batches, take, replace) => {
        const a = sampleBallots('01234567890123456789', batches, take, replace);
        const b = sampleBallots('01234567890123456789', [...batches].reverse(), take, replace);
        expect(b).toEqual(a);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the earlier draws when the sample grows', () => {
    fc.assert(
      fc.property(manifestArb, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.boolean(), (batches, first, more, replace) => {
        const small = sampleBallots('98765432109876543210', batches, first, replace);
        const big = sampleBallots('98765432109876543210', batches, first + more, replace);
        expect(big.slice(0, small.length)).toEqual(small);
      }),
      { numRuns: 60 },
    );
  });

  it('draws each ballot at most once without replacement, and every ballot when asked for more than there are', () => {
    fc.assert(
      fc.property(manifestArb, (batches) => {
        const total = batches.reduce((n, b) => n + b.ballots, 0);
        const all = sampleBallots('55555555555555555555', batches, total + 5, false);
        expect(all).toHaveLength(total);
        expect(new Set(all.map((d) => ballotIdText(d.item))).size).toBe(total);
      }),
      { numRuns: 40 },
    );
  });
});

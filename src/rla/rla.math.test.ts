// The audit math against published figures: Arlo's BRAVO, super-simple and MACRO test values (which its authors
// checked against Stark's tools), its batch-sampling snapshot, and NumPy's generator where python3 has NumPy.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeContest } from './contest.js';
import { ballotPollingRisk, ballotPollingSampleSizes, bravoSampleSize } from './bravo.js';
import { ballotComparisonRisk, ballotComparisonSampleSize, ballotDiscrepancy } from './supersimple.js';
import { batchComparisonRisk, batchComparisonSampleSize, type BatchTally } from './macro.js';
import { drawPpebSample } from './ppeb.js';
import { NumpyGenerator } from './numpy-random.js';
import { binomPpf, normCdf, normPpf } from './stats.js';

const ARLO_SEED = '12345678901234567890abcdefghijklmnopqrstuvwxyz😊';

function contest(name: string, spec: Record<string, number>, ballots: number, numWinners = 1) {
  return makeContest({ name, choices: spec, ballots, numWinners });
}

const sizes = (opts: ReturnType<typeof ballotPollingSampleSizes>) => Object.fromEntries(opts.map((o) => [o.key, [o.size, o.prob]]));

describe('BRAVO (ballot polling)', () => {
  it('gives the published ASN and 70/80/90% sizes', () => {
    expect(sizes(ballotPollingSampleSizes(10, contest('t1', { cand1: 600, cand2: 400 }, 1000), null))).toEqual({ asn: [119, 0.52], '0.7': [184, 0.7], '0.8': [244, 0.8], '0.9': [351, 0.9] });
    expect(sizes(ballotPollingSampleSizes(10, contest('t2', { cand1: 600, cand2: 200, cand3: 100 }, 900), null))).toEqual({ asn: [22, 0.55], '0.7': [32, 0.7], '0.8': [41, 0.8], '0.9': [57, 0.9] });
    expect(sizes(ballotPollingSampleSizes(10, contest('t6', { cand1: 300, cand2: 200, cand3: 200 }, 1000), null))).toEqual({ asn: [238, 0.52], '0.7': [368, 0.7], '0.8': [488, 0.8], '0.9': [702, 0.9] });
    expect(sizes(ballotPollingSampleSizes(10, contest('small3', { cand1: 10000, cand2: 9000, cand3: 200 }, 20000), null))).toEqual({ asn: [1769, 0.5], '0.7': [2837, 0.7], '0.8': [3760, 0.8], '0.9': [5426, 0.9] });
    expect(sizes(ballotPollingSampleSizes(10, contest('nan', { 'Erin George': 400, 'Alex Hall': 10, 'Write In': 1 }, 500), null))).toEqual({ asn: [6, 0.67], '0.7': [7, 0.7], '0.8': [8, 0.8], '0.9': [11, 0.9] });
  });

  it('sizes vote-for-N contests by their ASN over every winner–loser pair', () => {
    expect(sizes(ballotPollingSampleSizes(10, contest('t7', { cand1: 300, cand2: 200, cand3: 100 }, 700, 2), null))).toEqual({ asn: [101, null] });
    expect(sizes(ballotPollingSampleSizes(10, contest('t8', { cand1: 300, cand2: 300, cand3: 100 }, 700, 2), null))).toEqual({ asn: [34, null] });
    expect(sizes(ballotPollingSampleSizes(10, contest('t10', { cand1: 600, cand2: 300, cand3: 100 }, 1000, 2), null))).toEqual({ asn: [48, null] });
  });

  it('asks for all ballots in a tie or a close race in a big election, one ballot in a landslide, never 0', () => {
    expect(sizes(ballotPollingSampleSizes(10, contest('tie', { cand1: 500, cand2: 500 }, 1000), null))).toEqual({ 'all-ballots': [1000, null] });
    expect(sizes(ballotPollingSampleSizes(10, contest('ga', { Trump: 2457924, Biden: 2471981, Jorgensen: 62058, 'Write-in': 457 }, 4992420), null))).toEqual({ 'all-ballots': [4992420, null] });
    expect(sizes(ballotPollingSampleSizes(10, contest('t11', { cand1: 1000, cand2: 0 }, 1000), null))).toEqual({ asn: [1, 1] });
    expect(() => ballotPollingSampleSizes(10, contest('done', { cand1: 600, cand2: 400 }, 1000), { cand1: 2000, cand2: 0 })).toThrow(/audit is over/);
  });

  it('sizes a second round from the first round’s sample', () => {
    expect(sizes(ballotPollingSampleSizes(10, contest('t2', { cand1: 600, cand2: 200, cand3: 100 }, 900), { cand1: 25, cand2: 18, cand3: 5 }, 48))).toEqual({ asn: [42, 0.53], '0.7': [57, 0.7], '0.8': [66, 0.8], '0.9': [87, 0.9] });
    expect(sizes(ballotPollingSampleSizes(10, contest('t8', { cand1: 300, cand2: 300, cand3: 100 }, 700, 2), { cand1: 72, cand2: 55, cand3: 30 }, 100))).toEqual({ asn: [14, null] });
  });

  it("matches Lindeman's round-completion sizes", () => {
    const a = 0.1;
    expect([bravoSampleSize(a, 0.4, 0.32, 0, 0, 0.9, 10000), bravoSampleSize(a, 0.36, 0.32, 0, 0, 0.9, 10000), bravoSampleSize(a, 0.36, 0.32, 0, 0, 0.6, 10000), bravoSampleSize(a, 0.52, 0.47, 0, 0, 0.9, 10000)]).toEqual([1599, 6067, 2476, 5657]);
    expect([bravoSampleSize(a, 0.4, 0.32, 0, 0, 0.4, 10000), bravoSampleSize(a, 0.52, 0.47, 10000, 0, 0.9, 10000), bravoSampleSize(a, 0.52, 0.47, 2923, 2735, 0.9, 10000)]).toEqual([409, 0, 2636]);
  });

  it('measures risk per pair and stops only when every pair is under the limit', () => {
    const c = contest('t1', { cand1: 600, cand2: 400 }, 1000);
    const r = ballotPollingRisk(10, c, { cand1: 72, cand2: 47 });
    // T = 1.2^72 · 0.8^47
    expect(r.pairs[0]!.risk).toBeCloseTo(1 / (1.2 ** 72 * 0.8 ** 47), 10);
    expect(r.confirmed).toBe(true);
    const three = contest('t2', { cand1: 600, cand2: 200, cand3: 100 }, 900);
    const partial = ballotPollingRisk(10, three, { cand1: 10, cand2: 9, cand3: 0 });
    expect(partial.pairs).toHaveLength(2);
    expect(partial.pairs.find((p) => p.loser === 'cand3')!.risk).toBeLessThan(0.1);
    expect(partial.confirmed).toBe(false);
    expect(ballotPollingRisk(10, c, { cand1: 600, cand2: 400 }).risk).toBe(0);
  });
});

describe('super-simple (ballot comparison)', () => {
  const ss = {
    A: contest('A', { winner: 60000, loser: 40000 }, 100000),
    B: contest('B', { winner: 30000, loser: 24000 }, 60000),
    C: contest('C', { winner: 18000, loser: 12600 }, 36000),
    D: contest('D', { winner: 8000, loser: 6000 }, 15000),
    E: contest('E', { winner: 10000, loser: 0 }, 10000),
    F: contest('F', { winner: 10, loser: 4 }, 15),
    two: contest('two', { winner1: 600, winner2: 300, loser: 100 }, 1000, 2),
  };

  it("gives Stark's tool's sample sizes", () => {
    expect(Object.fromEntries(Object.entries(ss).map(([k, c]) => [k, ballotComparisonSampleSize(10, c)]))).toEqual({ A: 27, B: 54, C: 36, D: 40, E: 6, F: 14, two: 27 });
    expect(ss.D.dilutedMargin).toBeCloseTo(2 / 15, 12);
  });

  it('gives the published p-values with no discrepancy and with one one-vote overstatement', () => {
    const clean = { A: 0.06507, B: 0.06973, C: 0.0674, D: 0.07048, E: 0.0195, two: 0.06508 };
    const oneOver = { A: 0.12534, B: 0.13441, C: 0.12992, D: 0.13585, E: 0.03758, two: 0.12534 };
    for (const [k, expected] of Object.entries(clean)) {
      const c = ss[k as keyof typeof ss];
      const n = ballotComparisonSampleSize(10, c);
      const reported: Record<string, number> = c.numWinners === 2 ? { winner1: 0, winner2: 1, loser: 0 } : { winner: 1, loser: 0 };
      const sample = Array.from({ length: n }, () => ({ timesSampled: 1, discrepancy: ballotDiscrepancy(c, reported, reported) }));
      expect(Math.abs(ballotComparisonRisk(10, c, sample).risk - expected)).toBeLessThan(0.001);
      expect(ballotComparisonRisk(10, c, sample).confirmed).toBe(true);
      sample[0] = { timesSampled: 1, discrepancy: ballotDiscrepancy(c, reported, c.numWinners === 2 ? { winner1: 0, winner2: 0, loser: 0 } : { winner: 0, loser: 0 }) };
      expect(Math.abs(ballotComparisonRisk(10, c, sample).risk - oneOver[k as keyof typeof oneOver])).toBeLessThan(0.001);
      sample[0] = { timesSampled: 1, discrepancy: ballotDiscrepancy(c, reported, undefined, false) };
      expect(sample[0].discrepancy!.countedAs).toBe(2);
    }
  });

  it('grows the next round with the overstatements seen', () => {
    expect(ballotComparisonSampleSize(10, ss.A, { sampled: 27, oneVoteOverstatements: 0, twoVoteOverstatements: 0 })).toBe(0);
    expect(ballotComparisonSampleSize(10, ss.A, { sampled: 27, oneVoteOverstatements: 1, twoVoteOverstatements: 0 })).toBeGreaterThan(0);
  });
});

describe('MACRO (batch comparison)', () => {
  function arloBatches(name: string): Map<string, BatchTally> {
    const m = new Map<string, BatchTally>();
    for (let i = 0; i < 200; i++) {
      const inB = i < 100;
      const inC = i < 30 || (i >= 100 && i < 130);
      const big = name === 'A' ? [200, 180] : name === 'B' ? (inB ? [200, 160] : null) : inC ? [200, 140] : null;
      m.set(`Batch ${i}`, big ? { votes: { winner: big[0]!, loser: big[1]! }, ballots: 400 } : { votes: {}, ballots: 0 });
      m.set(`Batch ${i} AV`, big ? { votes: { winner: big[0]! / 2, loser: big[1]! / 2 }, ballots: 200 } : { votes: {}, ballots: 0 });
    }
    return m;
  }

  it("gives Arlo's first-round batch counts at a 25% risk limit", () => {
    expect(batchComparisonSampleSize(25, contest('A', { winner: 60000, loser: 54000 }, 120000), arloBatches('A'))).toBe(30);
    expect(batchComparisonSampleSize(25, contest('B', { winner: 30000, loser: 24000 }, 60000), arloBatches('B'))).toBe(16);
    expect(batchComparisonSampleSize(25, contest('C', { winner: 18000, loser: 12600 }, 36000), arloBatches('C'))).toBe(11);
  });

  it('lowers the risk with clean batches and raises it with overstatements', () => {
    const c = contest('A', { winner: 60000, loser: 54000 }, 120000);
    const batches = arloBatches('A');
    const clean = Array.from({ length: 30 }, (_, i) => ({ batch: `Batch ${i}`, ticket: `0.${i}`, audited: { winner: 200, loser: 180 } }));
    const r = batchComparisonRisk(25, c, batches, clean);
    expect(r.confirmed).toBe(true);
    const dirty = clean.map((s, i) => (i === 0 ? { ...s, audited: { winner: 150, loser: 230 } } : s));
    expect(batchComparisonRisk(25, c, batches, dirty).risk).toBeGreaterThan(r.risk);
  });

  it("draws Arlo's PPEB snapshot sample", () => {
    const c = contest('Contest', { cand1: 600, cand2: 400 }, 1000);
    const batches: Array<[{ county: string; batch: string }, BatchTally]> = [];
    for (let i = 0; i < 10; i++) batches.push([{ county: 'Jx 1', batch: `pct ${i}` }, { votes: { cand1: 40, cand2: 10 }, ballots: 50 }]);
    for (let i = 11; i < 20; i++) batches.push([{ county: 'Jx 1', batch: `pct ${i}` }, { votes: { cand1: 20, cand2: 30 }, ballots: 50 }]);
    const draws = drawPpebSample(ARLO_SEED, c, batches, 10, []).map((d) => [d.ticket, d.key.batch]);
    expect(draws).toEqual([
      ['0.642074320588256264', 'pct 8'],
      ['0.634903028357318938', 'pct 6'],
      ['0.697435332323894639', 'pct 8'],
      ['0.096486566275573723', 'pct 0'],
      ['0.835553892011720777', 'pct 9'],
      ['0.9722586520568512638', 'pct 14'],
      ['0.030338217960461852', 'pct 18'],
      ['0.546393063883135848', 'pct 17'],
      ['0.878526714305113154', 'pct 8'],
      ['0.847430249189970028', 'pct 2'],
    ]);
    // A full hand count: every batch, in key order after the earlier draws.
    const close = contest('Close', { cand1: 200, cand2: 198 }, 400);
    const four: Array<[{ county: string; batch: string }, BatchTally]> = [
      [{ county: 'Jx 1', batch: 'pct 1' }, { votes: { cand1: 100, cand2: 0 }, ballots: 100 }],
      [{ county: 'Jx 1', batch: 'pct 2' }, { votes: { cand1: 100, cand2: 0 }, ballots: 100 }],
      [{ county: 'Jx 1', batch: 'pct 3' }, { votes: { cand1: 0, cand2: 100 }, ballots: 100 }],
      [{ county: 'Jx 1', batch: 'pct 4' }, { votes: { cand1: 0, cand2: 98 }, ballots: 98 }],
    ];
    expect(drawPpebSample(ARLO_SEED, close, four, 4, []).map((d) => [d.ticket, d.key.batch])).toEqual([
      ['0.370405751560609643', 'pct 1'],
      ['0.847430249189970028', 'pct 2'],
      ['0.851346057402501613', 'pct 3'],
      ['0.328034953571610594', 'pct 4'],
    ]);
  });
});

describe('distribution functions', () => {
  it('agree with tabulated values', () => {
    expect(normPpf(0.9)).toBeCloseTo(1.2815515655446004, 14);
    expect(normPpf(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normCdf(-1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(binomPpf(0.5, 10, 0.5)).toBe(5);
    expect(binomPpf(0.1, 1000, 0.55)).toBe(530);
    expect(binomPpf(0, 10, 0.3)).toBe(0);
  });
});

const hasNumpy = (() => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasNumpy)("NumPy's generator", () => {
  it('gives the same doubles and weighted choices as numpy.random.default_rng', () => {
    const seed = BigInt('0x9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
    const py = execFileSync('python3', ['-c', `import numpy as np\ng=np.random.default_rng(${seed})\nprint(repr(list(map(float,g.random(5)))))\nprint(list(map(int,g.choice(7, 20, p=[.05,.1,.2,.3,.15,.1,.1], replace=True))))`], { encoding: 'utf8' }).trim().split('\n');
    const g = new NumpyGenerator(seed);
    expect(JSON.stringify(Array.from({ length: 5 }, () => g.random()))).toBe(py[0]!.replace(/ /g, ''));
    expect(JSON.stringify(g.choiceWeighted([0.05, 0.1, 0.2, 0.3, 0.15, 0.1, 0.1], 20))).toBe(py[1]!.replace(/ /g, ''));
  });
});

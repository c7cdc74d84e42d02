// BRAVO ballot-polling audits (Lindeman, Stark and Yates, EVT/WOTE 2012), with the sample-size estimates
// VotingWorks' Arlo gives: the average sample number (ASN) and the sizes with a 70, 80 and 90% chance of ending
// in one round (Mark Lindeman's analytic method). Every winner–loser pair is tested, not only the closest; the
// largest size over the pairs is the contest's. Test statistics are kept as logarithms, so a large sample does
// not overflow where the reference uses arbitrary-precision decimals.
import { makeContest, pairs, type Contest } from './contest.js';
import { binomPpf, normCdf, normPpf } from './stats.js';

export type SampleSizeKey = 'asn' | '0.7' | '0.8' | '0.9' | 'all-ballots';

export interface SampleSizeOption {
  readonly key: SampleSizeKey;
  readonly size: number;
  /** Chance of ending in one round if the reported outcome is right; null where it cannot be computed. */
  readonly prob: number | null;
}

export class AuditMathError extends Error {}

/** Votes for each choice in the sample so far (all rounds). */
export type SampleTally = Readonly<Record<string, number>>;

/** log T for each winner–loser pair ("winner\u0000loser"). */
export function logTestStatistics(contest: Contest, sample: SampleTally): Map<string, number> {
  const T = new Map<string, number>();
  for (const [w, l] of pairs(contest)) T.set(`${w}\u0000${l}`, 0);
  for (const [cand, votes] of Object.entries(sample)) {
    if (!votes) continue;
    if (cand in contest.winners) {
      for (const l of Object.keys(contest.losers)) {
        const k = `${cand}\u0000${l}`;
        T.set(k, T.get(k)! + votes * Math.log(contest.margins.winners[cand]!.swl[l]! / 0.5));
      }
    } else if (cand in contest.losers) {
      for (const w of Object.keys(contest.winners)) {
        const k = `${w}\u0000${cand}`;
        T.set(k, T.get(k)! + votes * Math.log((1 - contest.margins.winners[w]!.swl[cand]!) / 0.5));
      }
    }
  }
  return T;
}

export function isTie(contest: Contest): boolean {
  const losers = Object.values(contest.margins.losers);
  if (!losers.length) return false;
  const minW = Math.min(...Object.values(contest.margins.winners).map((m) => m.pW));
  const maxL = Math.max(...losers.map((m) => m.pL));
  return minW === maxL;
}

export function isLandslide(contest: Contest): boolean {
  const losers = Object.values(contest.margins.losers);
  return losers.length > 0 && Math.max(...losers.map((m) => m.pL)) === 0;
}

function twoWay(alpha: number, pW: number, pR: number, sampleW: number, sampleR: number) {
  const pWR = pW + pR;
  const pW2 = pW / pWR;
  const pR2 = 1 - pW2;
  const plus = Math.log(pW2 / 0.5);
  const minus = Math.log(pR2 / 0.5);
  const threshold = Math.log(1 / alpha) - (sampleW * plus + sampleR * minus);
  return { pWR, pW2, pR2, plus, minus, threshold };
}

/** Chance that a sample of `asn` ends the audit in one round, if the outcome is right (rounded to 2 places). */
export function expectedProb(alpha: number, pW: number, pR: number, sampleW: number, sampleR: number, asn: number): number {
  const { pWR, pW2, pR2, plus, minus, threshold } = twoWay(alpha, pW, pR, sampleW, sampleR);
  if (threshold <= 0) return 0;
  const n = asn * pWR;
  const Rx = (threshold - minus * n) / (plus - minus);
  const z = (Rx - n * pW2) / Math.sqrt(n * pW2 * pR2);
  return Number(normCdf(-z).toFixed(2));
}

/** Size with chance `pCompletion` of ending in one round (Lindeman's quadratic, then checked on the binomial). */
export function bravoSampleSize(alpha: number, pW: number, pR: number, sampleW: number, sampleR: number, pCompletion: number, totalBallots: number): number {
  const { pW2, pR2, plus, minus, threshold } = twoWay(alpha, pW, pR, sampleW, sampleR);
  if (threshold <= 0) return 0;
  const z = -normPpf(pCompletion);
  const d = pW2 * pR2;
  const f = threshold / (plus - minus);
  const g = minus / (plus - minus) + pW2;
  const qa = g ** 2;
  const qb = -(z ** 2 * d + 2 * f * g);
  const qc = f ** 2;
  const radical = Math.sqrt(Math.max(0, qb ** 2 - 4 * qa * qc));
  let size = Math.floor(pCompletion > 0.5 ? (-qb + radical) / (2 * qa) : (-qb - radical) / (2 * qa));
  let stat = NaN;
  while (Number.isNaN(stat) || (stat < threshold && size < totalBallots)) {
    const xc = binomPpf(1 - pCompletion, size, pW2);
    stat = xc * plus + (size - xc) * minus;
    if (Number.isNaN(stat) || stat < threshold) size += 1;
  }
  return ceilDivBySum(size, pW, pR);
}

/** A double as an exact fraction num / 2^shift. */
function exactFraction(x: number): { num: bigint; shift: bigint } {
  let shift = 0n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    shift += 1n;
  }
  return { num: BigInt(v), shift };
}

/**
 * ceil(n / (a + b)) on the exact values of the doubles a and b. The reference adds the two shares as exact
 * decimals; in doubles their sum rounds, and n / sum can land on a whole number the exact sum misses by 1e-17.
 */
export function ceilDivBySum(n: number, a: number, b: number): number {
  const fa = exactFraction(a);
  const fb = exactFraction(b);
  const shift = fa.shift > fb.shift ? fa.shift : fb.shift;
  const sum = (fa.num << (shift - fa.shift)) + (fb.num << (shift - fb.shift));
  if (sum <= 0n) return Infinity;
  const numerator = BigInt(n) << shift;
  const q = numerator / sum;
  return Number(numerator % sum === 0n ? q : q + 1n);
}

export function expectedSampleSize(alpha: number, contest: Contest, sample: SampleTally): SampleSizeOption {
  if (isTie(contest)) throw new AuditMathError('Cannot compute ASN for a tied contest');
  if (!Object.keys(contest.losers).length) throw new AuditMathError('Cannot compute ASN for a contest with no losers');
  const T = logTestStatistics(contest, sample);
  let size = 0;
  let best: { pW: number; pL: number; sW: number; sL: number } | null = null;
  for (const [w, l] of pairs(contest)) {
    const pW = contest.margins.winners[w]!.pW;
    const pL = contest.margins.losers[l]!.pL;
    if (pL === 0) continue;
    const logWeightedAlpha = Math.log(1 / alpha) - T.get(`${w}\u0000${l}`)!;
    const sw = pW / (pW + pL);
    const zw = Math.log(2 * sw);
    const zl = Math.log(2 - 2 * sw);
    const possible = Math.ceil((logWeightedAlpha + zw / 2) / (pW * zw + pL * zl));
    if (possible > size) {
      size = possible;
      best = { pW, pL, sW: sample[w] ?? 0, sL: sample[l] ?? 0 };
    }
  }
  if (size === 0) throw new AuditMathError('Sample indicates the audit is over');
  const prob = best && contest.numWinners === 1 ? expectedProb(alpha, best.pW, best.pL, best.sW, best.sL, size) : null;
  return { key: 'asn', size, prob };
}

/**
 * Sample-size options for the next round of a ballot-polling audit, given the sample so far (all rounds) and how
 * many ballots it drew. Arlo's rules: a tie or a huge share means all ballots; a contest nobody else got a vote in
 * needs one ballot.
 */
export function ballotPollingSampleSizes(riskLimitPercent: number, contest: Contest, sample: SampleTally | null, sampledSoFar = 0): SampleSizeOption[] {
  const alpha = riskLimitPercent / 100;
  if (!(alpha < 1)) throw new AuditMathError('The risk limit must be less than 100%');
  if (alpha === 0) return [{ key: 'all-ballots', size: contest.ballots, prob: null }];
  if (sampledSoFar >= contest.ballots) throw new AuditMathError('All ballots have already been audited');
  if (!Object.keys(contest.losers).length) throw new AuditMathError('Contest must have candidates who did not win');
  if (isTie(contest)) return [{ key: 'all-ballots', size: contest.ballots, prob: null }];
  if (isLandslide(contest)) return [{ key: 'asn', size: 1, prob: 1 }];
  const tally: Record<string, number> = {};
  for (const c of Object.keys(contest.candidates)) tally[c] = sample?.[c] ?? 0;
  const options: SampleSizeOption[] = [expectedSampleSize(alpha, contest, tally)];
  if (contest.numWinners !== 1) return options;
  for (const quant of [0.7, 0.8, 0.9] as const) {
    let size = 0;
    for (const [w, l] of pairs(contest)) {
      const pW = contest.margins.winners[w]!.pW;
      const pL = contest.margins.losers[l]!.pL;
      if (pL === 0) continue;
      size = Math.max(size, bravoSampleSize(alpha, pW, pL, tally[w]!, tally[l]!, quant, contest.ballots));
    }
    if (size !== 0) options.push({ key: String(quant) as SampleSizeKey, size, prob: quant });
  }
  // For a large election, a sample that is a good part of all ballots is more work than counting them all.
  const ninety = options.find((o) => o.key === '0.9');
  if (contest.ballots > 100_000 && ninety && ninety.size >= contest.ballots * 0.25) return [{ key: 'all-ballots', size: contest.ballots, prob: null }];
  return options;
}

export interface PairRisk {
  readonly winner: string;
  readonly loser: string;
  readonly risk: number;
}

/** Risk (p-value) per winner–loser pair from the sample so far; the contest is confirmed when every pair is at or under the limit. */
export function ballotPollingRisk(riskLimitPercent: number, contest: Contest, sample: SampleTally): { pairs: PairRisk[]; risk: number; confirmed: boolean } {
  const alpha = riskLimitPercent / 100;
  const T = logTestStatistics(contest, sample);
  const sampled = Object.values(sample).reduce((a, b) => a + b, 0);
  const out: PairRisk[] = [];
  let confirmed = true;
  for (const [key, logT] of T) {
    const [winner, loser] = key.split('\u0000') as [string, string];
    if (sampled >= contest.ballots) {
      out.push({ winner, loser, risk: 0 });
      continue;
    }
    const raw = Math.exp(-logT);
    out.push({ winner, loser, risk: Math.min(raw, 1) });
    if (!(raw <= alpha)) confirmed = false;
  }
  return { pairs: out, risk: out.reduce((m, p) => Math.max(m, p.risk), 0), confirmed: out.length > 0 && confirmed };
}

export { makeContest };

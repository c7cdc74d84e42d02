// Ballot-comparison audits with Stark's "super-simple" method (Stark, "Super-simple simultaneous single-ballot
// risk-limiting audits", EVT/WOTE 2010) and the Kaplan–Markov p-value, with the same inflator (γ = 1.03905) and
// expected discrepancy rates as Arlo, Colorado's RLA tool and Stark's tools. Each sampled ballot's cast vote
// record is compared with the audit board's reading; the worst winner–loser pair decides its discrepancy;
// a ballot that cannot be found, or has no record, counts as a two-vote overstatement.
import { pairs, type Contest } from './contest.js';
import { AuditMathError } from './bravo.js';

export const GAMMA = 1.03905;
const R1 = 0.001;
const R2 = 0.0001;

/** A ballot's votes in one contest: 1 or 0 per choice; null when the contest is not on the ballot. */
export type ContestVotes = Readonly<Record<string, number>> | null;

export interface Discrepancy {
  /** Overstatement in votes (2, 1, 0, -1, -2): positive errors favour the reported winner. */
  readonly countedAs: number;
  /** countedAs / the pair's margin in votes. */
  readonly weightedError: number;
}

function ln(x: number): number {
  return Math.log(x);
}

/** Two-vote overstatements need the rounding half-up the reference uses; one-vote ones round up. */
function roundHalfUp(x: number): number {
  return Math.floor(x + 0.5);
}

function nMin(alpha: number, contest: Contest, o1: number, o2: number, u1: number, u2: number): number {
  const g = GAMMA;
  const size = Math.ceil((-2 * g * (ln(alpha) + o1 * ln(1 - 1 / (2 * g)) + o2 * ln(1 - 1 / g) + u1 * ln(1 + 1 / (2 * g)) + u2 * ln(1 + 1 / g))) / contest.dilutedMargin);
  return Math.max(o1 + o2 + u1 + u2, size);
}

export interface ComparisonSoFar {
  /** Ballot draws so far (with multiplicity). */
  readonly sampled: number;
  readonly oneVoteOverstatements: number;
  readonly twoVoteOverstatements: number;
}

/** Sample size for the next round: what remains to reach the stopping size, given the discrepancy rates seen so far. */
export function ballotComparisonSampleSize(riskLimitPercent: number, contest: Contest, soFar?: ComparisonSoFar): number {
  const alpha = riskLimitPercent / 100;
  if (!(alpha < 1)) throw new AuditMathError('The risk limit must be less than 100%');
  if (alpha === 0) return contest.ballots;
  if (!Object.keys(contest.losers).length) throw new AuditMathError('Contest must have candidates who did not win');
  const n = soFar?.sampled ?? 0;
  // Understatements favour the winner; ignoring them is conservative.
  const [r1, r2, s1, s2] = n ? [soFar!.oneVoteOverstatements / n, soFar!.twoVoteOverstatements / n, 0, 0] : [R1, R2, R1, R2];
  const g = GAMMA;
  const denom = ln(1 - contest.dilutedMargin / (2 * g)) - r1 * ln(1 - 1 / (2 * g)) - r2 * ln(1 - 1 / g) - s1 * ln(1 + 1 / (2 * g)) - s2 * ln(1 + 1 / g);
  let stopping: number;
  if (!(denom < 0)) stopping = contest.ballots;
  else {
    const n0 = Math.ceil(ln(alpha) / denom);
    const o1 = Math.ceil(r1 * n0);
    const u1 = Math.ceil(s1 * n0);
    const o2 = roundHalfUp(r2 * n0);
    const u2 = roundHalfUp(s2 * n0);
    stopping = Math.min(nMin(alpha, contest, o1, o2, u1, u2), contest.ballots);
  }
  return Math.max(stopping - n, 0);
}

/** The discrepancy for one winner–loser pair; null when the reading matches the record. */
export function pairDiscrepancy(contest: Contest, winner: string, loser: string, reported: ContestVotes | undefined, audited: ContestVotes | undefined, ballotFound: boolean): Discrepancy | null {
  let error: number;
  if (!ballotFound || reported === undefined || audited === undefined) error = 2;
  else {
    const aW = audited?.[winner] ?? 0;
    const aL = audited?.[loser] ?? 0;
    const vW = reported?.[winner] ?? 0;
    const vL = reported?.[loser] ?? 0;
    error = vW - aW - (vL - aL);
  }
  if (error === 0) return null;
  const margin = contest.candidates[winner]! - contest.candidates[loser]!;
  return { countedAs: error, weightedError: margin > 0 ? error / margin : Infinity };
}

/** The ballot's discrepancy: the pair with the largest overstatement. */
export function ballotDiscrepancy(contest: Contest, reported: ContestVotes | undefined, audited: ContestVotes | undefined, ballotFound = true): Discrepancy | null {
  let worst: Discrepancy | null = null;
  for (const [w, l] of pairs(contest)) {
    const d = pairDiscrepancy(contest, w, l, reported, audited, ballotFound);
    if (d && (!worst || d.countedAs > worst.countedAs)) worst = d;
  }
  return worst;
}

export interface SampledComparison {
  readonly timesSampled: number;
  readonly discrepancy: Discrepancy | null;
}

/** Kaplan–Markov risk from the sampled ballots' discrepancies; confirmed when under the limit. */
export function ballotComparisonRisk(riskLimitPercent: number, contest: Contest, sample: readonly SampledComparison[]): { risk: number; confirmed: boolean } {
  const alpha = riskLimitPercent / 100;
  const N = contest.ballots;
  const draws = sample.reduce((n, s) => n + s.timesSampled, 0);
  if (draws >= N) return { risk: 0, confirmed: true };
  if (contest.dilutedMargin <= 0) return { risk: 1, confirmed: false };
  const V = contest.dilutedMargin * N;
  const U = (2 * GAMMA) / contest.dilutedMargin;
  let logP = 0;
  for (const s of sample) {
    const e = Math.max(s.discrepancy?.weightedError ?? 0, 0);
    const pb = (1 - 1 / U) / (1 - e / ((2 * GAMMA) / V));
    if (pb <= 0 || !Number.isFinite(pb)) return { risk: 1, confirmed: false };
    logP += s.timesSampled * Math.log(pb);
  }
  const p = Math.exp(logP);
  return { risk: Math.min(p, 1), confirmed: p > 0 && p < alpha };
}

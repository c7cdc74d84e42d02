// Batch-comparison audits: per-contest MACRO (Stark, "Efficient post-election audits of multiple contests", 2009)
// as Arlo runs it. Each batch's largest possible relative overstatement u_p bounds its error; U is their sum;
// batches are drawn with probability u_p / U (PPEB) and each sampled batch's taint e_p / u_p moves the risk.
// Votes the batches do not account for, and pending ballots, are counted against the reported margin.
import { pairs, type Contest } from './contest.js';
import { AuditMathError } from './bravo.js';

/** Votes per choice in one batch, and the ballots the batch holds. */
export interface BatchTally {
  readonly votes: Readonly<Record<string, number>>;
  readonly ballots: number;
}

/** Ballots in the contest's totals that no batch tally accounts for. */
export function unauditableBallots(batches: ReadonlyMap<string, BatchTally>, contest: Contest): number {
  let fromBatches = 0;
  for (const b of batches.values()) for (const c of Object.keys(contest.candidates)) fromBatches += b.votes[c] ?? 0;
  const reported = Object.values(contest.candidates).reduce((a, b) => a + b, 0);
  return Math.ceil((reported - fromBatches) / contest.votesAllowed);
}

function pairMargin(contest: Contest, w: string, l: string, unauditable: number): number {
  return contest.candidates[w]! - contest.candidates[l]! - contest.pendingBallots - unauditable;
}

/** u_p: the largest relative overstatement the batch could hide. */
export function maxBatchError(batch: BatchTally | undefined, contest: Contest, unauditable: number): number {
  if (!batch) return 0;
  let error = 0;
  for (const [w, l] of pairs(contest)) {
    const V = pairMargin(contest, w, l, unauditable);
    if (V <= 0) return Infinity;
    error = Math.max(error, ((batch.votes[w] ?? 0) - (batch.votes[l] ?? 0) + batch.ballots) / V);
  }
  return error;
}

export function totalMaxError(batches: ReadonlyMap<string, BatchTally>, contest: Contest): number {
  const unauditable = unauditableBallots(batches, contest);
  let U = 0;
  for (const b of batches.values()) U += maxBatchError(b, contest, unauditable);
  return U;
}

/** e_p: the batch's largest relative overstatement as counted; null when the count matches. */
export function batchError(reported: BatchTally, audited: Readonly<Record<string, number>>, contest: Contest, unauditable: number): { countedAs: number; weightedError: number } | null {
  let worst: { countedAs: number; weightedError: number } | null = null;
  for (const [w, l] of pairs(contest)) {
    const error = (reported.votes[w] ?? 0) - (reported.votes[l] ?? 0) - ((audited[w] ?? 0) - (audited[l] ?? 0));
    if (error === 0) continue;
    const V = pairMargin(contest, w, l, unauditable);
    const weightedError = V > 0 ? error / V : Infinity;
    if (!worst || weightedError > worst.weightedError) worst = { countedAs: error, weightedError };
  }
  return worst;
}

export interface SampledBatch {
  readonly batch: string;
  readonly ticket: string;
  readonly audited: Readonly<Record<string, number>>;
}

/** Risk from the audited batches (each draw counts, in ticket order); confirmed when at or under the limit. */
export function batchComparisonRisk(riskLimitPercent: number, contest: Contest, batches: ReadonlyMap<string, BatchTally>, sample: readonly SampledBatch[]): { risk: number; confirmed: boolean } {
  const alpha = riskLimitPercent / 100;
  const distinct = new Set(sample.map((s) => s.batch));
  if (distinct.size >= batches.size) return { risk: 0, confirmed: true };
  const U = totalMaxError(batches, contest);
  const unauditable = unauditableBallots(batches, contest);
  let p = 1;
  for (const s of [...sample].sort((a, b) => (a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : 0))) {
    const reported = batches.get(s.batch);
    if (!reported) continue;
    const e = batchError(reported, s.audited, contest, unauditable);
    const ep = e && e.countedAs > 0 ? e.weightedError : 0;
    const up = maxBatchError(reported, contest, unauditable);
    if (!Number.isFinite(ep) || !Number.isFinite(up)) return { risk: 1, confirmed: false };
    const taint = up === 0 ? 0 : ep / up;
    if (taint >= 1) return { risk: 1, confirmed: false };
    p *= (1 - 1 / U) / (1 - taint);
  }
  return { risk: Math.min(p, 1), confirmed: p <= alpha };
}

/** Batches to draw next: enough to reach the limit if no more error turns up, plus one for small discrepancies. */
export function batchComparisonSampleSize(riskLimitPercent: number, contest: Contest, batches: ReadonlyMap<string, BatchTally>, sample: readonly SampledBatch[] = []): number {
  const alpha = riskLimitPercent / 100;
  if (!(alpha < 1)) throw new AuditMathError('The risk limit must be less than 100%');
  if (!Object.keys(contest.losers).length) throw new AuditMathError('Contest must have candidates who did not win');
  if (new Set(sample.map((s) => s.batch)).size >= batches.size) throw new AuditMathError('All batches have already been counted');
  const U = totalMaxError(batches, contest);
  if (!Number.isFinite(U)) return batches.size;
  if (U <= 1) throw new AuditMathError('The batches cannot hold enough error to change the outcome; there is nothing to sample');
  const { risk, confirmed } = batchComparisonRisk(riskLimitPercent, contest, batches, sample);
  if (confirmed) return 0;
  const est = (Math.log(alpha) - Math.log(risk)) / Math.log(1 - 1 / U);
  return Math.min(Math.ceil(est) + 1, batches.size);
}

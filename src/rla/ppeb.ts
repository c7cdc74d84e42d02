// Batch draws for batch-comparison audits: probability proportional to each batch's error bound (PPEB; Aslam,
// Popa and Rivest 2008), drawn as Arlo draws them — NumPy's default_rng seeded with the SHA-256 of the audit seed,
// then a consistent-sampler ticket per draw so that draws sort and print like ballot draws. When the batches drawn
// would reach every batch, the audit is a full hand count and every remaining batch is drawn.
import { NumpyGenerator } from './numpy-random.js';
import { ARLO_TICKET_DIGITS, firstFraction, nextFraction, sha256Hex, trimTicket } from './sampler.js';
import { pyRepr } from './python-repr.js';
import { maxBatchError, totalMaxError, unauditableBallots, type BatchTally } from './macro.js';
import type { Contest } from './contest.js';

export interface BatchKey {
  readonly county: string;
  readonly batch: string;
}

export interface BatchDraw {
  readonly ticket: string;
  readonly key: BatchKey;
}

const keyText = (k: BatchKey): string => pyRepr([k.county, k.batch]);

/** Python's order on (county, batch) tuples: code point by code point. */
export function compareKeys(a: BatchKey, b: BatchKey): number {
  const cmp = (x: string, y: string) => {
    const xs = [...x];
    const ys = [...y];
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
      const d = xs[i]!.codePointAt(0)! - ys[i]!.codePointAt(0)!;
      if (d) return d;
    }
    return xs.length - ys.length;
  };
  return cmp(a.county, b.county) || cmp(a.batch, b.batch);
}

/**
 * Draws `size` more batches after `previous` (earlier rounds' draws, in order). `batches` is in the order the
 * generator's weights are laid out; the same order gives the same draws.
 */
export function drawPpebSample(seed: string, contest: Contest, batches: ReadonlyArray<readonly [BatchKey, BatchTally | undefined]>, size: number, previous: readonly BatchKey[]): BatchDraw[] {
  const tallies = new Map(batches.filter((b): b is [BatchKey, BatchTally] => b[1] !== undefined).map(([k, t]) => [keyText(k), t]));
  const U = totalMaxError(tallies, contest);
  if (U === 0) return [];
  const unauditable = unauditableBallots(tallies, contest);
  const weights = batches.map(([, t]) => maxBatchError(t, contest, unauditable) / U);
  const cumulative = previous.length + size;
  let keys: BatchKey[];
  if (cumulative >= batches.length) {
    const seen = new Set(previous.map(keyText));
    keys = [...previous, ...batches.map(([k]) => k).filter((k) => !seen.has(keyText(k))).sort(compareKeys)];
  } else {
    const generator = new NumpyGenerator(BigInt(`0x${sha256Hex(seed)}`));
    keys = generator.choiceWeighted(weights, cumulative).map((i) => batches[i]![0]);
  }
  const last = new Map<string, string>();
  const draws: BatchDraw[] = keys.map((key) => {
    const text = keyText(key);
    const before = last.get(text);
    const ticket = trimTicket(before === undefined ? firstFraction(text, seed) : nextFraction(before), ARLO_TICKET_DIGITS);
    last.set(text, ticket);
    return { ticket, key };
  });
  return draws.slice(previous.length);
}

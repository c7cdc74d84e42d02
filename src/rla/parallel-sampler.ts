// Sampling a large manifest on every core: each worker hashes its share of the batches and keeps its own
// smallest tickets; the shares' candidates are merged, so the sample is the same as one thread's (the consistent
// sampler's tickets do not depend on which ballots are hashed together). Running from TypeScript sources (tests,
// tsx) there is no compiled worker file, and the sample is drawn in this thread.
import os from 'node:os';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TicketSelector, drawFromCandidates, offerBatches, type BallotRef, type Draw, type ManifestBatch } from './sampler.js';

const WORKER_URL = new URL('./sample-worker.js', import.meta.url);
/** Below this many ballots a worker's start-up costs more than it saves. */
const PARALLEL_FROM = 200_000;

export interface WorkerShare {
  seed: string;
  batches: ManifestBatch[];
  take: number;
}

export type WorkerCandidate = { ticket: string; item: BallotRef; generation: number };

function shares(batches: readonly ManifestBatch[], n: number): ManifestBatch[][] {
  const out: ManifestBatch[][] = Array.from({ length: n }, () => []);
  const loads = new Array<number>(n).fill(0);
  for (const b of [...batches].sort((x, y) => y.ballots - x.ballots)) {
    let min = 0;
    for (let i = 1; i < n; i++) if (loads[i]! < loads[min]!) min = i;
    out[min]!.push(b);
    loads[min]! += b.ballots;
  }
  return out;
}

function runWorker(share: WorkerShare): Promise<WorkerCandidate[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: share });
    worker.once('message', (m: WorkerCandidate[]) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`a sampling worker stopped with code ${code}`));
    });
  });
}

/** sampleBallots on up to `threads` cores; the same draws as the single-threaded sampler. */
export async function sampleBallotsParallel(seed: string, batches: readonly ManifestBatch[], take: number, withReplacement = true, threads = os.availableParallelism()): Promise<Draw<BallotRef>[]> {
  const total = batches.reduce((n, b) => n + b.ballots, 0);
  const selector = new TicketSelector<BallotRef>(take);
  const compiled = fs.existsSync(fileURLToPath(WORKER_URL));
  if (threads <= 1 || total < PARALLEL_FROM || !compiled || batches.length < 2) {
    offerBatches(seed, batches, selector);
  } else {
    const parts = shares(batches, Math.min(threads, batches.length)).filter((p) => p.length > 0);
    const results = await Promise.all(parts.map((p) => runWorker({ seed, batches: p, take })));
    for (const r of results) selector.absorb(r);
  }
  return drawFromCandidates(selector.candidates(), take, withReplacement);
}

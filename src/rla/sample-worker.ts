// A sampling worker: hashes its share of a manifest's ballots and sends back its smallest first tickets.
import { parentPort, workerData } from 'node:worker_threads';
import { TicketSelector, offerBatches, type BallotRef } from './sampler.js';
import type { WorkerShare } from './parallel-sampler.js';

const share = workerData as WorkerShare;
const selector = new TicketSelector<BallotRef>(share.take);
offerBatches(share.seed, share.batches, selector);
parentPort!.postMessage(selector.candidates());

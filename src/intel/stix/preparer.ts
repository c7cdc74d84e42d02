// Batches of STIX objects are got ready (prepare.ts) on a worker thread: reading, checking and serialising a
// bundle of a few megabytes takes tens of milliseconds that the main thread spends on the database instead
// (the embedded database runs on the main thread itself). One worker takes the batches in the order they
// come, so the first bundle reaches the database while the next is being checked. Small batches are prepared
// in place; so is everything when no worker can start (they are then all still stored, only more slowly).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepareBatch, type Prepared, type PrepareTask } from './prepare.js';

/** Below this much input a batch is prepared in place: handing it over costs more than it saves. */
const IN_PLACE_BYTES = 64 * 1024;
const IN_PLACE_OBJECTS = 100;

const COMPILED = new URL('./prepare-worker.js', import.meta.url);
const SOURCE = new URL('./prepare-worker.ts', import.meta.url);

/**
 * A young generation large enough for a bundle's parsed objects to die young rather than be promoted and
 * compacted (with the default, collecting garbage took a fifth of its working time).
 */
const LIMITS = { maxYoungGenerationSizeMb: 64 };

interface Waiting {
  readonly task: PrepareTask;
  readonly resolve: (p: Prepared) => void;
  readonly reject: (e: Error) => void;
}

function inPlace(task: PrepareTask): Promise<Prepared> {
  try {
    return Promise.resolve(withBuffers(prepareBatch(task)));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

export class StixPreparer {
  private worker: Worker | null = null;
  /** Set when a worker could not start: everything is then prepared in place. */
  private unavailable = false;
  /** The worker said it loaded (a worker that stops before that could not start here). */
  private ready = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  /** `workerSource`: another worker module to run from sources (tests of a worker that cannot start). */
  constructor(private readonly workerSource: URL = SOURCE) {}

  prepare(task: PrepareTask): Promise<Prepared> {
    const small = task.objects ? task.objects.length < IN_PLACE_OBJECTS : (task.envelope?.length ?? 0) < IN_PLACE_BYTES;
    const worker = small ? null : this.start();
    if (!worker) return inPlace(task);
    const id = this.nextId++;
    return new Promise<Prepared>((resolve, reject) => {
      this.waiting.set(id, { task, resolve, reject });
      worker.postMessage({ id, task });
    });
  }

  /**
   * Starts the worker now rather than with the first large batch, where a compiled worker exists (a built
   * server); running from the TypeScript sources it still starts when first needed.
   */
  warm(): void {
    if (fs.existsSync(fileURLToPath(COMPILED))) this.start();
  }

  /** Whether a worker is running (it starts with the first large batch). */
  get working(): boolean {
    return this.worker !== null;
  }

  /** Ends the worker; a later batch starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker | null {
    if (this.worker || this.unavailable) return this.worker;
    let worker: Worker;
    try {
      if (this.workerSource === SOURCE && fs.existsSync(fileURLToPath(COMPILED))) {
        worker = new Worker(COMPILED, { resourceLimits: LIMITS });
      } else {
        // Running from the TypeScript sources (tests, development): the worker compiles them as it loads them.
        worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(this.workerSource.href)}); })`, { eval: true, resourceLimits: LIMITS });
      }
    } catch {
      this.unavailable = true;
      return null;
    }
    // It does not keep the process alive by itself.
    worker.unref();
    this.ready = false;
    worker.on('message', (m: { ready?: true; id: number; result?: Prepared; failed?: string }) => {
      if (m.ready) {
        this.ready = true;
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.result) w.resolve(withBuffers(m.result));
      else w.reject(new Error(`preparing STIX objects failed: ${m.failed ?? 'no reason given'}`));
    });
    const lost = (why: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const waiting = [...this.waiting.values()];
      this.waiting.clear();
      if (!this.ready) {
        // It never started (no compiled worker and no TypeScript loader): what it was given is prepared here.
        this.unavailable = true;
        for (const w of waiting) inPlace(w.task).then(w.resolve, w.reject);
      } else {
        // It stopped while working: those batches fail (nothing of them was stored); the next starts a new worker.
        for (const w of waiting) w.reject(why);
      }
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the STIX worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** Bytes handed over from the worker arrive as a plain Uint8Array; the database drivers take Buffers. */
function withBuffers(p: Prepared): Prepared {
  if (!p.ok) return p;
  return { ...p, chunks: p.chunks.map((c) => (c.bytes ? { ...c, bytes: Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength) } : c)) };
}

/** The one preparer of the process (its worker starts with the first large batch). */
export const stixPreparer = new StixPreparer();

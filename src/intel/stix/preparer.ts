// Batches of STIX objects are got ready (prepare.ts) on a worker thread: reading, checking and serialising a
// bundle of a few megabytes takes tens of milliseconds that the main thread spends on the database instead
// (the embedded database runs on the main thread itself). The worker takes the batches one at a time in the
// order they come and sends each part of a batch as soon as it is ready, so the database stores one part, or
// one bundle, while the next is checked. Small batches are prepared in place; so is everything when no worker
// can start (they are then all still stored, only more slowly).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepareParts, type PreparedEnd, type PreparedPart, type PrepareTask } from './prepare.js';

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

/** The parts of one batch as they come, then how it ended. */
export class PreparedStream {
  private readonly parts: PreparedPart[] = [];
  private waiter: { resolve: (p: PreparedPart | null) => void; reject: (e: Error) => void } | null = null;
  private ended: PreparedEnd | null = null;
  private error: Error | null = null;

  /** The next part, or null once the batch has ended. */
  next(): Promise<PreparedPart | null> {
    const part = this.parts.shift();
    if (part) return Promise.resolve(part);
    if (this.error) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * The parts already here, without waiting, as long as they hold at most `room` objects together (none when
   * the next is larger).
   */
  takeReady(room: number): PreparedPart[] {
    const taken: PreparedPart[] = [];
    while (this.parts.length && this.parts[0]!.keys.length <= room) {
      const part = this.parts.shift()!;
      room -= part.keys.length;
      taken.push(part);
    }
    return taken;
  }

  /** How the batch ended; call after next() has answered null. */
  get end(): PreparedEnd {
    if (!this.ended) throw new Error('the batch has not ended yet');
    return this.ended;
  }

  push(part: PreparedPart): void {
    const w = this.waiter;
    this.waiter = null;
    if (w) w.resolve(part);
    else this.parts.push(part);
  }

  finish(end: PreparedEnd): void {
    this.ended = end;
    const w = this.waiter;
    this.waiter = null;
    w?.resolve(null);
  }

  fail(error: Error): void {
    this.error = error;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(error);
  }
}

function inPlace(task: PrepareTask, stream: PreparedStream): PreparedStream {
  try {
    stream.finish(prepareParts(task, (part) => stream.push(withBuffer(part))));
  } catch (error) {
    stream.fail(error as Error);
  }
  return stream;
}

interface Waiting {
  readonly task: PrepareTask;
  readonly stream: PreparedStream;
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

  prepare(task: PrepareTask): PreparedStream {
    const small = task.objects ? task.objects.length < IN_PLACE_OBJECTS : (task.envelope?.length ?? 0) < IN_PLACE_BYTES;
    const worker = small ? null : this.start();
    if (!worker) return inPlace(task, new PreparedStream());
    const id = this.nextId++;
    const stream = new PreparedStream();
    this.waiting.set(id, { task, stream });
    worker.postMessage({ id, task });
    return stream;
  }

  /**
   * Starts the worker now rather than with the first large batch, where a compiled worker exists (a built
   * server), and has it warm up its checks (with the OASIS schemas of `schemaDir`, if any); running from the
   * TypeScript sources it still starts when first needed.
   */
  warm(schemaDir: string | null): void {
    if (fs.existsSync(fileURLToPath(COMPILED))) this.start({ warmUp: { schemaDir } });
  }

  /** Whether a worker is running (it starts with the first large batch). */
  get working(): boolean {
    return this.worker !== null;
  }

  /** Ends the worker (batches it had not finished fail); a later batch starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const w of this.waiting.values()) w.stream.fail(new Error('the STIX worker was stopped'));
    this.waiting.clear();
    if (worker) await worker.terminate();
  }

  private start(workerData?: { warmUp: { schemaDir: string | null } }): Worker | null {
    if (this.worker || this.unavailable) return this.worker;
    let worker: Worker;
    try {
      if (this.workerSource === SOURCE && fs.existsSync(fileURLToPath(COMPILED))) {
        worker = new Worker(COMPILED, { resourceLimits: LIMITS, ...(workerData ? { workerData } : {}) });
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
    worker.on('message', (m: { ready?: true; id: number; part?: PreparedPart; end?: PreparedEnd; failed?: string }) => {
      if (m.ready) {
        this.ready = true;
        return;
      }
      const w = this.waiting.get(m.id);
      if (!w) return;
      if (m.part) return w.stream.push(withBuffer(m.part));
      this.waiting.delete(m.id);
      if (m.end) w.stream.finish(m.end);
      else w.stream.fail(new Error(`preparing STIX objects failed: ${m.failed ?? 'no reason given'}`));
    });
    const lost = (why: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const waiting = [...this.waiting.values()];
      this.waiting.clear();
      if (!this.ready) {
        // It never started (no compiled worker and no TypeScript loader): what it was given is prepared here.
        this.unavailable = true;
        for (const w of waiting) inPlace(w.task, w.stream);
      } else {
        // It stopped while working: those batches fail (what was stored of them is rolled back); the next batch
        // starts a new worker.
        for (const w of waiting) w.stream.fail(why);
      }
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the STIX worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** Bytes handed over from the worker arrive as a plain Uint8Array; the database drivers take Buffers. */
function withBuffer(p: PreparedPart): PreparedPart {
  return Buffer.isBuffer(p.bytes) ? p : { ...p, bytes: Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength) };
}

/** The one preparer of the process (its worker starts with the first large batch). */
export const stixPreparer = new StixPreparer();

// The durable job queue: jobs are rows, written in the caller's transaction (so a job exists exactly when the
// change that asked for it committed). Workers claim due jobs with FOR UPDATE SKIP LOCKED under a lease, so
// any number of worker processes on one PostgreSQL share the work and a crashed worker's jobs run again.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../db/client.js';
import { rowsOf } from '../db/client.js';
import { jobs } from './schema.js';

export interface EnqueueOptions {
  readonly runAt?: Date;
  readonly maxAttempts?: number;
}

/** Adds a job inside the caller's transaction; call `queue.kick()` after commit to start it at once. */
export async function enqueue(tx: Tx, kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<number> {
  const [row] = await tx
    .insert(jobs)
    .values({ kind, payload, ...(options.runAt ? { runAt: options.runAt } : {}), ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) })
    .returning({ id: jobs.id });
  return row!.id;
}

export interface ClaimedJob {
  readonly id: number;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly maxAttempts: number;
}

/** A failure that retrying cannot fix (the job is marked failed at once). */
export class PermanentJobError extends Error {}

export type JobHandler = (payload: unknown, job: ClaimedJob) => Promise<void>;

export interface WorkerOptions {
  readonly db: Db;
  readonly log: Logger;
  readonly workerId: string;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly concurrency?: number;
  readonly pollMs?: number;
  readonly leaseMs?: number;
}

/** Delay before attempt n+1: exponential from 2 s, capped at 30 min, with ±25 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(30 * 60_000, 2000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

export class JobWorker {
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private again = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due jobs now (after an enqueue in this process). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running > 0 || this.polling) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private settle(): void {
    if (this.running > 0 || this.polling) return;
    const waiting = [...this.idle];
    this.idle.clear();
    for (const resolve of waiting) resolve();
  }

  private async poll(): Promise<void> {
    this.timer = null;
    if (this.stopped) return this.settle();
    this.polling = true;
    this.again = false;
    let claimed: ClaimedJob[] = [];
    try {
      const free = (this.options.concurrency ?? 4) - this.running;
      if (free > 0) claimed = await this.claim(free);
    } catch (error) {
      this.options.log.error({ err: error }, 'claiming jobs failed');
    } finally {
      this.polling = false;
    }
    for (const job of claimed) void this.run(job);
    this.settle();
    this.schedule(claimed.length > 0 || this.again ? 0 : (this.options.pollMs ?? 500));
  }

  private async claim(limit: number): Promise<ClaimedJob[]> {
    const lease = `${Math.round((this.options.leaseMs ?? 60_000) / 1000)} seconds`;
    const kinds = Object.keys(this.options.handlers);
    if (kinds.length === 0) return [];
    const result = await this.options.db.execute(sql`
      update ${jobs} set state = 'running', attempts = ${jobs.attempts} + 1, locked_until = now() + ${lease}::interval, locked_by = ${this.options.workerId}
      where ${jobs.id} in (
        select id from ${jobs}
        where kind in (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})
          and ((state = 'queued' and run_at <= now()) or (state = 'running' and locked_until < now()))
        order by run_at, id
        limit ${limit}
        for update skip locked)
      returning id, kind, payload, attempts, max_attempts`);
    return rowsOf<{ id: string | number; kind: string; payload: unknown; attempts: number; max_attempts: number }>(result).map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      payload: r.payload,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
    }));
  }

  private async run(job: ClaimedJob): Promise<void> {
    this.running += 1;
    const { db, log, handlers, workerId } = this.options;
    try {
      const handler = handlers[job.kind];
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      await handler(job.payload, job);
      await db.execute(sql`update ${jobs} set state = 'done', finished_at = now(), locked_until = null, last_error = null where id = ${job.id} and locked_by = ${workerId}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      log[permanent ? 'error' : 'warn']({ job: { id: job.id, kind: job.kind, attempts: job.attempts }, err: message }, permanent ? 'job failed for good' : 'job failed; will retry');
      if (permanent) {
        await db.execute(sql`update ${jobs} set state = 'failed', finished_at = now(), locked_until = null, last_error = ${message} where id = ${job.id}`).catch(() => undefined);
      } else {
        const runAt = new Date(Date.now() + backoffMs(job.attempts));
        await db.execute(sql`update ${jobs} set state = 'queued', run_at = ${runAt.toISOString()}::timestamptz, locked_until = null, last_error = ${message} where id = ${job.id}`).catch(() => undefined);
      }
    } finally {
      this.running -= 1;
      this.settle();
      this.schedule(0);
    }
  }
}

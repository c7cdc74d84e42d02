// The job queue: several workers share the jobs and run each once; failures retry with backoff and end as
// failed; a job whose worker died (expired lease) runs again. On PostgreSQL the workers use separate pools.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { freshDatabase, openTestDatabase, type TestDatabase } from '../../../test/harness.js';
import { migrate, type Database } from '../db/client.js';
import { JobWorker, PermanentJobError, backoffMs, enqueue } from './queue.js';
import { jobs } from './schema.js';

const log = pino({ level: 'silent' });

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('job queue', () => {
  let tdb: TestDatabase;
  let a: Database;
  let b: Database;

  beforeAll(async () => {
    tdb = await freshDatabase();
    a = await openTestDatabase(tdb);
    await migrate(a);
    // A second connection pool on PostgreSQL, as a second worker process would have; PGlite has one.
    b = tdb.url ? await openTestDatabase(tdb) : a;
  });
  afterAll(async () => {
    if (b !== a) await b.close();
    await a.close();
    await tdb.drop();
  });

  it('two workers run each of many jobs exactly once', async () => {
    const runs = new Map<number, string[]>();
    const handler = (name: string) => async (payload: unknown) => {
      const n = (payload as { n: number }).n;
      runs.set(n, [...(runs.get(n) ?? []), name]);
      await new Promise((r) => setTimeout(r, 2));
    };
    for (let n = 0; n < 60; n += 1) await enqueue(a.db, 'count', { n });
    const w1 = new JobWorker({ db: a.db, log, workerId: 'w1', handlers: { count: handler('w1') }, pollMs: 20 });
    const w2 = new JobWorker({ db: b.db, log, workerId: 'w2', handlers: { count: handler('w2') }, pollMs: 20 });
    w1.start();
    w2.start();
    await until('all jobs done', async () => (await a.db.select({ n: sql<number>`count(*)::int` }).from(jobs).where(sql`kind = 'count' and state = 'done'`))[0]!.n === 60);
    await Promise.all([w1.stop(), w2.stop()]);
    expect([...runs.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect([...runs.values()].every((who) => who.length === 1)).toBe(true);
    if (b !== a) expect(new Set([...runs.values()].flat()).size).toBe(2); // both took a share
  });

  it('retries a failing job, then marks it failed with the last error', async () => {
    let calls = 0;
    const id = await enqueue(a.db, 'flaky', {}, { maxAttempts: 2 });
    const w = new JobWorker({ db: a.db, log, workerId: 'w', handlers: { flaky: async () => void (calls += 1, (() => { throw new Error(`boom ${calls}`); })()) }, pollMs: 20 });
    w.start();
    await until('first failure', async () => (await a.db.select().from(jobs).where(eq(jobs.id, id)))[0]!.attempts === 1 && calls === 1);
    // Make the retry due now instead of after the backoff.
    await a.db.update(jobs).set({ runAt: new Date(Date.now() - 1000) }).where(sql`${jobs.id} = ${id} and state = 'queued'`);
    await until('failed for good', async () => (await a.db.select().from(jobs).where(eq(jobs.id, id)))[0]!.state === 'failed');
    await w.stop();
    const [row] = await a.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row).toMatchObject({ state: 'failed', attempts: 2, lastError: 'boom 2' });
  });

  it('does not retry a permanent failure', async () => {
    const id = await enqueue(a.db, 'hopeless', {}, { maxAttempts: 5 });
    const w = new JobWorker({ db: a.db, log, workerId: 'w', handlers: { hopeless: async () => { throw new PermanentJobError('no such receiver'); } }, pollMs: 20 });
    w.start();
    await until('failed', async () => (await a.db.select().from(jobs).where(eq(jobs.id, id)))[0]!.state === 'failed');
    await w.stop();
    expect((await a.db.select().from(jobs).where(eq(jobs.id, id)))[0]).toMatchObject({ attempts: 1, lastError: 'no such receiver' });
  });

  it('runs again a job whose worker died holding it', async () => {
    const id = await enqueue(a.db, 'orphan', {});
    // A worker claimed it and vanished: running, lease already expired.
    await a.db.update(jobs).set({ state: 'running', attempts: 1, lockedBy: 'dead', lockedUntil: new Date(Date.now() - 1000) }).where(eq(jobs.id, id));
    let ran = 0;
    const w = new JobWorker({ db: a.db, log, workerId: 'alive', handlers: { orphan: async () => void (ran += 1) }, pollMs: 20 });
    w.start();
    await until('done', async () => (await a.db.select().from(jobs).where(eq(jobs.id, id)))[0]!.state === 'done');
    await w.stop();
    expect(ran).toBe(1);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, () => 0.5)).toBe(2000);
    expect(backoffMs(3, () => 0.5)).toBe(8000);
    expect(backoffMs(50, () => 0.5)).toBe(30 * 60_000);
    expect(backoffMs(2, () => 0)).toBe(3000);
    expect(backoffMs(2, () => 1)).toBe(5000);
  });
});

// The embedded database's autovacuum. PGlite runs no background workers, so without this the rows that
// updates and deletes leave behind are never removed: queue tables updated once per row (the event outbox
// gets its delivery position, the audit log its hash, jobs their state) keep every old version in their
// indexes, and the queries that look for the next rows to work on visit all of them — on an election-day
// intake the outbox relay spent 6 ms a pass reading 40,000 dead rows to find 30 new ones. Every few seconds
// this looks at the database's own counters and vacuums the tables with more dead rows than live ones allow,
// one at a time, as PostgreSQL's autovacuum would on a server (where this does not run).
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { rowsOf, type Db } from './client.js';

/** A table is vacuumed once its dead rows pass this many plus SCALE × its live rows. */
const THRESHOLD = 1_000;
const SCALE = 0.05;
const INTERVAL_MS = 3_000;

export class EmbeddedVacuum {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  /** Tables vacuumed, for /metrics and tests. */
  vacuums = 0;

  constructor(private readonly db: Db, private readonly log: Logger, private readonly intervalMs = INTERVAL_MS) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.pass().finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Vacuums every table that needs it now; returns their names. */
  async pass(): Promise<string[]> {
    const done: string[] = [];
    try {
      // Counters reach the statistics views when a transaction ends; this makes the pending ones arrive now.
      await this.db.execute(sql`select pg_stat_force_next_flush()`);
      const due = rowsOf<{ name: string }>(
        await this.db.execute(sql`select format('%I.%I', schemaname, relname) as name from pg_stat_user_tables
          where n_dead_tup > ${THRESHOLD} + ${SCALE}::float8 * n_live_tup order by n_dead_tup desc`),
      );
      for (const { name } of due) {
        if (this.stopped) break;
        await this.db.execute(sql.raw(`vacuum ${name}`));
        this.vacuums += 1;
        done.push(name);
      }
    } catch (error) {
      // The database closed, or is shutting down: vacuuming is upkeep, never an error for anyone.
      if (!this.stopped) this.log.warn({ err: error }, 'vacuum of the embedded database failed; will retry');
    }
    return done;
  }
}

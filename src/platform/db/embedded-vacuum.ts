// The embedded database's autovacuum. PGlite runs no background workers, so without this the rows that
// updates and deletes leave behind are never removed: queue tables updated once per row (the event outbox
// gets its delivery position, the audit log its hash, jobs their state) keep every old version in their
// indexes, and the queries that look for the next rows to work on visit all of them — on an election-day
// intake the outbox relay spent 6 ms a pass reading 40,000 dead rows to find 30 new ones. Every few seconds
// this looks at the database's own counters and vacuums the tables with more dead rows than live ones allow,
// one at a time, as PostgreSQL's autovacuum would on a server (where this does not run). Those counters
// start from zero at every open (the embedded database keeps them in memory only), so the dead rows they show
// at close are written beside the data and counted again at the next open.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from './client.js';
import { rowsOf } from './rows.js';

const FILE = 'dead-rows.json';

/** Dead rows per table left at the last close (the file is read once and removed: a crash forgets them). */
export function readCarriedDeadRows(dataDir: string): Map<string, number> {
  const file = path.join(dataDir, FILE);
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.rmSync(file, { force: true });
    return new Map(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0));
  } catch {
    return new Map();
  }
}

/** Each table's dead and live rows as the database counts them now (pending counters flushed first). */
async function rowCounts(db: Db): Promise<Array<{ name: string; dead: number; live: number }>> {
  // Counters reach the statistics views when a transaction ends; this makes the pending ones arrive now.
  await db.execute(sql`select pg_stat_force_next_flush()`);
  const rows = rowsOf<{ name: string; dead: number; live: number }>(
    await db.execute(sql`select format('%I.%I', s.schemaname, s.relname) as name, s.n_dead_tup::float8 as dead,
        greatest(s.n_live_tup, c.reltuples)::float8 as live
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid`),
  );
  return rows.map((r) => ({ name: r.name, dead: Number(r.dead), live: Number(r.live) }));
}

/** Writes the dead rows not yet vacuumed (the counters' and those still carried) for the next open. */
export async function saveDeadRows(db: Db, dataDir: string, carried: ReadonlyMap<string, number>): Promise<void> {
  const counts = new Map(carried);
  for (const t of await rowCounts(db)) if (t.dead > 0) counts.set(t.name, (counts.get(t.name) ?? 0) + t.dead);
  if (counts.size) fs.writeFileSync(path.join(dataDir, FILE), JSON.stringify(Object.fromEntries(counts)));
}

/** A table is vacuumed once its dead rows pass this many plus SCALE × its live rows. */
const THRESHOLD = 1_000;
const SCALE = 0.05;
const INTERVAL_MS = 3_000;

export class EmbeddedVacuum {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  /** How many tables this has vacuumed (tests read it). */
  vacuums = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    /** Dead rows from before this open (see `readCarriedDeadRows`). */
    private readonly carried: Map<string, number> = new Map(),
    private readonly intervalMs = INTERVAL_MS,
  ) {}

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
      const due = (await rowCounts(this.db))
        .map((t) => ({ ...t, dead: t.dead + (this.carried.get(t.name) ?? 0) }))
        .filter((t) => t.dead > THRESHOLD + SCALE * t.live)
        .sort((a, b) => b.dead - a.dead);
      for (const { name } of due) {
        if (this.stopped) break;
        await this.db.execute(sql.raw(`vacuum ${name}`));
        this.carried.delete(name);
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

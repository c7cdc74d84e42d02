// Keeps the planner's statistics fresh after bulk writes. PostgreSQL's autovacuum does this on a server, but
// the embedded database (PGlite) runs no autovacuum and tracks no table statistics, so a table that grew from
// a thousand rows to a million keeps its old estimates and the planner picks sorts over index scans. Writers
// that add rows in bulk say so here; a table is analysed in the background once the rows written since its
// last analysis pass 10 % of its size (and 1,000), a few seconds after the burst, at least every 30 s while
// the burst goes on, and at once whenever the table has doubled. That analysis at once, in the middle of a
// burst, reads a small sample (a tenth of the usual): it is there to tell the planner the table's new size
// and rough make-up, and a full one follows when the burst is over. (A full analysis reads 30,000 rows of
// every size of table; of a STIX store of 20,000 rows, it took 160 ms, and the burst's doublings one after
// the other took about a tenth of the machine's time while they went on.)
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client.js';

const DEBOUNCE_MS = 2_000;
const MAX_WAIT_MS = 30_000;
const MIN_ROWS = 1_000;
/** The statistics target of an analysis in the middle of a burst (the server's default is 100). */
const QUICK_TARGET = 10;

export interface TableStatsOptions {
  /** Quiet time after the last write before the analysis (tests shorten it). */
  readonly debounceMs?: number;
}

export class TableStats {
  private readonly written = new Map<string, number>();
  private readonly size = new Map<string, number>();
  /** Tables analysed quickly during a burst, owed a full analysis when it is over. */
  private readonly owedFull = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private firstPending = 0;
  private running = false;
  private readonly debounceMs: number;

  constructor(
    private readonly db: Db,
    options: TableStatsOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  }

  note(table: string, rows: number): void {
    const written = (this.written.get(table) ?? 0) + rows;
    this.written.set(table, written);
    // A table that has doubled since its last analysis is planned wrongly right now: analyse at once.
    const known = this.size.get(table);
    if ((known === undefined || written >= Math.max(MIN_ROWS, known)) && written >= MIN_ROWS && !this.running) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.run(true);
      return;
    }
    this.arm();
  }

  /** Resolves once no analysis is running or waiting (tests). */
  async settled(): Promise<void> {
    while (this.running || this.timer) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** (Re)starts the quiet-time timer, never putting the analysis off more than MAX_WAIT_MS. */
  private arm(): void {
    const now = Date.now();
    if (!this.timer) this.firstPending = now;
    else clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstPending + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => void this.run(false), wait);
    this.timer.unref();
  }

  private async run(quick: boolean): Promise<void> {
    this.timer = null;
    if (this.running) {
      // One analysis at a time; look again after this one.
      this.arm();
      return;
    }
    this.running = true;
    try {
      const tables = new Set([...this.written.keys(), ...(quick ? [] : this.owedFull)]);
      for (const table of tables) {
        const rows = this.written.get(table) ?? 0;
        const known = this.size.get(table) ?? (await this.estimate(table));
        if (rows < Math.max(MIN_ROWS, known * 0.1) && !(!quick && this.owedFull.has(table))) continue;
        this.written.delete(table);
        if (quick) {
          await this.db.transaction(async (tx) => {
            await tx.execute(sql.raw(`set local default_statistics_target = ${QUICK_TARGET}`));
            await tx.execute(sql`analyze ${sql.identifier(table)}`);
          });
          this.owedFull.add(table);
        } else {
          await this.db.execute(sql`analyze ${sql.identifier(table)}`);
          this.owedFull.delete(table);
        }
        this.size.set(table, await this.estimate(table));
      }
    } catch {
      // The database closed, or is busy shutting down: statistics are an optimisation, never an error.
    } finally {
      this.running = false;
    }
    // The full analysis owed after a quick one comes once the writes have stopped for a while.
    if (this.owedFull.size && !this.timer) this.arm();
  }

  private async estimate(table: string): Promise<number> {
    const [row] = rowsOf<{ n: number }>(await this.db.execute(sql`select greatest(reltuples, 0)::float8 as n from pg_class where oid = to_regclass(${table})`));
    return row?.n ?? 0;
  }
}

const byDb = new WeakMap<Db, TableStats>();

/** Records that `rows` rows were written to `table`; analyses it in the background when it changed a lot. */
export function noteBulkWrites(db: Db, table: string, rows: number): void {
  let stats = byDb.get(db);
  if (!stats) {
    stats = new TableStats(db);
    byDb.set(db, stats);
  }
  stats.note(table, rows);
}

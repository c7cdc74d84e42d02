// Keeps the planner's statistics fresh after bulk writes. PostgreSQL's autovacuum does this on a server, but
// the embedded database (PGlite) runs no autovacuum and tracks no table statistics, so a table that grew from
// a thousand rows to a million keeps its old estimates and the planner picks sorts over index scans. Writers
// that add rows in bulk say so here; a table is analysed in the background once the rows written since its
// last analysis pass 10 % of its size (and 1,000), a few seconds after the burst, at least every 30 s while
// the burst goes on, and at once whenever the table has doubled.
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client.js';

const DEBOUNCE_MS = 2_000;
const MAX_WAIT_MS = 30_000;
const MIN_ROWS = 1_000;

class TableStats {
  private readonly written = new Map<string, number>();
  private readonly size = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private firstPending = 0;
  private running = false;

  constructor(private readonly db: Db) {}

  note(table: string, rows: number): void {
    const written = (this.written.get(table) ?? 0) + rows;
    this.written.set(table, written);
    const now = Date.now();
    // A table that has doubled since its last analysis is planned wrongly right now: analyse at once.
    const known = this.size.get(table);
    if ((known === undefined || written >= Math.max(MIN_ROWS, known)) && written >= MIN_ROWS && !this.running) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.run();
      return;
    }
    if (!this.timer) this.firstPending = now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, this.firstPending + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => void this.run(), wait);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (this.running) {
      // One analysis at a time; look again after this one.
      this.timer = setTimeout(() => void this.run(), DEBOUNCE_MS);
      this.timer.unref();
      return;
    }
    this.running = true;
    try {
      for (const [table, rows] of [...this.written]) {
        const known = this.size.get(table) ?? (await this.estimate(table));
        if (rows < Math.max(MIN_ROWS, known * 0.1)) continue;
        this.written.delete(table);
        await this.db.execute(sql`analyze ${sql.identifier(table)}`);
        this.size.set(table, await this.estimate(table));
      }
    } catch {
      // The database closed, or is busy shutting down: statistics are an optimisation, never an error.
    } finally {
      this.running = false;
    }
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

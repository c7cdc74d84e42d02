// Statistics after bulk writes: a table that doubles is analysed at once from a small sample, and fully once
// the writes stop; on the embedded database, or on PostgreSQL when the suite runs there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase, openTestDatabase, type TestDatabase } from '../../../test/harness.js';
import { rowsOf, type Database } from './client.js';
import { TableStats } from './table-stats.js';

describe('statistics after bulk writes', () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await freshDatabase();
    database = await openTestDatabase(testDb);
    await database.db.execute(sql`create table readings (id int primary key, county int not null)`);
  });
  afterAll(async () => {
    await database.close();
    await testDb.drop();
  });

  const addRows = (from: number, count: number) => database.db.execute(sql`insert into readings select g, g % 5000 from generate_series(${from}::int, ${from + count - 1}::int) g`);
  const histogram = async () => {
    const [row] = rowsOf<{ bounds: number | null; tuples: number }>(
      await database.db.execute(sql`select (select array_length(histogram_bounds::text::int[], 1) from pg_stats where tablename = 'readings' and attname = 'county') as bounds,
        (select reltuples::float8 from pg_class where relname = 'readings') as tuples`),
    );
    return row!;
  };

  it('samples a doubled table at once, and analyses it fully when the writes stop', async () => {
    const stats = new TableStats(database.db, { debounceMs: 400 });
    await addRows(1, 20_000);
    stats.note('readings', 20_000);
    // At once: the table's size is known, from a sample of a tenth of the usual (at most 11 histogram bounds).
    const deadline = Date.now() + 5_000;
    let seen = await histogram();
    while (seen.bounds === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = await histogram();
    }
    expect(seen.tuples).toBeGreaterThan(15_000);
    expect(seen.bounds).toBeLessThanOrEqual(11);
    // The full analysis follows once the writes have stopped.
    await stats.settled();
    const full = await histogram();
    expect(full.bounds).toBeGreaterThan(11);
    expect(full.tuples).toBe(20_000);
  });

  it('leaves a table alone while what was written is a small part of it', async () => {
    const stats = new TableStats(database.db, { debounceMs: 50 });
    await database.db.execute(sql`analyze readings`);
    await addRows(20_001, 500);
    stats.note('readings', 500);
    await stats.settled();
    expect((await histogram()).tuples).toBe(20_000);
  });
});

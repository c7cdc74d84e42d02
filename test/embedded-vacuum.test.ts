// The embedded database's autovacuum: a queue table whose rows are each updated once (the event outbox) is
// vacuumed once its dead rows pile up, and the relay's search for unsequenced events stays an index scan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { freshDatabase, openTestDatabase, type TestDatabase } from './harness.js';
import { migrate, rowsOf, type Database } from '../src/platform/db/client.js';
import { EmbeddedVacuum } from '../src/platform/db/embedded-vacuum.js';
import { eventsInsert, sequenceOutbox } from '../src/platform/events/outbox.js';

const ORG = '00000000-0000-0000-0000-0000000000a1';

describe('vacuum of the embedded database', () => {
  let db: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    db = await freshDatabase();
    database = await openTestDatabase(db);
    await migrate(database);
  });
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  const deadRows = async (table: string) => {
    await database.db.execute(sql`select pg_stat_force_next_flush()`);
    const [row] = rowsOf<{ n: number }>(await database.db.execute(sql`select n_dead_tup::int as n from pg_stat_user_tables where relname = ${table}`));
    return row?.n ?? 0;
  };

  it('leaves a table with few dead rows alone and vacuums one with many', async () => {
    const vacuum = new EmbeddedVacuum(database.db, pino({ level: 'silent' }));
    const events = Array.from({ length: 3000 }, (_, i) => ({ type: 'test.event', recordKind: 'test', recordId: String(i), sharing: { ownerOrg: ORG, authorId: null, tlp: 'GREEN' as const, recipientOrgs: [], recipientUsers: [] }, payload: { i } }));
    await eventsInsert(database.db, events.slice(0, 100));
    expect((await sequenceOutbox(database.db))?.count).toBe(100);
    expect(await vacuum.pass()).toEqual([]); // 100 dead rows: below the threshold

    for (let i = 100; i < 3000; i += 500) await eventsInsert(database.db, events.slice(i, i + 500));
    let sequenced = 0;
    for (let r = await sequenceOutbox(database.db); r && r.count; r = await sequenceOutbox(database.db)) sequenced += r.count;
    expect(sequenced).toBe(2900);
    expect(await deadRows('outbox')).toBeGreaterThan(2000);

    expect(await vacuum.pass()).toContain('public.outbox');
    expect(vacuum.vacuums).toBeGreaterThanOrEqual(1);
    expect(await deadRows('outbox')).toBe(0);
    // Nothing was lost: every event is there once, in order.
    const [count] = rowsOf<{ n: number; distinct: number; max: number }>(await database.db.execute(sql`select count(*)::int as n, count(distinct seq)::int as distinct, max(seq)::int as max from outbox`));
    expect(count).toEqual({ n: 3000, distinct: 3000, max: 3000 });
  });

  it('finds unsequenced events with an index scan, not a bitmap scan that rereads every dead row', async () => {
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('enable_bitmapscan', 'off', true)`);
      return rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql`explain select id from outbox where seq is null order by id limit 2000 for update`)).map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Scan using outbox_unsequenced_idx/);
    expect(plan).not.toMatch(/Bitmap/);
  });
});

// The database's counters start from zero at every open: dead rows left before a restart are carried over.
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('vacuum of the embedded database across a restart', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('vacuums after the restart the dead rows left before it', async () => {
    let database = await openTestDatabase(db);
    await migrate(database);
    const events = Array.from({ length: 3000 }, (_, i) => ({ type: 'test.event', recordKind: 'test', recordId: String(i), sharing: { ownerOrg: ORG, authorId: null, tlp: 'GREEN' as const, recipientOrgs: [], recipientUsers: [] }, payload: { i } }));
    for (let i = 0; i < 3000; i += 500) await eventsInsert(database.db, events.slice(i, i + 500));
    for (let r = await sequenceOutbox(database.db); r && r.count; r = await sequenceOutbox(database.db));
    await database.close();

    database = await openTestDatabase(db);
    try {
      expect(database.carriedDeadRows?.get('public.outbox')).toBeGreaterThanOrEqual(3000);
      const [counted] = rowsOf<{ n: number }>(await database.db.execute(sql`select n_dead_tup::int as n from pg_stat_user_tables where relname = 'outbox'`));
      expect(counted?.n ?? 0).toBe(0); // the database itself no longer knows
      const vacuum = new EmbeddedVacuum(database.db, pino({ level: 'silent' }), database.carriedDeadRows);
      expect(await vacuum.pass()).toContain('public.outbox');
      expect(database.carriedDeadRows?.has('public.outbox')).toBe(false);
      expect(await vacuum.pass()).toEqual([]);
    } finally {
      await database.close();
    }
    // Nothing was left to carry to the next open.
    database = await openTestDatabase(db);
    expect(database.carriedDeadRows?.has('public.outbox')).toBe(false);
    await database.close();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { pgTable, integer, timestamp } from 'drizzle-orm/pg-core';
import { openDatabase, rowsOf, withSharedTypes, type Database } from './client.js';

const stamps = pgTable('stamps', { id: integer('id').primaryKey(), at: timestamp('at', { withTimezone: true }).notNull() });

describe('embedded database client', () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-client-'));
    database = await openDatabase({ dataDir: dir });
    await database.db.execute(sql`create table stamps (id int primary key, at timestamptz not null)`);
    await database.db.execute(sql`insert into stamps values (1, '2026-11-03T08:00:00.123Z')`);
  });
  afterAll(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads timestamps as drizzle expects, in and out of transactions', async () => {
    const [row] = await database.db.select().from(stamps);
    expect(row!.at).toBeInstanceOf(Date);
    expect(row!.at.toISOString()).toBe('2026-11-03T08:00:00.123Z');
    const raw = rowsOf<{ at: unknown; ats: unknown; span: unknown; day: unknown }>(
      await database.db.execute(sql`select at, array[at] as ats, interval '90 minutes' as span, date '2026-11-03' as day from stamps`),
    )[0]!;
    expect(typeof raw.at).toBe('string');
    expect(raw.ats).toBe('{"2026-11-03 08:00:00.123+00"}');
    expect(raw.span).toBe('01:30:00');
    expect(raw.day).toBe('2026-11-03');
    const inTx = await database.db.transaction(async (tx) => {
      const [r] = await tx.select().from(stamps);
      return r!.at;
    });
    expect(inTx.toISOString()).toBe('2026-11-03T08:00:00.123Z');
  });

  it('sends byte arrays, and long text and JSON, as they are', async () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255, 92, 120]);
    const [b] = rowsOf<{ hex: string; n: number }>(await database.db.execute(sql`select encode(${bytes}::bytea, 'hex') as hex, length(${bytes}::bytea) as n`));
    expect(b).toEqual({ hex: '000102fdfeff5c78', n: 8 });
    const long = `é€𝄞 ${'x'.repeat(10_000)}`;
    const [t] = rowsOf<{ same: boolean; n: number }>(await database.db.execute(sql`select ${long}::text = 'é€𝄞 ' || repeat('x', 10000) as same, length(${long}::text) as n`));
    expect(t).toEqual({ same: true, n: long.length - 1 }); // 𝄞 is two UTF-16 units, one character
    const doc = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, name: `naïve ${i}` })));
    const [j] = rowsOf<{ n: number; last: string }>(await database.db.execute(sql`select json_array_length(${doc}::json) as n, ${doc}::json -> 299 ->> 'name' as last`));
    expect(j).toEqual({ n: 300, last: 'naïve 299' });
  });

  it('keeps parsers a query brings that are not the shared ones', async () => {
    const client = await PGlite.create();
    try {
      const shared = withSharedTypes(client);
      const own = await shared.query<{ n: unknown }>('select 7::int4 as n', [], { parsers: { 23: (v: string) => `int:${v}` } });
      expect(own.rows[0]!.n).toBe('int:7');
      const plain = await shared.query<{ n: unknown; at: unknown }>("select 7::int4 as n, timestamptz '2026-11-03 08:00:00+00' as at");
      expect(plain.rows[0]).toEqual({ n: 7, at: '2026-11-03 08:00:00+00' });
      const inTx = await shared.transaction(async (tx) => (await tx.query<{ n: unknown }>('select 8::int4 as n', [], { parsers: { 23: (v: string) => `int:${v}` } })).rows[0]!.n);
      expect(inTx).toBe('int:8');
    } finally {
      await client.close();
    }
  });
});

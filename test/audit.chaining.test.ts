// Audit rows are written with their change and chained after commit, by one node at a time: rows written
// concurrently by two nodes end up in one unbroken chain, a rolled-back change leaves no row, and tampering
// with a chained row is caught.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase, openTestDatabase, startTestNode, type TestDatabase, type TestNode } from './harness.js';
import { SYSTEM } from '../src/access/actor.js';
import { chainAllAudit, recordAudit, recordAuditNow, verifyAuditLog } from '../src/audit/service.js';
import { rowsOf, type Database } from '../src/platform/db/client.js';

describe('audit chaining after commit', () => {
  let db: TestDatabase;
  let shared: Database;
  let a: TestNode;
  let b: TestNode;

  beforeAll(async () => {
    db = await freshDatabase();
    shared = await openTestDatabase(db);
    a = await startTestNode({ database: db, sharedDatabase: shared, workers: false });
    b = await startTestNode({ database: db, sharedDatabase: shared, workers: false });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await shared?.close();
    await db?.drop();
  });

  it('chains rows written at once by two nodes into one unbroken chain', async () => {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 150; i += 1) {
      const node = i % 2 ? a : b;
      writes.push(i % 3 === 0
        ? recordAuditNow(node.ctx.db, SYSTEM, { action: 'backup.created', details: { i } })
        : node.ctx.db.transaction((tx) => recordAudit(tx, SYSTEM, { action: 'demo.loaded', details: { i } })));
    }
    await Promise.all(writes);
    // A change that rolls back leaves no audit row.
    await a.ctx.db.transaction(async (tx) => {
      await recordAudit(tx, SYSTEM, { action: 'demo.loaded', details: { rolledBack: true } });
      throw new Error('roll back');
    }).catch(() => undefined);
    await chainAllAudit(shared.db);
    const [row] = rowsOf<{ n: number; pending: number; max: number; rolled: number }>(await shared.db.execute(sql`select count(*)::int as n, count(*) filter (where seq is null)::int as pending, max(seq)::int as max, count(*) filter (where details ? 'rolledBack')::int as rolled from audit_log`));
    expect(row).toMatchObject({ pending: 0, rolled: 0 });
    expect(row!.max).toBe(row!.n);
    const result = await verifyAuditLog(shared.db);
    expect(result).toMatchObject({ ok: true, rows: row!.n });
  });

  it('catches a chained row altered afterwards', async () => {
    await chainAllAudit(shared.db);
    await shared.db.execute(sql`update audit_log set details = '{"forged": true}'::jsonb where seq = 10`);
    expect(await verifyAuditLog(shared.db)).toMatchObject({ ok: false, firstBadSeq: 10 });
  });
});

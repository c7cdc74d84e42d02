// Logical backup and restore of every table as gzipped JSON lines. The same file restores into the embedded
// database or PostgreSQL, so it also moves an installation from a laptop to a cluster.
import fs from 'node:fs';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from './client.js';

export const BACKUP_FORMAT = 'eoc-backup/1';

/** Tables in an order that satisfies foreign keys on restore (parents first). */
async function tableOrder(db: Db): Promise<string[]> {
  const tables = rowsOf<{ name: string }>(await db.execute(sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`)).map((r) => r.name);
  const deps = rowsOf<{ child: string; parent: string }>(
    await db.execute(sql`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = 'public'`),
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const d of deps) if (d.child === t && d.parent !== t) visit(d.parent.replace(/"/g, ''));
    ordered.push(t);
  };
  tables.forEach(visit);
  return ordered;
}

export async function backupTo(db: Db, file: string): Promise<{ tables: number; rows: number }> {
  const gzip = zlib.createGzip();
  const out = fs.createWriteStream(file, { mode: 0o600 });
  gzip.pipe(out);
  const write = (line: unknown) => new Promise<void>((resolve) => (gzip.write(`${JSON.stringify(line)}\n`) ? resolve() : gzip.once('drain', resolve)));
  let rows = 0;
  const tables = await tableOrder(db);
  // One snapshot for the whole dump.
  await db.transaction(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read`);
    await write({ format: BACKUP_FORMAT, createdAt: new Date().toISOString(), tables });
    for (const table of tables) {
      await write({ table });
      let offset = 0;
      for (;;) {
        const page = rowsOf<{ r: unknown }>(await tx.execute(sql`select row_to_json(t) as r from ${sql.identifier(table)} t order by ctid limit 5000 offset ${offset}`));
        for (const p of page) await write({ row: p.r });
        rows += page.length;
        offset += page.length;
        if (page.length < 5000) break;
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    gzip.end();
  });
  return { tables: tables.length, rows };
}

export async function restoreFrom(db: Db, file: string): Promise<{ tables: number; rows: number }> {
  if (!fs.existsSync(file)) throw new Error(`No backup file at ${file}`);
  const state: { header: { format?: string; tables?: string[] } | null } = { header: null };
  let table: string | null = null;
  let batch: unknown[] = [];
  let rows = 0;
  await db.transaction(async (tx) => {
    const flush = async () => {
      if (!table || batch.length === 0) return;
      await tx.execute(sql`insert into ${sql.identifier(table)} select * from json_populate_recordset(null::${sql.identifier(table)}, ${JSON.stringify(batch)}::json)`);
      rows += batch.length;
      batch = [];
    };
    // Opened only here, right before it is read: lines a reader emits before anyone iterates are lost, and the
    // transaction's BEGIN above can take longer than reading a small file.
    const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const item = JSON.parse(line) as { format?: string; tables?: string[]; table?: string; row?: unknown };
      if (!state.header) {
        if (item.format !== BACKUP_FORMAT) throw new Error('This file is not an Election Ops Center backup.');
        state.header = item;
        const existing = await tableOrder(tx as unknown as Db);
        const missing = (item.tables ?? []).filter((t) => !existing.includes(t));
        if (missing.length) throw new Error(`The backup has tables this version does not know: ${missing.join(', ')}`);
        await tx.execute(sql.raw(`truncate ${existing.filter((t) => !t.startsWith('__')).map((t) => `"${t}"`).join(', ')} cascade`));
        continue;
      }
      if (item.table) {
        await flush();
        table = item.table.startsWith('__') ? null : item.table; // migrations bookkeeping stays as it is
        continue;
      }
      if (table) {
        batch.push(item.row);
        if (batch.length >= 1000) await flush();
      }
    }
    await flush();
    // Sequences continue after the restored rows.
    const seqs = rowsOf<{ seq: string; tbl: string; col: string }>(
      await tx.execute(sql`
        select s.relname as seq, t.relname as tbl, a.attname as col
        from pg_class s join pg_depend d on d.objid = s.oid join pg_class t on t.oid = d.refobjid
        join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
        join pg_namespace n on n.oid = s.relnamespace
        where s.relkind = 'S' and n.nspname = 'public'`),
    );
    for (const s of seqs) {
      await tx.execute(sql`select setval(${s.seq}, greatest(coalesce((select max(${sql.identifier(s.col)}) from ${sql.identifier(s.tbl)}), 0), 1))`);
    }
    await tx.execute(sql`select setval('outbox_seq', greatest(coalesce((select max(seq) from outbox), 0), 1))`);
  });
  if (!state.header) throw new Error('The backup file is empty.');
  return { tables: state.header.tables?.length ?? 0, rows };
}

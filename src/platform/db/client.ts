// The database handle every domain uses: PostgreSQL in-process through PGlite (embedded mode)
// or a PostgreSQL server through node-postgres (cluster mode). Domain code sees one drizzle type.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PGlite, QueryOptions, Transaction } from '@electric-sql/pglite';
import { readCarriedDeadRows, saveDeadRows } from './embedded-vacuum.js';
export type Db = PgDatabase<PgQueryResultHKT>;
/** A transaction or the database itself: services accept either so callers choose the boundary. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  readonly db: Db;
  /** Runs `fn` on one dedicated connection (session-level locks need it). */
  withConnection<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  readonly kind: 'embedded' | 'postgres';
  readonly location: string;
  /**
   * Hears NOTIFY on `channel` (delivered after the sending transaction commits). `onGap` is called when
   * notifications may have been missed (the listening connection dropped) and again once it listens anew.
   */
  listen(channel: string, listener: NotificationListener): Promise<() => Promise<void>>;
  /**
   * Embedded only: dead rows per table that the database's own counters no longer show (they start from zero
   * at every open), carried over from the last close; the vacuum takes a table off once it has vacuumed it.
   */
  readonly carriedDeadRows?: Map<string, number>;
  close(): Promise<void>;
}

export interface NotificationListener {
  onNotify(payload: string): void;
  /** `connected` is false while notifications cannot be heard. */
  onGap(connected: boolean): void;
}

export interface OpenOptions {
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
  /** Pool size for PostgreSQL; ignored for the embedded database. */
  readonly poolSize?: number;
}

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 20 });
    pool.on('error', () => undefined); // an idle client dropped by the server is replaced on next use
    const db = drizzle(pool) as unknown as Db;
    const url = new URL(options.databaseUrl);
    const withConnection = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        return await fn(drizzle(client) as unknown as Db);
      } finally {
        client.release();
      }
    };
    const listeners = new Set<() => Promise<void>>();
    const listen = (channel: string, listener: NotificationListener) => listenPostgres(pg, options.databaseUrl!, channel, listener).then((stop) => {
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    });
    const close = async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    };
    return { db, kind: 'postgres', location: `${url.hostname}:${url.port || 5432}${url.pathname}`, withConnection, listen, close };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = path.join(options.dataDir, 'pg');
  fs.mkdirSync(dir, { recursive: true });
  const release = lockDataDir(options.dataDir);
  try {
    const client = await PGlite.create(dir);
    const db = drizzle(withSharedTypes(client)) as unknown as Db;
    const carriedDeadRows = readCarriedDeadRows(options.dataDir);
    const close = async () => {
      await saveDeadRows(db, options.dataDir, carriedDeadRows).catch(() => undefined);
      await client.close();
      release();
    };
    // In-process: a notification is delivered when its transaction commits, before the commit returns.
    const listen = async (channel: string, listener: NotificationListener) => {
      const stop = await client.listen(channel, (payload) => listener.onNotify(payload));
      listener.onGap(true);
      return async () => {
        if (!client.closed) await stop();
      };
    };
    return { db, kind: 'embedded', location: dir, withConnection: (fn) => fn(db), listen, carriedDeadRows, close };
  } catch (error) {
    release();
    throw error;
  }
}

/** The types drizzle reads as text and converts itself: dates, timestamps, intervals, and arrays of them and of numerics. */
const DRIZZLE_TEXT_TYPES = [1082, 1114, 1184, 1186, 1182, 1115, 1185, 1187, 1231];
const BYTEA = 17;
const TEXT = 25;
const JSON_TYPE = 114;
/** Characters from which a text parameter goes as UTF-8 bytes. */
const LONG_TEXT = 4096;

/**
 * The embedded client, set up for the way drizzle and the store use it. drizzle-orm/pglite hands PGlite its
 * parsers (those types as text) with every query, and PGlite copies its table of 300-odd parsers to merge them
 * in, on every query: about 6 % of the server's time during election-day intake. The client gets those parsers
 * once, in its own table, and a query's parsers are dropped when they are exactly these (each returns its text
 * unchanged); any other parsers still travel with their query. Byte arrays, and long text and JSON, go to the
 * database as bytes (below).
 */
export function withSharedTypes(client: PGlite): PGlite {
  const asText = (value: string) => value;
  for (const oid of DRIZZLE_TEXT_TYPES) client.parsers[oid] = asText;
  // Byte arrays go as they are, in binary (PGlite's own bytea serialiser spells them out in hex); so does long
  // text and JSON, encoded natively (PGlite counts a string's bytes one character at a time in JavaScript).
  const bytesFirst = (fallback: ((value: unknown) => unknown) | undefined) => (value: unknown) =>
    value instanceof Uint8Array ? value : typeof value === 'string' && value.length > LONG_TEXT ? Buffer.from(value, 'utf8') : fallback ? fallback(value) : String(value);
  for (const oid of [BYTEA, TEXT, JSON_TYPE]) client.serializers[oid] = bytesFirst(client.serializers[oid]) as (value: unknown) => string;
  const own = new Set(DRIZZLE_TEXT_TYPES.map(String));
  const lighter = (options: QueryOptions | undefined): QueryOptions | undefined => {
    const parsers = options?.parsers;
    if (!parsers) return options;
    for (const key of Object.keys(parsers)) if (!own.has(key) || parsers[Number(key)]!('2026-11-03 08:00:00+00') !== '2026-11-03 08:00:00+00') return options;
    const { parsers: _dropped, ...rest } = options;
    return rest;
  };
  const wrap = <T extends Pick<PGlite, 'query'>>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        if (prop === 'query') return (text: string, params?: unknown[], options?: QueryOptions) => t.query(text, params, lighter(options));
        if (prop === 'transaction' && 'transaction' in t) return <R>(fn: (tx: Transaction) => Promise<R>) => (t as unknown as PGlite).transaction((tx) => fn(wrap(tx)));
        const value = Reflect.get(t, prop, t) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
      },
    });
  return wrap(client);
}

/**
 * LISTEN on a dedicated PostgreSQL connection that reconnects after a drop (with backoff); the listener hears
 * of the gap so it can forget what it cached while it could not hear changes.
 */
async function listenPostgres(pg: typeof import('pg').default, connectionString: string, channel: string, listener: NotificationListener): Promise<() => Promise<void>> {
  let stopped = false;
  let client: import('pg').Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let delay = 250;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString, application_name: 'eoc-listen', keepAlive: true });
    c.on('notification', (msg) => {
      if (msg.channel === channel) listener.onNotify(msg.payload ?? '');
    });
    const lost = () => {
      if (client !== c) return;
      client = null;
      listener.onGap(false);
      c.removeAllListeners('end');
      void c.end().catch(() => undefined);
      schedule();
    };
    c.on('error', lost);
    c.on('end', lost);
    await c.connect();
    await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    delay = 250;
    listener.onGap(true);
  };
  const schedule = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch(() => {
        delay = Math.min(delay * 2, 10_000);
        schedule();
      });
    }, delay);
    retry.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    if (c) {
      c.removeAllListeners('end');
      c.removeAllListeners('error');
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
    }
  };
}

/** The embedded database is one process's files: a second process opening them would corrupt them. */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`The embedded database in ${dataDir} is in use by process ${pid}. Stop that process first (or use the API while it runs).`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data folder's lock file (created exclusively, holding our pid); a stale lock of a dead process is replaced. */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'eoc.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && pidAlive(holder)) throw new DataDirInUseError(dataDir, holder);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}.`);
}

/** Applies the checked-in migrations; safe to run on every start and from several nodes at once. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'postgres') {
    const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
    // Two nodes starting together must not both migrate: hold a session lock on one connection.
    await database.withConnection(async (conn) => {
      await conn.execute(sql`select pg_advisory_lock(7263001)`);
      try {
        await run(conn as never, { migrationsFolder });
      } finally {
        await conn.execute(sql`select pg_advisory_unlock(7263001)`);
      }
    });
    return;
  }
  const { migrate: run } = await import('drizzle-orm/pglite/migrator');
  await run(database.db as never, { migrationsFolder });
}

export { rowsOf } from './rows.js';

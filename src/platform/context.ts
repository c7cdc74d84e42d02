// What every service receives as `ctx`: configuration, the database, the logger and the platform services.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database, Db } from './db/client.js';
import type { EventSignals } from './events/signals.js';
import type { OutboxRelay } from './events/relay.js';
import type { Mailer } from './mail/mailer.js';
import type { JobKicker } from './jobs/kicker.js';
import type { ChangeFeed } from './cache/change-feed.js';

export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly db: Db;
  readonly log: Logger;
  readonly signals: EventSignals;
  readonly relay: OutboxRelay;
  readonly mailer: Mailer;
  /** Wakes this process's job worker after an enqueue (other workers find the job by polling). */
  readonly jobs: JobKicker;
  /** Changes committed by any process, for the read caches of an API node (listening only on API nodes). */
  readonly changes: ChangeFeed;
}

/** Runs `fn` in a transaction and, after commit, asks the relay to deliver the events it wrote. */
export async function inTransaction<T>(ctx: AppContext, fn: (tx: Parameters<Parameters<Db['transaction']>[0]>[0]) => Promise<T>): Promise<T> {
  const result = await ctx.db.transaction(fn);
  ctx.relay.kick();
  return result;
}

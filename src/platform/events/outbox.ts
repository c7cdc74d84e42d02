// Writing events: a service calls `emitEvent` inside the transaction that changes the record, so the event
// exists if and only if the change committed. Nothing here knows any domain.
import { sql } from 'drizzle-orm';
import type { Tx, Db } from '../db/client.js';
import { rowsOf } from '../db/client.js';
import type { Tlp } from '../db/columns.js';
import { outbox } from './schema.js';

export interface Sharing {
  readonly ownerOrg: string;
  readonly authorId: string | null;
  readonly tlp: Tlp;
  readonly recipientOrgs: readonly string[];
  readonly recipientUsers: readonly string[];
}

export interface NewEvent {
  readonly type: string;
  readonly recordKind: string;
  readonly recordId: string;
  readonly sharing: Sharing;
  readonly payload: Record<string, unknown>;
}

export async function emitEvent(tx: Tx, event: NewEvent): Promise<void> {
  await eventsInsert(tx, [event]);
}

/** The outbox rows of events (unsequenced). */
export function eventRows(events: readonly NewEvent[]): Array<typeof outbox.$inferInsert> {
  return events.map((event) => ({
    type: event.type,
    recordKind: event.recordKind,
    recordId: event.recordId,
    ownerOrg: event.sharing.ownerOrg,
    authorId: event.sharing.authorId,
    tlp: event.sharing.tlp,
    recipientOrgs: [...event.sharing.recipientOrgs],
    recipientUsers: [...event.sharing.recipientUsers],
    payload: event.payload,
  }));
}

/** The insert of events, to run as part of a larger statement (one round trip for records and their events). */
export function eventsInsert(db: Tx | Db, events: readonly NewEvent[]) {
  return db.insert(outbox).values(eventRows(events));
}

const RELAY_LOCK = 7263003;

/**
 * Gives committed, unsequenced events their delivery position. Only one node sequences at a time (a
 * transaction lock), and it only sees committed rows, so positions never go backwards: an event that
 * commits late is sequenced after everything already delivered. Returns the highest position assigned (0
 * when there was nothing to do) and how many rows got one, or null when another node holds the lock.
 */
export const SEQUENCE_BATCH = 2000;

export async function sequenceOutbox(db: Db, batch = SEQUENCE_BATCH): Promise<{ high: number; count: number } | null> {
  return db.transaction(async (tx) => {
    // An index scan of the unsequenced rows, never a bitmap scan: an index scan marks the entries of rows
    // sequenced earlier as dead as it passes them, so each is read once; a bitmap scan reads every one of them
    // again on every pass until a vacuum removes them (thousands of rows per pass on a busy day).
    const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked, set_config('enable_bitmapscan', 'off', true)`));
    if (!lock?.locked) return null;
    const rows = rowsOf<{ seq: string | number }>(
      await tx.execute(sql`
        update outbox o set seq = s.seq
        from (select id, nextval('outbox_seq') as seq
              from (select id from outbox where seq is null order by id limit ${batch} for update) pending
              order by id) s
        where o.id = s.id
        returning o.seq`),
    );
    let max = 0;
    for (const r of rows) max = Math.max(max, Number(r.seq));
    return { high: max, count: rows.length };
  });
}

export async function highestSequenced(db: Db): Promise<number> {
  const [row] = rowsOf<{ max: string | number | null }>(await db.execute(sql`select max(seq) as max from outbox`));
  return Number(row?.max ?? 0);
}

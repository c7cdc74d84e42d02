// The live stream of one API node: every connected viewer receives, in order and exactly once, each
// sequenced event the sharing policy lets them read. Visibility is decided by one SQL query per batch that
// joins the batch with all connected viewers through the policy predicate — never fetched and then filtered.
import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/client.js';
import { outbox } from './schema.js';
import type { EventSignals } from './signals.js';
import { highestSequenced } from './outbox.js';
import type { Viewer, ViewerExpr } from '../../access/policy.js';

/** The policy predicate, injected so the platform layer knows no domain. */
export type ReadablePredicate = (viewer: Viewer | ViewerExpr) => SQL;

/** The policy's candidate pairs (see access/policy.ts `candidateReaders`), injected with it. */
export type CandidateReaders = () => SQL;

export interface LiveEvent {
  readonly seq: number;
  readonly type: string;
  readonly recordKind: string;
  readonly recordId: string;
  readonly at: string;
  readonly data: unknown;
}

export interface Subscriber {
  readonly viewer: Viewer;
  /** Returns false when the client is too slow; the hub then closes it (it resumes with Last-Event-ID). */
  send(event: LiveEvent): boolean;
  close(reason: string): void;
}

interface Connection {
  readonly id: number;
  readonly sub: Subscriber;
  /** Every event with seq ≤ pos has been sent or was not readable. */
  pos: number;
  live: boolean;
  pending: LiveEvent[];
}

/** Event types the hub acts on itself, whoever may read them. */
export interface ControlHandlers {
  onUserDeactivated?(userId: string): void;
}

interface EventRow {
  seq: string | number;
  type: string;
  record_kind: string;
  record_id: string;
  created_at: string | Date;
  payload: unknown;
}

function toLive(r: EventRow): LiveEvent {
  return {
    seq: Number(r.seq),
    type: r.type,
    recordKind: r.record_kind,
    recordId: r.record_id,
    at: new Date(r.created_at).toISOString(),
    data: r.payload,
  };
}

export class LiveHub {
  private readonly connections = new Map<number, Connection>();
  private nextId = 1;
  /** Highest position this node knows to be sequenced. */
  private known = 0;
  /** Highest position fanned out to live connections. */
  private delivered = 0;
  private fanning = false;
  private unsubscribe: (() => void) | null = null;
  private poll: NodeJS.Timeout | null = null;
  private started = false;
  private readonly batch = 500;

  constructor(
    private readonly db: Db,
    private readonly signals: EventSignals,
    private readonly readable: ReadablePredicate,
    private readonly candidates: CandidateReaders,
    private readonly log: Logger,
    private readonly control: ControlHandlers = {},
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.known = await highestSequenced(this.db);
    this.delivered = this.known;
    this.unsubscribe = this.signals.onSequenced((seq) => this.advance(seq));
    // A lost signal (NATS hiccup) only delays: look at the database now and then.
    this.poll = setInterval(() => {
      void highestSequenced(this.db)
        .then((seq) => this.advance(seq))
        .catch(() => undefined);
    }, 1000);
    this.poll.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  get position(): number {
    return this.known;
  }

  /**
   * Connects a viewer. With `lastEventId` the viewer first receives every readable event after it
   * (a resume), then live events, with no gap and no repeat.
   */
  async connect(sub: Subscriber, lastEventId: number | null): Promise<() => void> {
    const conn: Connection = { id: this.nextId++, sub, pos: this.known, live: lastEventId === null, pending: [] };
    this.connections.set(conn.id, conn);
    const disconnect = () => {
      this.connections.delete(conn.id);
    };
    if (lastEventId === null) return disconnect;
    conn.pos = Math.max(0, lastEventId);
    try {
      await this.replay(conn);
    } catch (error) {
      disconnect();
      throw error;
    }
    return disconnect;
  }

  private async replay(conn: Connection): Promise<void> {
    for (;;) {
      if (!this.connections.has(conn.id)) return;
      const target = this.known;
      if (conn.pos >= target) break;
      const rows = rowsOf<EventRow>(
        await this.db.execute(sql`
          select seq, type, record_kind, record_id, created_at, payload from ${outbox}
          where seq > ${conn.pos} and seq <= ${target} and ${this.readable(conn.sub.viewer)}
          order by seq limit ${this.batch}`),
      );
      for (const r of rows) {
        const ev = toLive(r);
        if (!conn.sub.send(ev)) return this.drop(conn, 'slow consumer');
        conn.pos = ev.seq;
      }
      if (rows.length < this.batch) conn.pos = target;
    }
    // Synchronous from here: no fan-out can interleave between the flush and going live.
    for (const ev of conn.pending) {
      if (ev.seq <= conn.pos) continue;
      if (!conn.sub.send(ev)) return this.drop(conn, 'slow consumer');
      conn.pos = ev.seq;
    }
    conn.pending = [];
    conn.pos = Math.max(conn.pos, this.delivered);
    conn.live = true;
  }

  private drop(conn: Connection, reason: string): void {
    this.connections.delete(conn.id);
    conn.sub.close(reason);
  }

  private advance(seq: number): void {
    if (seq > this.known) this.known = seq;
    if (!this.fanning) void this.fanOut();
  }

  private async fanOut(): Promise<void> {
    this.fanning = true;
    try {
      while (this.delivered < this.known) {
        const from = this.delivered;
        const to = Math.min(this.known, from + this.batch);
        await this.fanRange(from, to).catch((error: unknown) => {
          this.log.error({ err: error, from, to }, 'live fan-out failed; retrying');
          return new Promise((resolve) => setTimeout(resolve, 200)).then(() => {
            throw error;
          });
        });
        this.delivered = to;
      }
    } catch {
      // retried on the next signal or poll
    } finally {
      this.fanning = false;
    }
  }

  private async fanRange(from: number, to: number): Promise<void> {
    const rows = rowsOf<EventRow>(
      await this.db.execute(sql`
        select seq, type, record_kind, record_id, created_at, payload from ${outbox}
        where seq > ${from} and seq <= ${to} order by seq`),
    );
    if (rows.length === 0) return;
    for (const r of rows) {
      if (r.type === 'user.deactivated') this.closeUser(r.record_id);
    }
    const conns = [...this.connections.values()];
    if (conns.length === 0) return;
    // Distinct viewers: many tabs of one user cost one row in the join.
    const viewerIndex = new Map<string, number>();
    const userIds: string[] = [];
    const orgIds: string[] = [];
    for (const c of conns) {
      const key = `${c.sub.viewer.userId}|${c.sub.viewer.orgId}`;
      if (!viewerIndex.has(key)) {
        viewerIndex.set(key, userIds.length);
        userIds.push(c.sub.viewer.userId);
        orgIds.push(c.sub.viewer.orgId);
      }
    }
    // The policy decides every pair; the candidates only spare it the pairs no clause of it could admit.
    const visible = rowsOf<{ seq: string | number; viewers: number[] }>(
      await this.db.execute(sql`
        with v as materialized (select * from unnest(${toPgArray(userIds)}::uuid[], ${toPgArray(orgIds)}::uuid[]) with ordinality as v(user_id, org_id, idx)),
          e as materialized (select seq as key, owner_org, author_id, tlp, recipient_orgs, recipient_users from ${outbox} where ${outbox.seq} > ${from} and ${outbox.seq} <= ${to}),
          c as (${this.candidates()})
        select ${outbox.seq} as seq, array_agg(v.idx - 1) as viewers
        from c join ${outbox} on ${outbox.seq} = c.key join v on v.idx = c.idx
        where ${this.readable({ userId: sql`v.user_id`, orgId: sql`v.org_id` })}
        group by ${outbox.seq} order by ${outbox.seq}`),
    );
    const events = new Map(rows.map((r) => [Number(r.seq), toLive(r)]));
    const allowed = new Map<number, Set<number>>();
    for (const v of visible) allowed.set(Number(v.seq), new Set(v.viewers.map(Number)));
    for (const c of conns) {
      if (!this.connections.has(c.id)) continue;
      const idx = viewerIndex.get(`${c.sub.viewer.userId}|${c.sub.viewer.orgId}`)!;
      for (const [seq, ev] of events) {
        if (seq <= c.pos || !allowed.get(seq)?.has(idx)) continue;
        if (!c.live) {
          c.pending.push(ev);
          continue;
        }
        if (!c.sub.send(ev)) {
          this.drop(c, 'slow consumer');
          break;
        }
        c.pos = seq;
      }
      if (c.live && this.connections.has(c.id)) c.pos = Math.max(c.pos, to);
    }
  }

  /** Ends every stream of a user at once (deactivation, sign-out everywhere). */
  closeUser(userId: string): void {
    for (const c of this.connections.values()) {
      if (c.sub.viewer.userId === userId) this.drop(c, 'account deactivated');
    }
    this.control.onUserDeactivated?.(userId);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.poll) clearInterval(this.poll);
    for (const c of [...this.connections.values()]) this.drop(c, 'server shutting down');
    while (this.fanning) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A PostgreSQL array literal from uuids; values are validated uuids, passed as one bound parameter. */
function toPgArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

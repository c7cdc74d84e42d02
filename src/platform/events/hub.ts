// The live stream of one API node: every connected viewer receives, in order and exactly once, each
// sequenced event the sharing policy lets them read. Visibility is decided by one SQL query per batch that
// puts the policy predicate to each pair of event and connected viewer some clause of the policy could admit
// (every viewer for an event any member may read) — never fetched and then filtered.
import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { arrayOf, rowsOf } from '../db/rows.js';
import { outbox } from './schema.js';
import type { EventSignals } from './signals.js';
import { highestSequenced, type Sharing } from './outbox.js';
import type { Viewer, ViewerExpr } from '../../access/policy.js';
import type { Tlp } from '../db/columns.js';

/** The policy predicate, injected so the platform layer knows no domain. */
export type ReadablePredicate = (viewer: Viewer | ViewerExpr) => SQL;

/** The viewers the policy could admit to an event, or 'all' (see access/policy.ts `candidateReaders`), injected with it. */
export type CandidateReaders = (event: Sharing, byOrg: ReadonlyMap<string, readonly number[]>, byUser: ReadonlyMap<string, readonly number[]>) => 'all' | number[];

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
  /** The viewer (user and organisation): tabs of one viewer share a row in the fan-out's query. */
  readonly key: string;
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

interface SharedEventRow extends EventRow {
  owner_org: string;
  author_id: string | null;
  tlp: Tlp;
  recipient_orgs: string[] | string;
  recipient_users: string[] | string;
}

/** Distinct connected viewers (tabs of one viewer share a number), by organisation and by user. */
interface ViewerIndex {
  readonly conns: readonly Connection[];
  readonly viewers: readonly Viewer[];
  readonly tabs: readonly (readonly Connection[])[];
  readonly byOrg: ReadonlyMap<string, readonly number[]>;
  readonly byUser: ReadonlyMap<string, readonly number[]>;
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
  /** See `viewerIndex`; null after a connection opened or closed. */
  private index: ViewerIndex | null = null;

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
    const conn: Connection = { id: this.nextId++, sub, key: `${sub.viewer.userId}|${sub.viewer.orgId}`, pos: this.known, live: lastEventId === null, pending: [] };
    this.connections.set(conn.id, conn);
    this.index = null;
    const disconnect = () => {
      if (this.connections.delete(conn.id)) this.index = null;
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
    if (this.connections.delete(conn.id)) this.index = null;
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
    const rows = rowsOf<SharedEventRow>(
      await this.db.execute(sql`
        select seq, type, record_kind, record_id, created_at, payload, owner_org, author_id, tlp, recipient_orgs, recipient_users from ${outbox}
        where seq > ${from} and seq <= ${to} order by seq`),
    );
    if (rows.length === 0) return;
    for (const r of rows) {
      if (r.type === 'user.deactivated') this.closeUser(r.record_id);
    }
    const { conns, viewers, tabs, byOrg, byUser } = this.viewerIndex();
    if (conns.length === 0) return;
    // The pairs to put to the policy: every viewer for events any member may read, otherwise only the viewers
    // some clause of the policy names (an AMBER report concerns three of thousands).
    const broad: number[] = [];
    const pairSeqs: number[] = [];
    const pairViewers: number[] = [];
    for (const r of rows) {
      const seq = Number(r.seq);
      const found = this.candidates({ ownerOrg: r.owner_org, authorId: r.author_id, tlp: r.tlp, recipientOrgs: arrayOf(r.recipient_orgs), recipientUsers: arrayOf(r.recipient_users) }, byOrg, byUser);
      if (found === 'all') {
        broad.push(seq);
        continue;
      }
      for (const idx of found) {
        pairSeqs.push(seq);
        pairViewers.push(idx);
      }
    }
    if (!broad.length && !pairSeqs.length) {
      this.advanceLive(conns, to);
      return;
    }
    // Only the viewers in play go to the database: all of them when an event is for everyone.
    const sent = broad.length ? viewers.map((_, i) => i) : [...new Set(pairViewers)];
    const position = new Map(sent.map((idx, i) => [idx, i + 1]));
    // The policy in SQL decides every pair.
    const visible = rowsOf<{ seq: string | number; viewers: Array<string | number> }>(
      await this.db.execute(sql`
        with v as materialized (select * from unnest(${toPgArray(sent.map((i) => viewers[i]!.userId))}::uuid[], ${toPgArray(sent.map((i) => viewers[i]!.orgId))}::uuid[]) with ordinality as v(user_id, org_id, idx)),
          p as (select * from unnest(${`{${pairSeqs.join(',')}}`}::bigint[], ${`{${pairViewers.map((i) => position.get(i)!).join(',')}}`}::bigint[]) as p(seq, idx)
                union all select b.seq, v.idx from unnest(${`{${broad.join(',')}}`}::bigint[]) as b(seq) cross join v)
        select ${outbox.seq} as seq, array_agg(v.idx) as viewers
        from p join ${outbox} on ${outbox.seq} = p.seq join v on v.idx = p.idx
        where ${outbox.seq} > ${from} and ${outbox.seq} <= ${to} and ${this.readable({ userId: sql`v.user_id`, orgId: sql`v.org_id` })}
        group by ${outbox.seq} order by ${outbox.seq}`),
    );
    // Only the viewers each event is for are visited, in event order (thousands are connected, few concerned).
    const events = new Map(rows.map((r) => [Number(r.seq), toLive(r)]));
    for (const v of visible) {
      const seq = Number(v.seq);
      const ev = events.get(seq)!;
      for (const at of v.viewers) {
        for (const c of tabs[sent[Number(at) - 1]!]!) {
          if (seq <= c.pos || !this.connections.has(c.id)) continue;
          if (!c.live) {
            c.pending.push(ev);
          } else if (c.sub.send(ev)) {
            c.pos = seq;
          } else {
            this.drop(c, 'slow consumer');
          }
        }
      }
    }
    this.advanceLive(conns, to);
  }

  /**
   * The connected viewers, numbered, with their tabs and looked up by organisation and by user; built again
   * only after a connection opens or closes (thousands are held open through a day of events).
   */
  private viewerIndex(): ViewerIndex {
    if (this.index) return this.index;
    const conns = [...this.connections.values()];
    const numbers = new Map<string, number>();
    const viewers: Viewer[] = [];
    const tabs: Connection[][] = [];
    const byOrg = new Map<string, number[]>();
    const byUser = new Map<string, number[]>();
    for (const c of conns) {
      let idx = numbers.get(c.key);
      if (idx === undefined) {
        idx = viewers.length;
        numbers.set(c.key, idx);
        viewers.push(c.sub.viewer);
        tabs.push([]);
        const inOrg = byOrg.get(c.sub.viewer.orgId);
        if (inOrg) inOrg.push(idx);
        else byOrg.set(c.sub.viewer.orgId, [idx]);
        const asUser = byUser.get(c.sub.viewer.userId);
        if (asUser) asUser.push(idx);
        else byUser.set(c.sub.viewer.userId, [idx]);
      }
      tabs[idx]!.push(c);
    }
    this.index = { conns, viewers, tabs, byOrg, byUser };
    return this.index;
  }

  /** Live connections have now seen everything up to `to` that was theirs. */
  private advanceLive(conns: readonly Connection[], to: number): void {
    for (const c of conns) {
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

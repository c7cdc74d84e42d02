// What a node knows about changes to the data its read caches hold. The database tells every process through
// NOTIFY eoc_changed (triggers in migrations/0001): whichever node, worker or command made a change, the
// notification arrives once its transaction commits. Each kind of change advances a generation; a cached value
// carries the generations it was read under and is served only while they are unchanged. While the node
// cannot hear notifications (the listening connection dropped) nothing is served from cache.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';

export const CHANGE_CHANNEL = 'eoc_changed';

/** The generations a value was read under. */
export interface Stamp {
  readonly access: number;
  readonly data: number;
  readonly user: number;
}

/** Per-user read marks are tracked individually up to this many users; beyond, all data is treated as changed. */
const MAX_TRACKED_USERS = 50_000;
const HEARTBEAT_MS = 1_000;

export class ChangeFeed {
  private access = 0;
  private data = 0;
  private counter = 0;
  private readonly users = new Map<string, number>();
  private listening = false;
  private stop: (() => Promise<void>) | null = null;
  private syncSeq = 0;
  private readonly syncWaiters = new Map<string, () => void>();
  private readonly syncPrefix = `sync:${process.pid}:${Math.random().toString(36).slice(2)}:`;
  private heartbeat: NodeJS.Timeout | null = null;
  private beating = false;
  private closed = false;

  constructor(private readonly database: Database | null) {}

  /** Caches serve values only while this is true. */
  get connected(): boolean {
    return this.listening;
  }

  async start(): Promise<void> {
    if (!this.database || this.stop) return;
    await this.listen();
    if (this.database.kind === 'postgres') {
      // A listening connection can die silently (a network cut without a reset): our own marker must come back
      // within a second or two, or the node stops serving from cache and listens anew.
      this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  private async beat(): Promise<void> {
    if (this.beating || !this.listening) return;
    this.beating = true;
    try {
      if (!(await this.sync(HEARTBEAT_MS * 2))) {
        this.listening = false;
        const stop = this.stop;
        this.stop = null;
        await stop?.().catch(() => undefined);
        if (!this.closed) await this.listen().catch(() => undefined);
      }
    } finally {
      this.beating = false;
    }
  }

  private async listen(): Promise<void> {
    this.stop = await this.database!.listen(CHANGE_CHANNEL, {
      onNotify: (payload) => this.apply(payload),
      onGap: (connected) => {
        // Whatever was cached may have missed changes: forget it all, whether the connection went or came back.
        this.bumpAll();
        this.listening = connected;
        if (!connected) this.releaseSyncWaiters();
      },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.listening = false;
    this.releaseSyncWaiters();
    const stop = this.stop;
    this.stop = null;
    if (stop) await stop();
  }

  stamp(userId?: string): Stamp {
    return { access: this.access, data: this.data, user: userId ? (this.users.get(userId) ?? 0) : 0 };
  }

  /** True when nothing the stamped value depends on has changed since, and changes can be heard. */
  isCurrent(stamp: Stamp, userId?: string): boolean {
    return this.listening && stamp.access === this.access && stamp.data === this.data && stamp.user === (userId ? (this.users.get(userId) ?? 0) : 0);
  }

  /** Identity values depend on access changes only. */
  isAccessCurrent(stamp: Stamp): boolean {
    return this.listening && stamp.access === this.access;
  }

  bumpAll(): void {
    this.access += 1;
    this.data += 1;
  }

  /** Applies one notification payload: 'access', 'data', 'reads:<user id>', or our own 'sync:…' marker. */
  apply(payload: string): void {
    if (payload === 'access') this.access += 1;
    else if (payload === 'data') this.data += 1;
    else if (payload.startsWith('reads:')) {
      if (this.users.size >= MAX_TRACKED_USERS) {
        this.users.clear();
        this.data += 1;
      }
      this.counter += 1;
      this.users.set(payload.slice(6), this.counter);
    } else if (payload.startsWith(this.syncPrefix)) {
      const done = this.syncWaiters.get(payload);
      if (done) {
        this.syncWaiters.delete(payload);
        done();
      }
    } else if (!payload.startsWith('sync:')) {
      // A kind this version does not know (a newer node): be safe.
      this.bumpAll();
    }
  }

  /**
   * Waits until every change committed before this call has been heard. PostgreSQL delivers notifications in
   * commit order, so once our own marker arrives, so have they. The embedded database delivers them before the
   * commit returns, so there is nothing to wait for. A node calls this after a change request, before it answers,
   * so a client that reads right after its own write never sees the cache from before it.
   */
  async sync(timeoutMs = 2_000): Promise<boolean> {
    if (!this.database || this.database.kind === 'embedded' || !this.listening) return true;
    const marker = `${this.syncPrefix}${++this.syncSeq}`;
    const heard = new Promise<boolean>((resolve) => {
      this.syncWaiters.set(marker, () => resolve(true));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      await this.database.db.execute(notifySql(marker));
      if (await Promise.race([heard, timeout])) return true;
    } catch {
      // fall through: not confirmed
    } finally {
      clearTimeout(timer);
      this.syncWaiters.delete(marker);
    }
    // Not confirmed in time: whatever is cached is dropped instead.
    this.bumpAll();
    return false;
  }

  private releaseSyncWaiters(): void {
    for (const done of this.syncWaiters.values()) done();
    this.syncWaiters.clear();
  }
}

function notifySql(payload: string) {
  return sql`select pg_notify(${CHANGE_CHANNEL}, ${payload})`;
}

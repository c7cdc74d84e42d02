// A bounded in-memory cache of values read from the database, each kept with the change generations it was
// read under (see change-feed.ts) and served only while they still hold. Values are never shared between
// users unless the caller's key says so; a value read while a change was arriving is not kept.
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import type { ChangeFeed, Stamp } from './change-feed.js';
import { registry } from '../http/metrics.js';

const lookups = new Counter({ name: 'eoc_read_cache_lookups_total', help: 'Read-cache lookups by cache and result (hit, miss)', labelNames: ['cache', 'result'], registers: [registry] });

export interface ReadCacheOptions<V> {
  /** Names the cache in metrics (eoc_read_cache_lookups_total). */
  readonly name: string;
  /** What the value depends on: identities ('access') or readable records too ('data', the default). */
  readonly scope?: 'access' | 'data';
  readonly maxEntries: number;
  /** Upper bound of the cache's memory, with `sizeOf` measuring one value in bytes. */
  readonly maxBytes?: number;
  readonly sizeOf?: (value: V) => number;
  /** Values older than this are read again even without a change (bounds how long anything stays in memory). */
  readonly ttlMs?: number;
}

interface Entry<V> {
  readonly stamp: Stamp;
  readonly userId: string | undefined;
  readonly value: V;
}

export interface CacheStats {
  hits: number;
  misses: number;
}

export class ReadCache<V extends NonNullable<unknown>> {
  private readonly lru: LRUCache<string, Entry<V>>;
  private readonly scope: 'access' | 'data';
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  private readonly hit: { inc(): void };
  private readonly miss: { inc(): void };

  constructor(private readonly feed: ChangeFeed, options: ReadCacheOptions<V>) {
    this.scope = options.scope ?? 'data';
    this.hit = lookups.labels(options.name, 'hit');
    this.miss = lookups.labels(options.name, 'miss');
    const sizeOf = options.sizeOf;
    this.lru = new LRUCache<string, Entry<V>>({
      max: options.maxEntries,
      ttl: options.ttlMs ?? 10 * 60_000,
      ...(options.maxBytes && sizeOf ? { maxSize: options.maxBytes, sizeCalculation: (e: Entry<V>) => Math.max(1, sizeOf(e.value)) } : {}),
    });
  }

  /** The cached value, if it is still current. `userId` is the user whose read marks the value depends on. */
  get(key: string, userId?: string): V | undefined {
    const entry = this.lru.get(key);
    if (entry && entry.userId === userId && this.current(entry.stamp, userId)) {
      this.stats.hits += 1;
      this.hit.inc();
      return entry.value;
    }
    if (entry) this.lru.delete(key);
    this.stats.misses += 1;
    this.miss.inc();
    return undefined;
  }

  /** Take a stamp before reading from the database … */
  begin(userId?: string): Stamp {
    return this.feed.stamp(userId);
  }

  /** … and keep the value only if nothing changed while it was read. */
  set(key: string, stamp: Stamp, value: V, userId?: string): void {
    if (!this.current(stamp, userId)) return;
    this.lru.set(key, { stamp, userId, value });
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  private current(stamp: Stamp, userId: string | undefined): boolean {
    return this.scope === 'access' ? this.feed.isAccessCurrent(stamp) : this.feed.isCurrent(stamp, userId);
  }
}

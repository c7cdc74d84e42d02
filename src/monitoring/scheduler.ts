// The check schedule of one node: every monitor runs on its own interval, planned from its last planned time
// (not from when the last check ended, so lateness never accumulates), from a min-heap with one timer for the
// earliest check. A slow check never runs twice at once (its next turn is skipped), at most `concurrency`
// checks are in flight, and every start records how late it was against its plan (the drift).

export interface Schedulable {
  readonly id: string;
  readonly intervalMs: number;
}

interface Entry<T extends Schedulable> {
  item: T;
  nextAt: number;
  running: boolean;
  removed: boolean;
}

export interface SchedulerOptions {
  readonly concurrency: number;
  readonly now?: () => number;
}

/** The last N drifts (milliseconds), for percentiles. */
export class DriftWindow {
  private readonly values: Float64Array;
  private count = 0;
  private next = 0;
  constructor(size = 200_000) {
    this.values = new Float64Array(size);
  }
  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.count = Math.min(this.count + 1, this.values.length);
  }
  percentile(p: number): number {
    if (!this.count) return 0;
    const sorted = Array.from(this.values.subarray(0, this.count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }
  get size(): number {
    return this.count;
  }
  reset(): void {
    this.count = 0;
    this.next = 0;
  }
}

export class Scheduler<T extends Schedulable> {
  private readonly heap: Array<Entry<T>> = [];
  private readonly byId = new Map<string, Entry<T>>();
  private readonly ready: Array<{ entry: Entry<T>; plannedAt: number }> = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private inFlight = 0;
  private stopped = true;
  readonly drift = new DriftWindow();
  /** Turns skipped because the previous check of the same monitor was still running. */
  skipped = 0;

  constructor(private readonly run: (item: T, plannedAt: number) => Promise<void>, private readonly options: SchedulerOptions) {}

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  get size(): number {
    return this.byId.size;
  }

  get running(): number {
    return this.inFlight;
  }

  /** Adds (or replaces) a monitor; its first check is at `firstAt` (default: spread over one interval). */
  add(item: T, firstAt?: number): void {
    this.remove(item.id);
    const entry: Entry<T> = { item, nextAt: firstAt ?? this.now() + Math.floor(Math.random() * item.intervalMs), running: false, removed: false };
    this.byId.set(item.id, entry);
    this.push(entry);
    this.arm();
  }

  remove(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    entry.removed = true;
    this.byId.delete(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private push(entry: Entry<T>): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.nextAt <= entry.nextAt) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): Entry<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!top || !last || !h.length) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      const mv = () => (m === i ? last.nextAt : h[m]!.nextAt);
      if (l < h.length && h[l]!.nextAt < mv()) m = l;
      if (r < h.length && h[r]!.nextAt < mv()) m = r;
      if (m === i) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
    return top;
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.heap.length && this.heap[0]!.removed) this.pop();
    const next = this.heap[0];
    if (!next) return;
    if (this.timer && this.timerAt <= next.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next.nextAt;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next.nextAt - this.now()));
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.now();
    while (this.heap.length && this.heap[0]!.nextAt <= now) {
      const entry = this.pop()!;
      if (entry.removed) continue;
      // Turns missed entirely (the node was busy, or the last check still ran) are skipped, counted; the latest
      // turn due runs now, and the next is planned from it.
      while (entry.nextAt + entry.item.intervalMs <= now) {
        entry.nextAt += entry.item.intervalMs;
        this.skipped += 1;
      }
      const plannedAt = entry.nextAt;
      entry.nextAt = plannedAt + entry.item.intervalMs;
      this.push(entry);
      if (entry.running) {
        this.skipped += 1;
        continue;
      }
      this.ready.push({ entry, plannedAt });
    }
    this.drain();
    this.arm();
  }

  private drain(): void {
    while (this.ready.length && this.inFlight < this.options.concurrency) {
      const { entry, plannedAt } = this.ready.shift()!;
      if (entry.removed || entry.running) continue;
      entry.running = true;
      this.inFlight += 1;
      this.drift.add(Math.max(0, this.now() - plannedAt));
      void this.run(entry.item, plannedAt)
        .catch(() => undefined)
        .finally(() => {
          entry.running = false;
          this.inFlight -= 1;
          this.drain();
        });
    }
  }
}

// The outbox relay: sequences committed events and tells every node (signals) that they can be delivered.
// A node kicks its relay right after it commits; a slow poll catches anything a lost kick or signal missed.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { SEQUENCE_BATCH, sequenceOutbox } from './outbox.js';
import type { EventSignals } from './signals.js';

export class OutboxRelay {
  private dirty = false;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly signals: EventSignals,
    private readonly log: Logger,
    private readonly pollMs = 250,
    /**
     * A pass waits this long for more commits to arrive: under a burst (election-day intake) one pass then
     * sequences many events and the live stream fans them out together, instead of one pass per commit.
     */
    private readonly coalesceMs = 5,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Asks for a sequencing pass soon; cheap to call after every commit. */
  kick(): void {
    this.dirty = true;
    if (!this.running && !this.stopped) void this.loop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty && !this.stopped) {
        if (this.coalesceMs > 0) await new Promise((resolve) => setTimeout(resolve, this.coalesceMs));
        this.dirty = false;
        const done = await sequenceOutbox(this.db).catch((error: unknown) => {
          this.log.warn({ err: error }, 'outbox relay pass failed');
          return { high: 0, count: 0 };
        });
        if (done === null) {
          // Another node is sequencing; it may have started before our commit, so look again shortly.
          this.dirty = true;
          await new Promise((resolve) => setTimeout(resolve, 5));
        } else if (done.count > 0) {
          this.signals.publishSequenced(done.high);
          // A full batch means more may be waiting; otherwise only a new kick (a new commit) calls for a pass.
          if (done.count >= SEQUENCE_BATCH) this.dirty = true;
        }
      }
    } finally {
      this.running = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

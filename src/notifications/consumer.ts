// Reads the sequenced event stream after its saved position and applies the notification rules. The rows a
// batch writes and the new position commit in one transaction: a crash repeats nothing and loses nothing.
import { asc, eq, gt, and, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../platform/db/client.js';
import type { EventSignals } from '../platform/events/signals.js';
import { eventCursors, outbox } from '../platform/events/schema.js';
import { applyRulesBatch, type SequencedEvent } from './rules.js';

export const CONSUMER = 'notifications';
const BATCH = 200;

export class NotificationConsumer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly signals: EventSignals,
    private readonly log: Logger,
    private readonly onWrote: () => void,
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.signals.onSequenced(() => this.kickSoon());
    this.kick();
  }

  private soon: NodeJS.Timeout | null = null;
  private cursorReady = false;

  /**
   * Events arrive in bursts (hundreds of reports a minute on election day): waiting a moment after a signal lets
   * one transaction apply the rules of many events, where reacting at once would spend one per event. Live
   * delivery does not wait for this; notifications arrive a few tens of milliseconds later.
   */
  private kickSoon(): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      this.kick();
    }, 25);
    this.soon.unref();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.timer = setTimeout(() => this.kick(), this.pollMs);
        this.timer.unref();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const processed = await this.batch();
        if (processed > 0) this.onWrote();
        if (processed < BATCH || this.stopped) return;
      }
    } catch (error) {
      this.log.error({ err: error }, 'notification consumer failed; will retry');
    }
  }

  /** One batch in one transaction; the cursor row lock keeps two workers from taking the same batch. */
  async batch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      if (!this.cursorReady) {
        await tx.insert(eventCursors).values({ consumer: CONSUMER, position: 0 }).onConflictDoNothing();
        this.cursorReady = true;
      }
      const [cursor] = await tx.select().from(eventCursors).where(eq(eventCursors.consumer, CONSUMER)).for('update');
      const position = cursor?.position ?? 0;
      const rows = await tx
        .select()
        .from(outbox)
        .where(and(isNotNull(outbox.seq), gt(outbox.seq, position)))
        .orderBy(asc(outbox.seq))
        .limit(BATCH);
      const events: SequencedEvent[] = rows.map((r) => ({
        seq: r.seq!,
        type: r.type,
        recordKind: r.recordKind,
        recordId: r.recordId,
        ownerOrg: r.ownerOrg,
        authorId: r.authorId,
        tlp: r.tlp,
        recipientOrgs: r.recipientOrgs,
        recipientUsers: r.recipientUsers,
        payload: (r.payload ?? {}) as Record<string, unknown>,
      }));
      await applyRulesBatch(tx, events);
      const last = rows.at(-1);
      if (last) await tx.update(eventCursors).set({ position: last.seq!, updatedAt: sql`now()` }).where(eq(eventCursors.consumer, CONSUMER));
      return rows.length;
    });
  }
}

// Wake-up signals between nodes: "events up to position N are sequenced". The database stays the source of
// truth; a lost signal only delays delivery until the next poll. In-process when alone, NATS in a cluster.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

export interface EventSignals {
  readonly kind: 'local' | 'nats';
  publishSequenced(seq: number): void;
  onSequenced(listener: (seq: number) => void): () => void;
  close(): Promise<void>;
}

export function localSignals(): EventSignals {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'local',
    publishSequenced: (seq) => emitter.emit('seq', seq),
    onSequenced(listener) {
      emitter.on('seq', listener);
      return () => emitter.off('seq', listener);
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

export const NATS_SUBJECT = 'eoc.events.sequenced';

export async function natsSignals(url: string, log: Logger, subjectPrefix = ''): Promise<EventSignals> {
  const { connect, StringCodec } = await import('nats');
  const nc = await connect({ servers: url, name: 'election-ops-center', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  const codec = StringCodec();
  const subject = `${subjectPrefix}${NATS_SUBJECT}`;
  const local = localSignals();
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const msg of sub) {
      const seq = Number(codec.decode(msg.data));
      if (Number.isFinite(seq)) local.publishSequenced(seq);
    }
  })().catch((error: unknown) => log.warn({ err: error }, 'NATS subscription ended'));
  void (async () => {
    for await (const status of nc.status()) log.info({ nats: status.type }, 'NATS connection status');
  })().catch(() => undefined);
  return {
    kind: 'nats',
    publishSequenced(seq) {
      try {
        nc.publish(subject, codec.encode(String(seq)));
      } catch (error) {
        // Delivery falls back to polling; the event itself is safe in the database.
        log.warn({ err: error }, 'could not publish to NATS');
      }
    },
    onSequenced: local.onSequenced,
    async close() {
      await nc.drain().catch(() => undefined);
      await local.close();
    },
  };
}

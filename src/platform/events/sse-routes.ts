// GET /api/v1/events: the live stream as server-sent events. Each event's `id` is its delivery position;
// a client that reconnects with `Last-Event-ID` gets everything it missed, then live events, exactly once.
import { Type } from '@sinclair/typebox';
import type { App } from '../http/server.js';
import { AppError } from '../http/errors.js';
import type { LiveHub, LiveEvent } from './hub.js';
import { eventsDelivered, liveConnections } from '../http/metrics.js';
import type { Viewer } from '../../access/policy.js';
import type { FastifyRequest } from 'fastify';

const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

// One event goes to thousands of streams: serialise and encode it once, not once per stream.
const frames = new WeakMap<LiveEvent, Buffer>();
function frameOf(event: LiveEvent): Buffer {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = Buffer.from(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`, 'utf8');
    frames.set(event, frame);
  }
  return frame;
}

export function sseRoutes(app: App, hub: LiveHub, viewerOf: (request: FastifyRequest) => Viewer): void {
  app.get('/api/v1/events', {
    schema: {
      tags: ['events'],
      summary: 'Live events you may see (text/event-stream); resume with Last-Event-ID',
      querystring: Type.Object({ lastEventId: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const viewer = viewerOf(request);
    const header = request.headers['last-event-id'];
    const raw = typeof header === 'string' && header !== '' ? header : request.query.lastEventId;
    let last: number | null = null;
    if (raw !== undefined) {
      if (!/^\d{1,15}$/.test(raw)) throw new AppError('validation-failed', 'Last-Event-ID must be the id of an event this stream sent.');
      last = Number(raw);
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n: connected at position ${hub.position}\n\n`);
    let closed = false;
    const write = (chunk: string | Buffer): boolean => {
      if (closed) return false;
      res.write(chunk);
      return res.writableLength < MAX_BUFFERED_BYTES;
    };
    let disconnect: (() => void) | null = null;
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      disconnect?.();
      liveConnections.dec();
      res.end();
    };
    const heartbeat = setInterval(() => write(`: keep-alive\n\n`), 15_000);
    heartbeat.unref();
    liveConnections.inc();
    request.raw.on('close', finish);
    try {
      disconnect = await hub.connect(
        {
          viewer: { userId: viewer.userId, orgId: viewer.orgId },
          send(event: LiveEvent) {
            eventsDelivered.inc();
            return write(frameOf(event));
          },
          close(reason: string) {
            write(`event: stream-closed\ndata: ${JSON.stringify({ reason })}\n\n`);
            finish();
          },
        },
        last,
      );
      if (closed) disconnect();
    } catch (error) {
      request.log.error({ err: error }, 'live stream resume failed');
      finish();
    }
  });
}

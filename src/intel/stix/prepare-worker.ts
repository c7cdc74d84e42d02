// The thread that gets batches of STIX objects ready for the store (prepare.ts), one task at a time, in order.
import { parentPort } from 'node:worker_threads';
import { prepareBatch, type PrepareTask } from './prepare.js';

parentPort!.on('message', (message: { id: number; task: PrepareTask }) => {
  let reply;
  try {
    reply = { id: message.id, result: prepareBatch(message.task) };
  } catch (error) {
    reply = { id: message.id, failed: (error as Error).stack ?? String(error) };
  }
  // The serialised objects' bytes move to the main thread rather than being copied.
  const transfer = reply.result?.ok ? reply.result.chunks.flatMap((c) => (c.bytes ? [c.bytes.buffer as ArrayBuffer] : [])) : [];
  parentPort!.postMessage(reply, transfer);
});

// Loaded: from now on a stop is a failure of the work, not of starting.
parentPort!.postMessage({ ready: true });

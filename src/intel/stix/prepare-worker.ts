// The thread that gets batches of STIX objects ready for the store (prepare.ts), one batch at a time, in the
// order they come, sending each part as soon as it is ready and then how the batch ended.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareParts, type PrepareTask } from './prepare.js';
import { warmUp } from './warm-up.js';

parentPort!.on('message', (message: { id: number; task: PrepareTask }) => {
  const { id } = message;
  try {
    const end = prepareParts(message.task, (part) => {
      // The serialised objects' bytes move to the main thread rather than being copied.
      parentPort!.postMessage({ id, part }, [part.bytes.buffer as ArrayBuffer]);
    });
    parentPort!.postMessage({ id, end });
  } catch (error) {
    parentPort!.postMessage({ id, failed: (error as Error).stack ?? String(error) });
  }
});

// Loaded: from now on a stop is a failure of the work, not of starting.
parentPort!.postMessage({ ready: true });

// Started ahead of the first batch (a server starting): its checks are warmed up first (warm-up.ts); a batch that
// comes meanwhile waits for that.
const warm = (workerData as { warmUp?: { schemaDir: string | null } } | undefined)?.warmUp;
if (warm) setImmediate(() => warmUp(warm.schemaDir));

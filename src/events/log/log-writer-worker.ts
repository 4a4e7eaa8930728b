/**
 * Entry of the event log's writer thread: a LogWriter fed by SqliteEventLog over the worker's port, one
 * group (transaction) per message, replying with the logged events. Why a thread: the inserts, the fsync
 * and the dialects' projection were the main thread's largest costs at 200 calls/s (docs/performance.md),
 * and the SIP stack, the switch and every WebSocket share that thread. The projection module, if any, is
 * imported here by URL (projection.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LogWriter, type LogWriterOptions, type WriteReply, type WriteRequest } from './log-writer.js';
import type { ProjectionModule } from './projection.js';

export interface LogWriterWorkerData extends LogWriterOptions {
  /** URL of a module exporting `createProjection()` (projection.ts). */
  projectionModule?: string;
}

const port = parentPort;
if (!port) throw new Error('log-writer-worker must run in a worker thread');
const data = workerData as LogWriterWorkerData;
const projection = data.projectionModule ? ((await import(data.projectionModule)) as ProjectionModule).createProjection() : undefined;
const writer = new LogWriter(data, projection);
port.on('message', (req: WriteRequest | 'close') => {
  if (req === 'close') {
    writer.close();
    port.postMessage('closed');
    return;
  }
  let reply: WriteReply;
  try {
    reply = writer.write(req);
  } catch (err) {
    // write() answers per batch; this is for what it did not foresee: fail this group, keep the thread.
    reply = { seq: req.seq, loggedAt: Date.now(), results: req.batches.map(() => ({ error: (err as Error).message })) };
  }
  port.postMessage(reply);
});
port.postMessage('ready');

/**
 * Entry of the event log's writer thread: a LogWriter fed by SqliteEventLog over the worker's port, one
 * group (transaction) per message, replying with the positions. Why a thread: the inserts and the fsync
 * were the main thread's largest single cost at 200 calls/s (~16 % of it, docs/performance.md), and the
 * SIP stack, the switch and every WebSocket share that thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LogWriter, type LogWriterOptions, type WriteReply, type WriteRequest } from './log-writer.js';

const port = parentPort;
if (!port) throw new Error('log-writer-worker must run in a worker thread');
const writer = new LogWriter(workerData as LogWriterOptions);
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

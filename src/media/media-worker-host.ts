/**
 * Entry of the media worker thread: one MediaEngine, driven by requests from MediaEngineClient over the
 * worker's message port, with every engine event forwarded. Why a worker: the relay on the main event loop
 * made the main thread's event-loop delay (p99) reach hundreds of ms from ~300 relayed calls in the
 * benchmark, which SIP timers and the API would feel; in a worker the main thread stays at ~10 ms.
 * Replies and events go back in batches, one per turn of this loop (media-rpc.ts, "Batches").
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log/logger.js';
import { MediaEngine, type MediaEngineEvents } from './media-engine.js';
import { MEDIA_METHODS, serializeError, type MediaWorkerOptions, type RpcMessage, type RpcRequest } from './media-rpc.js';

if (!parentPort) throw new Error('media-worker-host must run in a worker thread');
const port = parentPort;
const { logLevel, ...options } = workerData as MediaWorkerOptions;
const log = createLogger({ level: logLevel ?? 'info', name: 'ringside-media' });
const engine = new MediaEngine({ ...options, logger: log });

let outbox: RpcMessage[] = [];
const post = (m: RpcMessage): void => {
  if (outbox.push(m) === 1) setImmediate(flush);
};
function flush(): void {
  const batch = outbox;
  outbox = [];
  try {
    port.postMessage(batch);
  } catch {
    // Something in the batch cannot be cloned: the rest must still arrive.
    for (const m of batch) postAlone(m);
  }
}
/** One message by itself: a result that cannot be cloned becomes its request's error, as before batches. */
function postAlone(m: RpcMessage): void {
  try {
    port.postMessage([m]);
  } catch (err) {
    if (m.kind === 'result') port.postMessage([{ kind: 'error', id: m.id, error: serializeError(err) }]);
    else log.warn({ err, message: m.kind === 'event' ? m.event : m.kind }, 'a media message could not be sent to the main thread');
  }
}

const EVENTS: (keyof MediaEngineEvents)[] = ['dtmf', 'playback-started', 'playback-finished', 'recording-finished', 'rtp-timeout', 'latched'];
for (const event of EVENTS) engine.on(event, (payload: unknown) => post({ kind: 'event', event, payload }));

async function handle(req: RpcRequest): Promise<void> {
  try {
    if (req.method === '#close') {
      await engine.close();
      post({ kind: 'result', id: req.id, result: undefined });
      return;
    }
    const fn = MEDIA_METHODS[req.method] as (e: MediaEngine, ...args: unknown[]) => unknown;
    if (typeof fn !== 'function') throw new Error(`unknown media method '${String(req.method)}'`);
    post({ kind: 'result', id: req.id, result: await fn(engine, ...req.args) });
  } catch (err) {
    post({ kind: 'error', id: req.id, error: serializeError(err) });
  }
}

port.on('message', (batch: RpcRequest[]) => {
  for (const req of batch) void handle(req);
});
post({ kind: 'ready' });

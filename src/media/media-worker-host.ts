/**
 * Entry of the media worker thread: one MediaEngine, driven by requests from MediaEngineClient over the
 * worker's message port, with every engine event forwarded. Why a worker: the relay on the main event loop
 * made the main thread's event-loop delay (p99) reach hundreds of ms from ~300 relayed calls in the
 * benchmark, which SIP timers and the API would feel; in a worker the main thread stays at ~10 ms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log/logger.js';
import { MediaEngine, type MediaEngineEvents } from './media-engine.js';
import { MEDIA_METHODS, serializeError, type MediaWorkerOptions, type RpcMessage, type RpcRequest } from './media-rpc.js';

const port = parentPort;
if (!port) throw new Error('media-worker-host must run in a worker thread');
const { logLevel, ...options } = workerData as MediaWorkerOptions;
const engine = new MediaEngine({ ...options, logger: createLogger({ level: logLevel ?? 'info', name: 'ringside-media' }) });
const post = (m: RpcMessage): void => port.postMessage(m);

const EVENTS: (keyof MediaEngineEvents)[] = ['dtmf', 'playback-started', 'playback-finished', 'recording-finished', 'rtp-timeout', 'latched'];
for (const event of EVENTS) engine.on(event, (payload: unknown) => post({ kind: 'event', event, payload }));

port.on('message', (req: RpcRequest) => {
  void (async () => {
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
  })();
});
post({ kind: 'ready' });

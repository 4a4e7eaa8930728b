/**
 * The media engine in a worker thread, seen from the main thread: the same operations as MediaEngine, all
 * asynchronous, and the same typed events. Requests are correlated by id; when the worker exits, every
 * pending request is rejected with a clear error (nothing is left hanging), and `exit` is emitted.
 * Recordings are files, so `recordingPath`/`openRecording` run here without a round trip. Requests go to
 * the worker in batches, one per turn of this loop (media-rpc.ts, "Batches").
 */
import type { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { TypedEmitter } from './typed-emitter.js';
import { startWorker } from '../util/worker-thread.js';
import { InvalidStateError } from './errors.js';
import { openRecording, recordingPath, type RecordingInfo, type RecordingResponse } from './recorder.js';
import type { EndpointStats, MediaControl } from './media-control.js';
import type { MediaEngineEvents, Negotiation, OpenedEndpoint, PlayOptions } from './media-engine.js';
import type { PlaybackOutcome, PlayItem } from './player.js';
import type { ConferenceMemberState } from './mixer.js';
import { deserializeError, type MediaArgs, type MediaMethod, type MediaResult, type MediaWorkerOptions, type RpcMessage, type RpcRequest } from './media-rpc.js';

export type MediaEngineClientEvents = MediaEngineEvents & { exit: [code: number] };

export class MediaEngineClient extends TypedEmitter<MediaEngineClientEvents> implements MediaControl {
  readonly dataDir: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  readonly #playbacks = new Map<string, (o: PlaybackOutcome) => void>();
  #outbox: RpcRequest[] = [];
  #nextId = 1;
  #exited = false;
  #closing = false;

  private constructor(worker: Worker, dataDir: string) {
    super();
    this.#worker = worker;
    this.dataDir = dataDir;
    worker.on('message', (batch: RpcMessage[]) => {
      for (const m of batch) this.#onMessage(m);
    });
    worker.on('error', (err) => this.#failAll(`media worker crashed: ${err.message}`));
    worker.on('exit', (code) => {
      this.#exited = true;
      this.#failAll(`media worker exited (code ${code})`);
      this.emit('exit', code);
    });
  }

  /** Starts the worker and resolves once its engine is ready. */
  static async start(options: MediaWorkerOptions): Promise<MediaEngineClient> {
    const worker = startWorker(import.meta.url, 'media-worker-host', options);
    const client = new MediaEngineClient(worker, options.dataDir);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (batch: RpcMessage[]): void => {
        if (batch.some((m) => m.kind === 'ready')) {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number): void => reject(new InvalidStateError(`media worker exited during start (code ${code})`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
    return client;
  }

  #onMessage(m: RpcMessage): void {
    if (m.kind === 'event') {
      const e = m.event as keyof MediaEngineEvents;
      if (e === 'playback-finished') {
        const p = m.payload as MediaEngineEvents['playback-finished'][0];
        this.#playbacks.get(p.playbackId)?.(p.outcome);
        this.#playbacks.delete(p.playbackId);
      }
      (this.emit as (ev: string, ...a: unknown[]) => boolean)(e, m.payload);
      return;
    }
    if (m.kind !== 'result' && m.kind !== 'error') return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.kind === 'result') p.resolve(m.result);
    else p.reject(deserializeError(m.error));
  }

  #failAll(reason: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new InvalidStateError(`${reason}; '${p.method}' did not complete`));
    for (const [, settle] of this.#playbacks) settle('error');
    this.#playbacks.clear();
  }

  /** Calls one engine operation in the worker. */
  call<K extends MediaMethod>(method: K, ...args: MediaArgs<K>): Promise<MediaResult<K>> {
    if (this.#exited) return Promise.reject(new InvalidStateError(`media worker is not running; '${method}' not sent`));
    return this.#request(method, args) as Promise<MediaResult<K>>;
  }

  #request(method: RpcRequest['method'], args: unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method: method === '#close' ? 'close' : method });
      if (this.#outbox.push({ id, method, args } as RpcRequest) === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#outbox;
    this.#outbox = [];
    // Gone meanwhile: #failAll has rejected them.
    if (this.#exited) return;
    try {
      this.#worker.postMessage(batch);
    } catch {
      // A request whose arguments cannot be cloned fails alone, as when each was posted by itself.
      for (const req of batch) {
        try {
          this.#worker.postMessage([req]);
        } catch (err) {
          const p = this.#pending.get(req.id);
          this.#pending.delete(req.id);
          p?.reject(err as Error);
        }
      }
    }
  }

  allocateEndpoint(legId: string): Promise<{ endpointId: string; port: number }> {
    return this.call('allocateEndpoint', legId);
  }

  openEndpoint(...a: MediaArgs<'openEndpoint'>): Promise<OpenedEndpoint> {
    return this.call('openEndpoint', ...a);
  }

  createOffer(...a: MediaArgs<'createOffer'>): Promise<string> {
    return this.call('createOffer', ...a);
  }

  createAnswer(...a: MediaArgs<'createAnswer'>): Promise<string> {
    return this.call('createAnswer', ...a);
  }

  answerOffer(...a: MediaArgs<'answerOffer'>): Promise<{ sdp: string } & Negotiation> {
    return this.call('answerOffer', ...a);
  }

  applyAnswer(...a: MediaArgs<'applyAnswer'>): Promise<Negotiation> {
    return this.call('applyAnswer', ...a);
  }

  endpointStats(endpointId: string): Promise<EndpointStats> {
    return this.call('endpointStats', endpointId);
  }

  connect(a: string, b: string): Promise<void> {
    return this.call('connect', a, b);
  }

  disconnect(endpointId: string): Promise<void> {
    return this.call('disconnect', endpointId);
  }

  stopPlayback(endpointId: string): Promise<void> {
    return this.call('stopPlayback', endpointId);
  }

  handleSipInfo(...a: MediaArgs<'handleSipInfo'>): Promise<string> {
    return this.call('handleSipInfo', ...a);
  }

  sendDigits(...a: MediaArgs<'sendDigits'>): Promise<void> {
    return this.call('sendDigits', ...a);
  }

  startRecording(...a: MediaArgs<'startRecording'>): Promise<{ recordingId: string; path: string }> {
    return this.call('startRecording', ...a);
  }

  fetchAudio(url: string): Promise<string> {
    return this.call('fetchAudio', url);
  }

  stopRecording(recordingId: string): Promise<RecordingInfo> {
    return this.call('stopRecording', recordingId);
  }

  closeEndpoint(endpointId: string): Promise<void> {
    // A worker that is gone has nothing left to close.
    if (this.#exited) return Promise.resolve();
    return this.call('closeEndpoint', endpointId);
  }

  /** Like MediaEngine.play; `done` settles on the worker's `playback-finished`. */
  async play(endpointId: string, items: PlayItem | PlayItem[], opts: PlayOptions = {}): Promise<{ playbackId: string; done: Promise<PlaybackOutcome> }> {
    const playbackId = opts.playbackId ?? `pb-${randomBytes(8).toString('hex')}`;
    const done = new Promise<PlaybackOutcome>((resolve) => this.#playbacks.set(playbackId, resolve));
    try {
      await this.call('play', endpointId, Array.isArray(items) ? items : [items], { ...opts, playbackId });
    } catch (err) {
      this.#playbacks.delete(playbackId);
      throw err;
    }
    return { playbackId, done };
  }

  createConference(conferenceId?: string): Promise<string> {
    return this.call('createConference', conferenceId);
  }

  joinConference(...a: MediaArgs<'joinConference'>): Promise<void> {
    return this.call('joinConference', ...a);
  }

  leaveConference(endpointId: string): Promise<void> {
    return this.call('leaveConference', endpointId);
  }

  setMuted(...a: MediaArgs<'setMuted'>): Promise<void> {
    return this.call('setMuted', ...a);
  }

  setHeld(...a: MediaArgs<'setHeld'>): Promise<void> {
    return this.call('setHeld', ...a);
  }

  conferenceMembers(conferenceId: string): Promise<ConferenceMemberState[]> {
    return this.call('conferenceMembers', conferenceId);
  }

  /** Like `play`, into a conference's mix; `done` settles on the worker's `playback-finished`. */
  async playToConference(conferenceId: string, items: PlayItem | PlayItem[], opts: { loop?: boolean; playbackId?: string; alongside?: boolean } = {}): Promise<{ playbackId: string; done: Promise<PlaybackOutcome> }> {
    const playbackId = opts.playbackId ?? `pb-${randomBytes(8).toString('hex')}`;
    const done = new Promise<PlaybackOutcome>((resolve) => this.#playbacks.set(playbackId, resolve));
    try {
      await this.call('playToConference', conferenceId, Array.isArray(items) ? items : [items], { ...opts, playbackId });
    } catch (err) {
      this.#playbacks.delete(playbackId);
      throw err;
    }
    return { playbackId, done };
  }

  stopConferencePlayback(conferenceId: string): Promise<void> {
    return this.call('stopConferencePlayback', conferenceId);
  }

  closeConference(conferenceId: string): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return this.call('closeConference', conferenceId);
  }

  /** The RTP port pool in pairs: free and in all. */
  portPool(): Promise<{ free: number; total: number }> {
    return this.call('portPool');
  }

  /** RTP packet totals and the media thread's event-loop delay since the previous call (GET /metrics). */
  stats(): Promise<MediaResult<'stats'>> {
    return this.call('stats');
  }

  recordingPath(recordingId: string): string {
    return recordingPath(this.dataDir, recordingId);
  }

  openRecording(recordingId: string, range?: string): Promise<RecordingResponse> {
    return openRecording(this.dataDir, recordingId, range);
  }

  /** True once `close()` was called: an `exit` after that is the expected one. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Closes the engine (ports, recordings) and ends the worker. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#exited) return;
    try {
      await this.#request('#close', []);
    } finally {
      await this.#worker.terminate();
    }
  }
}

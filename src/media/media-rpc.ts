/**
 * The request table shared by the media worker host and its client: which MediaEngine operations can be
 * called across the thread boundary, and how. One entry per operation keeps both sides typed from one
 * place (the client's argument and result types are derived from it).
 */
import type { MediaEngine, MediaEngineOptions, OpenOptions, RecordTarget } from './media-engine.js';
import type { Direction } from './sdp-negotiator.js';
import type { PlayItem } from './player.js';
import * as errors from './errors.js';

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

export const MEDIA_METHODS = {
  allocateEndpoint: (e: MediaEngine, legId: string) => e.allocateEndpoint(legId),
  openEndpoint: (e: MediaEngine, legId: string, remoteOffer?: string, peerHint?: string, opts?: OpenOptions) => e.openEndpoint(legId, remoteOffer, peerHint, opts),
  createOffer: (e: MediaEngine, id: string, direction?: Direction) => e.createOffer(id, direction),
  createAnswer: (e: MediaEngine, id: string, offer: string, direction?: Direction) => e.createAnswer(id, offer, direction),
  answerOffer: (e: MediaEngine, id: string, offer: string, direction?: Direction) => e.answerOffer(id, offer, direction),
  applyAnswer: (e: MediaEngine, id: string, answer: string) => e.applyAnswer(id, answer),
  hold: (e: MediaEngine, id: string) => e.hold(id),
  resume: (e: MediaEngine, id: string) => e.resume(id),
  endpointStats: (e: MediaEngine, id: string) => e.endpointStats(id),
  connect: (e: MediaEngine, a: string, b: string) => e.connect(a, b),
  disconnect: (e: MediaEngine, id: string) => e.disconnect(id),
  // The playback's end arrives as the `playback-finished` event; only the id is returned.
  play: (e: MediaEngine, id: string, items: PlayItem[], opts: { stopOnDigits?: string | boolean; loop?: boolean; playbackId: string; gainDb?: number }) => {
    e.play(id, items, opts).done.catch(() => undefined);
    return opts.playbackId;
  },
  stopPlayback: (e: MediaEngine, id: string) => e.stopPlayback(id),
  handleSipInfo: (e: MediaEngine, id: string, contentType: string, body: string) => e.handleSipInfo(id, contentType, body),
  sendDigits: (e: MediaEngine, id: string, digits: string, opts?: { durationMs?: number }) => e.sendDigits(id, digits, opts),
  startRecording: (e: MediaEngine, target: RecordTarget, opts?: { recordingId?: string; maxDurationMs?: number }) => e.startRecording(target, opts),
  stopRecording: (e: MediaEngine, recordingId: string) => e.stopRecording(recordingId),
  fetchAudio: (e: MediaEngine, url: string) => e.fetchAudio(url),
  createConference: (e: MediaEngine, conferenceId?: string) => e.createConference(conferenceId),
  joinConference: (e: MediaEngine, conferenceId: string, id: string, state?: { muted?: boolean; held?: boolean }) => e.joinConference(conferenceId, id, state),
  leaveConference: (e: MediaEngine, id: string) => e.leaveConference(id),
  setMuted: (e: MediaEngine, conferenceId: string, id: string, muted: boolean) => e.setMuted(conferenceId, id, muted),
  setHeld: (e: MediaEngine, conferenceId: string, id: string, held: boolean) => e.setHeld(conferenceId, id, held),
  conferenceMembers: (e: MediaEngine, conferenceId: string) => e.conferenceMembers(conferenceId),
  closeConference: (e: MediaEngine, conferenceId: string) => e.closeConference(conferenceId),
  // Like `play`: the end arrives as the `playback-finished` event.
  playToConference: (e: MediaEngine, conferenceId: string, items: PlayItem[], opts: { loop?: boolean; playbackId: string; alongside?: boolean }) => {
    e.playToConference(conferenceId, items, opts).done.catch(() => undefined);
    return opts.playbackId;
  },
  stopConferencePlayback: (e: MediaEngine, conferenceId: string) => e.stopConferencePlayback(conferenceId),
  closeEndpoint: (e: MediaEngine, id: string) => e.closeEndpoint(id),
  resolvePrompt: (e: MediaEngine, name: string) => e.prompts.resolve(name),
  // RTP/RTCP pairs free and in all (GET /health; a soak checks the pool returns to full).
  portPool: (e: MediaEngine) => ({ free: e.ports.pairCount - e.ports.inUse, total: e.ports.pairCount }),
  // GET /metrics: RTP packet totals and the media loop's delay since the previous scrape.
  stats: (e: MediaEngine) => ({ rtp: e.rtpStats(), loopDelay: e.loopDelay() }),
} satisfies Record<string, (e: MediaEngine, ...args: never[]) => unknown>;

export type MediaMethods = typeof MEDIA_METHODS;
export type MediaMethod = keyof MediaMethods;
export type MediaArgs<K extends MediaMethod> = Tail<Parameters<MediaMethods[K]>>;
export type MediaResult<K extends MediaMethod> = Awaited<ReturnType<MediaMethods[K]>>;

/** Worker options: the engine's, minus the logger (which cannot cross threads). */
export type MediaWorkerOptions = Omit<MediaEngineOptions, 'logger'> & { logLevel?: string };

/*
 * Batches: each side sends what one turn of its event loop produced (requests; replies and events, in the
 * order they happened) as one array in one postMessage, flushed by setImmediate. Each message costs its
 * sender a postMessage and its receiver a wake-up and a dispatch, which for these small messages outweighs
 * their size; a call's end (disconnect, closeEndpoint ×2) is one turn, and under load so are many calls'
 * requests. docs/media.md, "Running the engine in a worker thread", has the figures.
 */
export type RpcRequest = { id: number; method: MediaMethod; args: unknown[] } | { id: number; method: '#close'; args: [] };
export type RpcMessage =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'event'; event: string; payload: unknown };

export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(err)) if (typeof v !== 'function') fields[k] = v;
    return { name: err.name, message: err.message, fields };
  }
  return { name: 'Error', message: String(err), fields: {} };
}

/** Rebuilds the named error class (so `instanceof CodecMismatchError` and the error's fields work on this side). */
export function deserializeError(e: SerializedError): Error {
  const ctor = (errors as Record<string, unknown>)[e.name];
  let err: Error;
  if (typeof ctor === 'function' && (ctor as { prototype: unknown }).prototype instanceof Error) {
    err = Object.create((ctor as { prototype: object }).prototype) as Error;
    Object.defineProperty(err, 'message', { value: e.message, writable: true, configurable: true });
    Object.defineProperty(err, 'name', { value: e.name, writable: true, configurable: true });
    err.stack = `${e.name}: ${e.message}\n    at (media worker)`;
  } else {
    err = new Error(e.message);
    err.name = e.name;
  }
  Object.assign(err, e.fields);
  return err;
}

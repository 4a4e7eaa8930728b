/**
 * What the switch needs from the media engine, as one asynchronous interface. Two implementations:
 * `MediaEngineClient` (the engine in a worker thread, what `ringside serve` runs: docs/media.md, "Where the
 * media runs") and `inThreadMedia(engine)` (the engine on the caller's event loop: tests, tools, the demo).
 * The switch is written once against this; every call may cross a thread, so every result is a promise,
 * and what a leg always does together is one operation (openEndpoint, answerOffer, applyAnswer's result).
 */
import type { MediaEngine, MediaEngineEvents, Negotiation, OpenedEndpoint, OpenOptions, PlayOptions, RecordTarget } from './media-engine.js';
import type { PlaybackOutcome, PlayItem } from './player.js';
import type { Direction, MediaCodec } from './sdp-negotiator.js';
import type { RecordingInfo, RecordingResponse } from './recorder.js';
import type { RtpSessionStats } from './rtp-session.js';
import type { ConferenceMemberState } from './mixer.js';

export type EndpointStats = RtpSessionStats & { codec: MediaCodec | null; direction: Direction | null; security: 'webrtc' | 'sdes' | null };

export type MediaListener<K extends keyof MediaEngineEvents> = (...args: MediaEngineEvents[K]) => void;

export interface MediaControl {
  allocateEndpoint(legId: string): Promise<{ endpointId: string; port: number }>;
  /** allocateEndpoint + our answer to `remoteOffer`, or our offer. Rejects with PortsExhaustedError, or
   *  CodecMismatchError / SdpError (the endpoint is closed then). */
  openEndpoint(legId: string, remoteOffer?: string, peerHint?: string, opts?: OpenOptions): Promise<OpenedEndpoint>;
  /** SDP offer (`sendonly`/`inactive` put the leg on hold, RFC 3264 §8.4). */
  createOffer(endpointId: string, direction?: Direction): Promise<string>;
  /** Rejects with CodecMismatchError / SdpError. */
  createAnswer(endpointId: string, offer: string, direction?: Direction): Promise<string>;
  /** createAnswer and what it negotiated (a re-offer's direction). */
  answerOffer(endpointId: string, offer: string, direction?: Direction): Promise<{ sdp: string } & Negotiation>;
  applyAnswer(endpointId: string, answer: string): Promise<Negotiation>;
  endpointStats(endpointId: string): Promise<EndpointStats>;
  connect(a: string, b: string): Promise<void>;
  disconnect(endpointId: string): Promise<void>;
  play(endpointId: string, items: PlayItem | PlayItem[], opts?: PlayOptions): Promise<{ playbackId: string; done: Promise<PlaybackOutcome> }>;
  stopPlayback(endpointId: string): Promise<void>;
  handleSipInfo(endpointId: string, contentType: string, body: string): Promise<string>;
  sendDigits(endpointId: string, digits: string, opts?: { durationMs?: number }): Promise<void>;
  startRecording(target: RecordTarget, opts?: { recordingId?: string; maxDurationMs?: number }): Promise<{ recordingId: string; path: string }>;
  stopRecording(recordingId: string): Promise<RecordingInfo>;
  /** A local WAV for an audio URL (voice API `fileUrl`); rejects with AudioFetchError. */
  fetchAudio(url: string): Promise<string>;
  closeEndpoint(endpointId: string): Promise<void>;
  recordingPath(recordingId: string): string;
  openRecording(recordingId: string, range?: string): Promise<RecordingResponse>;
  // ── conferences (mixer.ts: each member hears the sum of the others) ──
  /** A new mixer; returns its id (`conferenceId` when given). */
  createConference(conferenceId?: string): Promise<string>;
  /** Rejects with InvalidStateError when the endpoint is relayed or in a conference already. */
  joinConference(conferenceId: string, endpointId: string, state?: { muted?: boolean; held?: boolean }): Promise<void>;
  leaveConference(endpointId: string): Promise<void>;
  setMuted(conferenceId: string, endpointId: string, muted: boolean): Promise<void>;
  setHeld(conferenceId: string, endpointId: string, held: boolean): Promise<void>;
  conferenceMembers(conferenceId: string): Promise<ConferenceMemberState[]>;
  /** Audio into the mix (every member not held hears it), replacing what plays into it. */
  playToConference(conferenceId: string, items: PlayItem | PlayItem[], opts?: { loop?: boolean; playbackId?: string; alongside?: boolean }): Promise<{ playbackId: string; done: Promise<PlaybackOutcome> }>;
  stopConferencePlayback(conferenceId: string): Promise<void>;
  closeConference(conferenceId: string): Promise<void>;
  on<K extends keyof MediaEngineEvents>(event: K, listener: MediaListener<K>): unknown;
  off<K extends keyof MediaEngineEvents>(event: K, listener: MediaListener<K>): unknown;
  close(): Promise<void>;
}

/** The engine on this thread behind the asynchronous interface (a synchronous throw becomes a rejection). */
export function inThreadMedia(engine: MediaEngine): MediaControl {
  const run = async <T>(f: () => T | Promise<T>): Promise<T> => f();
  return {
    allocateEndpoint: (legId) => engine.allocateEndpoint(legId),
    openEndpoint: (legId, remoteOffer, peerHint, opts) => engine.openEndpoint(legId, remoteOffer, peerHint, opts),
    createOffer: (id, direction) => run(() => engine.createOffer(id, direction)),
    createAnswer: (id, offer, direction) => run(() => engine.createAnswer(id, offer, direction)),
    answerOffer: (id, offer, direction) => run(() => engine.answerOffer(id, offer, direction)),
    applyAnswer: (id, answer) => run(() => engine.applyAnswer(id, answer)),
    endpointStats: (id) => run(() => engine.endpointStats(id)),
    connect: (a, b) => run(() => engine.connect(a, b)),
    disconnect: (id) => run(() => engine.disconnect(id)),
    play: (id, items, opts) => run(() => engine.play(id, items, opts)),
    stopPlayback: (id) => run(() => engine.stopPlayback(id)),
    handleSipInfo: (id, contentType, body) => run(() => engine.handleSipInfo(id, contentType, body)),
    sendDigits: (id, digits, opts) => run(() => engine.sendDigits(id, digits, opts)),
    startRecording: (target, opts) => engine.startRecording(target, opts),
    stopRecording: (id) => engine.stopRecording(id),
    fetchAudio: (url) => engine.fetchAudio(url),
    closeEndpoint: (id) => engine.closeEndpoint(id),
    recordingPath: (id) => engine.recordingPath(id),
    openRecording: (id, range) => engine.openRecording(id, range),
    createConference: (id) => run(() => engine.createConference(id)),
    joinConference: (id, ep, state) => run(() => engine.joinConference(id, ep, state)),
    leaveConference: (ep) => run(() => engine.leaveConference(ep)),
    setMuted: (id, ep, muted) => run(() => engine.setMuted(id, ep, muted)),
    setHeld: (id, ep, held) => run(() => engine.setHeld(id, ep, held)),
    conferenceMembers: (id) => run(() => engine.conferenceMembers(id)),
    playToConference: (id, items, opts) => run(() => engine.playToConference(id, items, opts)),
    stopConferencePlayback: (id) => run(() => engine.stopConferencePlayback(id)),
    closeConference: (id) => run(() => engine.closeConference(id)),
    on: (event, listener) => engine.on(event, listener),
    off: (event, listener) => engine.off(event, listener),
    close: () => engine.close(),
  };
}

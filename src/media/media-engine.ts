/**
 * The media engine the switch uses: one endpoint per leg (ports, SDP, RTP), relays between two endpoints,
 * playback (files, prompts, speech, tones), DTMF in (RFC 4733, SIP INFO) and out (RFC 4733), recording,
 * and conferences. Everything is addressed by ids; results come back as typed events.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log/logger.js';
import { TypedEmitter } from './typed-emitter.js';
import { PortAllocator, type PortRange } from './port-allocator.js';
import { RtpSession, type Address } from './rtp-session.js';
import { Endpoint } from './endpoint.js';
import { Relay } from './relay.js';
import { Player, FRAME_SAMPLES, type PlayItem, type PlaybackOutcome } from './player.js';
import { TextToSpeech } from './tts.js';
import { AudioFetcher } from './audio-fetch.js';
import { withGain } from './gain.js';
import { PromptLibrary } from './prompts.js';
import { loadAudioFile } from './audio-file.js';
import { synthesizeTone } from './tones.js';
import { Recorder, openRecording, recordingPath, type RecordingInfo, type RecordingResponse } from './recorder.js';
import { Conference, type ConferenceMemberState } from './mixer.js';
import { dtmfEventPackets } from './dtmf-rfc4733.js';
import { parseSipInfoDtmf } from './dtmf-sip-info.js';
import { FrameClock } from './frame-clock.js';
import { SUPPORTED_CODECS, isSecureProfile, parseRemoteSdp, type AudioCodec, type Direction, type MediaCodec } from './sdp-negotiator.js';
import type { SecureKit } from './webrtc/secure-kit.js';
import { InvalidStateError, NotFoundError } from './errors.js';
import type { RtpSessionStats } from './rtp-session.js';

export interface MediaEngineOptions {
  /** RTP port range, `10000-20000` or `{ min, max }` (CLI `--rtp-ports`). */
  rtpPorts?: PortRange | string;
  /** Address RTP sockets bind to. */
  bindAddress?: string;
  /** Address written into SDP (`--media-address`; the public address when behind NAT). Unset: per call, the
   *  local address the peer reaches (util/local-address.ts). */
  advertisedAddress?: string;
  /** Recordings go to `<dataDir>/recordings`. */
  dataDir: string;
  /** TTS and generated prompts; defaults to `<dataDir>/cache`. */
  cacheDir?: string;
  /** Recorded prompts that replace the generated ones (`<name>.wav`). */
  promptsDir?: string;
  codecs?: readonly AudioCodec[];
  telephoneEventPt?: number | null;
  ttsVoice?: string;
  espeakPath?: string;
  /** Report `rtp-timeout` after this long without RTP from a leg (0 = never). */
  rtpTimeoutMs?: number;
  rtcpIntervalMs?: number;
  logger?: Logger;
}

export type DtmfVia = 'rfc4733' | 'sip-info';

export type MediaEngineEvents = {
  dtmf: [e: { endpointId: string; legId: string; digit: string; durationMs: number; via: DtmfVia }];
  'playback-started': [e: { playbackId: string; endpointId: string; legId: string }];
  'playback-finished': [e: { playbackId: string; endpointId: string; legId: string; outcome: PlaybackOutcome; error?: string }];
  'recording-finished': [e: RecordingInfo & { legIds: string[] }];
  'rtp-timeout': [e: { endpointId: string; legId: string }];
  latched: [e: { endpointId: string; legId: string; from: Address }];
};

export interface PlayOptions {
  /** Digits that stop the playback when the leg presses them (`true` = any digit). */
  stopOnDigits?: string | boolean;
  loop?: boolean;
  playbackId?: string;
  /** Gain in dB applied to every sample (clipped to 16 bits); 0 or absent: as recorded. */
  gainDb?: number;
}

export interface Playback {
  playbackId: string;
  done: Promise<PlaybackOutcome>;
}

export type RecordTarget = { endpointId: string } | { endpointIds: [string, string] };

/** What an offer/answer exchange left an endpoint with (RFC 3264): the codec, and what Ringside does. */
export interface Negotiation {
  codec: MediaCodec;
  direction: Direction;
}

/** How to open an endpoint without the party's offer: `webrtc` offers ICE-lite, DTLS-SRTP and Opus (the
 *  party is a browser: its contact is a WebSocket one, RFC 7118). */
export interface OpenOptions {
  webrtc?: boolean;
}

/** A new endpoint and its first SDP: our offer, or our answer to the party's (then what it negotiated). */
export interface OpenedEndpoint {
  endpointId: string;
  port: number;
  sdp: string;
  negotiated: Negotiation | null;
}

interface ActivePlayback {
  id: string;
  player: Player;
  stopOnDigits: string | boolean;
}

interface ActiveRecording {
  recorder: Recorder;
  endpointIds: string[];
  detach: (() => void)[];
}

function newId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

/** A recording's id is its capability: `GET /recordings/{id}.wav` needs no login (a webhook receiver
 *  fetches it), so it carries 128 random bits (docs/security.md, "Capability URLs"). */
export function newRecordingId(): string {
  return `rec-${randomBytes(16).toString('hex')}`;
}

/** Set by a successful createAnswer / applyAnswer. */
function negotiationOf(ep: Endpoint): Negotiation {
  const n = ep.negotiated!;
  return { codec: n.codec, direction: n.direction };
}

export class MediaEngine extends TypedEmitter<MediaEngineEvents> {
  readonly ports: PortAllocator;
  readonly prompts: PromptLibrary;
  readonly tts: TextToSpeech;
  /** Audio files fetched by URL (the voice API's `fileUrl`), converted and cached on this thread. */
  readonly audioFiles: AudioFetcher;
  readonly dataDir: string;
  readonly #o: MediaEngineOptions;
  readonly #log: Logger;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #relays = new Map<string, Relay>();
  /** Packet counts of relays and endpoints already gone (the live ones are summed at `rtpStats`). */
  readonly #closedTotals = { relayed: 0, received: 0, sent: 0, lost: 0 };
  /** This event loop's delay (in the worker: the media thread's own), read and reset at each scrape. */
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 20 });
  readonly #playbacks = new Map<string, ActivePlayback>();
  readonly #recordings = new Map<string, ActiveRecording>();
  readonly #conferences = new Map<string, Conference>();
  readonly #dtmfSenders = new Map<string, { clock: FrameClock; finish: () => void }>();
  #closed = false;
  #kit: Promise<SecureKit> | null = null;
  #kitLoaded: SecureKit | null = null;

  constructor(o: MediaEngineOptions) {
    super();
    this.#o = o;
    this.#loopDelay.enable();
    this.#log = o.logger ?? silentLogger();
    this.dataDir = o.dataDir;
    const portOpts: { range?: PortRange | string; address?: string } = {};
    if (o.rtpPorts !== undefined) portOpts.range = o.rtpPorts;
    if (o.bindAddress !== undefined) portOpts.address = o.bindAddress;
    this.ports = new PortAllocator(portOpts);
    const cacheDir = o.cacheDir ?? join(o.dataDir, 'cache');
    this.tts = new TextToSpeech({ cacheDir, ...(o.ttsVoice ? { voice: o.ttsVoice } : {}), ...(o.espeakPath ? { espeakPath: o.espeakPath } : {}) });
    this.audioFiles = new AudioFetcher({ cacheDir });
    this.prompts = new PromptLibrary({ cacheDir, tts: this.tts, promptsDir: o.promptsDir ?? null });
  }

  // ---- endpoints and SDP -------------------------------------------------------------------------

  /** Binds an RTP/RTCP port pair for a leg. Throws PortsExhaustedError (→ 503). */
  async allocateEndpoint(legId: string, peerHint?: string): Promise<{ endpointId: string; port: number }> {
    if (this.#closed) throw new InvalidStateError('media engine is closed');
    const pair = await this.ports.allocate();
    const id = newId('ep');
    const log = this.#log.child({ legId, endpointId: id });
    const session = new RtpSession({
      rtpSocket: pair.rtpSocket,
      rtcpSocket: pair.rtcpSocket,
      port: pair.port,
      cname: `${id}@ringside`,
      logger: log,
      ...(this.#o.rtcpIntervalMs ? { rtcpIntervalMs: this.#o.rtcpIntervalMs } : {}),
      ...(this.#o.rtpTimeoutMs ? { rtpTimeoutMs: this.#o.rtpTimeoutMs } : {}),
    });
    const ep = new Endpoint({
      id,
      legId,
      session,
      advertisedAddress: this.#o.advertisedAddress,
      ...(peerHint !== undefined ? { peerHint } : {}),
      codecs: this.#o.codecs ?? SUPPORTED_CODECS,
      telephoneEventPt: this.#o.telephoneEventPt === undefined ? 101 : this.#o.telephoneEventPt,
      logger: log,
      ...(this.#kitLoaded ? { kit: this.#kitLoaded } : {}),
    });
    ep.on('dtmf', (d) => this.#onDigit(ep, d.digit, d.durationMs, 'rfc4733'));
    ep.on('timeout', () => this.emit('rtp-timeout', { endpointId: id, legId }));
    ep.on('latched', (from) => this.emit('latched', { endpointId: id, legId, from }));
    this.#endpoints.set(id, ep);
    return { endpointId: id, port: pair.port };
  }

  /**
   * allocateEndpoint and the endpoint's first SDP in one step (what a leg always does, so one round trip
   * from the switch): the answer to `remoteOffer`, or without one our `sendrecv` offer. When the SDP fails
   * (CodecMismatchError / SdpError) the endpoint is closed before the error is thrown.
   */
  async openEndpoint(legId: string, remoteOffer?: string, peerHint?: string, opts: OpenOptions = {}): Promise<OpenedEndpoint> {
    if (opts.webrtc || (remoteOffer !== undefined && this.#wantsSecurity(remoteOffer))) await this.secureKit();
    const { endpointId, port } = await this.allocateEndpoint(legId, peerHint);
    try {
      if (remoteOffer === undefined) return { endpointId, port, sdp: this.#ep(endpointId).createOffer('sendrecv', opts), negotiated: null };
      const { sdp, ...negotiated } = this.answerOffer(endpointId, remoteOffer);
      return { endpointId, port, sdp, negotiated };
    } catch (err) {
      await this.closeEndpoint(endpointId);
      throw err;
    }
  }

  #wantsSecurity(offer: string): boolean {
    try {
      return isSecureProfile(parseRemoteSdp(offer).media.security.protocol);
    } catch {
      return false; // the answer will say what is wrong with it
    }
  }

  /** Loads werift and libopus once (webrtc/secure-kit.ts); every endpoint made afterwards can be secure. */
  secureKit(): Promise<SecureKit> {
    this.#kit ??= import('./webrtc/secure-kit.js').then(async (m) => {
      const kit = await m.loadSecureKit();
      this.#kitLoaded = kit;
      for (const ep of this.#endpoints.values()) ep.kit = kit;
      return kit;
    });
    return this.#kit;
  }

  #ep(endpointId: string): Endpoint {
    const ep = this.#endpoints.get(endpointId);
    if (!ep) throw new NotFoundError(`no media endpoint '${endpointId}'`);
    return ep;
  }

  /** SDP offer for the leg (INVITE, or re-INVITE: `sendonly` holds, `inactive` stops, RFC 3264 8.4). */
  createOffer(endpointId: string, direction: Direction = 'sendrecv'): string {
    return this.#ep(endpointId).createOffer(direction);
  }

  /** SDP answer to the leg's offer. Throws CodecMismatchError / SdpError. */
  createAnswer(endpointId: string, offer: string, direction: Direction = 'sendrecv'): string {
    return this.#ep(endpointId).createAnswer(offer, direction);
  }

  /** createAnswer, and what it negotiated (a re-offer's direction says whether the party holds the call). */
  answerOffer(endpointId: string, offer: string, direction: Direction = 'sendrecv'): { sdp: string } & Negotiation {
    const ep = this.#ep(endpointId);
    const sdp = ep.createAnswer(offer, direction);
    return { sdp, ...negotiationOf(ep) };
  }

  /** The peer's answer to our offer, and what it negotiated. */
  applyAnswer(endpointId: string, answer: string): Negotiation {
    const ep = this.#ep(endpointId);
    ep.applyAnswer(answer);
    return negotiationOf(ep);
  }

  /** Re-offer that puts the leg on hold (we send, e.g. music; it does not, RFC 3264 8.4). */
  hold(endpointId: string): string {
    return this.createOffer(endpointId, 'sendonly');
  }

  resume(endpointId: string): string {
    return this.createOffer(endpointId, 'sendrecv');
  }

  endpointStats(endpointId: string): RtpSessionStats & { codec: MediaCodec | null; direction: Direction | null; security: 'webrtc' | 'sdes' | null } {
    return this.#ep(endpointId).stats();
  }

  // ---- relay -------------------------------------------------------------------------------------

  /** Bridges two legs through Ringside (anchored media). */
  connect(a: string, b: string): void {
    const ea = this.#ep(a);
    const eb = this.#ep(b);
    if (a === b) throw new InvalidStateError('cannot connect an endpoint to itself');
    for (const e of [ea, eb]) if (e.attachment) throw new InvalidStateError(`endpoint ${e.id} is already in a ${e.attachment.kind}`);
    const relay = new Relay(ea, eb);
    ea.attachment = { kind: 'relay', peer: b };
    eb.attachment = { kind: 'relay', peer: a };
    this.#relays.set(a, relay);
    this.#relays.set(b, relay);
  }

  /** Ends the relay the endpoint is in (no-op if none). */
  disconnect(endpointId: string): void {
    const r = this.#relays.get(endpointId);
    if (!r) return;
    r.close();
    this.#closedTotals.relayed += r.forwarded;
    for (const e of [r.a, r.b]) {
      this.#relays.delete(e.id);
      e.attachment = null;
    }
  }

  // ---- playback ----------------------------------------------------------------------------------

  async #load(item: PlayItem): Promise<Int16Array> {
    if ('samples' in item) return item.samples;
    if ('silenceMs' in item) return new Int16Array(Math.round(item.silenceMs * 8));
    if ('tone' in item) return synthesizeTone(item.tone);
    if ('file' in item) return loadAudioFile(item.file);
    if ('prompt' in item) return loadAudioFile(await this.prompts.resolve(item.prompt));
    return loadAudioFile(await this.tts.render(item.speak, item.voice));
  }

  /** Plays a playlist to a leg, replacing any playback in progress. */
  play(endpointId: string, items: PlayItem | PlayItem[], opts: PlayOptions = {}): Playback {
    const ep = this.#ep(endpointId);
    this.stopPlayback(endpointId);
    const id = opts.playbackId ?? newId('pb');
    const source = `player:${id}`;
    const player = new Player({
      items: Array.isArray(items) ? items : [items],
      load: opts.gainDb ? async (i) => withGain(await this.#load(i), opts.gainDb!) : (i) => this.#load(i),
      send: (frame, n) => ep.sendSamples(frame, source, n * FRAME_SAMPLES),
      loop: opts.loop ?? false,
    });
    this.#playbacks.set(endpointId, { id, player, stopOnDigits: opts.stopOnDigits ?? false });
    player.on('started', () => {
      ep.claim(source);
      this.emit('playback-started', { playbackId: id, endpointId, legId: ep.legId });
    });
    // Listeners first: an empty or failing playlist finishes inside play().
    player.on('finished', (outcome, error) => {
      ep.release(source);
      if (this.#playbacks.get(endpointId)?.id === id) this.#playbacks.delete(endpointId);
      if (error) this.#log.warn({ endpointId, legId: ep.legId, playbackId: id, err: error }, 'playback failed');
      this.emit('playback-finished', { playbackId: id, endpointId, legId: ep.legId, outcome, ...(error ? { error: error.message } : {}) });
    });
    const done = player.play();
    return { playbackId: id, done };
  }

  stopPlayback(endpointId: string): void {
    this.#playbacks.get(endpointId)?.player.stop();
  }

  // ---- DTMF --------------------------------------------------------------------------------------

  #onDigit(ep: Endpoint, digit: string, durationMs: number, via: DtmfVia): void {
    const pb = this.#playbacks.get(ep.id);
    if (pb && (pb.stopOnDigits === true || (typeof pb.stopOnDigits === 'string' && pb.stopOnDigits.includes(digit)))) pb.player.stop();
    this.emit('dtmf', { endpointId: ep.id, legId: ep.legId, digit, durationMs, via });
  }

  /**
   * A SIP INFO body from the leg (`application/dtmf-relay` or `application/dtmf`). Emits `dtmf` and returns
   * the digit; throws UnsupportedFormatError (→ 415) for other bodies.
   */
  handleSipInfo(endpointId: string, contentType: string, body: string): string {
    const ep = this.#ep(endpointId);
    const d = parseSipInfoDtmf(contentType, body);
    this.#onDigit(ep, d.digit, d.durationMs, 'sip-info');
    return d.digit;
  }

  /** Sends digits as RFC 4733 events (100 ms each, 60 ms apart). Rejects if the leg has no telephone-event. */
  sendDigits(endpointId: string, digits: string, opts: { durationMs?: number } = {}): Promise<void> {
    const ep = this.#ep(endpointId);
    if (ep.negotiated?.telephoneEventPt == null) {
      return Promise.reject(new InvalidStateError(`leg ${ep.legId} did not negotiate telephone-event; send DTMF by SIP INFO`));
    }
    if (this.#dtmfSenders.has(endpointId)) return Promise.reject(new InvalidStateError(`leg ${ep.legId} is already sending digits`));
    // One frame slot per 20 ms: the packets of each digit, then 3 empty slots (RFC 4733 2.5.1.5 gap).
    const slots: ({ payload: Uint8Array; marker: boolean; source: string } | null)[] = [];
    const tag = randomBytes(3).toString('hex');
    [...digits].forEach((d, i) => {
      const source = `dtmf:${tag}:${i}`;
      for (const p of dtmfEventPackets(d, opts.durationMs ? { durationMs: opts.durationMs } : {})) slots.push({ ...p, source });
      slots.push(null, null, null);
    });
    return new Promise<void>((resolve) => {
      let k = 0;
      const finish = (): void => {
        clock.stop();
        this.#dtmfSenders.delete(endpointId);
        // Release whichever digit source still holds the stream.
        for (let i = 0; i < digits.length; i++) ep.releaseDtmf(`dtmf:${tag}:${i}`);
        resolve();
      };
      const clock = new FrameClock(() => {
        const s = slots[k++];
        if (s) {
          ep.claimForDtmf(s.source);
          ep.sendTelephoneEvent(s.payload, s.source, 0, s.marker);
        }
        if (k >= slots.length || ep.closed) finish();
      });
      this.#dtmfSenders.set(endpointId, { clock, finish });
      clock.start();
    });
  }

  // ---- recording ---------------------------------------------------------------------------------

  /**
   * Records one leg (mono, what the party says) or two legs (stereo, left = first). Returns the id and file.
   */
  async startRecording(target: RecordTarget, opts: { recordingId?: string; maxDurationMs?: number } = {}): Promise<{ recordingId: string; path: string }> {
    const ids = 'endpointId' in target ? [target.endpointId] : [...target.endpointIds];
    const eps = ids.map((i) => this.#ep(i));
    const id = opts.recordingId ?? newRecordingId();
    if (this.#recordings.has(id)) throw new InvalidStateError(`recording ${id} is already running`);
    const path = recordingPath(this.dataDir, id);
    const recorder = new Recorder({ id, path, channels: eps.length === 1 ? 1 : 2, ...(opts.maxDurationMs ? { maxDurationMs: opts.maxDurationMs } : {}) });
    await recorder.start();
    const detach: (() => void)[] = [];
    eps.forEach((ep, channel) => {
      const onAudio = (ssrc: number, ts: number, samples: Int16Array): void => recorder.feed(channel, ssrc, ts, samples);
      ep.on('audio', onAudio);
      detach.push(() => ep.off('audio', onAudio));
    });
    const active: ActiveRecording = { recorder, endpointIds: ids, detach };
    this.#recordings.set(id, active);
    recorder.on('finished', (info) => {
      for (const d of active.detach) d();
      this.#recordings.delete(id);
      this.emit('recording-finished', { ...info, legIds: eps.map((e) => e.legId) });
    });
    return { recordingId: id, path };
  }

  /** The local 8 kHz WAV of an audio URL (fetched, converted, cached): what `{ file }` then plays.
   *  Rejects with AudioFetchError. Runs here, off the SIP loop, since converting a long file takes a while. */
  fetchAudio(url: string): Promise<string> {
    return this.audioFiles.fetch(url);
  }

  stopRecording(recordingId: string): Promise<RecordingInfo> {
    const r = this.#recordings.get(recordingId);
    if (!r) return Promise.reject(new NotFoundError(`no recording in progress with id '${recordingId}'`));
    return r.recorder.stop();
  }

  /** File of a (finished) recording. */
  recordingPath(recordingId: string): string {
    return recordingPath(this.dataDir, recordingId);
  }

  /** Status, headers and body for serving a recording over HTTP (see recorder.ts). */
  openRecording(recordingId: string, range?: string): Promise<RecordingResponse> {
    return openRecording(this.dataDir, recordingId, range);
  }

  // ---- conferences -------------------------------------------------------------------------------

  createConference(conferenceId: string = newId('conf')): string {
    if (this.#conferences.has(conferenceId)) throw new InvalidStateError(`conference ${conferenceId} exists`);
    this.#conferences.set(conferenceId, new Conference(conferenceId));
    return conferenceId;
  }

  #conf(conferenceId: string): Conference {
    const c = this.#conferences.get(conferenceId);
    if (!c) throw new NotFoundError(`no conference '${conferenceId}'`);
    return c;
  }

  joinConference(conferenceId: string, endpointId: string, state: { muted?: boolean; held?: boolean } = {}): void {
    const conf = this.#conf(conferenceId);
    const ep = this.#ep(endpointId);
    if (ep.attachment) throw new InvalidStateError(`endpoint ${ep.id} is already in a ${ep.attachment.kind}`);
    const source = `conference:${conferenceId}`;
    conf.join(endpointId, (frame, n) => ep.sendSamples(frame, source, n * FRAME_SAMPLES), state);
    const onAudio = (ssrc: number, ts: number, samples: Int16Array): void => conf.feed(endpointId, ssrc, ts, samples);
    ep.on('audio', onAudio);
    ep.attachment = { kind: 'conference', conferenceId };
    this.#confDetach.set(endpointId, () => ep.off('audio', onAudio));
  }

  readonly #confDetach = new Map<string, () => void>();

  leaveConference(endpointId: string): void {
    const ep = this.#ep(endpointId);
    if (ep.attachment?.kind !== 'conference') return;
    this.#conferences.get(ep.attachment.conferenceId)?.leave(endpointId);
    this.#confDetach.get(endpointId)?.();
    this.#confDetach.delete(endpointId);
    ep.attachment = null;
  }

  setMuted(conferenceId: string, endpointId: string, muted: boolean): void {
    this.#conf(conferenceId).setMuted(endpointId, muted);
  }

  setHeld(conferenceId: string, endpointId: string, held: boolean): void {
    this.#conf(conferenceId).setHeld(endpointId, held);
  }

  conferenceMembers(conferenceId: string): ConferenceMemberState[] {
    return this.#conf(conferenceId).members();
  }

  /**
   * Plays a playlist into the conference's mix (a mixer source, mixer.ts): every member not held hears it,
   * the way it hears the others. Replaces what was playing into it. `playback-started`/`-finished` carry
   * the conference id as `endpointId` and `legId`. `alongside` (join and leave tones): played over what
   * plays, neither replacing it nor stopped by stopConferencePlayback.
   */
  playToConference(conferenceId: string, items: PlayItem | PlayItem[], opts: { loop?: boolean; playbackId?: string; alongside?: boolean } = {}): Playback {
    const conf = this.#conf(conferenceId);
    if (!opts.alongside) this.stopConferencePlayback(conferenceId);
    const id = opts.playbackId ?? newId('pb');
    const source = `player:${id}`;
    conf.addSource(source);
    const player = new Player({
      items: Array.isArray(items) ? items : [items],
      load: (i) => this.#load(i),
      send: (frame, n) => conf.feedSource(source, n, frame),
      loop: opts.loop ?? false,
    });
    if (!opts.alongside) this.#confPlaybacks.set(conferenceId, { id, player, stopOnDigits: false });
    player.on('started', () => this.emit('playback-started', { playbackId: id, endpointId: conferenceId, legId: conferenceId }));
    player.on('finished', (outcome, error) => {
      conf.removeSource(source);
      if (this.#confPlaybacks.get(conferenceId)?.id === id) this.#confPlaybacks.delete(conferenceId);
      if (error) this.#log.warn({ conferenceId, playbackId: id, err: error }, 'conference playback failed');
      this.emit('playback-finished', { playbackId: id, endpointId: conferenceId, legId: conferenceId, outcome, ...(error ? { error: error.message } : {}) });
    });
    return { playbackId: id, done: player.play() };
  }

  readonly #confPlaybacks = new Map<string, ActivePlayback>();

  stopConferencePlayback(conferenceId: string): void {
    this.#confPlaybacks.get(conferenceId)?.player.stop();
  }

  /** Removes every member and the conference. */
  closeConference(conferenceId: string): void {
    const conf = this.#conf(conferenceId);
    this.stopConferencePlayback(conferenceId);
    for (const m of conf.members()) if (this.#endpoints.has(m.memberId)) this.leaveConference(m.memberId);
    conf.close();
    this.#conferences.delete(conferenceId);
  }

  // ---- stats -------------------------------------------------------------------------------------

  /** RTP packets since start: relayed between two legs, received, sent (relayed, played, mixed) and lost
   *  (RFC 3550 A.3, as each endpoint counts them from sequence numbers), over every endpoint ever open. */
  rtpStats(): { relayed: number; received: number; sent: number; lost: number } {
    const t = { ...this.#closedTotals };
    for (const r of new Set(this.#relays.values())) t.relayed += r.forwarded;
    for (const ep of this.#endpoints.values()) {
      const st = ep.session.stats();
      t.received += st.packetsReceived;
      t.sent += st.packetsSent;
      t.lost += Math.max(0, st.packetsLost);
    }
    return t;
  }

  /** The event loop's delay since the previous call (seconds): mean, p99, max; zeros before a sample. */
  loopDelay(): { mean: number; p99: number; max: number } {
    const h = this.#loopDelay;
    const s = (ns: number): number => (h.count > 0 && Number.isFinite(ns) ? ns / 1e9 : 0);
    const r = { mean: s(h.mean), p99: s(h.percentile(99)), max: s(h.max) };
    h.reset();
    return r;
  }

  // ---- teardown ----------------------------------------------------------------------------------

  /** Ends everything the leg is part of (recordings of it finish) and frees its ports. */
  async closeEndpoint(endpointId: string): Promise<void> {
    const ep = this.#endpoints.get(endpointId);
    if (!ep) return;
    this.stopPlayback(endpointId);
    this.#dtmfSenders.get(endpointId)?.finish();
    this.disconnect(endpointId);
    this.leaveConference(endpointId);
    const stops = [...this.#recordings.values()].filter((r) => r.endpointIds.includes(endpointId)).map((r) => r.recorder.stop());
    ep.session.flushReport();
    const st = ep.session.stats();
    this.#closedTotals.received += st.packetsReceived;
    this.#closedTotals.sent += st.packetsSent;
    this.#closedTotals.lost += Math.max(0, st.packetsLost);
    ep.close();
    this.ports.release(ep.session.port);
    this.#endpoints.delete(endpointId);
    await Promise.all(stops);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#loopDelay.disable();
    for (const id of [...this.#endpoints.keys()]) await this.closeEndpoint(id);
    for (const id of [...this.#conferences.keys()]) this.closeConference(id);
    await Promise.all([...this.#recordings.values()].map((r) => r.recorder.stop()));
  }
}


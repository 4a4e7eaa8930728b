/**
 * One leg's media endpoint: its RTP session, its SDP state (RFC 3264: one offer/answer at a time, the
 * session version in o= bumped whenever our SDP changes, 8), and the receive/send paths:
 *
 * - receive: audio in the negotiated codec → `media` (relay) and, only when someone listens, decoded
 *   → `audio` (recorder, conference); telephone-events → DtmfDetector → `dtmf`, and → `telephone-event`.
 * - send: everything goes through the session's one RtpSender. A player or a DTMF sender can take the
 *   stream exclusively (`claim`); relayed or mixed audio is dropped meanwhile, DTMF wins over a player.
 * - secure legs: an offer in RTP/SAVP(F) with ICE and a=fingerprint gets a WebRTC transport (ICE-lite,
 *   DTLS-SRTP, rtcp-mux), one with a=crypto an SDES one (webrtc/); `createOffer({ webrtc: true })` offers
 *   WebRTC to a browser. An Opus leg is transcoded here, so `media` always carries G.711 (`relayCodec`) and
 *   `audio` 8 kHz PCM: relays, recordings and conferences never see Opus.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from '../log/logger.js';
import { TypedEmitter } from './typed-emitter.js';
import type { RtpSession, Address, RtpSessionStats } from './rtp-session.js';
import type { RtpPacket } from './rtp-packet.js';
import {
  applyAnswer,
  createAnswer,
  createOffer,
  isSecureProfile,
  parseRemoteSdp,
  CODEC_RATE,
  WEBRTC_CODECS,
  type AudioCodec,
  type Direction,
  type LocalMedia,
  type LocalSecurity,
  type MediaCodec,
  type NegotiatedMedia,
  type RemoteSecurity,
} from './sdp-negotiator.js';
import { DtmfDetector, type DetectedDigit } from './dtmf-rfc4733.js';
import { decodeG711, encodeG711, transcodeG711 } from './g711.js';
import { InvalidStateError, SdpError } from './errors.js';
import { localAddressFor, primaryAddress } from '../util/local-address.js';
import type { SecureKit } from './webrtc/secure-kit.js';
import type { WebRtcTransport } from './webrtc/webrtc-transport.js';
import type { SdesTransport } from './webrtc/sdes-transport.js';
import type { OpusTranscoder } from './webrtc/opus-transcoder.js';

/** Opus RTP timestamps are 48 kHz, everything behind the endpoint 8 kHz. */
const OPUS_TS_FACTOR = 6;

export type EndpointEvents = {
  media: [packet: RtpPacket];
  'telephone-event': [packet: RtpPacket];
  audio: [ssrc: number, timestamp: number, samples: Int16Array];
  dtmf: [digit: DetectedDigit];
  latched: [from: Address];
  timeout: [];
};

export interface EndpointOptions {
  id: string;
  legId: string;
  session: RtpSession;
  /** The address in our SDP `c=`; undefined: the local address toward the peer (util/local-address.ts). */
  advertisedAddress: string | undefined;
  /** Where the peer is believed to be before its SDP says (the SIP destination), for a first offer. */
  peerHint?: string;
  codecs: readonly AudioCodec[];
  telephoneEventPt: number | null;
  logger: Logger;
  /** Secure transports and Opus, when the engine has loaded them (it does before a secure leg's SDP). */
  kit?: SecureKit;
}

export class Endpoint extends TypedEmitter<EndpointEvents> {
  readonly id: string;
  readonly legId: string;
  readonly session: RtpSession;
  readonly #log: Logger;
  readonly #base: Omit<LocalMedia, 'direction' | 'sessionVersion' | 'address'>;
  readonly #fixedAddress: string | undefined;
  readonly #peerHint: string | undefined;
  #version = 0;
  #offered: LocalMedia | null = null;
  #negotiated: NegotiatedMedia | null = null;
  #owner: string | null = null;
  #dtmfOwner: string | null = null;
  readonly #detector: DtmfDetector;
  #closed = false;
  #kit: SecureKit | undefined;
  #secure: { kind: 'webrtc'; t: WebRtcTransport } | { kind: 'sdes'; t: SdesTransport } | null = null;
  #opus: OpusTranscoder | null = null;
  /** What the endpoint is attached to (a relay or a conference), so the engine keeps them exclusive. */
  attachment: { kind: 'relay'; peer: string } | { kind: 'conference'; conferenceId: string } | null = null;

  constructor(o: EndpointOptions) {
    super();
    this.id = o.id;
    this.legId = o.legId;
    this.session = o.session;
    this.#log = o.logger;
    this.#fixedAddress = o.advertisedAddress;
    this.#peerHint = o.peerHint;
    this.#kit = o.kit;
    this.#base = {
      port: o.session.port,
      codecs: o.codecs,
      telephoneEventPt: o.telephoneEventPt,
      ptime: 20,
      sessionId: String(randomBytes(4).readUInt32BE(0)),
    };
    this.#detector = new DtmfDetector((d) => this.emit('dtmf', d));
    this.session.on('packet', (p) => this.#onPacket(p));
    this.session.on('latched', (a) => this.emit('latched', a));
    this.session.on('timeout', () => this.emit('timeout'));
  }

  get negotiated(): NegotiatedMedia | null {
    return this.#negotiated;
  }

  get codec(): MediaCodec | null {
    return this.#negotiated?.codec ?? null;
  }

  /** The G.711 law `media` packets carry: the negotiated one, or PCMU on an Opus leg (transcoded). */
  get relayCodec(): AudioCodec | null {
    const c = this.#negotiated?.codec;
    return c === undefined ? null : c === 'opus' ? 'PCMU' : c;
  }

  /** `webrtc` (ICE-lite + DTLS-SRTP), `sdes` (SRTP keyed in the SDP), or null (plain RTP). */
  get security(): 'webrtc' | 'sdes' | null {
    return this.#secure?.kind ?? null;
  }

  /** The WebRTC transport's state, for tests and stats. */
  get webrtc(): WebRtcTransport | null {
    return this.#secure?.kind === 'webrtc' ? this.#secure.t : null;
  }

  set kit(kit: SecureKit) {
    this.#kit = kit;
  }

  #needKit(what: string): SecureKit {
    if (!this.#kit) throw new SdpError(`${what} needs the secure media kit, which is not loaded for this endpoint`);
    return this.#kit;
  }

  #startWebrtc(): WebRtcTransport {
    const t = this.#needKit('WebRTC').webrtc({
      send: (data, to) => this.session.sendRaw(data, to),
      // ICE picked the browser's address: media goes there (the SDP's c= is only a default, RFC 8839 §4.2).
      onSelected: (to) => this.session.setRemote(to),
      onState: (state) => this.#log.debug({ endpointId: this.id, state }, 'webrtc transport'),
      logger: this.#log,
    });
    this.#secure = { kind: 'webrtc', t };
    this.session.setSecurity(t);
    return t;
  }

  /** For an offer in a secure profile: the transport it asks for, made once for the endpoint's life. */
  #secureFor(remote: RemoteSecurity): void {
    if (this.#secure || !isSecureProfile(remote.protocol)) return;
    if (remote.ice && remote.fingerprint) {
      this.#startWebrtc();
      return;
    }
    if (remote.crypto.length > 0) {
      const t = this.#needKit('SDES-SRTP').sdes(remote);
      if (!t) throw new SdpError(`no usable a=crypto line (Ringside supports AES_CM_128_HMAC_SHA1_80 with one inline key, no MKI)`);
      this.#secure = { kind: 'sdes', t };
      this.session.setSecurity(t);
    }
  }

  /** Codecs and security attributes of our SDP on a secure leg (`remote`: the offer we answer). */
  #secureLocal(remote?: RemoteSecurity): { codecs?: readonly MediaCodec[]; security?: LocalSecurity } {
    const s = this.#secure;
    if (!s) return {};
    if (s.kind === 'sdes') {
      return { security: { protocol: remote?.protocol ?? 'RTP/SAVP', crypto: { tag: s.t.tag, suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: s.t.localKeyParams }, rtcpMux: s.t.rtcpMux } };
    }
    return {
      codecs: WEBRTC_CODECS,
      security: {
        protocol: remote?.protocol ?? 'UDP/TLS/RTP/SAVPF',
        ice: { ufrag: s.t.ice.ufrag, pwd: s.t.ice.pwd },
        fingerprint: s.t.certificate.fingerprint,
        setup: s.t.setupFor(remote),
        rtcpMux: true,
        ssrc: { id: this.session.sender.ssrc, cname: `${this.id}@ringside` },
      },
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** An offer; the next SDP from the peer must be its answer (RFC 3264 5). `webrtc`: offer ICE-lite,
   *  DTLS-SRTP and Opus (a browser leg); a leg that is WebRTC already stays so in every re-offer. */
  createOffer(direction: Direction = 'sendrecv', opts: { webrtc?: boolean } = {}): string {
    if (opts.webrtc && !this.#secure) this.#startWebrtc();
    const remote = this.#negotiated?.remote.address;
    const address = this.#address(remote && remote !== '0.0.0.0' ? remote : this.#peerHint);
    this.#offered = { ...this.#base, ...this.#secureLocal(), address, direction, sessionVersion: ++this.#version };
    return createOffer(this.#offered);
  }

  /** Our answer to the peer's offer (initial INVITE or re-INVITE). Throws CodecMismatchError → 488. */
  createAnswer(offer: string, direction: Direction = 'sendrecv'): string {
    const { media: remote } = parseRemoteSdp(offer);
    this.#secureFor(remote.security);
    const local: LocalMedia = { ...this.#base, ...this.#secureLocal(remote.security), address: this.#address(remote.address), direction, sessionVersion: ++this.#version };
    const { sdp, negotiated } = createAnswer(offer, local);
    this.#apply(negotiated, true);
    this.#offered = null;
    return sdp;
  }

  /** The peer's answer to our last offer. */
  applyAnswer(answer: string): void {
    if (!this.#offered) throw new InvalidStateError(`endpoint ${this.id}: an answer arrived but no offer is outstanding`);
    const n = applyAnswer(answer, this.#offered);
    this.#offered = null;
    this.#apply(n, false);
  }

  /** Our `c=` address for a peer at `peer` (RFC 4566 §5.7): the configured one, else the local address the
   *  peer reaches. */
  #address(peer: string | undefined): string {
    if (this.#fixedAddress !== undefined) return this.#fixedAddress;
    return peer !== undefined && isIP(peer) !== 0 ? localAddressFor(peer) : primaryAddress();
  }

  #apply(n: NegotiatedMedia, answering: boolean): void {
    this.#negotiated = n;
    const s = this.#secure;
    if (s?.kind === 'webrtc') {
      try {
        s.t.negotiate(n.security, answering);
      } catch (err) {
        throw new SdpError((err as Error).message);
      }
      // Where media goes is what ICE selects (onSelected), not the c= line.
      if (s.t.ice.selected) this.session.setRemote(s.t.ice.selected);
    } else {
      const remote = n.remote.address === '0.0.0.0' ? { address: '0.0.0.0', port: 0 } : n.remote;
      this.session.setRemote(remote, n.rtcpPort);
    }
    this.session.setClockRate(CODEC_RATE[n.codec]);
    if (n.codec === 'opus') this.#opus ??= this.#needKit('Opus').opus();
    this.#log.debug({ endpointId: this.id, legId: this.legId, codec: n.codec, direction: n.direction, remote: n.remote, security: this.security }, 'media negotiated');
  }

  get canSend(): boolean {
    const d = this.#negotiated?.direction;
    return d === 'sendrecv' || d === 'sendonly';
  }

  get canReceive(): boolean {
    const d = this.#negotiated?.direction;
    return d === 'sendrecv' || d === 'recvonly';
  }

  #onPacket(p: RtpPacket): void {
    const n = this.#negotiated;
    if (!n || !this.canReceive) return;
    if (p.payloadType === n.telephoneEventPt) {
      this.#detector.feed(p);
      this.emit('telephone-event', p);
      return;
    }
    if (p.payloadType !== n.payloadType) return; // comfort noise (PT 13) and anything not negotiated
    if (n.codec === 'opus') return this.#onOpus(p);
    this.emit('media', p);
    if (this.listenerCount('audio') > 0) this.emit('audio', p.ssrc, p.timestamp, decodeG711(n.codec, p.payload));
  }

  /** Opus in: decoded to 8 kHz once, then on as PCMU (relay) and PCM (recorder, conference). */
  #onOpus(p: RtpPacket): void {
    const pcm = this.#opus?.decode(p.payload);
    if (!pcm || pcm.length === 0) return;
    // 48 kHz → 8 kHz timeline (the division wraps oddly once every 24.8 h of one stream: one discontinuity).
    const timestamp = Math.floor(p.timestamp / OPUS_TS_FACTOR) >>> 0;
    if (this.listenerCount('media') > 0) this.emit('media', { ...p, payloadType: 0, timestamp, payload: encodeG711('PCMU', pcm) });
    if (this.listenerCount('audio') > 0) this.emit('audio', p.ssrc, timestamp, pcm);
  }

  /** 8 kHz PCM out on an Opus leg: 20 ms frames, 48 kHz timestamps. */
  #sendOpus(pcm: Int16Array, source: string, timestamp: number, marker: boolean): boolean {
    const n = this.#negotiated!;
    let sent = false;
    for (const f of this.#opus!.encode(pcm, timestamp, source)) {
      sent = this.session.send(n.payloadType, f.payload, source, (f.timestamp * OPUS_TS_FACTOR) >>> 0, 160 * OPUS_TS_FACTOR, marker) || sent;
    }
    return sent;
  }

  /** Takes the outgoing stream for one source (a player); others are dropped until `release`. */
  claim(source: string): void {
    this.#owner = source;
  }

  release(source: string): void {
    if (this.#owner === source) this.#owner = null;
  }

  #mayUse(source: string): boolean {
    if (this.#closed || !this.#negotiated || !this.canSend) return false;
    if (this.#dtmfOwner) return source === this.#dtmfOwner;
    return this.#owner === null || this.#owner === source;
  }

  /** Sends G.711 payload from `codec`, transcoding to ours if they differ. */
  sendEncoded(codec: AudioCodec, payload: Uint8Array, source: string, timestamp: number, marker = false): boolean {
    if (!this.#mayUse(source)) return false;
    const n = this.#negotiated!;
    if (n.codec === 'opus') return this.#sendOpus(decodeG711(codec, payload), source, timestamp, marker);
    const out = codec === n.codec ? payload : transcodeG711(codec, n.codec, payload);
    return this.session.send(n.payloadType, out, source, timestamp, out.length, marker);
  }

  sendSamples(samples: Int16Array, source: string, timestamp: number): boolean {
    if (!this.#mayUse(source)) return false;
    const n = this.#negotiated!;
    if (n.codec === 'opus') return this.#sendOpus(samples, source, timestamp, false);
    return this.session.send(n.payloadType, encodeG711(n.codec, samples), source, timestamp, samples.length);
  }

  /** Relays a telephone-event packet with our negotiated PT; false if the peer has none. */
  sendTelephoneEvent(payload: Uint8Array, source: string, timestamp: number, marker: boolean): boolean {
    const n = this.#negotiated;
    if (!n || n.telephoneEventPt === null || !this.#mayUse(source)) return false;
    return this.session.send(n.telephoneEventPt, payload, source, timestamp, 160, marker);
  }

  /** DTMF generation takes precedence over every other sender while it lasts. */
  claimForDtmf(source: string): void {
    this.#dtmfOwner = source;
  }

  releaseDtmf(source: string): void {
    if (this.#dtmfOwner === source) this.#dtmfOwner = null;
  }

  stats(): RtpSessionStats & { codec: MediaCodec | null; direction: Direction | null; security: 'webrtc' | 'sdes' | null } {
    return { ...this.session.stats(), codec: this.codec, direction: this.#negotiated?.direction ?? null, security: this.security };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detector.close();
    this.session.close();
    this.#opus?.close();
    this.removeAllListeners();
  }
}

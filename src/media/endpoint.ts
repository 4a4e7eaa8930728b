/**
 * One leg's media endpoint: its RTP session, its SDP state (RFC 3264: one offer/answer at a time, the
 * session version in o= bumped whenever our SDP changes, 8), and the receive/send paths:
 *
 * - receive: audio in the negotiated codec → `media` (relay) and, only when someone listens, decoded
 *   → `audio` (recorder, conference); telephone-events → DtmfDetector → `dtmf`, and → `telephone-event`.
 * - send: everything goes through the session's one RtpSender. A player or a DTMF sender can take the
 *   stream exclusively (`claim`); relayed or mixed audio is dropped meanwhile, DTMF wins over a player.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from '../log/logger.js';
import { TypedEmitter } from './typed-emitter.js';
import type { RtpSession, Address, RtpSessionStats } from './rtp-session.js';
import type { RtpPacket } from './rtp-packet.js';
import { applyAnswer, createAnswer, createOffer, type AudioCodec, type Direction, type LocalMedia, type NegotiatedMedia } from './sdp-negotiator.js';
import { DtmfDetector, type DetectedDigit } from './dtmf-rfc4733.js';
import { decodeG711, encodeG711, transcodeG711 } from './g711.js';
import { InvalidStateError } from './errors.js';
import { localAddressFor, primaryAddress } from '../util/local-address.js';

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

  get codec(): AudioCodec | null {
    return this.#negotiated?.codec ?? null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** An offer; the next SDP from the peer must be its answer (RFC 3264 5). */
  createOffer(direction: Direction = 'sendrecv'): string {
    const remote = this.#negotiated?.remote.address;
    const address = this.#address(remote && remote !== '0.0.0.0' ? remote : this.#peerHint);
    this.#offered = { ...this.#base, address, direction, sessionVersion: ++this.#version };
    return createOffer(this.#offered);
  }

  /** Our answer to the peer's offer (initial INVITE or re-INVITE). Throws CodecMismatchError → 488. */
  createAnswer(offer: string, direction: Direction = 'sendrecv'): string {
    const local: LocalMedia = { ...this.#base, address: this.#address(offeredAddress(offer)), direction, sessionVersion: ++this.#version };
    const { sdp, negotiated } = createAnswer(offer, local);
    this.#apply(negotiated);
    this.#offered = null;
    return sdp;
  }

  /** The peer's answer to our last offer. */
  applyAnswer(answer: string): void {
    if (!this.#offered) throw new InvalidStateError(`endpoint ${this.id}: an answer arrived but no offer is outstanding`);
    const n = applyAnswer(answer, this.#offered);
    this.#offered = null;
    this.#apply(n);
  }

  /** Our `c=` address for a peer at `peer` (RFC 4566 §5.7): the configured one, else the local address the
   *  peer reaches. */
  #address(peer: string | undefined): string {
    if (this.#fixedAddress !== undefined) return this.#fixedAddress;
    return peer !== undefined && isIP(peer) !== 0 ? localAddressFor(peer) : primaryAddress();
  }

  #apply(n: NegotiatedMedia): void {
    this.#negotiated = n;
    const remote = n.remote.address === '0.0.0.0' ? { address: '0.0.0.0', port: 0 } : n.remote;
    this.session.setRemote(remote, n.rtcpPort);
    this.#log.debug({ endpointId: this.id, legId: this.legId, codec: n.codec, direction: n.direction, remote: n.remote }, 'media negotiated');
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
    this.emit('media', p);
    if (this.listenerCount('audio') > 0) this.emit('audio', p.ssrc, p.timestamp, decodeG711(n.codec, p.payload));
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
    const out = codec === n.codec ? payload : transcodeG711(codec, n.codec, payload);
    return this.session.send(n.payloadType, out, source, timestamp, out.length, marker);
  }

  sendSamples(samples: Int16Array, source: string, timestamp: number): boolean {
    if (!this.#mayUse(source)) return false;
    const n = this.#negotiated!;
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

  stats(): RtpSessionStats & { codec: AudioCodec | null; direction: Direction | null } {
    return { ...this.session.stats(), codec: this.codec, direction: this.#negotiated?.direction ?? null };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detector.close();
    this.session.close();
    this.removeAllListeners();
  }
}

/** The connection address of an offer's audio (media-level `c=` wins over session-level, RFC 4566 §5.7). */
function offeredAddress(sdp: string): string | undefined {
  const audio = sdp.search(/^m=audio /m);
  const media = audio >= 0 ? /^c=IN IP[46] ([^\s/]+)/m.exec(sdp.slice(audio)) : null;
  const session = /^c=IN IP[46] ([^\s/]+)/m.exec(audio >= 0 ? sdp.slice(0, audio) : sdp);
  return (media ?? session)?.[1];
}

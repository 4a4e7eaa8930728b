/**
 * SDP offer/answer for one audio stream (RFC 3264 over RFC 4566), parsed and written with sdp-transform.
 * Ringside speaks PCMU (PT 0), PCMA (PT 8) and telephone-event (RFC 4733 7.1.1, dynamic PT), ptime 20; on a
 * secure leg also Opus (RFC 7587) and the attributes of its security (`LocalSecurity`): ICE-lite, DTLS-SRTP
 * fingerprint/setup and rtcp-mux for WebRTC (RFC 8829 §5, RFC 5763, RFC 5761), or SDES a=crypto (RFC 4568).
 *
 * Choices where the RFCs leave one (listed in docs/media.md):
 * - The first usable `m=audio` line is accepted; every other m-line is rejected with port 0 (RFC 3264 6).
 * - The answer carries one codec, the first of the offer we support (the offerer's preference), plus
 *   telephone-event if offered, with the offerer's payload type numbers (RFC 3264 6.1).
 * - `c=0.0.0.0` in an offer is the RFC 2543 hold and is treated like `a=sendonly` (RFC 3264 8.4).
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { CodecMismatchError, SdpError } from './errors.js';

/** The G.711 laws: what relays, recordings and conferences work in. */
export type AudioCodec = 'PCMU' | 'PCMA';
/** What a leg may speak on the wire: G.711, or Opus on a WebRTC leg (transcoded at the endpoint). */
export type MediaCodec = AudioCodec | 'opus';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const SUPPORTED_CODECS: readonly AudioCodec[] = ['PCMU', 'PCMA'];
/** A browser leg: Opus first (every browser has it), G.711 as the fallback RFC 7874 §3 requires. */
export const WEBRTC_CODECS: readonly MediaCodec[] = ['opus', 'PCMU', 'PCMA'];
/** Opus in our offers: a dynamic PT (RFC 7587 §6.1), 111 as browsers use. */
const OFFER_PT: Record<MediaCodec, number> = { PCMU: 0, PCMA: 8, opus: 111 };
/** RTP clock rate of each codec (Opus is always 48000, RFC 7587 §4.1). */
export const CODEC_RATE: Record<MediaCodec, number> = { PCMU: 8000, PCMA: 8000, opus: 48000 };
/** RFC 3551 6 static payload types we may meet in an m= line without a=rtpmap. */
const STATIC_NAMES: Record<number, string> = { 0: 'PCMU', 3: 'GSM', 4: 'G723', 8: 'PCMA', 9: 'G722', 13: 'CN', 18: 'G729' };

/** The security attributes of our side of a secure stream (written by audioSection). */
export interface LocalSecurity {
  /** `UDP/TLS/RTP/SAVPF` (WebRTC), `RTP/SAVP` (SDES), …: the answer echoes the offer's. */
  protocol: string;
  /** ICE-lite credentials; the host candidate is the c= address and the m= port (RFC 8445 §2.5). */
  ice?: { ufrag: string; pwd: string };
  fingerprint?: { algorithm: string; value: string };
  /** RFC 5763 §5: `actpass` in an offer, `passive` (we are the DTLS server) or `active` in an answer. */
  setup?: 'actpass' | 'active' | 'passive';
  rtcpMux?: boolean;
  /** SDES (RFC 4568 §9.1): our key, under the tag of the offer's line we accepted. */
  crypto?: { tag: number; suite: string; keyParams: string };
  /** a=ssrc cname (RFC 5576), so a browser maps our stream to one MediaStream. */
  ssrc?: { id: number; cname: string };
}

/** The security attributes of the peer's stream. */
export interface RemoteSecurity {
  protocol: string;
  ice: { ufrag: string; pwd: string } | null;
  fingerprint: { algorithm: string; value: string } | null;
  setup: string | null;
  rtcpMux: boolean;
  crypto: { tag: number; suite: string; keyParams: string }[];
  mid: string | null;
  /** The offer groups this m= line in a=group:BUNDLE (RFC 9143). */
  bundled: boolean;
}

export interface LocalMedia {
  /** Address written in c= and o= (the advertised address, public if behind NAT). */
  address: string;
  port: number;
  codecs?: readonly MediaCodec[];
  security?: LocalSecurity;
  /** Payload type to offer for telephone-event, or null to offer none. */
  telephoneEventPt?: number | null;
  ptime?: number;
  direction?: Direction;
  sessionId: string;
  sessionVersion: number;
}

export interface RemoteCodec {
  payloadType: number;
  name: string;
  rate: number;
}

export interface RemoteMedia {
  address: string;
  port: number;
  rtcpPort?: number;
  direction: Direction;
  codecs: RemoteCodec[];
  telephoneEventPt: number | null;
  ptime?: number;
  security: RemoteSecurity;
}

/** What both sides agreed, from Ringside's point of view. */
export interface NegotiatedMedia {
  codec: MediaCodec;
  payloadType: number;
  telephoneEventPt: number | null;
  remote: { address: string; port: number };
  rtcpPort?: number;
  /** What Ringside does on this stream: send and/or receive. */
  direction: Direction;
  security: RemoteSecurity;
}

function canSend(d: Direction): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}
function canRecv(d: Direction): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}
function directionOf(send: boolean, recv: boolean): Direction {
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}

function parseSdp(text: string): SessionDescription {
  if (!/^v=0/m.test(text)) throw new SdpError('not an SDP body (no v=0 line)');
  try {
    return parse(text);
  } catch (err) {
    throw new SdpError(`unparseable SDP: ${(err as Error).message}`);
  }
}

function payloadList(m: MediaDescription): number[] {
  return String(m.payloads ?? '')
    .split(/\s+/)
    .filter((x) => x !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n));
}

/** RTP/AVP(F), SDES RTP/SAVP(F), DTLS (UDP/TLS/RTP/SAVP(F), RFC 5764 §8): whether we can secure a SAVP one
 *  is the endpoint's decision (LocalSecurity). */
function isUsableAudio(m: MediaDescription): boolean {
  return m.type === 'audio' && m.port !== 0 && /^(UDP\/TLS\/)?RTP\/S?AVPF?$/i.test(m.protocol);
}

export function isSecureProfile(protocol: string): boolean {
  return /SAVP/i.test(protocol);
}

function securityOf(session: SessionDescription, m: MediaDescription): RemoteSecurity {
  const ufrag = m.iceUfrag ?? session.iceUfrag;
  const pwd = m.icePwd ?? session.icePwd;
  const fp = m.fingerprint ?? session.fingerprint;
  const crypto = (m.crypto ?? []).map((c) => ({ tag: c.id, suite: c.suite, keyParams: c.config }));
  const mid = m.mid === undefined ? null : String(m.mid);
  const bundled = mid !== null && (session.groups ?? []).some((g) => g.type === 'BUNDLE' && String(g.mids).split(' ').includes(mid));
  return {
    protocol: m.protocol,
    ice: ufrag && pwd ? { ufrag: String(ufrag), pwd: String(pwd) } : null,
    fingerprint: fp ? { algorithm: fp.type.toLowerCase(), value: fp.hash } : null,
    setup: m.setup ?? session.setup ?? null,
    rtcpMux: m.rtcpMux === 'rtcp-mux',
    crypto,
    mid,
    bundled,
  };
}

function describe(session: SessionDescription, m: MediaDescription): RemoteMedia {
  const codecs: RemoteCodec[] = payloadList(m).map((pt) => {
    const r = m.rtp.find((x) => x.payload === pt);
    // sdp-transform turns a numeric encoding name into a number (`a=rtpmap:0 8000`): names are text.
    if (r) return { payloadType: pt, name: String(r.codec), rate: r.rate ?? 8000 };
    return { payloadType: pt, name: STATIC_NAMES[pt] ?? `PT${pt}`, rate: 8000 };
  });
  const te = codecs.find((c) => c.name.toLowerCase() === 'telephone-event' && c.rate === 8000);
  const address = m.connection?.ip ?? session.connection?.ip;
  if (!address) throw new SdpError('SDP has no connection address (c=) for audio');
  let direction: Direction = m.direction ?? session.direction ?? 'sendrecv';
  const security = securityOf(session, m);
  // RFC 2543 hold: c=0.0.0.0 means "do not send to me" (RFC 3264 8.4); with ICE it is only the default
  // address of a peer that has none yet (RFC 8839 §4.2.1.2), and the checks find the real one.
  if (address === '0.0.0.0' && !security.ice && canSend(direction)) direction = 'sendonly';
  else if (address === '0.0.0.0' && !security.ice) direction = 'inactive';
  const out: RemoteMedia = { address, port: m.port, direction, codecs, telephoneEventPt: te ? te.payloadType : null, security };
  if (m.rtcp?.port) out.rtcpPort = m.rtcp.port;
  if (m.ptime) out.ptime = m.ptime;
  return out;
}

/** The first usable audio stream of a remote SDP. */
export function parseRemoteSdp(text: string): { session: SessionDescription; index: number; media: RemoteMedia } {
  const session = parseSdp(text);
  const index = session.media.findIndex(isUsableAudio);
  if (index < 0) {
    const offered = session.media.map((m) => `${m.type} ${m.protocol}${m.port === 0 ? ' (port 0)' : ''}`);
    throw new SdpError(`SDP has no usable RTP audio stream (streams: ${offered.join('; ') || 'none'})`);
  }
  return { session, index, media: describe(session, session.media[index]!) };
}

function audioSection(local: LocalMedia, codecs: { pt: number; name: MediaCodec }[], te: number | null, direction: Direction, mid?: string | null): MediaDescription {
  // Opus is written opus/48000/2 whatever is sent (RFC 7587 §7); we send mono.
  const rtp: MediaDescription['rtp'] = codecs.map((c) => (c.name === 'opus' ? { payload: c.pt, codec: 'opus', rate: 48000, encoding: 2 } : { payload: c.pt, codec: c.name, rate: 8000 }));
  const fmtp: MediaDescription['fmtp'] = [];
  if (te !== null) {
    rtp.push({ payload: te, codec: 'telephone-event', rate: 8000 });
    // Events 0-15 are the DTMF digits and 16 flash (RFC 4733 3.2).
    fmtp.push({ payload: te, config: '0-16' });
  }
  const m: MediaDescription = {
    type: 'audio',
    port: local.port,
    protocol: local.security?.protocol ?? 'RTP/AVP',
    payloads: rtp.map((r) => r.payload).join(' '),
    rtp,
    fmtp,
    ptime: local.ptime ?? 20,
    direction,
  };
  const sec = local.security;
  if (!sec) return m;
  if (mid != null) m.mid = mid;
  if (sec.ice) {
    m.iceUfrag = sec.ice.ufrag;
    m.icePwd = sec.ice.pwd;
    // One host candidate, component 1 (RTP and RTCP muxed), highest host priority (RFC 8445 §5.1.2.1).
    m.candidates = [{ foundation: '1', component: 1, transport: 'udp', priority: 2130706431, ip: local.address, port: local.port, type: 'host' }];
    m.endOfCandidates = 'end-of-candidates';
  }
  if (sec.fingerprint) m.fingerprint = { type: sec.fingerprint.algorithm, hash: sec.fingerprint.value };
  if (sec.setup) m.setup = sec.setup;
  if (sec.rtcpMux) m.rtcpMux = 'rtcp-mux';
  if (sec.crypto) m.crypto = [{ id: sec.crypto.tag, suite: sec.crypto.suite, config: sec.crypto.keyParams }];
  if (sec.ssrc) m.ssrcs = [{ id: sec.ssrc.id, attribute: 'cname', value: sec.ssrc.cname }];
  return m;
}

function session(local: LocalMedia, media: MediaDescription[], bundleMid?: string | null): string {
  const s: SessionDescription = {
    version: 0,
    origin: { username: 'ringside', sessionId: local.sessionId, sessionVersion: local.sessionVersion, netType: 'IN', ipVer: 4, address: local.address },
    name: 'Ringside',
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media,
  };
  if (local.security?.ice) s.icelite = 'ice-lite';
  if (bundleMid != null) s.groups = [{ type: 'BUNDLE', mids: bundleMid }];
  return write(s);
}

/** An offer (RFC 3264 5). `direction: 'sendonly'` puts the peer on hold, `'inactive'` stops both ways (8.4). */
export function createOffer(local: LocalMedia): string {
  const codecs = (local.codecs ?? SUPPORTED_CODECS).map((c) => ({ pt: OFFER_PT[c], name: c }));
  const te = local.telephoneEventPt === undefined ? 101 : local.telephoneEventPt;
  // A WebRTC offer names its one stream "0" and bundles it, as browsers expect (RFC 8829 §5.2.1).
  const mid = local.security?.ice ? '0' : null;
  return session(local, [audioSection(local, codecs, te, local.direction ?? 'sendrecv', mid)], mid);
}

/** The first codec of the peer's list we speak (the offerer's preference, RFC 3264 6.1). */
function chooseCodec(remote: RemoteMedia, ours: readonly MediaCodec[]): { codec: MediaCodec; payloadType: number } {
  for (const c of remote.codecs) {
    const name = (c.name.toLowerCase() === 'opus' ? 'opus' : c.name.toUpperCase()) as MediaCodec;
    if (ours.includes(name) && c.rate === CODEC_RATE[name]) return { codec: name, payloadType: c.payloadType };
  }
  throw new CodecMismatchError(
    remote.codecs.filter((c) => c.name.toLowerCase() !== 'telephone-event').map((c) => c.name),
    [...ours],
  );
}

/** A secure stream needs our security for it, and a plain one none (the endpoint decides, RFC 3264 6). */
function checkProfile(remote: RemoteMedia, local: LocalMedia): void {
  if (isSecureProfile(remote.security.protocol) && !local.security) {
    throw new SdpError(`secure profile ${remote.security.protocol} without keys Ringside can use (no a=fingerprint with ICE, nor a supported a=crypto)`);
  }
}

/**
 * The answer to a remote offer (RFC 3264 6). Throws CodecMismatchError (→ 488) when no codec is common,
 * SdpError when the offer has no usable audio.
 */
export function createAnswer(offerText: string, local: LocalMedia): { sdp: string; negotiated: NegotiatedMedia } {
  const { session: offer, index, media: remote } = parseRemoteSdp(offerText);
  checkProfile(remote, local);
  const chosen = chooseCodec(remote, local.codecs ?? SUPPORTED_CODECS);
  const codec = chosen.codec;
  // telephone-event/8000 only beside an 8 kHz codec: its clock must be the audio's (RFC 4733 §2.1).
  const te = local.telephoneEventPt === null || codec === 'opus' ? null : remote.telephoneEventPt;
  const want = local.direction ?? 'sendrecv';
  // Answerer sends only if the offerer receives, and receives only if the offerer sends (RFC 3264 6.1).
  const direction = directionOf(canSend(want) && canRecv(remote.direction), canRecv(want) && canSend(remote.direction));
  const media = offer.media.map((m, i): MediaDescription => {
    if (i === index) return audioSection(local, [{ pt: chosen.payloadType, name: codec }], te, direction, remote.security.mid);
    // Rejected stream: same type and transport, port 0, one format (RFC 3264 6).
    const first = payloadList(m)[0] ?? 0;
    return { type: m.type, port: 0, protocol: m.protocol, payloads: String(first), rtp: [], fmtp: [] };
  });
  const negotiated: NegotiatedMedia = {
    codec,
    payloadType: chosen.payloadType,
    telephoneEventPt: te,
    remote: { address: remote.address, port: remote.port },
    direction,
    security: remote.security,
  };
  if (remote.rtcpPort) negotiated.rtcpPort = remote.rtcpPort;
  // BUNDLE (RFC 9143 §7.3): the answer groups the one stream we accepted, if the offer grouped it.
  const bundleMid = local.security?.ice && remote.security.bundled ? remote.security.mid : null;
  return { sdp: session(local, media, bundleMid), negotiated };
}

/** Applies the answer to an offer we made (RFC 3264 7). */
export function applyAnswer(answerText: string, offered: LocalMedia): NegotiatedMedia {
  const { media: remote } = parseRemoteSdp(answerText);
  checkProfile(remote, offered);
  const chosen = chooseCodec(remote, offered.codecs ?? SUPPORTED_CODECS);
  const want = offered.direction ?? 'sendrecv';
  const te = offered.telephoneEventPt === null || chosen.codec === 'opus' ? null : remote.telephoneEventPt;
  const n: NegotiatedMedia = {
    codec: chosen.codec,
    payloadType: chosen.payloadType,
    telephoneEventPt: te,
    remote: { address: remote.address, port: remote.port },
    direction: directionOf(canSend(want) && canRecv(remote.direction), canRecv(want) && canSend(remote.direction)),
    security: remote.security,
  };
  if (remote.rtcpPort) n.rtcpPort = remote.rtcpPort;
  return n;
}

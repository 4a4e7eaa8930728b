/**
 * SDP offer/answer for one audio stream (RFC 3264 over RFC 4566), parsed and written with sdp-transform.
 * Ringside speaks PCMU (PT 0), PCMA (PT 8) and telephone-event (RFC 4733 7.1.1, dynamic PT), ptime 20.
 *
 * Choices where the RFCs leave one (listed in docs/media.md):
 * - The first usable `m=audio` line is accepted; every other m-line is rejected with port 0 (RFC 3264 6).
 * - The answer carries one codec, the first of the offer we support (the offerer's preference), plus
 *   telephone-event if offered, with the offerer's payload type numbers (RFC 3264 6.1).
 * - `c=0.0.0.0` in an offer is the RFC 2543 hold and is treated like `a=sendonly` (RFC 3264 8.4).
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { CodecMismatchError, SdpError } from './errors.js';

export type AudioCodec = 'PCMU' | 'PCMA';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const SUPPORTED_CODECS: readonly AudioCodec[] = ['PCMU', 'PCMA'];
const STATIC_PT: Record<AudioCodec, number> = { PCMU: 0, PCMA: 8 };
/** RFC 3551 6 static payload types we may meet in an m= line without a=rtpmap. */
const STATIC_NAMES: Record<number, string> = { 0: 'PCMU', 3: 'GSM', 4: 'G723', 8: 'PCMA', 9: 'G722', 13: 'CN', 18: 'G729' };

export interface LocalMedia {
  /** Address written in c= and o= (the advertised address, public if behind NAT). */
  address: string;
  port: number;
  codecs?: readonly AudioCodec[];
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
}

/** What both sides agreed, from Ringside's point of view. */
export interface NegotiatedMedia {
  codec: AudioCodec;
  payloadType: number;
  telephoneEventPt: number | null;
  remote: { address: string; port: number };
  rtcpPort?: number;
  /** What Ringside does on this stream: send and/or receive. */
  direction: Direction;
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

function isUsableAudio(m: MediaDescription): boolean {
  // Only plain RTP: no SRTP (RTP/SAVP) support yet.
  return m.type === 'audio' && m.port !== 0 && /^RTP\/AVPF?$/i.test(m.protocol);
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
  // RFC 2543 hold: c=0.0.0.0 means "do not send to me" (RFC 3264 8.4).
  if (address === '0.0.0.0' && canSend(direction)) direction = 'sendonly';
  else if (address === '0.0.0.0') direction = 'inactive';
  const out: RemoteMedia = { address, port: m.port, direction, codecs, telephoneEventPt: te ? te.payloadType : null };
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

function audioSection(local: LocalMedia, codecs: { pt: number; name: string }[], te: number | null, direction: Direction): MediaDescription {
  const rtp: MediaDescription['rtp'] = codecs.map((c) => ({ payload: c.pt, codec: c.name, rate: 8000 }));
  const fmtp: MediaDescription['fmtp'] = [];
  if (te !== null) {
    rtp.push({ payload: te, codec: 'telephone-event', rate: 8000 });
    // Events 0-15 are the DTMF digits and 16 flash (RFC 4733 3.2).
    fmtp.push({ payload: te, config: '0-16' });
  }
  return {
    type: 'audio',
    port: local.port,
    protocol: 'RTP/AVP',
    payloads: rtp.map((r) => r.payload).join(' '),
    rtp,
    fmtp,
    ptime: local.ptime ?? 20,
    direction,
  };
}

function session(local: LocalMedia, media: MediaDescription[]): string {
  const s: SessionDescription = {
    version: 0,
    origin: { username: 'ringside', sessionId: local.sessionId, sessionVersion: local.sessionVersion, netType: 'IN', ipVer: 4, address: local.address },
    name: 'Ringside',
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media,
  };
  return write(s);
}

/** An offer (RFC 3264 5). `direction: 'sendonly'` puts the peer on hold, `'inactive'` stops both ways (8.4). */
export function createOffer(local: LocalMedia): string {
  const codecs = (local.codecs ?? SUPPORTED_CODECS).map((c) => ({ pt: STATIC_PT[c], name: c }));
  const te = local.telephoneEventPt === undefined ? 101 : local.telephoneEventPt;
  return session(local, [audioSection(local, codecs, te, local.direction ?? 'sendrecv')]);
}

/**
 * The answer to a remote offer (RFC 3264 6). Throws CodecMismatchError (→ 488) when no codec is common,
 * SdpError when the offer has no usable audio.
 */
export function createAnswer(offerText: string, local: LocalMedia): { sdp: string; negotiated: NegotiatedMedia } {
  const { session: offer, index, media: remote } = parseRemoteSdp(offerText);
  const ours = local.codecs ?? SUPPORTED_CODECS;
  const chosen = remote.codecs.find((c) => c.rate === 8000 && (ours as readonly string[]).includes(c.name.toUpperCase()));
  if (!chosen) {
    throw new CodecMismatchError(
      remote.codecs.filter((c) => c.name.toLowerCase() !== 'telephone-event').map((c) => c.name),
      [...ours],
    );
  }
  const codec = chosen.name.toUpperCase() as AudioCodec;
  const te = local.telephoneEventPt === null ? null : remote.telephoneEventPt;
  const want = local.direction ?? 'sendrecv';
  // Answerer sends only if the offerer receives, and receives only if the offerer sends (RFC 3264 6.1).
  const direction = directionOf(canSend(want) && canRecv(remote.direction), canRecv(want) && canSend(remote.direction));
  const media = offer.media.map((m, i): MediaDescription => {
    if (i === index) return audioSection(local, [{ pt: chosen.payloadType, name: codec }], te, direction);
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
  };
  if (remote.rtcpPort) negotiated.rtcpPort = remote.rtcpPort;
  return { sdp: session(local, media), negotiated };
}

/** Applies the answer to an offer we made (RFC 3264 7). */
export function applyAnswer(answerText: string, offered: LocalMedia): NegotiatedMedia {
  const { media: remote } = parseRemoteSdp(answerText);
  const ours = offered.codecs ?? SUPPORTED_CODECS;
  const chosen = remote.codecs.find((c) => c.rate === 8000 && (ours as readonly string[]).includes(c.name.toUpperCase()));
  if (!chosen) {
    throw new CodecMismatchError(
      remote.codecs.filter((c) => c.name.toLowerCase() !== 'telephone-event').map((c) => c.name),
      [...ours],
    );
  }
  const want = offered.direction ?? 'sendrecv';
  const te = offered.telephoneEventPt === null ? null : remote.telephoneEventPt;
  const n: NegotiatedMedia = {
    codec: chosen.name.toUpperCase() as AudioCodec,
    payloadType: chosen.payloadType,
    telephoneEventPt: te,
    remote: { address: remote.address, port: remote.port },
    direction: directionOf(canSend(want) && canRecv(remote.direction), canRecv(want) && canSend(remote.direction)),
  };
  if (remote.rtcpPort) n.rtcpPort = remote.rtcpPort;
  return n;
}

/**
 * What an RTP session needs from a secure transport (DTLS-SRTP with ICE-lite for WebRTC, or SDES-SRTP):
 * the datagrams on the RTP port that are not RTP (STUN, DTLS: demultiplexed by first byte, RFC 7983 §7),
 * and SRTP/SRTCP protect/unprotect (RFC 3711). Implementations live in `webrtc/`, loaded only when a leg
 * asks for them.
 */
import type { Address } from './rtp-session.js';

export interface MediaSecurity {
  /** RTCP on the RTP port (RFC 5761): then reports go there too, and packets are told apart by PT. */
  readonly rtcpMux: boolean;
  /** A STUN or DTLS datagram from `from`. */
  control(data: Buffer, from: Address): void;
  /** The plain packet, or null (keys not yet known, or authentication failed: dropped, RFC 3711 §3.3). */
  unprotectRtp(data: Buffer): Buffer | null;
  unprotectRtcp(data: Buffer): Buffer | null;
  /** The SRTP packet to send, or null while there are no keys yet (DTLS not finished). */
  protectRtp(packet: Buffer): Buffer | null;
  protectRtcp(packet: Buffer): Buffer | null;
  close(): void;
}

/** RFC 7983 §7: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP. */
export function datagramKind(first: number): 'stun' | 'dtls' | 'rtp' | 'other' {
  if (first <= 3) return 'stun';
  if (first >= 20 && first <= 63) return 'dtls';
  if (first >= 128 && first <= 191) return 'rtp';
  return 'other';
}

/** RFC 5761 §4: RTCP packet types 192-223 (SR 200, RR 201, …) sit where RTP PTs 64-95 would. */
export function isRtcpPacket(data: Buffer): boolean {
  const pt = data[1]! & 0x7f;
  return pt >= 64 && pt <= 95;
}

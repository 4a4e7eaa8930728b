/**
 * RTP fixed header (RFC 3550 5.1): parse and serialise. Payload is a view into the datagram, not a copy.
 */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  payload: Uint8Array;
}

export const RTP_HEADER_SIZE = 12;

/** Returns null for anything that is not an RTP version-2 packet (RFC 3550 A.1 validity checks). */
export function parseRtpPacket(buf: Uint8Array): RtpPacket | null {
  if (buf.length < RTP_HEADER_SIZE) return null;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 >> 6 !== 2) return null;
  const payloadType = b1 & 0x7f;
  // PT 72-76 collide with RTCP SR/RR/SDES/BYE/APP when multiplexed (RFC 5761 4); never RTP.
  if (payloadType >= 72 && payloadType <= 76) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + cc * 4;
  if (buf.length < offset) return null;
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(view.getUint32(RTP_HEADER_SIZE + i * 4));
  if (b0 & 0x10) {
    // Header extension (RFC 3550 5.3.1): 16-bit profile, 16-bit length in 32-bit words.
    if (buf.length < offset + 4) return null;
    offset += 4 + view.getUint16(offset + 2) * 4;
    if (buf.length < offset) return null;
  }
  let end = buf.length;
  if (b0 & 0x20) {
    // Padding (RFC 3550 5.1): the last octet counts the padding octets, itself included.
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || offset + pad > buf.length) return null;
    end -= pad;
  }
  return {
    payloadType,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrcs,
    payload: buf.subarray(offset, end),
  };
}

export interface RtpHeaderFields {
  payloadType: number;
  marker?: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** Serialises a packet with no CSRCs, extension or padding (all Ringside sends). */
export function serializeRtpPacket(h: RtpHeaderFields, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RTP_HEADER_SIZE + payload.length);
  out[0] = 0x80;
  out[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  out.writeUInt16BE(h.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(h.timestamp >>> 0, 4);
  out.writeUInt32BE(h.ssrc >>> 0, 8);
  out.set(payload, RTP_HEADER_SIZE);
  return out;
}

/** Signed distance b - a between two 32-bit RTP timestamps, modulo 2^32. */
export function timestampDiff(a: number, b: number): number {
  return ((b - a) | 0);
}

/** Signed distance b - a between two 16-bit sequence numbers, modulo 2^16. */
export function sequenceDiff(a: number, b: number): number {
  const d = (b - a) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

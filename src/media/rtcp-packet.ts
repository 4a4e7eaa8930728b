/**
 * RTCP (RFC 3550 6): the compound packets Ringside sends (SR or RR, then SDES CNAME, 6.1) and the parts of
 * received ones it uses (the sender report's NTP time, to fill LSR/DLSR in our receiver reports, 6.4.1).
 */

export interface ReportBlock {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  highestSequence: number;
  jitter: number;
  lastSr: number;
  delaySinceLastSr: number;
}

export interface SenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface ParsedRtcp {
  /** 200 SR or 201 RR. */
  type: number;
  ssrc: number;
  sender?: SenderInfo;
  reports: ReportBlock[];
}

const NTP_EPOCH_OFFSET = 2_208_988_800;

/** Wall clock as a 64-bit NTP timestamp (RFC 3550 4). */
export function ntpNow(nowMs = Date.now()): { seconds: number; fraction: number } {
  const seconds = Math.floor(nowMs / 1000) + NTP_EPOCH_OFFSET;
  const fraction = Math.floor(((nowMs % 1000) / 1000) * 2 ** 32) >>> 0;
  return { seconds: seconds >>> 0, fraction };
}

/** Middle 32 bits of an NTP timestamp, the LSR field (RFC 3550 6.4.1). */
export function ntpMiddle(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

function writeReportBlock(buf: Buffer, o: number, r: ReportBlock): void {
  buf.writeUInt32BE(r.ssrc >>> 0, o);
  buf.writeUInt8(r.fractionLost & 0xff, o + 4);
  // Cumulative lost is a signed 24-bit value (RFC 3550 6.4.1), clamped.
  const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
  buf.writeUIntBE(lost, o + 5, 3);
  buf.writeUInt32BE(r.highestSequence >>> 0, o + 8);
  buf.writeUInt32BE(r.jitter >>> 0, o + 12);
  buf.writeUInt32BE(r.lastSr >>> 0, o + 16);
  buf.writeUInt32BE(r.delaySinceLastSr >>> 0, o + 20);
}

function sdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname.slice(0, 255), 'utf8');
  // SSRC + item (type, length, text) + END, padded to a 32-bit boundary (RFC 3550 6.5).
  const body = 4 + 2 + text.length + 1;
  const padded = Math.ceil(body / 4) * 4;
  const buf = Buffer.alloc(4 + padded);
  buf[0] = 0x81;
  buf[1] = 202;
  buf.writeUInt16BE(padded / 4, 2);
  buf.writeUInt32BE(ssrc >>> 0, 4);
  buf[8] = 1;
  buf[9] = text.length;
  text.copy(buf, 10);
  return buf;
}

/** A compound RTCP packet: SR when we sent RTP since the last report, otherwise RR; then SDES CNAME. */
export function buildRtcpReport(opts: { ssrc: number; cname: string; sender?: SenderInfo; reports: ReportBlock[] }): Buffer {
  const blocks = opts.reports.slice(0, 31);
  const senderLen = opts.sender ? 20 : 0;
  const len = 8 + senderLen + blocks.length * 24;
  const head = Buffer.alloc(len);
  head[0] = 0x80 | blocks.length;
  head[1] = opts.sender ? 200 : 201;
  head.writeUInt16BE(len / 4 - 1, 2);
  head.writeUInt32BE(opts.ssrc >>> 0, 4);
  if (opts.sender) {
    head.writeUInt32BE(opts.sender.ntpSeconds >>> 0, 8);
    head.writeUInt32BE(opts.sender.ntpFraction >>> 0, 12);
    head.writeUInt32BE(opts.sender.rtpTimestamp >>> 0, 16);
    head.writeUInt32BE(opts.sender.packetCount >>> 0, 20);
    head.writeUInt32BE(opts.sender.octetCount >>> 0, 24);
  }
  blocks.forEach((b, i) => writeReportBlock(head, 8 + senderLen + i * 24, b));
  return Buffer.concat([head, sdesCname(opts.ssrc, opts.cname)]);
}

/** Parses the SR/RR packets of a compound RTCP packet; other packet types are skipped. */
export function parseRtcpCompound(buf: Uint8Array): ParsedRtcp[] {
  const out: ParsedRtcp[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 0;
  while (o + 4 <= buf.length) {
    const b0 = buf[o]!;
    if (b0 >> 6 !== 2) break;
    const type = buf[o + 1]!;
    const len = (view.getUint16(o + 2) + 1) * 4;
    if (o + len > buf.length) break;
    if ((type === 200 || type === 201) && len >= 8) {
      const count = b0 & 0x1f;
      const ssrc = view.getUint32(o + 4);
      let p = o + 8;
      let sender: SenderInfo | undefined;
      if (type === 200 && len >= 28) {
        sender = {
          ntpSeconds: view.getUint32(p),
          ntpFraction: view.getUint32(p + 4),
          rtpTimestamp: view.getUint32(p + 8),
          packetCount: view.getUint32(p + 12),
          octetCount: view.getUint32(p + 16),
        };
        p += 20;
      }
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count && p + 24 <= o + len; i++, p += 24) {
        let lost = (view.getUint8(p + 5) << 16) | view.getUint16(p + 6);
        if (lost & 0x800000) lost -= 0x1000000;
        reports.push({
          ssrc: view.getUint32(p),
          fractionLost: view.getUint8(p + 4),
          cumulativeLost: lost,
          highestSequence: view.getUint32(p + 8),
          jitter: view.getUint32(p + 12),
          lastSr: view.getUint32(p + 16),
          delaySinceLastSr: view.getUint32(p + 20),
        });
      }
      out.push(sender ? { type, ssrc, sender, reports } : { type, ssrc, reports });
    }
    o += len;
  }
  return out;
}

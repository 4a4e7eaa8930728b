/**
 * One RTP session (RFC 3550): a bound RTP/RTCP socket pair for one leg, the remote address from SDP,
 * symmetric RTP with latching, reception statistics and periodic RTCP reports.
 *
 * Latching: devices behind NAT send from an address other than the one in their SDP, and expect media back
 * where they send from (symmetric RTP, RFC 4961). We send to the SDP address until the first packet arrives,
 * then to the source actually seen. A different source takes over only when the latched one has been silent
 * for `relatchAfterMs` (NAT rebinding, a re-INVITE to a new device), so a stray sender cannot steal a call.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Logger } from '../log/logger.js';
import { TypedEmitter } from './typed-emitter.js';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from './rtp-packet.js';
import { RtpSender } from './rtp-sender.js';
import { RtpReceiverStats } from './rtp-receiver-stats.js';
import { buildRtcpReport, ntpMiddle, ntpNow, parseRtcpCompound, type ParsedRtcp } from './rtcp-packet.js';
import { datagramKind, isRtcpPacket, type MediaSecurity } from './media-security.js';

export interface Address {
  address: string;
  port: number;
}

export type RtpSessionEvents = {
  packet: [packet: RtpPacket, from: Address];
  latched: [from: Address];
  rtcp: [packets: ParsedRtcp[], from: Address];
  /** No RTP for `rtpTimeoutMs` (the peer is gone without a BYE). Emitted once per silence. */
  timeout: [];
};

export interface RtpSessionOptions {
  rtpSocket: Socket;
  rtcpSocket: Socket;
  port: number;
  cname: string;
  logger: Logger;
  clockRate?: number;
  relatchAfterMs?: number;
  /** RTCP report interval; RFC 3550 6.2 recommends 5 s, randomised by 0.5–1.5. */
  rtcpIntervalMs?: number;
  rtpTimeoutMs?: number;
}

export interface RtpSessionStats {
  packetsReceived: number;
  packetsSent: number;
  octetsSent: number;
  packetsLost: number;
  jitterMs: number;
  strayPackets: number;
  remote: Address | null;
  latched: boolean;
}

function isUnspecified(a: Address | null): boolean {
  return !a || a.port === 0 || a.address === '0.0.0.0' || a.address === '::';
}

export class RtpSession extends TypedEmitter<RtpSessionEvents> {
  readonly port: number;
  readonly sender: RtpSender;
  readonly #rtp: Socket;
  readonly #rtcp: Socket;
  readonly #log: Logger;
  #clockRate: number;
  #security: MediaSecurity | null = null;
  readonly #relatchAfterMs: number;
  readonly #cname: string;
  #remote: Address | null = null;
  #remoteRtcp: Address | null = null;
  #explicitRtcpPort: number | null = null;
  #latched: Address | null = null;
  #latchedRtcp: Address | null = null;
  #lastFromLatched = 0;
  #stats: RtpReceiverStats | null = null;
  #packetsReceived = 0;
  #stray = 0;
  #sentSinceReport = false;
  #lastRtpAt = Date.now();
  #timedOut = false;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(o: RtpSessionOptions) {
    super();
    this.port = o.port;
    this.#rtp = o.rtpSocket;
    this.#rtcp = o.rtcpSocket;
    this.#log = o.logger;
    this.#clockRate = o.clockRate ?? 8000;
    this.#relatchAfterMs = o.relatchAfterMs ?? 500;
    this.#cname = o.cname;
    this.sender = new RtpSender({ clockRate: this.#clockRate });
    this.#rtp.on('message', (msg, rinfo) => this.#onRtp(msg, rinfo));
    this.#rtcp.on('message', (msg, rinfo) => {
      if (!this.#security) return this.#onRtcp(msg, rinfo);
      const plain = this.#security.unprotectRtcp(msg);
      if (plain) this.#onRtcp(plain, rinfo);
    });
    // A send error (ICMP port unreachable on loopback) must not crash the process.
    this.#rtp.on('error', (err) => this.#log.debug({ err }, 'rtp socket error'));
    this.#rtcp.on('error', (err) => this.#log.debug({ err }, 'rtcp socket error'));
    const interval = o.rtcpIntervalMs ?? 5000;
    const timeoutMs = o.rtpTimeoutMs ?? 0;
    const schedule = (): void => {
      this.#timer = setTimeout(() => {
        this.#sendReport();
        if (timeoutMs > 0 && !this.#timedOut && Date.now() - this.#lastRtpAt > timeoutMs) {
          this.#timedOut = true;
          this.emit('timeout');
        }
        schedule();
      }, interval * (0.5 + Math.random()));
      this.#timer.unref();
    };
    schedule();
  }

  /** Where the SDP says to send (RFC 4566 c=/m=, RTCP on port+1 unless a=rtcp says otherwise, RFC 3605). */
  setRemote(remote: Address, rtcpPort?: number): void {
    const changed = !this.#remote || this.#remote.address !== remote.address || this.#remote.port !== remote.port;
    this.#remote = remote;
    this.#remoteRtcp = { address: remote.address, port: rtcpPort ?? remote.port + 1 };
    this.#explicitRtcpPort = rtcpPort ?? null;
    if (changed) {
      // A new SDP address (re-INVITE): latch afresh.
      this.#latched = null;
      this.#latchedRtcp = null;
    }
  }

  /** SRTP from now on (and, for WebRTC, STUN/DTLS and RTCP on the RTP port): see media-security.ts. */
  setSecurity(security: MediaSecurity): void {
    this.#security = security;
  }

  get security(): MediaSecurity | null {
    return this.#security;
  }

  /** The negotiated codec's RTP clock (48000 for Opus, RFC 7587 §4.1): reports and jitter use it. */
  setClockRate(rate: number): void {
    this.#clockRate = rate;
    this.sender.clockRate = rate;
  }

  /** Sends a datagram from the RTP port as it is (STUN responses, DTLS records). */
  sendRaw(data: Buffer, to: Address): void {
    if (!this.#closed) this.#rtp.send(data, to.port, to.address);
  }

  get remote(): Address | null {
    return this.#latched ?? (isUnspecified(this.#remote) ? null : this.#remote);
  }

  /** Sends one packet through the leg's continuous outgoing stream (see RtpSender). */
  send(payloadType: number, payload: Uint8Array, source: string, sourceTimestamp: number, samples: number, marker = false): boolean {
    const to = this.remote;
    if (!to || this.#closed) return false;
    const h = this.sender.next(source, sourceTimestamp, samples, Date.now(), marker);
    let buf = serializeRtpPacket({ payloadType, marker: h.marker, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: this.sender.ssrc }, payload);
    if (this.#security) {
      // No keys yet (DTLS still running): nothing goes out in clear.
      const protectedPacket = this.#security.protectRtp(buf);
      if (!protectedPacket) return false;
      buf = protectedPacket;
    }
    this.sender.packetsSent++;
    this.sender.octetsSent += payload.length;
    this.#sentSinceReport = true;
    this.#rtp.send(buf, to.port, to.address);
    return true;
  }

  stats(): RtpSessionStats {
    return {
      packetsReceived: this.#packetsReceived,
      packetsSent: this.sender.packetsSent,
      octetsSent: this.sender.octetsSent,
      packetsLost: this.#stats?.cumulativeLost ?? 0,
      jitterMs: ((this.#stats?.jitter ?? 0) * 1000) / this.#clockRate,
      strayPackets: this.#stray,
      remote: this.remote,
      latched: this.#latched !== null,
    };
  }

  #onRtp(datagram: Buffer, rinfo: RemoteInfo): void {
    const now = Date.now();
    const from = { address: rinfo.address, port: rinfo.port };
    let msg = datagram;
    const sec = this.#security;
    if (sec) {
      // One port for STUN, DTLS, SRTP and SRTCP (RFC 7983 §7, RFC 5761 §4); only authenticated SRTP latches.
      const kind = datagramKind(msg[0] ?? 0);
      if (kind === 'stun' || kind === 'dtls') return sec.control(msg, from);
      if (kind !== 'rtp' || msg.length < 12) {
        this.#stray++;
        return;
      }
      if (sec.rtcpMux && isRtcpPacket(msg)) {
        const plain = sec.unprotectRtcp(msg);
        if (plain) this.#onRtcp(plain, rinfo);
        return;
      }
      const plain = sec.unprotectRtp(msg);
      if (!plain) {
        this.#stray++;
        return;
      }
      msg = plain;
    }
    if (!this.#latched || (from.address === this.#latched.address && from.port === this.#latched.port)) {
      if (!this.#latched) {
        this.#latched = from;
        this.#log.debug({ from }, 'rtp latched');
        this.emit('latched', from);
      }
    } else if (now - this.#lastFromLatched > this.#relatchAfterMs) {
      this.#log.info({ from, previous: this.#latched }, 'rtp re-latched to a new source');
      this.#latched = from;
      this.emit('latched', from);
    } else {
      this.#stray++;
      return;
    }
    const packet = parseRtpPacket(msg);
    if (!packet) {
      this.#stray++;
      return;
    }
    this.#lastFromLatched = now;
    this.#lastRtpAt = now;
    this.#timedOut = false;
    this.#packetsReceived++;
    if (!this.#stats || this.#stats.ssrc !== packet.ssrc) this.#stats = new RtpReceiverStats(packet.ssrc, packet.sequenceNumber);
    this.#stats.update(packet.sequenceNumber, packet.timestamp, Math.round((now * this.#clockRate) / 1000));
    this.emit('packet', packet, from);
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo): void {
    const from = { address: rinfo.address, port: rinfo.port };
    // RTCP latches on its own: NATs map the two ports independently.
    if (!this.#latchedRtcp) this.#latchedRtcp = from;
    const packets = parseRtcpCompound(msg);
    for (const p of packets) {
      if (p.sender && this.#stats && p.ssrc === this.#stats.ssrc) {
        this.#stats.lastSr = ntpMiddle(p.sender.ntpSeconds, p.sender.ntpFraction);
        this.#stats.lastSrAt = Date.now();
      }
    }
    if (packets.length) this.emit('rtcp', packets, from);
  }

  #sendReport(): void {
    // Where RTCP came from; else the latched RTP address with the SDP's a=rtcp port or port + 1.
    const mux = this.#security?.rtcpMux ?? false;
    const to = mux
      ? this.remote
      : (this.#latchedRtcp ??
        (this.#latched ? { address: this.#latched.address, port: this.#explicitRtcpPort ?? this.#latched.port + 1 } : this.#remoteRtcp));
    if (this.#closed || !to || isUnspecified(to)) return;
    if (!this.#stats && !this.#sentSinceReport) return;
    const now = Date.now();
    const ntp = ntpNow(now);
    const sender = this.#sentSinceReport
      ? {
          ntpSeconds: ntp.seconds,
          ntpFraction: ntp.fraction,
          // RTP time of "now" extrapolated from the last packet (RFC 3550 6.4.1).
          rtpTimestamp: (this.sender.lastTimestamp + Math.round(((now - this.sender.lastSentAt) * this.#clockRate) / 1000)) >>> 0,
          packetCount: this.sender.packetsSent,
          octetCount: this.sender.octetsSent,
        }
      : undefined;
    this.#sentSinceReport = false;
    const reports = this.#stats ? [this.#stats.reportBlock(now)] : [];
    let buf = buildRtcpReport(sender ? { ssrc: this.sender.ssrc, cname: this.#cname, sender, reports } : { ssrc: this.sender.ssrc, cname: this.#cname, reports });
    if (this.#security) {
      const p = this.#security.protectRtcp(buf);
      if (!p) return;
      buf = p;
    }
    (mux ? this.#rtp : this.#rtcp).send(buf, to.port, to.address);
  }

  /** Sends a report now (also used at close, where RFC 3550 6.6 would send BYE). */
  flushReport(): void {
    this.#sendReport();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#security?.close();
    this.removeAllListeners();
    for (const s of [this.#rtp, this.#rtcp]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}

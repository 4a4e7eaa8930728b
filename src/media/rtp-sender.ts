/**
 * One outgoing RTP stream per leg: a single SSRC, sequence numbers +1 per packet and a continuous timestamp
 * whatever feeds it (the relay from a peer whose SSRC may change, the player, DTMF). When the source changes
 * the timestamp jumps by the wall-clock time elapsed and the marker bit is set, so the receiver sees one
 * stream with a discontinuity, not a new stream (RFC 3550 5.1, 8.2; RFC 7160 on clock continuity).
 */
import { randomBytes } from 'node:crypto';

export interface RtpSendHeader {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
}

export class RtpSender {
  readonly ssrc: number;
  /** Set again when the negotiated codec's clock differs (Opus: 48000). */
  clockRate: number;
  #seq: number;
  #source: string | null = null;
  #offset = 0;
  #lastTs = 0;
  #lastSamples = 0;
  #lastSentAt = 0;
  #started = false;
  packetsSent = 0;
  octetsSent = 0;

  constructor(options: { ssrc?: number; clockRate?: number } = {}) {
    const r = randomBytes(8);
    this.ssrc = options.ssrc ?? r.readUInt32BE(0);
    this.clockRate = options.clockRate ?? 8000;
    // Random initial sequence number and timestamp (RFC 3550 5.1).
    this.#seq = r.readUInt16BE(4);
    this.#lastTs = r.readUInt32BE(4);
  }

  /**
   * Header for the next packet. `source` names who produced it (`relay:<ssrc>`, `player:3`, `dtmf:1`);
   * `sourceTimestamp` is in that source's timeline; `samples` is the packet's duration in clock units.
   */
  next(source: string, sourceTimestamp: number, samples: number, nowMs: number, marker = false): RtpSendHeader {
    let m = marker;
    if (source !== this.#source) {
      let target: number;
      if (!this.#started) target = this.#lastTs;
      else {
        const elapsed = Math.round(((nowMs - this.#lastSentAt) * this.clockRate) / 1000);
        target = this.#lastTs + Math.max(elapsed, this.#lastSamples);
      }
      this.#offset = (target - sourceTimestamp) | 0;
      this.#source = source;
      m = true;
    }
    this.#started = true;
    this.#seq = (this.#seq + 1) & 0xffff;
    const ts = (sourceTimestamp + this.#offset) >>> 0;
    this.#lastTs = ts;
    this.#lastSamples = samples;
    this.#lastSentAt = nowMs;
    return { sequenceNumber: this.#seq, timestamp: ts, marker: m };
  }

  /** Timestamp of the last packet, for sender reports. */
  get lastTimestamp(): number {
    return this.#lastTs >>> 0;
  }

  get lastSentAt(): number {
    return this.#lastSentAt;
  }
}

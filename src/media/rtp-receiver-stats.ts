/**
 * Per-source reception statistics for receiver reports: sequence tracking with cycle counting
 * (RFC 3550 A.1), loss and fraction lost (A.3), interarrival jitter (A.8).
 */
import type { ReportBlock } from './rtcp-packet.js';

const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 1 << 16;

export class RtpReceiverStats {
  readonly ssrc: number;
  #baseSeq: number;
  #maxSeq: number;
  #cycles = 0;
  #badSeq = SEQ_MOD + 1;
  received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #transit = 0;
  #jitter = 0;
  #hasTransit = false;
  /** Middle 32 bits of the last SR's NTP time and when it arrived (ms), for LSR/DLSR. */
  lastSr = 0;
  lastSrAt = 0;

  constructor(ssrc: number, seq: number) {
    this.ssrc = ssrc;
    this.#baseSeq = seq;
    this.#maxSeq = seq;
  }

  /** Records one packet; `arrivalTs` is the arrival time in RTP clock units. */
  update(seq: number, rtpTimestamp: number, arrivalTs: number): void {
    const delta = (seq - this.#maxSeq + SEQ_MOD) % SEQ_MOD;
    if (delta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += SEQ_MOD;
      this.#maxSeq = seq;
    } else if (delta <= SEQ_MOD - MAX_MISORDER) {
      // A large jump: restart after two sequential packets (A.1).
      if (seq === this.#badSeq) {
        this.#baseSeq = seq;
        this.#maxSeq = seq;
        this.#cycles = 0;
        this.received = 0;
        this.#expectedPrior = 0;
        this.#receivedPrior = 0;
      } else {
        this.#badSeq = (seq + 1) % SEQ_MOD;
        return;
      }
    }
    this.received++;
    // Interarrival jitter, J += (|D| - J) / 16 (A.8).
    const transit = (arrivalTs - rtpTimestamp) | 0;
    if (this.#hasTransit) {
      const d = Math.abs(transit - this.#transit);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#transit = transit;
    this.#hasTransit = true;
  }

  get extendedMax(): number {
    return this.#cycles + this.#maxSeq;
  }

  get expected(): number {
    return this.extendedMax - this.#baseSeq + 1;
  }

  get cumulativeLost(): number {
    return this.expected - this.received;
  }

  get jitter(): number {
    return this.#jitter;
  }

  /** Builds a report block and starts a new reporting interval (A.3). */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(fraction, 255),
      cumulativeLost: this.cumulativeLost,
      highestSequence: this.extendedMax >>> 0,
      jitter: Math.floor(this.#jitter),
      lastSr: this.lastSr,
      // DLSR in units of 1/65536 s (RFC 3550 6.4.1).
      delaySinceLastSr: this.lastSrAt ? Math.floor(((nowMs - this.lastSrAt) / 1000) * 65536) : 0,
    };
  }
}

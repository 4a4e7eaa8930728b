/**
 * Playout buffer for the consumers that need audio on a fixed 20 ms clock (mixer, recorder). Decoded
 * samples are written into a ring at the position their RTP timestamp gives, so reordering, loss (silence
 * is read) and any packet size are handled alike. Relayed audio never goes through it: forwarding needs
 * no playout.
 *
 * - Starts `delayMs` behind the first packet (a small fixed delay, 40 ms by default).
 * - Late samples (before the read position) are dropped; a packet far ahead, a new SSRC, or a late packet
 *   after the buffer ran dry resets it.
 * - If the sender's clock runs fast and the buffered depth exceeds `maxDelayMs`, a frame is skipped.
 */
import { timestampDiff } from './rtp-packet.js';

const RING = 8192; // samples (1.024 s at 8 kHz); a power of two so indices survive 32-bit wrap

export class JitterBuffer {
  readonly #ring = new Int16Array(RING);
  readonly #delay: number;
  readonly #maxDelay: number;
  #ssrc: number | null = null;
  #readTs = 0;
  #writeEnd = 0;
  #started = false;
  late = 0;
  resets = 0;
  skipped = 0;

  constructor(options: { delayMs?: number; maxDelayMs?: number; clockRate?: number } = {}) {
    const rate = options.clockRate ?? 8000;
    this.#delay = Math.round(((options.delayMs ?? 40) * rate) / 1000);
    this.#maxDelay = Math.round(((options.maxDelayMs ?? 200) * rate) / 1000);
  }

  #reset(ssrc: number, ts: number): void {
    this.#ring.fill(0);
    this.#ssrc = ssrc;
    this.#readTs = (ts - this.#delay) >>> 0;
    this.#writeEnd = this.#readTs;
    if (this.#started) this.resets++;
    this.#started = true;
  }

  push(ssrc: number, timestamp: number, samples: Int16Array): void {
    if (!this.#started || ssrc !== this.#ssrc) this.#reset(ssrc, timestamp);
    let d = timestampDiff(this.#readTs, timestamp);
    const underrun = timestampDiff(this.#readTs, this.#writeEnd) <= 0;
    if (d + samples.length > RING - 160 || (underrun && (d > this.#maxDelay || d < 0))) {
      // Far ahead (a timestamp jump), or behind after the buffer ran dry (a sender whose timestamps did
      // not advance through a pause): start again from this packet.
      this.#reset(ssrc, timestamp);
      d = this.#delay;
    }
    let start = 0;
    if (d < 0) {
      if (d + samples.length <= 0) {
        this.late++;
        return;
      }
      start = -d;
    }
    for (let i = start; i < samples.length; i++) this.#ring[(timestamp + i) & (RING - 1)] = samples[i]!;
    const end = (timestamp + samples.length) >>> 0;
    if (timestampDiff(this.#writeEnd, end) > 0) this.#writeEnd = end;
  }

  /** Samples buffered ahead of the read position (0 before the first packet). */
  get buffered(): number {
    return this.#started ? Math.max(0, timestampDiff(this.#readTs, this.#writeEnd)) : 0;
  }

  /** Reads `count` samples for this tick; silence where nothing arrived. Returns whether any audio was there. */
  pull(out: Int16Array): boolean {
    out.fill(0);
    if (!this.#started) return false;
    let available = timestampDiff(this.#readTs, this.#writeEnd);
    if (available > this.#maxDelay) {
      this.#advance(out.length);
      this.skipped++;
      available -= out.length;
    }
    if (available <= 0) {
      // Nothing buffered: keep the read position moving with real time.
      this.#advance(out.length);
      return false;
    }
    for (let i = 0; i < out.length; i++) {
      const idx = (this.#readTs + i) & (RING - 1);
      out[i] = this.#ring[idx]!;
      this.#ring[idx] = 0;
    }
    this.#readTs = (this.#readTs + out.length) >>> 0;
    return true;
  }

  #advance(n: number): void {
    for (let i = 0; i < n; i++) this.#ring[(this.#readTs + i) & (RING - 1)] = 0;
    this.#readTs = (this.#readTs + n) >>> 0;
  }
}

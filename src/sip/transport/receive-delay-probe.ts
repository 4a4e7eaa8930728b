import { randomBytes } from 'node:crypto';

/**
 * How long a datagram now waits between arriving at the SIP UDP socket and the event loop reading it: the
 * overload figure the loop-delay and utilisation figures miss (overload-guard.ts). A busy loop can keep
 * its timers punctual while the queue in front of it grows (libuv reads 32 datagrams a pass; the socket
 * thread's batches are read in one go) until calls time out behind it and datagrams are dropped.
 *
 * The probe measures that queue directly: every `intervalMs` the UDP socket thread (udp-socket-thread.ts)
 * sends the socket a datagram of this probe's (to the socket's own address), which joins the queue behind
 * whatever is waiting — in the kernel, in the thread, in the loop's message queue; reading it back gives
 * the wait. The thread sends on its own clock, so a busy loop cannot delay the probes themselves. A probe
 * is 24 bytes: an 8-byte header no SIP message starts with, a per-process random nonce (a datagram from
 * elsewhere cannot pass for one and fake a delay), and its send time (ms since the epoch, sub-millisecond:
 * both threads read the same clock). The current delay is the larger of the last probe's wait and how
 * late the next probe is (a queue that is growing shows before its probe comes back).
 */
const MAGIC = Buffer.from([0, 0x52, 0x53, 0x44, 0x50, 0x52, 0x42, 0]);
export const PROBE_BYTES = 24;

/** Milliseconds since the epoch with sub-millisecond resolution, the same on every thread. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

export class ReceiveDelayProbe {
  readonly #nonce = randomBytes(8);
  #intervalMs = 20;
  /** When the last probe read back was sent (or probing started), ms since the epoch; 0 when stopped. */
  #lastSentAt = 0;
  #lastWaitMs = 0;

  /** The 16 bytes every probe starts with; the sender appends its send time (epochMs) as a double. */
  get header(): Buffer {
    return Buffer.concat([MAGIC, this.#nonce]);
  }

  /** Probes are being sent every `intervalMs` from now. */
  start(intervalMs = 20): void {
    this.#intervalMs = intervalMs;
    this.#lastSentAt = epochMs();
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** True (and the datagram is consumed) when it is one of this probe's; every other datagram is SIP's. */
  take(data: Buffer): boolean {
    if (data.length !== PROBE_BYTES || data[0] !== 0 || !data.subarray(0, 8).equals(MAGIC) || !data.subarray(8, 16).equals(this.#nonce)) return false;
    const sentAt = data.readDoubleBE(16);
    this.#lastWaitMs = Math.max(0, epochMs() - sentAt);
    if (this.#lastSentAt !== 0) this.#lastSentAt = Math.max(this.#lastSentAt, sentAt);
    return true;
  }

  /** The wait in front of the loop now (ms). */
  get delayMs(): number {
    if (this.#lastSentAt === 0) return this.#lastWaitMs;
    // The next probe left about `intervalMs` after the last one read: it has waited at least this long.
    const overdue = epochMs() - (this.#lastSentAt + this.#intervalMs);
    return Math.max(this.#lastWaitMs, overdue);
  }

  stop(): void {
    this.#lastSentAt = 0;
  }
}

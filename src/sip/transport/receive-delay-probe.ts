import { randomBytes } from 'node:crypto';

/**
 * How long a datagram now waits in the SIP UDP socket's receive buffer before Ringside reads it: the
 * overload figure the loop-delay and utilisation figures miss (overload-guard.ts). libuv reads at most 32
 * datagrams per loop pass, so a busy loop can keep its timers punctual while the kernel's queue grows
 * until calls time out behind it and the kernel drops.
 *
 * The probe measures that queue directly: every `intervalMs` it sends the socket a datagram of its own
 * (to the socket's own address), which joins the queue behind whatever is waiting; reading it back gives
 * the wait. A probe is 24 bytes: an 8-byte header no SIP message starts with, a per-process random nonce
 * (a datagram from elsewhere cannot pass for one and fake a delay), and its send time. The current delay is
 * the larger of the last probe's wait and the age of the oldest probe still out (a queue that is growing
 * shows before its probe comes back). Probes leave in order, so one read back settles every earlier probe,
 * including any the kernel dropped.
 */
const MAGIC = Buffer.from([0, 0x52, 0x53, 0x44, 0x50, 0x52, 0x42, 0]);
export const PROBE_BYTES = 24;

export class ReceiveDelayProbe {
  readonly #nonce = randomBytes(8);
  /** Send times of probes not read back yet, oldest first (ms, performance.now()). */
  readonly #out: number[] = [];
  #lastWaitMs = 0;
  #timer: NodeJS.Timeout | undefined;

  /** Starts probing through `send` (a datagram to the socket's own address). */
  start(send: (probe: Buffer) => void, intervalMs = 20): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      // Probes stuck behind a dropped queue are settled by the next one read; bound the list regardless.
      if (this.#out.length >= 1000) this.#out.shift();
      const sentAt = performance.now();
      const probe = Buffer.allocUnsafe(PROBE_BYTES);
      MAGIC.copy(probe, 0);
      this.#nonce.copy(probe, 8);
      probe.writeDoubleBE(sentAt, 16);
      this.#out.push(sentAt);
      send(probe);
    }, intervalMs);
    this.#timer.unref();
  }

  /** True (and the datagram is consumed) when it is one of this probe's; every other datagram is SIP's. */
  take(data: Buffer): boolean {
    if (data.length !== PROBE_BYTES || data[0] !== 0 || !data.subarray(0, 8).equals(MAGIC) || !data.subarray(8, 16).equals(this.#nonce)) return false;
    const sentAt = data.readDoubleBE(16);
    this.#lastWaitMs = performance.now() - sentAt;
    while (this.#out.length > 0 && this.#out[0]! <= sentAt) this.#out.shift();
    return true;
  }

  /** The wait in the receive buffer now (ms). */
  get delayMs(): number {
    const oldest = this.#out[0];
    return Math.max(this.#lastWaitMs, oldest === undefined ? 0 : performance.now() - oldest);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

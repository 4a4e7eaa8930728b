/**
 * A 20 ms tick scheduled against absolute time: tick n is due at start + n × frameMs, so timer lateness
 * never accumulates (a chain of setTimeout(20) drifts by ~1 ms per tick). When the event loop was blocked,
 * missed ticks are delivered back to back, up to `maxCatchUp` (10 = 200 ms); beyond that they are skipped (and the frame
 * index jumps, so RTP timestamps stay true to wall-clock time).
 */
import { performance } from 'node:perf_hooks';

export type TickHandler = (frameIndex: number) => void;

export class FrameClock {
  readonly frameMs: number;
  readonly #onTick: TickHandler;
  readonly #maxCatchUp: number;
  #start = 0;
  #next = 0;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(onTick: TickHandler, options: { frameMs?: number; maxCatchUp?: number } = {}) {
    this.#onTick = onTick;
    this.frameMs = options.frameMs ?? 20;
    this.#maxCatchUp = options.maxCatchUp ?? 10;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts ticking; tick 0 fires at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#start = performance.now();
    this.#next = 0;
    this.#run();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #run(): void {
    this.#timer = null;
    if (!this.#running) return;
    const now = performance.now();
    const due = Math.floor((now - this.#start) / this.frameMs);
    if (due - this.#next >= this.#maxCatchUp) this.#next = due - this.#maxCatchUp + 1;
    while (this.#running && this.#next <= due) this.#onTick(this.#next++);
    if (!this.#running) return;
    const delay = Math.max(0, this.#start + this.#next * this.frameMs - performance.now());
    this.#timer = setTimeout(() => this.#run(), delay);
  }
}

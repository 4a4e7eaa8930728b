import type { Clock, TimerHandle } from '../../src/sip/transaction/clock.js';

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/**
 * A clock that moves only when told to: `advance(ms)` runs every timer due, in order, including timers set
 * by the callbacks it runs. Exists so RFC 3261 timer tests are exact and instant; production uses
 * `systemClock`.
 */
export class ManualClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers: PendingTimer[] = [];

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = { at: this.#now + Math.max(0, ms), seq: ++this.#seq, fn, live: true };
    this.#timers.push(t);
    return {
      cancel: () => {
        t.live = false;
      },
    };
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.live);
      let next: PendingTimer | undefined;
      for (const t of this.#timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.#now = next.at;
      next.live = false;
      next.fn();
    }
    this.#now = target;
  }
}

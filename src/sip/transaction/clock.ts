/**
 * Time, made injectable so timer behaviour can be tested exactly (see ManualClock).
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** The real clock. Timers are unref'd so a forgotten transaction never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    return new SystemTimer(ms, fn);
  },
};

/** A Node timer as a TimerHandle: one object, no closure (thousands linger at a time, RFC 3261 64*T1). */
class SystemTimer implements TimerHandle {
  readonly #timeout: NodeJS.Timeout;

  constructor(ms: number, fn: () => void) {
    this.#timeout = setTimeout(fn, ms);
    this.#timeout.unref();
  }

  cancel(): void {
    clearTimeout(this.#timeout);
  }
}

/** RFC 3261 §17.1.1.1 timer base values (Table 4). */
export interface TimerSettings {
  /** RTT estimate, default 500 ms. */
  T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  T2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  T4: number;
}

export const DEFAULT_TIMERS: TimerSettings = { T1: 500, T2: 4000, T4: 5000 };

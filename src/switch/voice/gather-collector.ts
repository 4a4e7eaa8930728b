/**
 * Digit collection of a voice-API gather (spec bandwidth §3.5 body, §2.10 reasons): digits are collected
 * until `maxDigits` are in (`max-digits`), one of `terminatingDigits` is pressed (`terminating-digit`; the
 * terminator is not part of `digits`), no digit came within `interDigitTimeout` (`inter-digit-timeout`,
 * "including before the first digit"), the call ended (`hung-up`) or the app stopped it (`cancelled`, the
 * C# SDK's name; spec §5 question 5). Exactly one result, then the collector ignores everything.
 *
 * When the timer starts. §2.10 reads as "from the start", but a gather with a prompt would then time out
 * while a long prompt is still playing, which no IVR does: the caller cannot answer a question not yet
 * asked. So the collector supports both: by default the timer runs from construction (no prompt); with
 * `deferTimer` it waits for `startTimer()`, which the caller invokes when the prompt has finished or was
 * interrupted. A digit always (re)arms the timer, and the first digit calls `onFirstDigit` so the caller
 * can interrupt the prompt (§3.5: "the prompt is always interrupted by the first digit").
 */

/** The subset of the timer API the collector uses; tests pass a manual clock. */
export interface GatherTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type GatherReason = 'max-digits' | 'terminating-digit' | 'inter-digit-timeout' | 'hung-up' | 'cancelled';

export interface GatherResult {
  reason: GatherReason;
  /** Collected digits, terminator excluded (spec bandwidth §2.10). */
  digits: string;
  /** Only with `terminating-digit`: which one ended it (the BXML variant's `terminatingDigit`). */
  terminatingDigit?: string;
}

export interface GatherCollectorOptions {
  /** 1–30 (spec bandwidth §3.5); none: no limit. */
  maxDigits?: number;
  /** Default 5000 (spec bandwidth §3.5: 5 s, at most 30 s). */
  interDigitTimeoutMs?: number;
  /** Default `#`; any of these ends the gather; '' ends it by no digit. */
  terminatingDigits?: string;
  /** The timer waits for `startTimer()` (or the first digit) instead of starting now. */
  deferTimer?: boolean;
  timers?: GatherTimers;
  /** Called once, at the first digit, before any result it may cause. */
  onFirstDigit?: () => void;
  /** Called once, synchronously, with the result (`result` resolves with it too). */
  onResult?: (r: GatherResult) => void;
}

const DIGIT = /^[0-9A-D*#]$/;
export const MAX_GATHER_DIGITS = 30;

export class GatherCollector {
  readonly maxDigits: number | undefined;
  readonly interDigitTimeoutMs: number;
  readonly terminatingDigits: string;
  /** Resolves with the one result. */
  readonly result: Promise<GatherResult>;
  readonly #timers: GatherTimers;
  readonly #onFirstDigit: (() => void) | undefined;
  readonly #onResult: ((r: GatherResult) => void) | undefined;
  #resolve!: (r: GatherResult) => void;
  #digits = '';
  #timer: unknown = null;
  #done: GatherResult | null = null;
  #sawDigit = false;

  constructor(o: GatherCollectorOptions = {}) {
    if (o.maxDigits !== undefined && !(Number.isInteger(o.maxDigits) && o.maxDigits >= 1 && o.maxDigits <= MAX_GATHER_DIGITS)) {
      throw new RangeError(`maxDigits ${o.maxDigits} is not an integer from 1 to ${MAX_GATHER_DIGITS}`);
    }
    const timeout = o.interDigitTimeoutMs ?? 5000;
    if (!(Number.isFinite(timeout) && timeout > 0)) throw new RangeError(`interDigitTimeoutMs ${timeout} is not a positive number`);
    const term = (o.terminatingDigits ?? '#').toUpperCase();
    if (![...term].every((c) => DIGIT.test(c))) throw new RangeError(`terminatingDigits '${o.terminatingDigits}' has a character that is not a DTMF digit`);
    this.maxDigits = o.maxDigits;
    this.interDigitTimeoutMs = timeout;
    this.terminatingDigits = term;
    this.#timers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.#onFirstDigit = o.onFirstDigit;
    this.#onResult = o.onResult;
    this.result = new Promise((resolve) => (this.#resolve = resolve));
    if (!o.deferTimer) this.#arm();
  }

  /** Digits so far (terminator excluded). */
  get digits(): string {
    return this.#digits;
  }

  /** The result once there is one. */
  get done(): GatherResult | null {
    return this.#done;
  }

  /** Arms the inter-digit timer if it is not running yet (idempotent: a prompt ending after a digit
   *  does not give the caller extra time). */
  startTimer(): void {
    if (this.#done || this.#timer !== null) return;
    this.#arm();
  }

  /**
   * A digit detected on the call (`0-9`, `*`, `#`, `A-D`; a-d read as A-D). Returns false when it was
   * not taken (not a digit, or the gather is over).
   */
  digit(d: string): boolean {
    const c = d.toUpperCase();
    if (this.#done || !DIGIT.test(c)) return false;
    if (!this.#sawDigit) {
      this.#sawDigit = true;
      this.#onFirstDigit?.();
      if (this.#done) return true; // the hook stopped the gather
    }
    if (this.terminatingDigits.includes(c)) {
      this.#finish({ reason: 'terminating-digit', digits: this.#digits, terminatingDigit: c });
      return true;
    }
    this.#digits += c;
    if (this.maxDigits !== undefined && this.#digits.length >= this.maxDigits) {
      this.#finish({ reason: 'max-digits', digits: this.#digits });
      return true;
    }
    this.#arm();
    return true;
  }

  /** The call ended during the gather. */
  hangUp(): void {
    this.#finish({ reason: 'hung-up', digits: this.#digits });
  }

  /** The app stopped the gather (`POST …/gather/{id}` with `state: completed`). */
  stop(): void {
    this.#finish({ reason: 'cancelled', digits: this.#digits });
  }

  #arm(): void {
    this.#clear();
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#finish({ reason: 'inter-digit-timeout', digits: this.#digits });
    }, this.interDigitTimeoutMs);
  }

  #clear(): void {
    if (this.#timer === null) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #finish(r: GatherResult): void {
    if (this.#done) return;
    this.#done = r;
    this.#clear();
    this.#resolve(r);
    this.#onResult?.(r);
  }
}

/**
 * `dtmfOut` of the voice API (spec bandwidth §3.5): up to 92 characters of `[A-D0-9#*,wW]`; `,` and `w`
 * pause 0.5 s, `W` pauses 1 s. The string is split into steps (a run of digits to send, a pause) and the
 * steps are run in order until the end or until the caller aborts (hang-up, a new dtmfOut).
 */
import { setTimeout as delay } from 'node:timers/promises';

/** spec bandwidth §3.5: the whole string (for the REST layer's JSON Schema too). */
export const DTMF_OUT_PATTERN = /^[A-D0-9#*,wW]{1,92}$/;

export type DtmfStep = { digits: string } | { pauseMs: number };

/** spec bandwidth §3.5: pause lengths. */
const PAUSE_MS: Record<string, number> = { ',': 500, w: 500, W: 1000 };

/** Splits a valid `dtmfOut` into steps; adjacent pauses add up into one step. Throws a RangeError on a
 *  string the REST layer should have refused. */
export function dtmfSteps(s: string): DtmfStep[] {
  if (!DTMF_OUT_PATTERN.test(s)) throw new RangeError(`dtmfOut '${s.slice(0, 100)}' does not match ${DTMF_OUT_PATTERN.source}`);
  const steps: DtmfStep[] = [];
  for (const ch of s) {
    const pause = PAUSE_MS[ch];
    const last = steps[steps.length - 1];
    if (pause !== undefined) {
      if (last && 'pauseMs' in last) last.pauseMs += pause;
      else steps.push({ pauseMs: pause });
    } else if (last && 'digits' in last) {
      last.digits += ch;
    } else {
      steps.push({ digits: ch });
    }
  }
  return steps;
}

export interface DtmfOutIo {
  /** Sends a run of digits (RFC 4733 or SIP INFO, the leg's choice); resolves when they are sent. */
  sendDigits(digits: string): Promise<void>;
  /** Waits `ms`; may resolve or reject early when `signal` aborts. Default: node:timers/promises. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  signal?: AbortSignal;
}

/**
 * Runs the steps of `s` in order. Resolves `true` when all were run, `false` when `signal` aborted first
 * (a run of digits already being sent is finished, nothing after it starts). Rejects with a RangeError for
 * an invalid string, and with what `sendDigits` rejects with.
 */
export async function sendDtmfString(s: string, io: DtmfOutIo): Promise<boolean> {
  const steps = dtmfSteps(s);
  const { signal } = io;
  const sleep = io.sleep ?? ((ms: number, sig?: AbortSignal) => delay(ms, undefined, sig ? { signal: sig } : {}));
  for (const step of steps) {
    if (signal?.aborted) return false;
    if ('digits' in step) {
      await io.sendDigits(step.digits);
    } else {
      try {
        await sleep(step.pauseMs, signal);
      } catch (err) {
        if (signal?.aborted) return false; // the sleep's AbortError: an abort, not a failure
        throw err;
      }
      if (signal?.aborted) return false; // a sleep that resolves early when aborted
    }
  }
  return true;
}

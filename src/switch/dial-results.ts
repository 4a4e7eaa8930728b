/**
 * How a dialled leg's outcome becomes a dial result (Asterisk DIALSTATUS, spec teltel §4) and a hangup
 * cause (facts.ts `HangupCause`, which the voice-API dialect maps to its causes, spec bandwidth §2.5).
 *
 * The table follows Asterisk's chan_sip/chan_pjsip mapping of SIP final responses to Q.850 causes, which
 * is what DIALSTATUS is computed from (docs/switch.md, "Dial results"):
 *
 * | SIP outcome                                   | result      | cause             |
 * |-----------------------------------------------|-------------|-------------------|
 * | 486 Busy Here, 600 Busy Everywhere            | BUSY        | busy              |
 * | 603 Decline                                   | BUSY        | rejected          |
 * | 480 Temporarily Unavailable, 408 Timeout      | NOANSWER    | no-answer         |
 * | ring timeout (Ringside cancels)               | NOANSWER    | no-answer         |
 * | caller CANCEL (Ringside cancels), 487         | CANCEL      | originator-cancel |
 * | 404, 484, 410, 604 (no such number)           | CONGESTION  | unallocated       |
 * | 503 Service Unavailable                       | CONGESTION  | congestion        |
 * | any other final response ≥ 300                | CONGESTION  | congestion        |
 * | user with no registered device                | CHANUNAVAIL | temporary-failure |
 * | no response at all / transport failure        | CHANUNAVAIL | temporary-failure |
 */
import type { DialResult, HangupCause } from '../events/model/facts.js';

export type FailedDialResult = Exclude<DialResult, 'ANSWER'>;

export interface DialOutcome {
  result: FailedDialResult;
  cause: HangupCause;
  /** The SIP status behind it, when there was a real response. */
  sipStatus?: number;
}

/** A final non-2xx response from the dialled party (RFC 3261 §21). */
export function dialResultForStatus(status: number): DialOutcome {
  const o = (result: FailedDialResult, cause: HangupCause): DialOutcome => ({ result, cause, sipStatus: status });
  switch (status) {
    case 486:
    case 600:
      return o('BUSY', 'busy');
    case 603:
      // Decline: the person refused the call. Asterisk reports BUSY (chan_sip hangup_sip2cause → 17/21);
      // the cause keeps the difference for the voice-API dialect (`rejected`).
      return o('BUSY', 'rejected');
    case 480:
    case 408:
      return o('NOANSWER', 'no-answer');
    case 487:
      return o('CANCEL', 'originator-cancel');
    case 404:
    case 484:
    case 410:
    case 604:
      return o('CONGESTION', 'unallocated');
    default:
      return o('CONGESTION', 'congestion');
  }
}

/** Ringside gave up after the ring timeout and cancelled the leg. */
export const RING_TIMEOUT: DialOutcome = { result: 'NOANSWER', cause: 'no-answer' };

/** The caller hung up while the leg was ringing, or another leg answered first: Ringside cancelled it. */
export const CANCELLED: DialOutcome = { result: 'CANCEL', cause: 'originator-cancel', sipStatus: 487 };

/** Ringside abandoned the leg itself: it refused the call or is stopping (spec teltel §4, ABORT). */
export const ABORTED: DialOutcome = { result: 'ABORT', cause: 'error' };

/** The user has no live registration, so there is nothing to ring. */
export const NOT_REGISTERED: DialOutcome = { result: 'CHANUNAVAIL', cause: 'temporary-failure' };

/** The INVITE got no response (Timer B) or could not be sent: the device or carrier is unreachable. */
export const UNREACHABLE: DialOutcome = { result: 'CHANUNAVAIL', cause: 'temporary-failure' };

/**
 * The outcome of an OutgoingInvite that failed. The stack's synthetic 408 (Timer B) and 503 (transport
 * error) mean nobody answered at the SIP level (RFC 3261 §8.1.3.1), not that the party refused.
 */
export function dialResultForInvite(failure: { response: { status: number }; reason: 'rejected' | 'timeout' | 'transport-error' | 'cancelled' }): DialOutcome {
  if (failure.reason === 'timeout' || failure.reason === 'transport-error') return UNREACHABLE;
  if (failure.reason === 'cancelled') return CANCELLED;
  return dialResultForStatus(failure.response.status);
}

/**
 * What the caller's leg is told when no dialled leg answered: a busy everywhere gives 486, a single
 * refusal is passed through when `passThrough` (outgoing and internal calls: the device sees what the
 * carrier or the callee said), anything else 480 Temporarily Unavailable (the `hangup` fallback).
 */
export function callerStatusWhenUnanswered(failures: readonly DialOutcome[], passThrough: boolean): { status: number; cause: HangupCause } {
  if (failures.length > 0 && failures.every((f) => f.result === 'BUSY' && f.sipStatus !== 603)) return { status: 486, cause: 'busy' };
  const only = failures.length === 1 ? failures[0] : undefined;
  if (passThrough && only?.sipStatus !== undefined && only.sipStatus >= 400 && only.sipStatus !== 487 && only.sipStatus !== 408)
    return { status: only.sipStatus, cause: only.cause };
  return { status: 480, cause: 'no-answer' };
}

/**
 * The outcome of a leg whose INVITE was forked to several devices (ring-plan.ts), when every fork failed:
 * busy everywhere is BUSY; else a no-answer; else the first real refusal (a fork that was never reachable
 * says less than one that answered with a status); else the first.
 */
export function outcomeOfForks(outcomes: readonly DialOutcome[]): DialOutcome {
  return (
    outcomes.find((o) => o.result === 'BUSY' && outcomes.every((x) => x.result === 'BUSY')) ??
    outcomes.find((o) => o.result === 'NOANSWER') ??
    outcomes.find((o) => o.result !== 'CHANUNAVAIL') ??
    outcomes[0]!
  );
}

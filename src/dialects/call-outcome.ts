/**
 * How a finished call turned out, as its realtime `*.end` event and its report entry both say it
 * (spec realtime §1 "Report entry", §4.2 `disposition`, `duration`, `billableSeconds`).
 */
import type { HangupCause } from '../events/model/facts.js';
import type { SessionCall } from './session-calls.js';

export type Disposition = 'answered' | 'voicemail' | 'canceled' | 'missed';

/**
 * The report disposition of a finished call (spec realtime §1 "Voice dispositions in reports: Answered,
 * Missed, Canceled, Voicemail"; §4.2 `disposition`). An answer wins; an unanswered call that left a
 * voicemail is `voicemail`; one the caller abandoned (the session ended by `originator-cancel`) is
 * `canceled`; anything else unanswered is `missed`.
 */
export function dispositionOf(call: SessionCall, cause: HangupCause): Disposition {
  if (call.answeredAt !== undefined) return 'answered';
  if (call.hasVoicemail) return 'voicemail';
  if (cause === 'originator-cancel') return 'canceled';
  return 'missed';
}

/** Whole seconds from start to end, and from answer to end (0 when unanswered): spec realtime §4.2
 *  `duration`, `billableSeconds`. */
export function callSeconds(call: SessionCall, endedAt: number): { duration: number; billableSeconds: number } {
  return {
    duration: wholeSeconds(call.startedAt, endedAt),
    billableSeconds: call.answeredAt === undefined ? 0 : wholeSeconds(call.answeredAt, endedAt),
  };
}

/** Never negative: an end stamped before its start counts as 0. */
function wholeSeconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000));
}

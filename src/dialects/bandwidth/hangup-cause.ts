import type { HangupCause } from '../../events/model/facts.js';

/** Hangup `cause` values the voice API documents (spec bandwidth §2.5), including the Python SDK's extras. */
export const hangupCauses = [
  'ORIGINATOR_CANCEL',
  'NORMAL_CLEARING',
  'USER_BUSY',
  'CALL_REJECTED',
  'UNALLOCATED_NUMBER',
  'NO_ANSWER',
  'NORMAL_TEMPORARY_FAILURE',
  'UNSPECIFIED',
  'NORMAL_UNSPECIFIED',
  'NORMAL_CIRCUIT_CONGESTION',
  'SWITCH_CONGESTION',
  'CALL_AWARDED_DELIVERED',
] as const;

export type BandwidthHangupCause = (typeof hangupCauses)[number];

/** Canonical cause → wire cause (spec bandwidth §2.5). */
const CAUSES: Record<HangupCause, BandwidthHangupCause> = {
  normal: 'NORMAL_CLEARING',
  'originator-cancel': 'ORIGINATOR_CANCEL',
  busy: 'USER_BUSY',
  rejected: 'CALL_REJECTED',
  unallocated: 'UNALLOCATED_NUMBER',
  'no-answer': 'NO_ANSWER',
  'temporary-failure': 'NORMAL_TEMPORARY_FAILURE',
  congestion: 'SWITCH_CONGESTION',
  error: 'UNSPECIFIED',
  // A call Ringside closed after a crash: an internal failure (§2.5 "anything else = internal error").
  'server-restart': 'UNSPECIFIED',
};

/** Spec bandwidth §2.5: "anything else = internal error", so an unknown cause reports `UNSPECIFIED`. */
export function bandwidthCause(cause: HangupCause): BandwidthHangupCause {
  return Object.hasOwn(CAUSES, cause) ? CAUSES[cause] : 'UNSPECIFIED';
}

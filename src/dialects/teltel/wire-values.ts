/**
 * The small value vocabularies of the teltel dialect and the mappings from canonical values onto them.
 * Kept apart from the projector so the schemas (schemas.ts) and the projector share one list of each enum.
 */
import type { DialResult, HangupCause, PartyKind } from '../../events/model/facts.js';

/** Event names, in the order spec teltel §3 lists them. */
export const TELTEL_EVENT_NAMES = ['START', 'RING', 'RINGRESULT', 'READY', 'JOIN', 'LEAVE', 'COMPLETED'] as const;
export type TeltelEventName = (typeof TELTEL_EVENT_NAMES)[number];

/** spec teltel §2.1 [DOC] phase values, plus `siptosip` for internal SIP-to-SIP calls (spec Q4: the documented
 *  enum has none; our extension, so internal calls are still reported). */
export const PHASES = ['localtosip', 'localtodid', 'siptodid', 'didtodid', 'didtosip', 'siptosip'] as const;
export type Phase = (typeof PHASES)[number];

/** One end of a phase: `did` = phone, `sip` = SIP device, `local` = the platform (spec teltel §2.1 [DOC]). */
export type PhaseEnd = 'did' | 'sip' | 'local';

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const CALL_TYPES = ['standard', 'autodialer', 'callback', 'transfer'] as const;
export type CallType = (typeof CALL_TYPES)[number];

export const SUBTYPES = ['predictive', 'contact-callflow', 'operator-contact'] as const;

export const LEGS = ['contact', 'operator'] as const;
export type LegName = (typeof LEGS)[number];

/** spec teltel §4: the DIALSTATUS list [DOC] plus ABORT from the prose (sent when Ringside abandons a leg). */
export const DIAL_STATES: readonly DialResult[] = [
  'ANSWER',
  'BUSY',
  'NOANSWER',
  'CANCEL',
  'CONGESTION',
  'CHANUNAVAIL',
  'DONTCALL',
  'TORTURE',
  'INVALIDARGS',
  'ABORT',
];

/** spec teltel §2.4 `subject_type` [DOC]. */
export const SUBJECT_TYPES = ['phone', 'sip'] as const;
/** spec teltel §2.4 `hanged_by` [DOC] plus `local` for platform hangups (spec Q1 [PROP]). */
export const HANGED_BY = ['phone', 'sip', 'local'] as const;

/**
 * `<initiator>to<destination>`. A destination that is the platform itself is written `did`: spec teltel §2.1
 * [PROP] words caller-only events as "the caller calling the DID" (`didtodid`), and the enum has no `…tolocal`.
 */
export function phaseOf(initiator: PhaseEnd, destination: PartyKind): Phase {
  const to = destination === 'sip' ? 'sip' : 'did';
  return `${initiator}to${to}` as Phase;
}

/** spec teltel §2.2 [DOC]: `operator` = the SIP agent, `contact` = the phone party (and anything else). */
export function legName(kind: PartyKind): LegName {
  return kind === 'sip' ? 'operator' : 'contact';
}

/**
 * User ids are integers on the wire (spec teltel §2.4 `subject_user` [PROP], Q12) when the canonical id is
 * a plain decimal number that survives the round trip; anything else (`u-7`, `0501`, huge) stays a string.
 */
export function userValue(id: string): number | string {
  if (!/^(0|[1-9][0-9]*)$/.test(id)) return id;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
}

/**
 * RINGRESULT `state` for a dialled leg that ended unanswered through `leg.ended` instead of `leg.failed`
 * (outside the documented fact order; spec teltel §6 rule 3 still wants exactly one RINGRESULT). Follows the
 * inverse of the switch's result → cause mapping; anything Ringside cut itself is ABORT (spec teltel §4 [PROP]).
 */
export function stateForCause(cause: HangupCause): Exclude<DialResult, 'ANSWER'> {
  switch (cause) {
    case 'originator-cancel':
      return 'CANCEL';
    case 'busy':
    case 'rejected':
      return 'BUSY';
    case 'no-answer':
      return 'NOANSWER';
    case 'congestion':
    case 'unallocated':
      return 'CONGESTION';
    case 'temporary-failure':
      return 'CHANUNAVAIL';
    default:
      return 'ABORT';
  }
}

import type { HangupCause } from '../../events/model/facts.js';
import type { CallKind } from './event-names.js';

/**
 * One call as the realtime vocabulary sees it: what has `start`, `answer` and `end` events under one
 * subCategory. A session is usually one call; an originate session is two (the `originate` caller part
 * and, once the callee is dialled, its `outgoing` part: spec realtime §3.2 and §3.4 "Originate via REST").
 * Both share the session's `trackingId`; each has its own `uniqueId` (report id, §4.2).
 */
export interface CallPart {
  kind: CallKind;
  /** Report id of this call (spec realtime §3.2 "uniqueId ... represents the individual call"). */
  uniqueId: string;
  from: string;
  to: string;
  /** What was dialled; `start` and `end` carry it (the `answer` names who answered instead). */
  destination: string;
  startedAt: number;
  answeredAt?: number;
  /** The user the call record is associated with (the originator, the outgoing caller, or whoever answered). */
  userId?: string;
  /** A platform voicemail for this call was recorded completely (spec realtime §4.2 `hasVoicemail`). */
  hasVoicemail: boolean;
  ended: boolean;
}

export type Disposition = 'answered' | 'voicemail' | 'canceled' | 'missed';

/**
 * The report disposition of a finished call (spec realtime §1 "Voice dispositions in reports: Answered,
 * Missed, Canceled, Voicemail"; §4.2 `disposition`). An answer wins; an unanswered call that left a
 * voicemail is `voicemail`; one the caller abandoned (the session ended by `originator-cancel`) is
 * `canceled`; anything else unanswered is `missed`.
 */
export function dispositionOf(part: CallPart, cause: HangupCause): Disposition {
  if (part.answeredAt !== undefined) return 'answered';
  if (part.hasVoicemail) return 'voicemail';
  if (cause === 'originator-cancel') return 'canceled';
  return 'missed';
}

/** Whole seconds elapsed between two instants, never negative (spec realtime §4.2 `duration`, `billableSeconds`). */
export function wholeSeconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000));
}

import type { HangupCause, LineRef, SessionStarted } from '../../events/model/facts.js';
import { isoSecondsOffset } from '../timestamps.js';
import { callSeconds, dispositionOf } from '../call-outcome.js';
import type { SessionCall } from '../session-calls.js';
import { topicParts, type RealtimeEventName } from './event-names.js';
import type { SessionUsers } from './session-users.js';

/** What distinguishes one voice event of a call from another: who it is about and where. */
export interface VoiceSubject {
  /** The user the event carries (`userId` + `userData`), when one is involved. */
  userId?: string;
  /** The party rung or answering (spec realtime §4.2 `destination`). */
  destination: string;
  /** The leg concerned, on callconfirm, agent-PIN and answer events (spec realtime §4.2 `legId`). */
  legId?: string;
}

/** The envelope every realtime event carries (spec realtime §4.1), without the stream's `type`, which
 *  delivery adds (`WireEvent.payload` is the stored payload, dialect.ts). */
export function envelope(name: RealtimeEventName, at: number, accountId: string): Record<string, unknown> {
  return { ...topicParts(name), eventTimestamp: isoSecondsOffset(at), accountId };
}

/** Line and campaign fields: campaign is an alias of the line (spec realtime §1 Proposed, §4.2). */
export function lineFields(line: LineRef | undefined): Record<string, string> {
  if (!line) return {};
  return {
    lineId: line.id,
    lineName: line.name,
    lineNumber: line.number,
    campaignId: line.id,
    campaignName: `${line.name} ${line.number}`,
  };
}

/** `userId` and `userData` travel together (spec realtime §4.2: `userData` "when `userId` is set"). */
export function userFields(users: SessionUsers, userId: string | undefined): Record<string, unknown> {
  return userId === undefined ? {} : { userId, userData: users.data(userId) };
}

/**
 * A voice event's payload (spec realtime §4.1 envelope, §4.2 voice fields). `trackingId` is the session
 * (one for every leg, §3.4), `uniqueId` the call's report id from `start` on (§4.2). `hasVoicemail` and
 * `isMissedCall` are only meaningful on `end` and are `false` before it (§4.2).
 */
export function voicePayload(
  session: SessionStarted,
  users: SessionUsers,
  call: SessionCall,
  name: RealtimeEventName,
  at: number,
  subject: VoiceSubject,
): Record<string, unknown> {
  return {
    ...envelope(name, at, session.accountId),
    trackingId: session.sessionId,
    uniqueId: call.id,
    callType: 'voicecall',
    isCall: true,
    direction: call.kind,
    from: call.from,
    to: call.to,
    destination: subject.destination,
    hasVoicemail: false,
    isMissedCall: false,
    ...lineFields(session.line),
    ...(subject.legId === undefined ? {} : { legId: subject.legId }),
    ...userFields(users, subject.userId),
  };
}

/** The timing and outcome fields of an `end` event (spec realtime §4.2). */
export function endFields(call: SessionCall, endedAt: number, cause: HangupCause): Record<string, unknown> {
  const answered = call.answeredAt !== undefined;
  return {
    startTimestamp: isoSecondsOffset(call.startedAt),
    ...(answered ? { answerTimestamp: isoSecondsOffset(call.answeredAt!) } : {}),
    endTimestamp: isoSecondsOffset(endedAt),
    ...callSeconds(call, endedAt),
    disposition: dispositionOf(call, cause),
    isMissedCall: !answered,
    hasVoicemail: call.hasVoicemail,
  };
}

/**
 * Invariants of one session's voice-API callback stream (spec bandwidth §2, §4), checked by the property
 * tests over thousands of random sessions and usable on any recorded stream:
 * - per call: `incomingcall` (if any) first; at most one `answer`, before the `hangup`; one `hangup`, after
 *   which only `recording`/`transcription` follow; `timeout` immediately followed by that call's `hangup`
 *   with `NO_ANSWER` (§4.2 Proposed);
 * - per conference: `conference` `created` first, `completed` last, member and audio events between,
 *   `activeMembers` never negative (§4.6).
 */
import type { WireEvent } from '../dialect.js';

const CONFERENCE_EVENTS = new Set(['conference', 'conference-member', 'conference-playback', 'conference-speak']);
const AFTER_HANGUP = new Set(['recording', 'transcription']);

export interface InvariantOptions {
  /** The stream is of a whole session (ended normally): every call must have exactly one hangup. */
  complete: boolean;
}

export function bandwidthInvariantProblems(events: readonly WireEvent[], options: InvariantOptions): string[] {
  const problems: string[] = [];
  const calls = new Map<string, { count: number; answers: number; hungUp: boolean }>();
  const conferences = new Map<string, 'open' | 'closed'>();
  for (const [i, e] of events.entries()) {
    const where = `#${i} ${e.name}`;
    if (e.payload.eventType !== e.name) problems.push(`${where}: eventType ${String(e.payload.eventType)}`);
    if (CONFERENCE_EVENTS.has(e.name)) {
      const id = e.route?.conferenceId;
      if (id === undefined || id !== e.payload.conferenceId) {
        problems.push(`${where}: route conference ${String(id)} ≠ payload ${String(e.payload.conferenceId)}`);
        continue;
      }
      const state = conferences.get(id);
      const created = e.name === 'conference' && e.payload.status === 'created';
      const completed = e.name === 'conference' && e.payload.status === 'completed';
      if (created) {
        if (state !== undefined) problems.push(`${where}: conference ${id} created again`);
        conferences.set(id, 'open');
      } else if (state !== 'open') problems.push(`${where}: conference ${id} is ${state ?? 'not created'}`);
      if (completed) conferences.set(id, 'closed');
      if (e.name === 'conference-member' && !(typeof e.payload.activeMembers === 'number' && e.payload.activeMembers >= 0))
        problems.push(`${where}: activeMembers ${String(e.payload.activeMembers)}`);
      continue;
    }
    if (e.name === 'sms' || e.name === 'mms') {
      if (e.route?.messageId !== e.payload.messageId) problems.push(`${where}: route message ≠ payload`);
      continue;
    }
    const callId = e.route?.callId;
    if (callId === undefined) {
      if (e.name !== 'transcription') problems.push(`${where}: no call in route`);
      continue;
    }
    if (e.payload.callId !== undefined && e.payload.callId !== callId) problems.push(`${where}: route call ${callId} ≠ payload ${String(e.payload.callId)}`);
    const call = calls.get(callId) ?? { count: 0, answers: 0, hungUp: false };
    calls.set(callId, call);
    if (call.hungUp && !AFTER_HANGUP.has(e.name)) problems.push(`${where}: call ${callId} after its hangup`);
    if (e.name === 'incomingcall' && call.count > 0) problems.push(`${where}: call ${callId} not first`);
    if (e.name === 'answer' && ++call.answers > 1) problems.push(`${where}: call ${callId} answered twice`);
    if (e.name === 'hangup') call.hungUp = true;
    if (e.name === 'timeout') {
      const next = events[i + 1];
      if (!next || next.name !== 'hangup' || next.route?.callId !== callId || next.payload.cause !== 'NO_ANSWER')
        problems.push(`${where}: call ${callId} not followed by its hangup NO_ANSWER`);
    }
    call.count++;
  }
  if (options.complete) for (const [callId, call] of calls) if (!call.hungUp) problems.push(`call ${callId} has no hangup`);
  return problems;
}

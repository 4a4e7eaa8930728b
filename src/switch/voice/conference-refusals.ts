/**
 * The voice API's conference refusals (spec bandwidth §0 error codes, §3.8), beside the call ones in
 * voice-refusals.ts.
 */
import type { VoiceRefusal } from './voice-control.js';

const refusal = (status: VoiceRefusal['status'], category: VoiceRefusal['category'], code: string, message: string): VoiceRefusal => ({ ok: false, status, category, code, message });

export const refuseConference = {
  /** 404 `conference-not-found`: unknown, or another account's (never a leak). */
  notFound: (id: string) => refusal(404, 'not-found', 'conference-not-found', `conference ${id} was not found`),
  /** 404 `conference-member-not-found`: unknown, another conference's, or another account's. */
  memberNotFound: (id: string) => refusal(404, 'not-found', 'conference-member-not-found', `conference member ${id} was not found`),
  /** 403 `conference-error`: the conference (or member) is in a state that does not allow it. */
  state: (id: string, why: string) => refusal(403, 'forbidden', 'conference-error', `conference ${id}: ${why}`),
  /** 403 `conference-max-members` (spec bandwidth §3.8: at most 20). */
  full: (id: string, max: number) => refusal(403, 'forbidden', 'conference-max-members', `conference ${id} already has ${max} members`),
  /** 403 `invalid-call-conference-id`: the call was created for another conference. */
  callConference: (callId: string, conferenceId: string) =>
    refusal(403, 'forbidden', 'invalid-call-conference-id', `call ${callId} was created for conference ${conferenceId}`),
};

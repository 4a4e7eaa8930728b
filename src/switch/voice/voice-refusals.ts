/**
 * The voice API's refusals the switch gives (spec bandwidth §0 error codes), in one place so every call
 * operation words the same situation the same way.
 */
import type { VoiceRefusal } from './voice-control.js';

const refusal = (status: VoiceRefusal['status'], category: VoiceRefusal['category'], code: string, message: string): VoiceRefusal => ({ ok: false, status, category, code, message });

export const refuse = {
  /** 404 `call-not-found`: unknown, or another account's (never a leak). */
  callNotFound: (callId: string) => refusal(404, 'not-found', 'call-not-found', `call ${callId} was not found`),
  /** 403 `call-invalid-state`: the call is not in a state that allows it (incl. after a final state). */
  callState: (callId: string, why: string) => refusal(403, 'forbidden', 'call-invalid-state', `call ${callId}: ${why}`),
  /** 403 `call-audio-invalid-state`: audio needs an active call. */
  audioState: (callId: string) => refusal(403, 'forbidden', 'call-audio-invalid-state', `call ${callId} is not active: audio cannot be played`),
  recordingState: (callId: string, why: string) => refusal(403, 'forbidden', 'invalid-recording-state', `call ${callId}: ${why}`),
  recordingNotFound: (id: string) => refusal(404, 'not-found', 'recording-not-found', `recording ${id} was not found`),
  gatherNotFound: (id: string) => refusal(404, 'not-found', 'gather-not-found', `gather ${id} was not found`),
  bridgeNotFound: (id: string) => refusal(404, 'not-found', 'bridge-not-found', `bridge ${id} was not found`),
  /** 403 `bridge-callIds-overflow`: a bridge holds at most two calls. */
  bridgeOverflow: () => refusal(403, 'forbidden', 'bridge-callIds-overflow', 'a bridge holds at most 2 calls'),
  bridgeState: (id: string, why: string) => refusal(400, 'bad-request', 'bridge-invalid-state', `bridge ${id}: ${why}`),
  /** The audio could not be had (fetch failed, not WAV, TTS failed): 400 naming the problem. */
  audio: (message: string) => refusal(400, 'bad-request', 'invalid-audio', message),
  /** 400 `validation-error` for what only the switch can check (a `from` the account does not own). */
  invalid: (message: string) => refusal(400, 'bad-request', 'validation-error', message),
  /** 403 `invalid-call-to-number`. */
  toNumber: (to: string, why: string) => refusal(403, 'forbidden', 'invalid-call-to-number', `cannot call ${to}: ${why}`),
  unavailable: (message: string) => refusal(503, 'unavailable', 'unavailable', message),
};

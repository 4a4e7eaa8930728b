/**
 * Which events of a BXML call the webhook engine leaves to the call (spec bandwidth §1.2 "BXML mode"):
 * the call GETs the events whose answer is its next document itself and synchronously
 * (switch/voice/bxml/bxml-call.ts), so the engine must not send them again. It still sends what BXML mode
 * reports without expecting a document (`hangup`, `error`, `recording`, `transcription`), and everything
 * of a call in REST mode. The events all stay in the log (`GET /calls/{id}/events`).
 */
import type { VoiceCallRecord } from '../../store/voice-records.js';

/** While probing, the call itself sends `incomingcall` and `answer` (it reads the answer's reply). */
const PROBING = new Set(['incomingcall', 'answer']);
/** In BXML mode the engine sends only these; the verbs' own audio, digits and documents are the call's. */
const BXML_SENT_BY_ENGINE = new Set(['hangup', 'error', 'recording', 'transcription']);

/** True when the call sends (or, in BXML mode, does not report) this event itself: the engine skips it. */
export function deliveredByCall(mode: VoiceCallRecord['bxml'], eventName: string | undefined): boolean {
  if (mode === 'probing') return eventName !== undefined && PROBING.has(eventName);
  if (mode === 'active') return eventName === undefined || !BXML_SENT_BY_ENGINE.has(eventName);
  // `off`: incomingcall and answer were sent by the call before it knew it was in REST mode.
  if (mode === 'off') return eventName !== undefined && PROBING.has(eventName);
  return false;
}

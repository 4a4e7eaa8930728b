import type { TranscriptionFinished } from '../../events/model/facts.js';
import type { VoiceApiUrls } from './urls.js';

/** spec bandwidth §2.12: the callback carries only the first 1026 characters; `textUrl` has the rest. */
export const TRANSCRIPTION_TEXT_LIMIT = 1026;

/**
 * The `transcription` callback (spec bandwidth §2.12, BETA). No `callId` and no `time`. A completed one has
 * `textSize` (all characters), `text` (cropped), `textUrl` (`…/media/{transcriptionId}`) and
 * `transcriptionUri`; an error only `eventType`, `transcriptionId`, `recordingId`, `state`, `status`.
 * Characters are counted as Unicode code points, so cropping never splits a surrogate pair.
 */
export function transcriptionPayload(fact: TranscriptionFinished, urls: VoiceApiUrls): Record<string, unknown> {
  const head = { eventType: 'transcription', transcriptionId: fact.transcriptionId, recordingId: fact.recordingId };
  if (fact.status !== 'completed') return { ...head, state: 'error', status: 'error' };
  const chars = Array.from(typeof fact.text === 'string' ? fact.text : '');
  return {
    ...head,
    state: 'completed',
    status: 'completed',
    textSize: chars.length,
    text: chars.slice(0, TRANSCRIPTION_TEXT_LIMIT).join(''),
    // Served by Ringside's own media endpoint, whatever URL the transcriber reported (fact.textUrl).
    textUrl: urls.media(fact.transcriptionId),
    transcriptionUri: urls.transcription(fact.recordingId, fact.transcriptionId),
  };
}

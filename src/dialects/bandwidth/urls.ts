/**
 * Resource URLs inside callback payloads. Every resource lives under `/v1/users/{userId}/…` of the public
 * base URL (spec bandwidth §0), e.g. `callUri` (§2.1), `recordingUri` (§2.11), `memberUri` (§2.14).
 * Path segments are percent-encoded so an odd id can never produce an invalid URI.
 */
export class VoiceApiUrls {
  readonly #base: string;

  constructor(publicUrl: string, userId: string) {
    this.#base = `${publicUrl.replace(/\/+$/, '')}/v1/users/${seg(userId)}`;
  }

  call(callId: string): string {
    return `${this.#base}/calls/${seg(callId)}`;
  }

  conference(conferenceId: string): string {
    return `${this.#base}/conferences/${seg(conferenceId)}`;
  }

  member(conferenceId: string, memberId: string): string {
    return `${this.conference(conferenceId)}/members/${seg(memberId)}`;
  }

  recording(recordingId: string): string {
    return `${this.#base}/recordings/${seg(recordingId)}`;
  }

  transcription(recordingId: string, transcriptionId: string): string {
    return `${this.recording(recordingId)}/transcriptions/${seg(transcriptionId)}`;
  }

  /** Media files: transcription full text (§2.12 `textUrl`) and message attachments (§2.16 `media`). */
  media(mediaName: string): string {
    return `${this.#base}/media/${seg(mediaName)}`;
  }

  message(messageId: string): string {
    return `${this.#base}/messages/${seg(messageId)}`;
  }
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

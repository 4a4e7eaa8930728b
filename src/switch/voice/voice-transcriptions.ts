/**
 * The voice API's transcriptions (spec bandwidth §3.9, §4.5): of a `complete` recording, on request
 * (`POST /recordings/{id}/transcriptions`) or for every recording of a call with `transcriptionEnabled`.
 * The store's VoiceTranscriptionRecord goes `transcribing` → `completed` | `error`; the Transcriber
 * (media/transcriber.ts) does the work off the event loop, its own queue bounding how many run at once.
 *
 * When it finishes, `transcription.finished` is recorded in the recorded call's session, so the projection
 * routes the `transcription` callback to that call's callback target (§4.5 step 4 Proposed) after its
 * `recording`. A call still running records it among its own facts, before its `session.ended`; a call
 * whose session has ended (the usual case: the recording was saved at hangup) gets it as a late fact,
 * `afterEnd` (facts.ts header), the one fact allowed after `session.ended`. Holding the end instead
 * would leave a transcription asked for later with no session to go to.
 */
import type { MediaControl } from '../../media/media-control.js';
import type { Transcriber } from '../../media/transcriber.js';
import type { FactSink } from '../../events/model/fact-sink.js';
import type { Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import type { VoiceRecordingRecord, VoiceTranscriptionRecord } from '../../store/voice-records.js';
import { newPrefixedId } from '../../util/ids.js';
import { SessionFacts, type FactDraft } from '../session-facts.js';
import type { VoiceResult } from './voice-control.js';
import { refuse } from './voice-refusals.js';

/** What a running call offers: its fact stream while it has not ended (voice-call.ts). */
export interface TranscribedCall {
  /** Records the fact among the call's own; false once its `session.ended` is recorded. */
  recordBeforeEnd(draft: FactDraft): boolean;
}

export interface VoiceTranscriptionsOptions {
  store: Store;
  transcriber: Transcriber;
  media: Pick<MediaControl, 'recordingPath'>;
  facts: FactSink;
  log: Logger;
  /** The call if it is still running. */
  liveCall: (accountId: string, callId: string) => TranscribedCall | undefined;
}

export class VoiceTranscriptions {
  readonly #o: VoiceTranscriptionsOptions;
  readonly #running = new Set<Promise<void>>();

  constructor(options: VoiceTranscriptionsOptions) {
    this.#o = options;
  }

  /** spec bandwidth §3.9: the recording must be `complete` (403 `invalid-recording-state` otherwise). */
  async start(accountId: string, recordingId: string): Promise<VoiceResult<VoiceTranscriptionRecord>> {
    const rec = await this.#o.store.getVoiceResource(accountId, 'recording', recordingId);
    if (!rec) return refuse.recordingNotFound(recordingId);
    if (rec.state !== 'complete') return refuse.recordingState(rec.callId, `recording ${recordingId} is ${rec.state}, not complete`);
    return { ok: true, value: await this.#begin(rec) };
  }

  /** A call with `transcriptionEnabled` saved a recording (spec bandwidth §4.5 step 3). */
  auto(accountId: string, recordingId: string): void {
    void this.start(accountId, recordingId).then(
      (r) => r.ok || this.#o.log.warn({ recordingId, error: r.message }, 'automatic transcription not started'),
      (err: unknown) => this.#o.log.error({ err, recordingId }, 'automatic transcription not started'),
    );
  }

  /** Resolves once every transcription started so far has finished and its fact is recorded. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async #begin(rec: VoiceRecordingRecord): Promise<VoiceTranscriptionRecord> {
    const record: VoiceTranscriptionRecord = {
      kind: 'transcription',
      id: newPrefixedId('tr'),
      accountId: rec.accountId,
      recordingId: rec.id,
      callId: rec.callId,
      state: 'transcribing',
      createdTime: Date.now(),
    };
    await this.#o.store.putVoiceResource(record);
    const run = this.#run(record).catch((err: unknown) => this.#o.log.error({ err, transcriptionId: record.id }, 'transcription bookkeeping failed'));
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
    return record;
  }

  async #run(record: VoiceTranscriptionRecord): Promise<void> {
    const log = this.#o.log.child({ transcriptionId: record.id, recordingId: record.recordingId, callId: record.callId });
    let done: VoiceTranscriptionRecord;
    try {
      const t = await this.#o.transcriber.transcribe(this.#o.media.recordingPath(record.recordingId));
      done = { ...record, state: 'completed', text: t.text, audioSeconds: t.audioSeconds, completedTime: Date.now() };
    } catch (err) {
      // spec bandwidth §2.12: an error carries only the ids and the state; the reason is in the log.
      log.warn({ err }, 'transcription failed');
      done = { ...record, state: 'error', completedTime: Date.now() };
    }
    await this.#o.store.putVoiceResource(done);
    await this.#report(done, log);
  }

  /** `transcription.finished` in the recorded call's session: among its facts, or late (see above). */
  async #report(t: VoiceTranscriptionRecord, log: Logger): Promise<void> {
    const draft: FactDraft = {
      type: 'transcription.finished',
      transcriptionId: t.id,
      recordingId: t.recordingId,
      legId: t.callId,
      status: t.state === 'completed' ? 'completed' : 'error',
      ...(t.state === 'completed' ? { text: t.text ?? '' } : {}),
    };
    if (this.#o.liveCall(t.accountId, t.callId)?.recordBeforeEnd(draft)) return;
    const call = await this.#o.store.getVoiceResource(t.accountId, 'call', t.callId);
    if (!call?.sessionId) return log.warn('the recorded call is gone: no transcription callback');
    const facts = new SessionFacts(call.sessionId, this.#o.facts, log);
    facts.record({ ...draft, afterEnd: true });
    await facts.flush();
  }
}

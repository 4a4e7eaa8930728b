/**
 * A voicemail on the caller's answered leg (docs/switch.md "Voicemail"): the greeting, a beep, then what
 * the caller says is recorded (mono, their side) until they hang up or the line's limit is reached. The
 * message is a recording like any other (`<data>/recordings/<id>.wav`, served at its URL), reported as a
 * `recording.finished` fact with purpose `voicemail` before the caller's leg ends (facts.ts). A recording
 * in which nothing was said is discarded and is not a voicemail (voicemail-audibility.ts).
 */
import { rm } from 'node:fs/promises';
import type { InviteSession } from '../sip/index.js';
import { recordingIsAudible } from './voicemail-audibility.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import type { SessionFacts } from './session-facts.js';

export interface VoicemailDeps {
  media: MediaControl;
  facts: SessionFacts;
  log: Logger;
  recordingUrl: (recordingId: string) => string;
}

export interface VoicemailBox {
  /** The user the message is for (the line's `voicemail.mailboxUser`). */
  mailboxUserId?: string;
  maxMs: number;
}

/** Who ended the voicemail: the caller hung up, or the time limit (then Ringside hangs up). */
export type VoicemailEnd = 'caller' | 'limit';

const sleep = (ms: number): Promise<'limit'> => new Promise((r) => setTimeout(() => r('limit'), ms).unref());

export async function takeVoicemail(deps: VoicemailDeps, leg: { legId: string; endpointId: string; session: InviteSession }, box: VoicemailBox): Promise<VoicemailEnd> {
  const { media, facts, log } = deps;
  const hungUp = leg.session.ended.then(() => 'caller' as const);
  facts.record({ type: 'voicemail.started', legId: leg.legId, ...(box.mailboxUserId ? { mailboxUserId: box.mailboxUserId } : {}) });
  log.info({ legId: leg.legId, mailboxUserId: box.mailboxUserId }, 'voicemail: greeting');
  try {
    const greeting = await media.play(leg.endpointId, [{ prompt: 'voicemail-greeting' }, { prompt: 'beep' }]);
    if ((await Promise.race([greeting.done, hungUp])) === 'caller') return 'caller';
  } catch (err) {
    log.warn({ err }, 'voicemail greeting could not be played; recording anyway');
  }
  if (leg.session.state !== 'confirmed') return 'caller';
  let recording: { recordingId: string };
  try {
    recording = await media.startRecording({ endpointId: leg.endpointId });
  } catch (err) {
    log.error({ err }, 'voicemail: recording could not start');
    return Promise.race([hungUp, sleep(box.maxMs)]);
  }
  log.info({ legId: leg.legId, recordingId: recording.recordingId }, 'voicemail: recording');
  const end = await Promise.race([hungUp, sleep(box.maxMs)]);
  try {
    const info = await media.stopRecording(recording.recordingId);
    // A silent recording is no message (voicemail-audibility.ts): no fact, no file.
    if (info.status === 'complete' && !(await recordingIsAudible(info.path))) {
      log.info({ recordingId: info.recordingId, durationMs: info.durationMs }, 'voicemail discarded: nothing above -50 dBFS was said');
      await rm(info.path, { force: true });
      return end;
    }
    log.info({ recordingId: info.recordingId, durationMs: info.durationMs, status: info.status }, 'voicemail recorded');
    facts.record({ type: 'recording.finished', recordingId: info.recordingId, legId: leg.legId, url: deps.recordingUrl(info.recordingId), startedAt: info.startedAt, status: info.status, purpose: 'voicemail' });
  } catch (err) {
    log.error({ err }, 'voicemail: finishing the recording failed');
  }
  return end;
}

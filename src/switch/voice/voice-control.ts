/**
 * What the voice API's REST family (api/voice/) asks of the switch (spec bandwidth §3): create and steer
 * application-driven calls, play audio, send and gather digits, record, bridge. Implemented by
 * VoiceCalls (voice-calls.ts). Reads go to the store (voice-records.ts), not through here.
 *
 * Every operation answers with the value or a refusal worded as the voice API words its errors (spec
 * bandwidth §0: status, category, code), so the REST layer only renders it.
 */
import type { RecordingResponse } from '../../media/recorder.js';
import type { CallbackTarget, VoiceBridgeRecord, VoiceCallRecord, VoiceConferenceRecord, VoiceGatherRecord, VoiceMemberRecord, VoiceTranscriptionRecord } from '../../store/voice-records.js';

/** spec bandwidth §3.4: the audio object (calls, bridges, gather prompts, whisper). An empty `sentence` or
 *  `fileUrl` stops what plays. */
export interface AudioRequest {
  sentence?: string;
  fileUrl?: string;
  gender?: 'male' | 'female';
  locale?: string;
  voice?: string;
  loopEnabled?: boolean;
  tag?: string;
  /** Call audio only: −4…4, default 0 (spec bandwidth §3.4). */
  volume?: number;
}

/** spec bandwidth §3.2 `POST /calls`, validated and with defaults applied by the REST layer. */
export interface CreateCallRequest {
  accountId: string;
  /** The account's voice-API user id (URLs in callbacks and `Location`). */
  userId: string;
  from: string;
  /** E.164 or `sip:user@host`. */
  to: string;
  callback?: CallbackTarget;
  tag?: string;
  callTimeoutSeconds: number;
  recordingEnabled: boolean;
  recordingMaxDurationSeconds?: number;
  bridgeId?: string;
  conferenceId?: string;
  /** spec bandwidth §3.2 / §4.5: every recording of the call is transcribed when saved. */
  transcriptionEnabled?: boolean;
}

/** spec bandwidth §3.3 transfer body. */
export interface TransferRequest {
  transferTo: string;
  transferCallerId?: string;
  whisperAudio?: AudioRequest;
  callback?: CallbackTarget;
  recordingEnabled?: boolean;
  /** BXML `<Transfer callTimeout>`: seconds the new call rings (default: the original's, else 60). */
  callTimeoutSeconds?: number;
}

/** spec bandwidth §3.3: what `POST /calls/{id}` may change. */
export interface CallUpdate {
  state?: 'active' | 'rejected' | 'completed' | 'transferring';
  recordingEnabled?: boolean;
  transfer?: TransferRequest;
}

/** spec bandwidth §3.5 gather body, defaults applied. */
export interface GatherRequest {
  maxDigits?: number;
  interDigitTimeoutSeconds: number;
  terminatingDigits: string;
  tag?: string;
  prompt?: AudioRequest & { bargeable?: boolean };
}

export interface BridgeRequest {
  bridgeAudio: boolean;
  callIds: string[];
}

/** A refusal as the voice API words it (spec bandwidth §0). */
export interface VoiceRefusal {
  ok: false;
  status: 400 | 403 | 404 | 409 | 503;
  category: 'bad-request' | 'forbidden' | 'not-found' | 'conflict' | 'unavailable' | 'authorization';
  code: string;
  message: string;
}

export type VoiceResult<T> = { ok: true; value: T } | VoiceRefusal;

/** spec bandwidth §3.8 `POST /conferences`, validated and with defaults applied by the REST layer. */
export interface CreateConferenceRequest {
  accountId: string;
  userId: string;
  from: string;
  callback?: CallbackTarget;
  profile: 'interpret_digits' | 'passthru_digits';
  tag?: string;
}

/** spec bandwidth §3.8 `POST /conferences/{id}`: only what is sent changes (`callback: null` clears it). */
export interface ConferenceUpdate {
  state?: 'completed';
  hold?: boolean;
  mute?: boolean;
  callback?: CallbackTarget | null;
  tag?: string;
}

/** spec bandwidth §3.8 `POST /conferences/{id}/members`. */
export interface AddMemberRequest {
  callId: string;
  joinTone: boolean;
  leavingTone: boolean;
  mute: boolean;
  hold: boolean;
}

/** spec bandwidth §3.8 `POST …/members/{memberId}` (`state: completed` removes the member). */
export interface MemberUpdate {
  state?: 'completed';
  joinTone?: boolean;
  leavingTone?: boolean;
  mute?: boolean;
  hold?: boolean;
}

/** The conference half of VoiceControl (voice-conferences.ts). */
export interface VoiceConferenceControl {
  createConference(req: CreateConferenceRequest): Promise<VoiceResult<VoiceConferenceRecord>>;
  updateConference(accountId: string, conferenceId: string, change: ConferenceUpdate): Promise<VoiceResult<VoiceConferenceRecord>>;
  conferenceAudio(accountId: string, conferenceId: string, audio: AudioRequest): Promise<VoiceResult<void>>;
  addMember(accountId: string, conferenceId: string, req: AddMemberRequest): Promise<VoiceResult<VoiceMemberRecord>>;
  updateMember(accountId: string, conferenceId: string, memberId: string, change: MemberUpdate): Promise<VoiceResult<VoiceMemberRecord>>;
  memberAudio(accountId: string, conferenceId: string, memberId: string, audio: AudioRequest): Promise<VoiceResult<void>>;
}

/** Conferences: voice-conferences.ts. */
export interface VoiceControl extends VoiceConferenceControl {
  /** Dials `to` through the account's trunk; resolves once the call exists (state `started`). */
  createCall(req: CreateCallRequest): Promise<VoiceResult<VoiceCallRecord>>;
  /** Answer, reject, hang up, record on/off, transfer (then `newCallId` is the transfer's call). */
  updateCall(accountId: string, callId: string, change: CallUpdate): Promise<VoiceResult<{ newCallId?: string }>>;
  playAudio(accountId: string, callId: string, audio: AudioRequest): Promise<VoiceResult<void>>;
  sendDtmf(accountId: string, callId: string, dtmfOut: string): Promise<VoiceResult<void>>;
  startGather(accountId: string, callId: string, req: GatherRequest): Promise<VoiceResult<VoiceGatherRecord>>;
  /** `POST …/gather/{id}` with `state: completed`. */
  stopGather(accountId: string, callId: string, gatherId: string): Promise<VoiceResult<void>>;
  createBridge(accountId: string, req: BridgeRequest): Promise<VoiceResult<VoiceBridgeRecord>>;
  updateBridge(accountId: string, bridgeId: string, change: Partial<BridgeRequest>): Promise<VoiceResult<VoiceBridgeRecord>>;
  bridgeAudio(accountId: string, bridgeId: string, audio: AudioRequest): Promise<VoiceResult<void>>;
  /** The WAV of a finished recording (`media` URL of `GET /recordings/{id}`), with HTTP range support. */
  openRecording(accountId: string, recordingId: string, range?: string): Promise<VoiceResult<RecordingResponse>>;
  /** spec bandwidth §3.9 `POST /recordings/{id}/transcriptions`: starts one (state `transcribing`). */
  createTranscription(accountId: string, recordingId: string): Promise<VoiceResult<VoiceTranscriptionRecord>>;
}

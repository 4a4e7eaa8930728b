/**
 * Voice-API state (spec bandwidth §3) as the store keeps it: calls, gathers, recordings and bridges, each
 * one account's, addressed by its voice-API id. The switch writes them as calls progress; the REST family
 * reads them (`GET /calls/{id}` …), and the delivery engine reads a call's callback settings to know where
 * its events go. Times are ms since the epoch; the REST layer formats them.
 */

/** Where a call's (or an application's) callbacks go (spec bandwidth §1.1, §1.2). */
export interface CallbackTarget {
  url: string;
  method: 'GET' | 'POST';
  /** Per request, ms (spec bandwidth §1.2: default and maximum 10 000). */
  timeoutMs: number;
  fallbackUrl?: string;
}

/** spec bandwidth §3.2 "Call states" (`error` from the SDKs). */
export type VoiceCallState = 'started' | 'rejected' | 'active' | 'completed' | 'transferring' | 'error';

export interface VoiceCallRecord {
  kind: 'call';
  /** The voice-API call id (`c-…`): also the leg id in the facts and the projection's `callId`. */
  id: string;
  accountId: string;
  /** The voice-API user id of the account (`u-…`): URLs name it. */
  userId: string;
  /** The switch session the call's facts are in. */
  sessionId: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  state: VoiceCallState;
  /** The application an inbound call's number is linked to. */
  applicationId?: string;
  /** Where this call's events go; absent: nowhere (an outbound call created without `callbackUrl`). */
  callback?: CallbackTarget;
  tag?: string;
  /** Seconds an outbound call rings before `timeout` (spec bandwidth §3.2, default 60). */
  callTimeoutSeconds?: number;
  bridgeId?: string;
  conferenceId?: string;
  recordingEnabled: boolean;
  recordingMaxDurationSeconds?: number;
  transcriptionEnabled?: boolean;
  /** BXML mode (spec bandwidth §1.2): `probing` while the call itself sends `incomingcall`/`answer` (an
   *  application with GET + autoAnswer), `active` once the answer was a BXML document, `off` when it was not.
   *  The webhook engine skips the events the call sends itself (delivery/webhooks/bxml-delivery.ts). */
  bxml?: 'probing' | 'active' | 'off';
  /** The call this one was created for by a transfer (spec bandwidth §3.3). */
  transferOf?: string;
  startTime: number;
  activeTime?: number;
  endTime?: number;
  /** The hangup cause as the voice API words it, once completed. */
  cause?: string;
}

export interface VoiceGatherRecord {
  kind: 'gather';
  /** `g-…` */
  id: string;
  accountId: string;
  callId: string;
  state: 'started' | 'completed';
  reason?: string;
  digits?: string;
  tag?: string;
  createdTime: number;
  completedTime?: number;
}

export interface VoiceRecordingRecord {
  kind: 'recording';
  /** `rec-…`: also the media engine's recording id. */
  id: string;
  accountId: string;
  callId: string;
  /** `recording` (active), `saving`, `complete`, `error` (spec bandwidth §3.9). */
  state: 'recording' | 'saving' | 'complete' | 'error';
  startTime: number;
  endTime?: number;
}

export interface VoiceBridgeRecord {
  kind: 'bridge';
  /** `brg-…` */
  id: string;
  accountId: string;
  /** spec bandwidth §3.7: `created` (never bridged), `active`, `hold` (bridgeAudio false), `completed`. */
  state: 'created' | 'active' | 'hold' | 'completed' | 'error';
  callIds: string[];
  bridgeAudio: boolean;
  createdTime: number;
  activatedTime?: number;
  completedTime?: number;
}

/** spec bandwidth §3.9: a recording's transcription. */
export interface VoiceTranscriptionRecord {
  kind: 'transcription';
  /** `tr-…` */
  id: string;
  accountId: string;
  recordingId: string;
  /** The recorded call (lists by call). */
  callId: string;
  state: 'transcribing' | 'completed' | 'error';
  /** The whole text, once completed. */
  text?: string;
  /** Seconds of audio transcribed, once completed (billing: voice-views.ts). */
  audioSeconds?: number;
  createdTime: number;
  completedTime?: number;
}

/** spec bandwidth §3.8: a conference (its callbacks go to `callback`, spec §1.1). */
export interface VoiceConferenceRecord {
  kind: 'conference';
  /** `conf-…`: also the id of the session its facts are in (facts.ts header, "Conference sessions"). */
  id: string;
  accountId: string;
  userId: string;
  /** `created` (no member yet) → `active` (≥ 1 member) → `completed` (final). */
  state: 'created' | 'active' | 'completed';
  from: string;
  callback?: CallbackTarget;
  profile: 'interpret_digits' | 'passthru_digits';
  tag?: string;
  /** All members held / muted (the last `POST /conferences/{id}` that set them). */
  hold: boolean;
  mute: boolean;
  activeMembers: number;
  createdTime: number;
  completedTime?: number;
}

/** spec bandwidth §3.8: one call's membership of a conference (`member-…`). */
export interface VoiceMemberRecord {
  kind: 'member';
  id: string;
  accountId: string;
  conferenceId: string;
  callId: string;
  state: 'active' | 'completed';
  mute: boolean;
  hold: boolean;
  joinTone: boolean;
  leavingTone: boolean;
  addedTime: number;
  removedTime?: number;
}

export type VoiceResource =
  | VoiceCallRecord
  | VoiceGatherRecord
  | VoiceRecordingRecord
  | VoiceBridgeRecord
  | VoiceMessageRecord
  | VoiceTranscriptionRecord
  | VoiceConferenceRecord
  | VoiceMemberRecord;
export type VoiceResourceKind = VoiceResource['kind'];
export type VoiceResourceOf<K extends VoiceResourceKind> = Extract<VoiceResource, { kind: K }>;

export interface VoiceListQuery {
  /** Only resources belonging to this call (gathers, recordings) or calls of this bridge. */
  callId?: string;
  bridgeId?: string;
  /** Members of this conference. */
  conferenceId?: string;
  /** Calls from / to this number. */
  from?: string;
  to?: string;
  /** 0-based page of `size` items. */
  page: number;
  size: number;
  /** By creation time; default newest first (spec bandwidth §3.2 `sortOrder`). */
  order?: 'asc' | 'desc';
}

/**
 * A voice-API text (spec bandwidth §3.10, §2.16): one sent by `POST /messages`, or one received on a number
 * linked to an application. `id` is the texts engine's message id (the report id, the events' `messageId`).
 * The callback router reads it to know where its `sms`/`mms` events go: `callback` (a sent text's
 * `callbackUrl`), else the application's `incomingMessageUrl` settings, read at each attempt.
 */
export interface VoiceMessageRecord {
  kind: 'message';
  id: string;
  accountId: string;
  /** The voice-API user id of the account (`u-…`). */
  userId: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  text: string;
  /** `POST /messages` media URLs as given; for a received MMS, the names of its stored parts. */
  media: string[];
  /** spec bandwidth §2.16: `received` (in), `sent` (the carrier took it), `error` (the carrier refused it). */
  state: 'received' | 'sent' | 'error';
  /** The carrier's refusal, when `error`. */
  error?: string;
  applicationId?: string;
  callback?: CallbackTarget;
  receiptRequested?: 'none' | 'all' | 'error';
  tag?: string;
  createdTime: number;
}

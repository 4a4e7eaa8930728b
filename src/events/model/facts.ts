/**
 * Canonical facts: everything the switch and messaging layers can report, in one typed union.
 *
 * A fact says what happened, never how a dialect words it (ARCHITECTURE.md, "The canonical model").
 * Every fact carries the session it belongs to; all facts of one call share `sessionId`, and the dialect
 * projections are reducers over one session's facts in order.
 *
 * The order the switch guarantees within a call session (the projections rely on it, and
 * test/support/random-sessions.ts generates exactly these sequences):
 * - `session.started` first and `session.ended` last, once each.
 * - The caller's leg (role `caller`, direction `in`) is created right after `session.started` for
 *   inbound, outbound, internal and inbound application sessions. Originate and dialer sessions have no
 *   caller leg: Ringside dials `contact`/`operator` legs; the first one created is the one dialled first.
 * - A dialled leg: `leg.created` → [`leg.ringing`] → `leg.answered` → … → `leg.ended`, or → `leg.failed`.
 *   The caller's leg: `leg.created` → [`leg.answered` when Ringside answers it] → … → `leg.ended`.
 *   In a session that continues a blind transfer (`transferOf`), the caller's leg arrives answered with
 *   its media in place: no `leg.answered`/`leg.media-ready` for it (spec teltel §5.8).
 * - `leg.media-ready` follows `leg.answered`; `leg.joined` needs media; `leg.left` follows `leg.joined`;
 *   a joined leg leaves before it ends; every leg has ended before `session.ended`.
 * - Call confirmation / agent PIN: after the leg's `leg.answered` and before its `leg.joined`:
 *   `confirm.prompted` → `confirm.accepted` (then joins) | `confirm.rejected` (then ends);
 *   `agentpin.prompted`+ → `agentpin.valid` (then joins) | `agentpin.timeout` (the call is dropped).
 * - A conversation's `recording.finished` comes after its parties left, before `session.ended`.
 * - The one exception to `session.ended` last: a `transcription.finished` with `afterEnd` (a voice-API
 *   transcription that finished after its call's session ended, spec bandwidth §4.5 step 3). It closes
 *   the session again at once (dialect-projection.ts `endsSession`); any number may follow.
 *
 * Conference sessions (voice-API conferences, spec bandwidth §3.8): a conference outlives the calls in it,
 * so its facts are a session of their own whose id is the conference id — not a call: no `session.started`
 * (the call dialects, reports and the realtime stream never see it). `conference.created` first, carrying
 * `accountId` and `application`; then `conference.member` and `playback.*` aimed at `{ conferenceId }`;
 * `conference.completed` last, once. A member's `conference.member` `active` comes before its `completed`,
 * nothing of it after. The member's call reports `leg.joined`/`leg.left` (conversation = conference id) in
 * its own session.
 */

/** What kind of party a leg reaches. `phone`: a PSTN number over a trunk; `sip`: a user's device;
 *  `local`: Ringside itself (prompts, voicemail, the originate engine). */
export type PartyKind = 'phone' | 'sip' | 'local';

export interface Party {
  kind: PartyKind;
  /** E.164 number for phones, extension/SIP user for devices, the DID (or `local`) for Ringside. */
  number: string;
  /** Owning user id when the party is a user's device (or a user reached by PIN/number). */
  userId?: string;
  /** Display name when known. */
  name?: string;
}

/** The user a fact is about, with what the realtime dialect's `userData` shows (spec realtime §4.2). */
export interface UserRef {
  id: string;
  name?: string;
  username?: string;
  pin?: string;
}

export interface LineRef {
  id: string;
  name: string;
  number: string;
}

/** Session kind (ARCHITECTURE.md): how the call came to be. */
export type SessionKind = 'inbound' | 'outbound' | 'internal' | 'originate' | 'dialer' | 'application';

/** Dial result of one target leg: Asterisk DIALSTATUS values (spec teltel §4) plus ABORT. */
export type DialResult =
  | 'ANSWER'
  | 'BUSY'
  | 'NOANSWER'
  | 'CANCEL'
  | 'CONGESTION'
  | 'CHANUNAVAIL'
  | 'DONTCALL'
  | 'TORTURE'
  | 'INVALIDARGS'
  | 'ABORT';

/** Why a leg ended, in Q.850-flavoured words the voice API dialect maps to its causes (spec bandwidth §2.5). */
export type HangupCause =
  | 'normal'
  | 'originator-cancel'
  | 'busy'
  | 'rejected'
  | 'unallocated'
  | 'no-answer'
  | 'temporary-failure'
  | 'congestion'
  | 'error'
  /** Ringside died with the leg up and closed it at its next start (session-recovery.ts). */
  | 'server-restart';

/** Role of a leg within its session. `caller`: the party that started the call (inbound caller, the SIP
 *  device placing an outgoing call); `callee`: a party Ringside dials for it. In originate/dialer sessions
 *  Ringside dials both: `contact` (the phone side) and `operator` (the user side), in the order asked. */
export type LegRole = 'caller' | 'callee' | 'contact' | 'operator';

interface FactBase {
  sessionId: string;
  /** Milliseconds since the epoch, when it happened. */
  at: number;
}

/** Teltel `data.callback` echo and realtime originate parameters (spec teltel §2.3, realtime §5.3). */
export interface CallbackInfo {
  leg1Number: string;
  leg1CallerId: string;
  leg2Number: string;
  leg2CallerId: string;
  traceId?: string;
}

export interface SessionStarted extends FactBase {
  type: 'session.started';
  accountId: string;
  /** The account's `accountcode` (teltel `accountcode`). */
  accountcode: string;
  kind: SessionKind;
  /** Report id of the call (realtime `uniqueId`, teltel `call_id`). */
  callId: string;
  /** Who started the call: the caller's phone/device, or `local` for originate/dialer sessions. */
  from: Party;
  /** What was dialled: the DID for inbound calls, the number or extension dialled, or the first party
   *  Ringside will dial in an originate/dialer session. */
  to: Party;
  line?: LineRef;
  /** Users this call concerns from the start (the line's members, the device's owner, the originator). */
  userIds?: string[];
  /** The user the call is associated with from the start (outgoing caller, originate `user_id`/`pin`). */
  user?: UserRef;
  callback?: CallbackInfo;
  dialer?: { campaignId: number; contactId: number; mode: 'predictive' | 'contact-callflow' | 'operator-contact' };
  /** Set when this session continues another one after a blind transfer (teltel type `transfer`). */
  transferOf?: { sessionId: string; callId: string };
  /** Voice-API session: the application of an inbound call (`id`; none for a call made by `POST /calls`),
   *  the account's voice user id, and the call's tag (spec bandwidth §1.4). */
  application?: { id?: string; userId: string; tag?: string };
}

export interface LegCreated extends FactBase {
  type: 'leg.created';
  legId: string;
  role: LegRole;
  party: Party;
  /** Relative to Ringside: `in` for a leg that called us, `out` for a leg we dial. */
  direction: 'in' | 'out';
  /** Caller id presented on an outbound leg. */
  callerId?: string;
  user?: UserRef;
  /** Voice-API call tag (spec bandwidth §1.4), when an application created or owns this leg. */
  tag?: string;
}

/** A dialled leg is alerting (SIP 180/183). */
export interface LegRinging extends FactBase {
  type: 'leg.ringing';
  legId: string;
}

/** What an in-dialog request needs (RFC 3261 §12.2.1.1), kept so that a restarted Ringside can send BYE
 *  for a dialog the previous process held. Not shown by any dialect. */
export interface LegDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From/To value and the peer's, without tags (name-addr). */
  localUri: string;
  remoteUri: string;
  /** The peer's Contact URI. */
  remoteTarget: string;
  /** Route set as name-addr values, in the order requests use them. */
  routeSet: string[];
  /** The last CSeq number we used in the dialog when it was answered. */
  localCSeq: number;
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  /** Where in-dialog requests went without a route set (the flow the dialog was set up on). */
  destination?: { host: string; port: number };
  secure?: boolean;
}

/** The leg's dialog is confirmed: the far end answered (target legs) or Ringside answered it (caller). */
export interface LegAnswered extends FactBase {
  type: 'leg.answered';
  legId: string;
  /** The SIP dialog, for crash recovery; absent for legs without one. */
  dialog?: LegDialog;
}

/** Audio flows between the leg and Ringside (teltel READY). */
export interface LegMediaReady extends FactBase {
  type: 'leg.media-ready';
  legId: string;
  codec?: string;
}

/** A leg Ringside dialled ended before it was answered: the dial result of that leg. */
export interface LegFailed extends FactBase {
  type: 'leg.failed';
  legId: string;
  result: Exclude<DialResult, 'ANSWER'>;
  /** SIP status that caused it, when there was one. */
  sipStatus?: number;
  cause: HangupCause;
}

/** Any other end of a leg: an answered leg's BYE, or the caller's leg ending unanswered (the caller
 *  cancelled: `by: 'remote'`, cause `originator-cancel`; Ringside refused or gave up: `by: 'local'`).
 *  `by` names who hung up first: the far end or Ringside. */
export interface LegEnded extends FactBase {
  type: 'leg.ended';
  legId: string;
  by: 'remote' | 'local';
  cause: HangupCause;
}

/** A leg enters a conversation (two-party bridge or conference). */
export interface LegJoined extends FactBase {
  type: 'leg.joined';
  legId: string;
  conversationId: string;
}

export interface LegLeft extends FactBase {
  type: 'leg.left';
  legId: string;
  conversationId: string;
}

export interface LegHeld extends FactBase {
  type: 'leg.held';
  legId: string;
  held: boolean;
}

export interface Dtmf extends FactBase {
  type: 'dtmf';
  legId: string;
  digit: string;
  durationMs: number;
  via: 'rfc4733' | 'sip-info';
}

/** Audio played to a leg or a conference: a file or a TTS sentence. */
export interface PlaybackStarted extends FactBase {
  type: 'playback.started';
  playbackId: string;
  target: { legId: string } | { conferenceId: string };
  source: 'file' | 'speech';
  tag?: string;
}

export interface PlaybackFinished extends FactBase {
  type: 'playback.finished';
  playbackId: string;
  target: { legId: string } | { conferenceId: string };
  source: 'file' | 'speech';
  /** `stopped`: stopped on request or by a digit; `error`: the file could not be played. */
  outcome: 'done' | 'stopped' | 'error';
  tag?: string;
}

export interface GatherCompleted extends FactBase {
  type: 'gather.completed';
  legId: string;
  gatherId: string;
  digits: string;
  reason: 'max-digits' | 'terminating-digit' | 'inter-digit-timeout' | 'hung-up' | 'cancelled';
  terminatingDigit?: string;
  tag?: string;
}

export interface RecordingFinished extends FactBase {
  type: 'recording.finished';
  recordingId: string;
  /** The leg recorded, or the whole conversation. */
  legId?: string;
  conversationId?: string;
  /** Stable URL the recording is served at (teltel `audio_url`). */
  url: string;
  startedAt: number;
  status: 'complete' | 'error';
  purpose: 'call' | 'voicemail';
}

export interface TranscriptionFinished extends FactBase {
  type: 'transcription.finished';
  transcriptionId: string;
  recordingId: string;
  status: 'completed' | 'error';
  text?: string;
  textUrl?: string;
  /** The recorded call's leg (voice API: the call id), where the callback goes. */
  legId?: string;
  /** Recorded after the session's `session.ended` (header above). */
  afterEnd?: true;
}

export interface ConfirmPrompted extends FactBase {
  type: 'confirm.prompted';
  legId: string;
}

export interface ConfirmAccepted extends FactBase {
  type: 'confirm.accepted';
  legId: string;
  digit: string;
}

export interface ConfirmRejected extends FactBase {
  type: 'confirm.rejected';
  legId: string;
  reason: 'wrong-key' | 'timeout' | 'hangup' | 'other-accepted';
}

export interface AgentPinPrompted extends FactBase {
  type: 'agentpin.prompted';
  legId: string;
  attempt: number;
}

export interface AgentPinValid extends FactBase {
  type: 'agentpin.valid';
  legId: string;
  pin: string;
  user: UserRef;
}

export interface AgentPinTimeout extends FactBase {
  type: 'agentpin.timeout';
  legId: string;
}

/** Voice-API only: a failure of the leg that produced no hangup (spec bandwidth §2.16 `error`). */
export interface LegError extends FactBase {
  type: 'leg.error';
  legId: string;
  message: string;
}

/** Voice-API BXML only: a transferred B-leg ended while the A-leg stays up (`transferComplete`). */
export interface TransferCompleted extends FactBase {
  type: 'transfer.completed';
  legId: string;
  targetLegId: string;
}

/** Voice-API BXML only: the application redirected the call to a new document URL (`redirect`). */
export interface LegRedirected extends FactBase {
  type: 'leg.redirected';
  legId: string;
}

export interface VoicemailStarted extends FactBase {
  type: 'voicemail.started';
  legId: string;
  mailboxUserId?: string;
}

export interface ConferenceCreated extends FactBase {
  type: 'conference.created';
  conferenceId: string;
  tag?: string;
  /** A conference session's opening fact (header, "Conference sessions"): whose it is. */
  accountId?: string;
  application?: { userId: string };
}

export interface ConferenceCompleted extends FactBase {
  type: 'conference.completed';
  conferenceId: string;
  createdAt: number;
  tag?: string;
}

export interface ConferenceMemberChanged extends FactBase {
  type: 'conference.member';
  conferenceId: string;
  memberId: string;
  legId: string;
  state: 'active' | 'completed';
  mute: boolean;
  hold: boolean;
  activeMembers: number;
  tag?: string;
}

/** The session is over: every leg has ended. `hangupBy` is the party that sent the first BYE or CANCEL
 *  (or `local` when Ringside ended it), which teltel reports as `hanged_*` (spec teltel §6 rule 7). */
export interface SessionEnded extends FactBase {
  type: 'session.ended';
  hangupBy: Party;
  /** The leg whose hangup ended the session, when one did. */
  hangupLegId?: string;
  cause: HangupCause;
}

/** A text message in or out. Messaging facts form a session of their own (one fact per message).
 *  `message.failed`: a voice-API text (spec bandwidth §3.10) the carrier refused; `error` says why. */
export interface MessageFact extends FactBase {
  type: 'message.received' | 'message.sent' | 'message.failed';
  accountId: string;
  accountcode: string;
  messageId: string;
  medium: 'sms' | 'mms';
  from: string;
  to: string;
  body: string;
  line?: LineRef;
  user?: UserRef;
  components?: { filename: string; contentType: string; size: number }[];
  /** Voice API: the number's application (`id`; none for a `POST /messages` text from an unlinked number). */
  application?: { id?: string; userId: string; tag?: string };
  /** `message.failed`: the carrier's refusal. */
  error?: string;
}

export interface NumberOptedOut extends FactBase {
  type: 'number.opted-out' | 'number.opted-in';
  accountId: string;
  accountcode: string;
  number: string;
  /** The account number the keyword was sent to. */
  to: string;
  keyword: string;
  line?: LineRef;
  /** Report id of the text that carried the keyword. */
  messageId?: string;
}

export type CallFact =
  | SessionStarted
  | LegCreated
  | LegRinging
  | LegAnswered
  | LegMediaReady
  | LegFailed
  | LegEnded
  | LegJoined
  | LegLeft
  | LegHeld
  | LegError
  | TransferCompleted
  | LegRedirected
  | Dtmf
  | PlaybackStarted
  | PlaybackFinished
  | GatherCompleted
  | RecordingFinished
  | TranscriptionFinished
  | ConfirmPrompted
  | ConfirmAccepted
  | ConfirmRejected
  | AgentPinPrompted
  | AgentPinValid
  | AgentPinTimeout
  | VoicemailStarted
  | ConferenceCreated
  | ConferenceCompleted
  | ConferenceMemberChanged
  | SessionEnded;

export type Fact = CallFact | MessageFact | NumberOptedOut;

export type FactType = Fact['type'];

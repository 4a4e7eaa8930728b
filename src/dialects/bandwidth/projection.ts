/**
 * The voice-API projection (spec bandwidth §2, §4): one session's canonical facts → the application
 * callbacks of its calls (legs), conferences and texts. Pure: no clock, no randomness, no I/O; the same
 * facts always give the same events with the same ids.
 *
 * Only sessions driven by a voice-API application (`session.started.application`) and texts carrying an
 * `application` produce events; every other session is silent in this dialect.
 */
import type {
  CallFact,
  ConferenceCompleted,
  ConferenceCreated,
  ConferenceMemberChanged,
  Fact,
  GatherCompleted,
  LegCreated,
  LegFailed,
  MessageFact,
  PlaybackFinished,
  PlaybackStarted,
  RecordingFinished,
  SessionEnded,
  SessionStarted,
  TranscriptionFinished,
} from '../../events/model/facts.js';
import type { DialectOptions, SessionProjector, WireEvent } from '../dialect.js';
import { eventId } from '../event-id.js';
import { isoMillisZ } from '../timestamps.js';
import type { BandwidthEventName } from './event-names.js';
import { bandwidthCause, type BandwidthHangupCause } from './hangup-cause.js';
import { messagePayload } from './message-events.js';
import { transcriptionPayload } from './transcription.js';
import { VoiceApiUrls } from './urls.js';

type Payload = Record<string, unknown>;
type Route = NonNullable<WireEvent['route']>;

/** An event before it gets its id: ids are assigned only once a fact projected without error. */
interface Draft {
  name: BandwidthEventName;
  route: Route;
  payload: Payload;
}

/** The application session this projector reports on. */
interface AppSession {
  sessionId: string;
  accountId: string;
  /** The application of an inbound call; a call created by `POST /calls` has none (spec bandwidth §1.1). */
  applicationId: string | undefined;
  /** The call tag set by the application (spec bandwidth §1.4), default for every leg. */
  tag: string | undefined;
  from: string;
  to: string;
  urls: VoiceApiUrls;
}

/** One leg = one voice-API call (`callId` = legId). */
interface Call {
  callId: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  tag: string | undefined;
  answered: boolean;
  hungUp: boolean;
}

interface OpenConference {
  tag: string | undefined;
  createdAt: number;
}

export class BandwidthProjector implements SessionProjector {
  readonly #publicUrl: string;
  /** `undefined` before `session.started`; `null` when the session has no application (silent). */
  #session: AppSession | null | undefined;
  #ended = false;
  readonly #calls = new Map<string, Call>();
  #firstCallId: string | undefined;
  readonly #conferences = new Map<string, OpenConference>();
  readonly #closedConferences = new Set<string>();
  /** Audio tags by playback id, so a finish without a tag repeats the start's tag. */
  readonly #playbackTags = new Map<string, string>();
  /** recordingId → callId, so a transcription goes to its recording's call (spec bandwidth §4.5 step 4). */
  readonly #recordingCalls = new Map<string, string>();
  /** Events emitted so far: the index of the next event id. */
  #emitted = 0;

  constructor(options: DialectOptions) {
    this.#publicUrl = options.publicUrl;
  }

  /**
   * Projects one fact. A fact this dialect does not report, an unknown or out-of-order fact, or a
   * malformed one yields no events and leaves the state usable: a bad fact must never crash delivery.
   */
  apply(fact: Fact): WireEvent[] {
    let drafts: Draft[];
    let context: { sessionId: string; accountId: string } | undefined;
    try {
      if (typeof fact !== 'object' || fact === null) return [];
      if (fact.type === 'message.received' || fact.type === 'message.sent' || fact.type === 'message.failed') {
        drafts = this.#message(fact);
        context = { sessionId: fact.sessionId, accountId: fact.accountId };
      } else {
        drafts = this.#call(fact as CallFact);
        context = this.#session ?? undefined;
      }
    } catch {
      // Last-resort guard for a malformed fact (e.g. an invalid `at`): it reports nothing.
      return [];
    }
    if (!context || drafts.length === 0) return [];
    const { sessionId, accountId } = context;
    return drafts.map((d) => ({
      dialect: 'bandwidth',
      name: d.name,
      id: eventId(sessionId, 'bandwidth', this.#emitted++),
      sessionId,
      accountId,
      userIds: [],
      route: d.route,
      payload: d.payload,
    }));
  }

  // ── texts ────────────────────────────────────────────────────────────────────────────────────

  /** spec bandwidth §2.16 `sms`/`mms`: only texts handled by an application. */
  #message(fact: MessageFact): Draft[] {
    const app = fact.application;
    if (!app || (app.id !== undefined && !isId(app.id)) || !isId(app.userId) || !isId(fact.messageId) || !isTime(fact.at)) return [];
    const payload = messagePayload(fact, app.id, new VoiceApiUrls(this.#publicUrl, app.userId));
    return [{ name: payload.eventType as 'sms' | 'mms', route: { messageId: fact.messageId, ...(app.id !== undefined ? { applicationId: app.id } : {}) }, payload }];
  }

  // ── calls ────────────────────────────────────────────────────────────────────────────────────

  #call(fact: CallFact): Draft[] {
    if (fact.type === 'session.started') return this.#start(fact);
    if (fact.type === 'conference.created' && this.#session === undefined && fact.application) this.#conferenceSession(fact);
    const s = this.#session;
    // A transcription may finish after its call's session ended (facts.ts header: `afterEnd`).
    const late = fact.type === 'transcription.finished' && fact.afterEnd === true;
    if (!s || (this.#ended && !late) || fact.sessionId !== s.sessionId || !isTime(fact.at)) return [];
    switch (fact.type) {
      case 'leg.created':
        return this.#legCreated(s, fact);
      case 'leg.answered':
        return this.#answered(s, fact.legId, fact.at);
      case 'leg.failed':
        return this.#failed(s, fact);
      case 'leg.ended':
        return this.#hangup(s, fact.legId, bandwidthCause(fact.cause), fact.at);
      case 'leg.error':
        // spec bandwidth §2.16: `error` for a failure that produced no hangup; the call goes on.
        return this.#callStateEvent(s, fact.legId, 'error', 'error', fact.at);
      case 'transfer.completed':
        // spec bandwidth §2.16: `transferComplete` goes to the A-leg, which stays `active`.
        return this.#callStateEvent(s, fact.legId, 'transferComplete', 'active', fact.at);
      case 'leg.redirected':
        return this.#callStateEvent(s, fact.legId, 'redirect', 'active', fact.at);
      case 'dtmf':
        return this.#dtmf(s, fact.legId, fact.digit, fact.durationMs, fact.at);
      case 'playback.started':
      case 'playback.finished':
        return this.#playback(s, fact);
      case 'gather.completed':
        return this.#gather(s, fact);
      case 'recording.finished':
        return this.#recording(s, fact);
      case 'transcription.finished':
        return this.#transcription(s, fact);
      case 'conference.created':
        return this.#conferenceCreated(s, fact);
      case 'conference.member':
        return this.#conferenceMember(s, fact);
      case 'conference.completed':
        return this.#conferenceCompleted(s, fact);
      case 'session.ended':
        return this.#sessionEnded(s, fact);
      default:
        // Ringing, media, joins, holds, confirm / agent PIN, voicemail: no voice-API callback.
        return [];
    }
  }

  #start(fact: SessionStarted): Draft[] {
    if (this.#session !== undefined) return [];
    const app = fact.application;
    if (!app || (app.id !== undefined && !isId(app.id)) || !isId(app.userId)) {
      this.#session = null;
      return [];
    }
    this.#session = {
      sessionId: fact.sessionId,
      accountId: fact.accountId,
      applicationId: app.id,
      tag: app.tag,
      from: fact.from.number,
      to: fact.to.number,
      urls: new VoiceApiUrls(this.#publicUrl, app.userId),
    };
    return [];
  }

  /** spec bandwidth §2.2: an inbound leg is announced with `incomingcall`; outbound legs are silent until answered. */
  #legCreated(s: AppSession, fact: LegCreated): Draft[] {
    if (!isId(fact.legId) || this.#calls.has(fact.legId)) return [];
    const inbound = fact.direction === 'in';
    const call: Call = {
      callId: fact.legId,
      direction: inbound ? 'in' : 'out',
      // spec bandwidth §2.1: an inbound call is from the caller to the dialled number; an outbound call is
      // from its caller id (default: the session's number) to the party dialled.
      from: inbound ? fact.party.number : (fact.callerId ?? s.from),
      to: inbound ? s.to : fact.party.number,
      tag: fact.tag ?? s.tag,
      answered: false,
      hungUp: false,
    };
    if (!isId(call.from) || !isId(call.to)) return [];
    this.#calls.set(call.callId, call);
    this.#firstCallId ??= call.callId;
    if (!inbound) return [];
    // spec bandwidth §2.2 and §5 q4: `callState` is documented as `active` even before the answer.
    return [
      this.#callDraft(s, call, 'incomingcall', {
        ...this.#callFields(s, call),
        callState: 'active',
        ...(s.applicationId !== undefined ? { applicationId: s.applicationId } : {}),
        time: isoMillisZ(fact.at),
      }),
    ];
  }

  /** spec bandwidth §2.3: at most one `answer`; an inbound call's `answer` never has a tag (§1.4). */
  #answered(s: AppSession, legId: string, at: number): Draft[] {
    const call = this.#live(legId);
    if (!call || call.answered) return [];
    call.answered = true;
    return [
      this.#callDraft(s, call, 'answer', {
        ...this.#callFields(s, call),
        callState: 'active',
        ...(call.direction === 'out' ? tagged(call.tag) : {}),
        time: isoMillisZ(at),
      }),
    ];
  }

  /**
   * A dialled leg that never connected. spec bandwidth §4.2 (Proposed): an outbound call not answered in
   * time gets `timeout`, then `hangup` with `NO_ANSWER`. Other failures are a `hangup` with their cause
   * (§4.1: busy, invalid number, SIP failure).
   */
  #failed(s: AppSession, fact: LegFailed): Draft[] {
    const call = this.#live(fact.legId);
    if (!call) return [];
    if (fact.result === 'NOANSWER' && call.direction === 'out' && !call.answered) {
      const timeout = this.#callDraft(s, call, 'timeout', { ...this.#callFields(s, call), ...tagged(call.tag), time: isoMillisZ(fact.at) });
      return [timeout, ...this.#hangup(s, fact.legId, 'NO_ANSWER', fact.at)];
    }
    return this.#hangup(s, fact.legId, bandwidthCause(fact.cause), fact.at);
  }

  /** spec bandwidth §2.5/§2.6: exactly one `hangup` per call, `callState` `completed`. */
  #hangup(s: AppSession, legId: string, cause: BandwidthHangupCause, at: number): Draft[] {
    const call = this.#live(legId);
    if (!call) return [];
    call.hungUp = true;
    return [
      this.#callDraft(s, call, 'hangup', {
        ...this.#callFields(s, call),
        callState: 'completed',
        cause,
        ...tagged(call.tag),
        time: isoMillisZ(at),
      }),
    ];
  }

  /** spec bandwidth §2.16: `error`, `transferComplete`, `redirect` carry the common call fields and a state. */
  #callStateEvent(s: AppSession, legId: string, name: 'error' | 'transferComplete' | 'redirect', callState: 'error' | 'active', at: number): Draft[] {
    const call = this.#live(legId);
    if (!call) return [];
    return [this.#callDraft(s, call, name, { ...this.#callFields(s, call), callState, ...tagged(call.tag), time: isoMillisZ(at) })];
  }

  /** spec bandwidth §2.9: one `dtmf` per digit, `dtmfDuration` as a string of milliseconds (SDK). */
  #dtmf(s: AppSession, legId: string, digit: string, durationMs: number, at: number): Draft[] {
    const call = this.#live(legId);
    if (!call || typeof digit !== 'string' || digit.length !== 1) return [];
    const duration = Number.isFinite(durationMs) ? Math.max(0, Math.round(durationMs)) : 0;
    return [
      this.#callDraft(s, call, 'dtmf', {
        eventType: 'dtmf',
        callId: call.callId,
        callUri: s.urls.call(call.callId),
        dtmfDigit: digit,
        dtmfDuration: String(duration),
        ...tagged(call.tag),
        time: isoMillisZ(at),
      }),
    ];
  }

  /**
   * Audio on a call: `playback` (file) or `speak` (TTS) `started`/`done` (spec bandwidth §2.7, §2.8); a
   * stopped or failed playback also reports `done` (§3.4 Proposed, §5 q10). Audio into a whole conference:
   * `conference-playback`/`conference-speak` (§2.15). The audio tag overrides the call's (§1.4 Proposed).
   */
  #playback(s: AppSession, fact: PlaybackStarted | PlaybackFinished): Draft[] {
    const started = fact.type === 'playback.started';
    if (started && fact.tag !== undefined) this.#playbackTags.set(fact.playbackId, fact.tag);
    const audioTag = fact.tag ?? this.#playbackTags.get(fact.playbackId);
    if (!started) this.#playbackTags.delete(fact.playbackId);
    const status = started ? 'started' : 'done';
    const time = isoMillisZ(fact.at);
    const target = fact.target;
    if (typeof target !== 'object' || target === null) return [];
    if ('conferenceId' in target) {
      const conference = this.#conferences.get(target.conferenceId);
      if (!conference) return [];
      const name = fact.source === 'speech' ? 'conference-speak' : 'conference-playback';
      return [
        this.#conferenceDraft(s, target.conferenceId, name, {
          eventType: name,
          conferenceId: target.conferenceId,
          conferenceUri: s.urls.conference(target.conferenceId),
          status,
          ...tagged(audioTag ?? conference.tag),
          time,
        }),
      ];
    }
    const call = this.#live(target.legId);
    if (!call) return [];
    const head = { callId: call.callId, callUri: s.urls.call(call.callId), status };
    const tag = tagged(audioTag ?? call.tag);
    if (fact.source === 'speech')
      return [this.#callDraft(s, call, 'speak', { eventType: 'speak', ...head, state: started ? 'PLAYBACK_START' : 'PLAYBACK_STOP', ...tag, time })];
    return [this.#callDraft(s, call, 'playback', { eventType: 'playback', ...head, ...tag, time })];
  }

  /** spec bandwidth §2.10: REST-mode `gather` (no `callUri`/`terminatingDigit`, which are BXML-only). */
  #gather(s: AppSession, fact: GatherCompleted): Draft[] {
    const call = this.#live(fact.legId);
    if (!call || !isId(fact.gatherId) || typeof fact.digits !== 'string') return [];
    return [
      this.#callDraft(s, call, 'gather', {
        eventType: 'gather',
        state: 'completed',
        reason: fact.reason,
        digits: fact.digits,
        callId: call.callId,
        gatherId: fact.gatherId,
        ...tagged(fact.tag ?? call.tag),
        time: isoMillisZ(fact.at),
      }),
    ];
  }

  /**
   * spec bandwidth §2.11: `recording` with `status` and `state` both, `startTime`/`endTime`, no `time`.
   * It may follow the call's hangup (§4.1 step 4). The call is the recorded leg, else the session's first.
   */
  #recording(s: AppSession, fact: RecordingFinished): Draft[] {
    const callId = fact.legId !== undefined && this.#calls.has(fact.legId) ? fact.legId : this.#firstCallId;
    const call = callId === undefined ? undefined : this.#calls.get(callId);
    if (!call || !isId(fact.recordingId) || !isTime(fact.startedAt)) return [];
    this.#recordingCalls.set(fact.recordingId, call.callId);
    const status = fact.status === 'error' ? 'error' : 'complete';
    return [
      this.#callDraft(s, call, 'recording', {
        eventType: 'recording',
        callId: call.callId,
        recordingId: fact.recordingId,
        recordingUri: s.urls.recording(fact.recordingId),
        status,
        state: status,
        startTime: isoMillisZ(fact.startedAt),
        endTime: isoMillisZ(fact.at),
        ...tagged(call.tag),
      }),
    ];
  }

  /** spec bandwidth §2.12, routed to the recording's call (§4.5 step 4 Proposed). */
  #transcription(s: AppSession, fact: TranscriptionFinished): Draft[] {
    if (!isId(fact.transcriptionId) || !isId(fact.recordingId)) return [];
    const callId = (isId(fact.legId) ? fact.legId : undefined) ?? this.#recordingCalls.get(fact.recordingId) ?? this.#firstCallId;
    const route: Route = { ...(callId !== undefined ? { callId } : {}), ...appRoute(s) };
    return [{ name: 'transcription', route, payload: transcriptionPayload(fact, s.urls) }];
  }

  /** A conference session (facts.ts header) opens with its `conference.created`: the account's, no call. */
  #conferenceSession(fact: ConferenceCreated): void {
    const app = fact.application;
    if (!app || !isId(app.userId) || !isId(fact.accountId) || !isId(fact.sessionId)) {
      this.#session = null;
      return;
    }
    this.#session = {
      sessionId: fact.sessionId,
      accountId: fact.accountId,
      applicationId: undefined,
      tag: undefined,
      from: '',
      to: '',
      urls: new VoiceApiUrls(this.#publicUrl, app.userId),
    };
  }

  /** spec bandwidth §2.13: `conference` `created`, once per conference. */
  #conferenceCreated(s: AppSession, fact: ConferenceCreated): Draft[] {
    const id = fact.conferenceId;
    if (!isId(id) || this.#conferences.has(id) || this.#closedConferences.has(id)) return [];
    this.#conferences.set(id, { tag: fact.tag, createdAt: fact.at });
    return [
      this.#conferenceDraft(s, id, 'conference', {
        eventType: 'conference',
        conferenceId: id,
        conferenceUri: s.urls.conference(id),
        status: 'created',
        createdTime: isoMillisZ(fact.at),
        ...tagged(fact.tag),
      }),
    ];
  }

  /** spec bandwidth §2.14: join / leave / mute / hold, only while the conference is open. */
  #conferenceMember(s: AppSession, fact: ConferenceMemberChanged): Draft[] {
    const conference = this.#conferences.get(fact.conferenceId);
    if (!conference || !isId(fact.memberId) || !isId(fact.legId)) return [];
    const active = Number.isFinite(fact.activeMembers) ? Math.max(0, Math.trunc(fact.activeMembers)) : 0;
    return [
      this.#conferenceDraft(s, fact.conferenceId, 'conference-member', {
        eventType: 'conference-member',
        activeMembers: active,
        conferenceId: fact.conferenceId,
        callId: fact.legId,
        memberId: fact.memberId,
        memberUri: s.urls.member(fact.conferenceId, fact.memberId),
        state: fact.state === 'completed' ? 'completed' : 'active',
        hold: fact.hold === true,
        mute: fact.mute === true,
        ...tagged(fact.tag ?? conference.tag),
        time: isoMillisZ(fact.at),
      }),
    ];
  }

  /** spec bandwidth §2.13 / §4.6 step 6: `conference` `completed`, the conference's last event. */
  #conferenceCompleted(s: AppSession, fact: ConferenceCompleted): Draft[] {
    const id = fact.conferenceId;
    const conference = this.#conferences.get(id);
    if (!conference) return [];
    this.#conferences.delete(id);
    this.#closedConferences.add(id);
    const createdAt = isTime(fact.createdAt) ? fact.createdAt : conference.createdAt;
    return [
      this.#conferenceDraft(s, id, 'conference', {
        eventType: 'conference',
        conferenceId: id,
        conferenceUri: s.urls.conference(id),
        status: 'completed',
        createdTime: isoMillisZ(createdAt),
        completedTime: isoMillisZ(fact.at),
        ...tagged(fact.tag ?? conference.tag),
      }),
    ];
  }

  /**
   * Every leg has ended before `session.ended` (facts.ts header). Should one not have, its call still gets
   * its one `hangup` (spec bandwidth §2.5), with the session's cause, so the application never waits forever.
   */
  #sessionEnded(s: AppSession, fact: SessionEnded): Draft[] {
    const drafts: Draft[] = [];
    for (const call of this.#calls.values()) if (!call.hungUp) drafts.push(...this.#hangup(s, call.callId, bandwidthCause(fact.cause), fact.at));
    this.#ended = true;
    return drafts;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  /** A call that exists and has not hung up: nothing but `recording`/`transcription` follows a hangup. */
  #live(legId: string): Call | undefined {
    const call = this.#calls.get(legId);
    return call && !call.hungUp ? call : undefined;
  }

  /** spec bandwidth §2.1: `eventType` is filled in by #callDraft; these are the common fields. */
  #callFields(s: AppSession, call: Call): Payload {
    return { callId: call.callId, callUri: s.urls.call(call.callId), from: call.from, to: call.to };
  }

  #callDraft(s: AppSession, call: Call, name: BandwidthEventName, fields: Payload): Draft {
    return { name, route: { callId: call.callId, ...appRoute(s) }, payload: { eventType: name, ...fields } };
  }

  #conferenceDraft(s: AppSession, conferenceId: string, name: BandwidthEventName, payload: Payload): Draft {
    return { name, route: { conferenceId, ...appRoute(s) }, payload };
  }
}

/** The route's `applicationId`, when the session has an application. */
function appRoute(s: AppSession): { applicationId?: string } {
  return s.applicationId === undefined ? {} : { applicationId: s.applicationId };
}

/** `{ tag }` when there is one: the voice API omits absent tags rather than sending null. */
function tagged(tag: string | undefined): { tag?: string } {
  return tag === undefined ? {} : { tag };
}

/** A time `Date` can print: anything else would make `toISOString()` throw. */
function isTime(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

function isId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0;
}

/**
 * The realtime projection: a reducer over one session's facts (in the order facts.ts guarantees) that
 * emits TeleTracker RealTime events (spec realtime §3, §4). Pure: no clock, no randomness, no I/O; the
 * same facts give the same events, ids included. A fact it does not expect (unknown, out of order, for a
 * leg it never saw, after the session ended, malformed) yields no event and never throws.
 */
import type {
  AgentPinPrompted,
  AgentPinTimeout,
  AgentPinValid,
  ConfirmAccepted,
  ConfirmPrompted,
  ConfirmRejected,
  Fact,
  LegAnswered,
  LegCreated,
  LegJoined,
  MessageFact,
  NumberOptedOut,
  Party,
  RecordingFinished,
  SessionEnded,
  SessionKind,
  SessionStarted,
} from '../../events/model/facts.js';
import type { SessionProjector, WireEvent } from '../dialect.js';
import { eventId } from '../event-id.js';
import { ANSWERED_BY_JOIN, CALL_KIND_OF_SESSION } from '../call-kinds.js';
import type { CallPart } from './call-part.js';
import type { CallKind, RealtimeEventName } from './event-names.js';
import { messageEvent, optOutEvent } from './messaging-payload.js';
import { SessionUsers } from './session-users.js';
import { endFields, voicePayload, type VoiceSubject } from './voice-payload.js';

interface LegState {
  created: LegCreated;
  /** 0 for the first leg created in the session: the caller's leg, or the party an originate/dialer dials first. */
  order: number;
  /** The call this leg belongs to. */
  part: CallPart;
  answered: boolean;
  confirm: 'none' | 'prompted' | 'done';
  pin: 'none' | 'prompted' | 'done';
  /** The user owning the PIN entered on this leg (spec realtime §3.2 `voice.incoming.agentpin-valid`). */
  pinUserId?: string;
}

/** An event before it gets its id. */
interface Draft {
  name: RealtimeEventName;
  payload: Record<string, unknown>;
  /** The user streams that may carry it (WireEvent.userIds). */
  userIds: string[];
}

/** Sessions whose call is answered when their first leg answers (Ringside dials it, or answers it). */
const ANSWERED_BY_FIRST_LEG: ReadonlySet<SessionKind> = new Set(['originate', 'dialer', 'application']);

export class RealtimeProjector implements SessionProjector {
  #sessionId: string | undefined;
  #mode: 'call' | 'messaging' | undefined;
  /** Events emitted so far: the next event's index for its deterministic id. */
  #emitted = 0;
  #session: SessionStarted | undefined;
  #ended = false;
  readonly #users = new SessionUsers();
  readonly #legs = new Map<string, LegState>();
  /** The session's own call. */
  #main: CallPart | undefined;
  /** Originate only: the call to the callee, an `outgoing` call (spec realtime §3.2 `voice.originate.answer`). */
  #callee: CallPart | undefined;

  apply(fact: Fact): WireEvent[] {
    let drafts: Draft[];
    try {
      drafts = this.#project(fact);
    } catch {
      // A malformed fact must never take the process down; it projects to nothing.
      return [];
    }
    const sessionId = this.#sessionId ?? '';
    return drafts.map((d) => ({
      dialect: 'realtime' as const,
      name: d.name,
      // Index = events emitted before this one, so replaying the facts reproduces every id.
      id: eventId(sessionId, 'realtime', this.#emitted++),
      sessionId,
      accountId: String(d.payload.accountId),
      userIds: d.userIds,
      payload: d.payload,
    }));
  }

  #project(fact: Fact): Draft[] {
    // A fact without a session or a usable time cannot be placed on any stream.
    if (typeof fact !== 'object' || fact === null || !isText(fact.sessionId) || !isInstant(fact.at)) return [];
    if (this.#sessionId === undefined) {
      // The session is the one its opening fact names; anything before that opening is ignored.
      if (fact.type !== 'session.started' && !isMessaging(fact)) return [];
    } else if (fact.sessionId !== this.#sessionId) return [];

    switch (fact.type) {
      case 'session.started':
        return this.#started(fact);
      case 'leg.created':
        return this.#legCreated(fact);
      case 'leg.answered':
        return this.#legAnswered(fact);
      case 'leg.joined':
        return this.#legJoined(fact);
      case 'confirm.prompted':
      case 'confirm.accepted':
      case 'confirm.rejected':
        return this.#confirm(fact);
      case 'agentpin.prompted':
      case 'agentpin.valid':
      case 'agentpin.timeout':
        return this.#agentPin(fact);
      case 'recording.finished':
        this.#recording(fact);
        return [];
      case 'session.ended':
        return this.#sessionEnded(fact);
      case 'message.received':
      case 'message.sent':
      case 'number.opted-out':
      case 'number.opted-in':
        return this.#messaging(fact);
      default:
        // Everything else (ringing, media, DTMF, playback, conferences, …) has no realtime event.
        return [];
    }
  }

  /** spec realtime §3.2 `*.start`: the call reached the account / was placed / was originated. */
  #started(f: SessionStarted): Draft[] {
    if (this.#mode !== undefined || !isText(f.accountId) || !isText(f.callId) || !isParty(f.from) || !isParty(f.to)) return [];
    const kind = CALL_KIND_OF_SESSION[f.kind];
    if (kind === undefined && f.kind !== 'application') return [];
    this.#mode = 'call';
    this.#sessionId = f.sessionId;
    this.#session = f;
    // Every user the call concerns from the start may follow it on their user stream (spec realtime §2.3).
    this.#users.add(f.user);
    for (const id of f.userIds ?? []) this.#users.add(id);
    // Application sessions wait for their first leg to tell whether the call is incoming or outgoing.
    return kind === undefined ? [] : [this.#startMain(f, kind)];
  }

  #startMain(s: SessionStarted, kind: CallKind): Draft {
    const main: CallPart = {
      kind,
      uniqueId: s.callId,
      from: fromNumber(s),
      to: s.to.number,
      destination: s.to.number,
      startedAt: s.at,
      hasVoicemail: false,
      ended: false,
    };
    if (s.user !== undefined) main.userId = s.user.id;
    this.#main = main;
    return this.#voice(main, `voice.${kind}.start`, s.at, { userId: main.userId, destination: main.destination });
  }

  #legCreated(f: LegCreated): Draft[] {
    const s = this.#live();
    if (!s || !isText(f.legId) || !isParty(f.party) || this.#legs.has(f.legId)) return [];
    this.#users.add(f.user);
    this.#users.addParty(f.party);
    const drafts: Draft[] = [];
    const order = this.#legs.size;
    // Application sessions: the first leg calling in makes an incoming call, one Ringside dials an
    // outgoing call; the start keeps the session's start time.
    if (!this.#main) drafts.push(this.#startMain(s, f.direction === 'in' ? 'incoming' : 'outgoing'));
    let part = this.#main!;
    if (s.kind === 'originate' && order > 0) {
      // spec realtime §3.2 `voice.outgoing.start`: "the callee leg of a REST originate began (after
      // voice.originate.start)"; its uniqueId is the callee call's own report id.
      if (!this.#callee) {
        const first = [...this.#legs.values()].find((l) => l.order === 0);
        const callee: CallPart = {
          kind: 'outgoing',
          uniqueId: f.legId,
          from: f.callerId ?? s.callback?.leg2CallerId ?? first?.created.party.number ?? part.from,
          to: f.party.number,
          destination: f.party.number,
          startedAt: f.at,
          hasVoicemail: false,
          ended: false,
        };
        // The originate's user_id/pin associates the callee's record with that user too (spec realtime §5.3).
        if (s.user !== undefined) callee.userId = s.user.id;
        this.#callee = callee;
        drafts.push(this.#voice(callee, 'voice.outgoing.start', f.at, { userId: callee.userId, destination: callee.destination }));
      }
      part = this.#callee;
    }
    this.#legs.set(f.legId, { created: f, order, part, answered: false, confirm: 'none', pin: 'none' });
    return drafts;
  }

  /** Originate, dialer and application calls are answered when their first leg answers
   *  (spec realtime §3.2 `voice.originate.answer`: "the originating caller has answered (it could be voicemail)"). */
  #legAnswered(f: LegAnswered): Draft[] {
    const s = this.#live();
    const leg = this.#legs.get(f.legId);
    if (!s || !leg || leg.answered) return [];
    leg.answered = true;
    if (ANSWERED_BY_FIRST_LEG.has(s.kind) && leg.order === 0 && leg.part === this.#main && leg.part.answeredAt === undefined)
      return [this.#answer(leg.part, leg, f.at)];
    return [];
  }

  /**
   * Incoming, outgoing and internal calls (and the originate callee) are answered when a called party is
   * connected: after call confirmation or a valid agent PIN (spec realtime §3.4 (P) "after confirm/PIN
   * succeeds"). A platform voicemail or announcement answers only the caller's leg, so it is no answer.
   */
  #legJoined(f: LegJoined): Draft[] {
    const s = this.#live();
    const leg = this.#legs.get(f.legId);
    if (!s || !leg || leg.part.answeredAt !== undefined) return [];
    const mainAnswer = ANSWERED_BY_JOIN.has(s.kind) && leg.created.role !== 'caller' && leg.part === this.#main;
    const calleeAnswer = s.kind === 'originate' && leg.part === this.#callee;
    return mainAnswer || calleeAnswer ? [this.#answer(leg.part, leg, f.at)] : [];
  }

  /**
   * `*.answer` carries the answering user (spec realtime §3.4 (P) "carries the answering userId"; for agent
   * PIN the PIN's owner, §3.2) and `destination` = that user's PIN, else the party that answered (§4.1 example).
   * The answerer becomes the call's user when the call had none, or when a PIN associated it (§3.2).
   */
  #answer(part: CallPart, leg: LegState, at: number): Draft {
    part.answeredAt = at;
    const answerer = leg.pinUserId ?? legUserId(leg.created);
    if (answerer !== undefined && (part.userId === undefined || leg.pinUserId !== undefined)) part.userId = answerer;
    return this.#voice(part, `voice.${part.kind}.answer`, at, {
      userId: answerer ?? part.userId,
      destination: this.#destination(answerer, leg.created.party),
      legId: leg.created.legId,
    });
  }

  /** spec realtime §3.2 `voice.callconfirm.*`: one start per prompted leg, then at most one outcome. */
  #confirm(f: ConfirmPrompted | ConfirmAccepted | ConfirmRejected): Draft[] {
    const leg = this.#legs.get(f.legId);
    if (!this.#live() || !leg) return [];
    let name: RealtimeEventName;
    if (f.type === 'confirm.prompted') {
      if (leg.confirm !== 'none') return [];
      leg.confirm = 'prompted';
      name = 'voice.callconfirm.start';
    } else {
      // An outcome without a start, or a second outcome, is out of order: nothing to say.
      if (leg.confirm !== 'prompted') return [];
      leg.confirm = 'done';
      name = f.type === 'confirm.accepted' ? 'voice.callconfirm.acceptcall' : 'voice.callconfirm.rejectcall';
    }
    return [this.#legEvent(leg, name, f.at)];
  }

  /**
   * spec realtime §3.2 agent PIN events: a prompt at every replay, then `agentpin-valid` (the call now
   * belongs to the PIN's user) or `agentpin-timeout`. The vocabulary only has them for incoming calls, so
   * on any other call the PIN still decides who answered but emits nothing.
   */
  #agentPin(f: AgentPinPrompted | AgentPinValid | AgentPinTimeout): Draft[] {
    const leg = this.#legs.get(f.legId);
    if (!this.#live() || !leg || leg.pin === 'done') return [];
    const incoming = leg.part.kind === 'incoming';
    if (f.type === 'agentpin.prompted') {
      leg.pin = 'prompted';
      return incoming ? [this.#legEvent(leg, 'voice.incoming.agentpin-prompt', f.at)] : [];
    }
    if (leg.pin !== 'prompted') return [];
    if (f.type === 'agentpin.valid' && (!isText(f.user?.id) || !isText(f.pin))) return [];
    leg.pin = 'done';
    if (f.type === 'agentpin.timeout') return incoming ? [this.#legEvent(leg, 'voice.incoming.agentpin-timeout', f.at)] : [];
    this.#users.add(f.user);
    leg.pinUserId = f.user.id;
    if (!incoming) return [];
    return [
      this.#voice(
        leg.part,
        'voice.incoming.agentpin-valid',
        f.at,
        { userId: f.user.id, destination: this.#users.pin(f.user.id) ?? f.pin, legId: f.legId },
        { pinEntered: f.pin },
      ),
    ];
  }

  /** `hasVoicemail` (spec realtime §4.2, §3.4 "hasVoicemail=true if a voicemail was left"): a complete
   *  voicemail recording, credited to the call of the recorded leg. */
  #recording(f: RecordingFinished): void {
    if (!this.#live() || f.purpose !== 'voicemail' || f.status !== 'complete') return;
    const part = (f.legId === undefined ? undefined : this.#legs.get(f.legId)?.part) ?? this.#main;
    if (part) part.hasVoicemail = true;
  }

  /** spec realtime §3.2 `*.end`; for originate the callee's `voice.outgoing.end` comes first, then
   *  `voice.originate.end` (§3.4 (P) "outgoing.end first, then originate.end"). */
  #sessionEnded(f: SessionEnded): Draft[] {
    const s = this.#live();
    if (!s) return [];
    this.#ended = true;
    const drafts: Draft[] = [];
    // An application session that ended before any leg was created: Ringside never dialled, an outgoing call.
    if (!this.#main) drafts.push(this.#startMain(s, 'outgoing'));
    for (const part of [this.#callee, this.#main]) {
      if (!part || part.ended) continue;
      part.ended = true;
      drafts.push(
        this.#voice(part, `voice.${part.kind}.end`, f.at, { userId: part.userId, destination: part.destination }, endFields(part, f.at, f.cause)),
      );
    }
    return drafts;
  }

  /** spec realtime §3.3: a text or an opt-out is a session of its own. */
  #messaging(f: MessageFact | NumberOptedOut): Draft[] {
    if (this.#mode === 'call') return [];
    const draft = isMessage(f) ? messageEvent(f) : optOutEvent(f);
    if (!draft) return [];
    this.#mode = 'messaging';
    this.#sessionId ??= f.sessionId;
    return [draft];
  }

  /** A callconfirm/agent-PIN event about one leg: its user, if it has one, and the party it reaches. */
  #legEvent(leg: LegState, name: RealtimeEventName, at: number): Draft {
    const userId = legUserId(leg.created);
    return this.#voice(leg.part, name, at, { userId, destination: this.#destination(userId, leg.created.party), legId: leg.created.legId });
  }

  #destination(userId: string | undefined, party: Party): string {
    return (userId === undefined ? undefined : this.#users.pin(userId)) ?? party.number;
  }

  #voice(part: CallPart, name: RealtimeEventName, at: number, subject: VoiceSubject, extra: Record<string, unknown> = {}): Draft {
    const payload = { ...voicePayload(this.#session!, this.#users, part, name, at, subject), ...extra };
    return { name, payload, userIds: this.#users.ids() };
  }

  /** The session, while it is open. */
  #live(): SessionStarted | undefined {
    return this.#ended ? undefined : this.#session;
  }
}

function isMessaging(f: Fact): boolean {
  return f.type.startsWith('message.') || f.type.startsWith('number.');
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** A time `Date` can format (isoSecondsOffset throws outside ±8.64e15 ms). */
const isInstant = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e15;

const isParty = (p: unknown): p is Party => typeof p === 'object' && p !== null && isText((p as Party).number);

function isMessage(f: MessageFact | NumberOptedOut): f is MessageFact {
  return f.type === 'message.received' || f.type === 'message.sent';
}

function legUserId(leg: LegCreated): string | undefined {
  return leg.user?.id ?? leg.party.userId;
}

/**
 * `from` of the session's call (spec realtime §4.2: numbers, or extension for devices). Originate and
 * dialer sessions start from Ringside itself (`local`), so the caller id the dialled party sees stands in.
 */
function fromNumber(s: SessionStarted): string {
  if (s.from.kind !== 'local') return s.from.number;
  return s.callback?.leg1CallerId ?? s.line?.number ?? s.from.number;
}

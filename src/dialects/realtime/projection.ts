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
  SessionStarted,
} from '../../events/model/facts.js';
import type { SessionProjector, WireEvent } from '../dialect.js';
import { eventId } from '../event-id.js';
import { legUserId, SessionCalls, type CallLeg, type SessionCall } from '../session-calls.js';
import type { RealtimeEventName } from './event-names.js';
import { messageEvent, optOutEvent } from './messaging-payload.js';
import { SessionUsers } from './session-users.js';
import { endFields, voicePayload, type VoiceSubject } from './voice-payload.js';

/** Where a leg's call confirmation and agent PIN stand: each has one start and at most one outcome. */
interface LegScreens {
  confirm: 'none' | 'prompted' | 'done';
  pin: 'none' | 'prompted' | 'done';
}

/** An event before it gets its id. */
interface Draft {
  name: RealtimeEventName;
  payload: Record<string, unknown>;
  /** The user streams that may carry it (WireEvent.userIds). */
  userIds: string[];
}

export class RealtimeProjector implements SessionProjector {
  #sessionId: string | undefined;
  #mode: 'call' | 'messaging' | undefined;
  /** Events emitted so far: the next event's index for its deterministic id. */
  #emitted = 0;
  /** The session's calls (session-calls.ts), once it started. */
  #calls: SessionCalls | undefined;
  #ended = false;
  readonly #users = new SessionUsers();
  readonly #screens = new Map<string, LegScreens>();

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
    const calls = SessionCalls.of(f);
    if (!calls) return [];
    this.#mode = 'call';
    this.#sessionId = f.sessionId;
    this.#calls = calls;
    // Every user the call concerns from the start may follow it on their user stream (spec realtime §2.3).
    this.#users.add(f.user);
    for (const id of f.userIds ?? []) this.#users.add(id);
    // Application sessions wait for their first leg to tell whether the call is incoming or outgoing.
    return calls.main ? [this.#start(calls.main)] : [];
  }

  /** spec realtime §3.2 `*.start`; the originate callee's `voice.outgoing.start` comes when its leg is
   *  created, "after voice.originate.start", under the callee call's own report id. */
  #start(call: SessionCall): Draft {
    return this.#voice(call, `voice.${call.kind}.start`, call.startedAt, { userId: call.userId, destination: call.to });
  }

  #legCreated(f: LegCreated): Draft[] {
    const calls = this.#live();
    if (!calls || !isText(f.legId) || !isParty(f.party)) return [];
    const created = calls.legCreated(f);
    if (!created) return [];
    this.#users.add(f.user);
    this.#users.addParty(f.party);
    this.#screens.set(f.legId, { confirm: 'none', pin: 'none' });
    return created.started ? [this.#start(created.started)] : [];
  }

  /** Originate, dialer and application calls are answered when their first leg answers (session-calls.ts). */
  #legAnswered(f: LegAnswered): Draft[] {
    const leg = this.#live()?.legAnswered(f);
    return leg ? [this.#answer(leg, f.at)] : [];
  }

  /** Incoming, outgoing and internal calls (and the originate callee) are answered when a called party is
   *  connected (session-calls.ts). */
  #legJoined(f: LegJoined): Draft[] {
    const leg = this.#live()?.legJoined(f);
    return leg ? [this.#answer(leg, f.at)] : [];
  }

  /**
   * `*.answer` carries the answering user (spec realtime §3.4 (P) "carries the answering userId"; for agent
   * PIN the PIN's owner, §3.2) and `destination` = that user's PIN, else the party that answered (§4.1 example).
   */
  #answer(leg: CallLeg, at: number): Draft {
    const call = leg.call;
    return this.#voice(call, `voice.${call.kind}.answer`, at, {
      userId: call.answeredBy ?? call.userId,
      destination: this.#destination(call.answeredBy, leg.created.party),
      legId: leg.created.legId,
    });
  }

  /** spec realtime §3.2 `voice.callconfirm.*`: one start per prompted leg, then at most one outcome. */
  #confirm(f: ConfirmPrompted | ConfirmAccepted | ConfirmRejected): Draft[] {
    const screened = this.#screened(f.legId);
    if (!screened) return [];
    const { leg, screens } = screened;
    let name: RealtimeEventName;
    if (f.type === 'confirm.prompted') {
      if (screens.confirm !== 'none') return [];
      screens.confirm = 'prompted';
      name = 'voice.callconfirm.start';
    } else {
      // An outcome without a start, or a second outcome, is out of order: nothing to say.
      if (screens.confirm !== 'prompted') return [];
      screens.confirm = 'done';
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
    const screened = this.#screened(f.legId);
    if (!screened || screened.screens.pin === 'done') return [];
    const { leg, screens } = screened;
    const incoming = leg.call.kind === 'incoming';
    if (f.type === 'agentpin.prompted') {
      screens.pin = 'prompted';
      return incoming ? [this.#legEvent(leg, 'voice.incoming.agentpin-prompt', f.at)] : [];
    }
    if (screens.pin !== 'prompted') return [];
    if (f.type === 'agentpin.valid' && (!isText(f.user?.id) || !isText(f.pin))) return [];
    screens.pin = 'done';
    if (f.type === 'agentpin.timeout') return incoming ? [this.#legEvent(leg, 'voice.incoming.agentpin-timeout', f.at)] : [];
    this.#users.add(f.user);
    this.#calls!.pinValid(f.legId, f.user.id);
    if (!incoming) return [];
    return [
      this.#voice(
        leg.call,
        'voice.incoming.agentpin-valid',
        f.at,
        { userId: f.user.id, destination: this.#users.pin(f.user.id) ?? f.pin, legId: f.legId },
        { pinEntered: f.pin },
      ),
    ];
  }

  /** `hasVoicemail` on the call's `end` (session-calls.ts). */
  #recording(f: RecordingFinished): void {
    this.#live()?.recordingFinished(f);
  }

  /** spec realtime §3.2 `*.end`; for originate the callee's `voice.outgoing.end` comes first, then
   *  `voice.originate.end` (§3.4 (P) "outgoing.end first, then originate.end"). */
  #sessionEnded(f: SessionEnded): Draft[] {
    const calls = this.#live();
    if (!calls) return [];
    this.#ended = true;
    const { calls: ending, started } = calls.ended();
    const drafts = started ? [this.#start(started)] : [];
    for (const call of ending.reverse())
      drafts.push(this.#voice(call, `voice.${call.kind}.end`, f.at, { userId: call.userId, destination: call.to }, endFields(call, f.at, f.cause)));
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
  #legEvent(leg: CallLeg, name: RealtimeEventName, at: number): Draft {
    const userId = legUserId(leg.created);
    return this.#voice(leg.call, name, at, { userId, destination: this.#destination(userId, leg.created.party), legId: leg.created.legId });
  }

  #destination(userId: string | undefined, party: Party): string {
    return (userId === undefined ? undefined : this.#users.pin(userId)) ?? party.number;
  }

  #voice(call: SessionCall, name: RealtimeEventName, at: number, subject: VoiceSubject, extra: Record<string, unknown> = {}): Draft {
    const payload = { ...voicePayload(this.#calls!.session, this.#users, call, name, at, subject), ...extra };
    return { name, payload, userIds: this.#users.ids() };
  }

  /** The session's calls, while it is open. */
  #live(): SessionCalls | undefined {
    return this.#ended ? undefined : this.#calls;
  }

  /** A leg of the open session and its screens. */
  #screened(legId: string): { leg: CallLeg; screens: LegScreens } | undefined {
    const leg = this.#live()?.leg(legId);
    const screens = this.#screens.get(legId);
    return leg && screens ? { leg, screens } : undefined;
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

/**
 * The calls within one session, defined once for the realtime projection (realtime/projection.ts) and the
 * report entries (reports/call-reports.ts), which must agree: a report entry's id is the `uniqueId` of its
 * call's realtime events (spec realtime §1 "Report entry", §4.2).
 *
 * - A session is one call, of the kind its session kind says (spec realtime §3.2: dialer sessions are the
 *   contact's outgoing call). Application sessions are decided by their first leg: one calling in makes an
 *   incoming call, one Ringside dials an outgoing call; with no leg at all Ringside never dialled: outgoing.
 * - An originate session is two: the `originate` call to the first party dialled (id = `callId`) and, from
 *   its second leg on, the callee's `outgoing` call (id = that leg's id; spec realtime §3.2
 *   `voice.outgoing.start`: "the callee leg of a REST originate began").
 * - Inbound, outbound and internal calls are answered when a leg other than the caller's joins the
 *   conversation: after call confirmation or a valid agent PIN (spec realtime §3.4 (P) "after confirm/PIN
 *   succeeds"; a platform voicemail or announcement answers only the caller's leg, so it is no answer).
 *   Originate, dialer and application calls are answered when their first leg answers (§3.2
 *   `voice.originate.answer`: "the originating caller has answered (it could be voicemail)"); the
 *   originate callee's call when its leg joins.
 */
import type { LegAnswered, LegCreated, LegJoined, RecordingFinished, SessionKind, SessionStarted } from '../events/model/facts.js';

export type CallKind = 'incoming' | 'outgoing' | 'internal' | 'originate';

/** The call each session kind starts with; application sessions wait for their first leg. */
const CALL_KIND_OF_SESSION: Partial<Record<SessionKind, CallKind>> = {
  inbound: 'incoming',
  outbound: 'outgoing',
  internal: 'internal',
  originate: 'originate',
  dialer: 'outgoing',
};

/** Sessions whose call is answered when a leg other than the caller's joins the conversation. */
const ANSWERED_BY_JOIN: ReadonlySet<SessionKind> = new Set(['inbound', 'outbound', 'internal']);

/**
 * One call: what has `start`, `answer` and `end` events under one realtime subCategory, and one report
 * entry. Every call of a session shares its `trackingId` (spec realtime §3.4).
 */
export interface SessionCall {
  kind: CallKind;
  /** Report id (spec realtime §3.2 "uniqueId ... represents the individual call", §4.2). */
  id: string;
  from: string;
  /** What was dialled: `start` and `end` carry it as `destination` (the `answer` names who answered). */
  to: string;
  startedAt: number;
  answeredAt?: number;
  /** The user the call record is associated with (the originator, the outgoing caller, or whoever answered). */
  userId?: string;
  /** The user whose device or PIN answered. */
  answeredBy?: string;
  /** A platform voicemail for this call was recorded completely (spec realtime §4.2 `hasVoicemail`). */
  hasVoicemail: boolean;
}

/** One leg and the call it belongs to. */
export interface CallLeg {
  created: LegCreated;
  /** 0 for the first leg created in the session: the caller's leg, or the party an originate/dialer dials first. */
  order: number;
  call: SessionCall;
  /** The user owning the PIN entered on this leg (spec realtime §3.2 `voice.incoming.agentpin-valid`). */
  pinUserId?: string;
}

export class SessionCalls {
  readonly #legs = new Map<string, CallLeg>();
  /** The session's own call; for application sessions unknown until the first leg. */
  #main: SessionCall | undefined;
  /** Originate only: the call to the callee, an `outgoing` call (spec realtime §3.2 `voice.originate.answer`). */
  #callee: SessionCall | undefined;

  private constructor(readonly session: SessionStarted) {
    const kind = startingKind(session.kind);
    if (kind !== undefined) this.#main = this.#own(kind);
  }

  /** The calls of a session that starts so; undefined when its kind makes no call. */
  static of(session: SessionStarted): SessionCalls | undefined {
    return startingKind(session.kind) !== undefined || session.kind === 'application' ? new SessionCalls(session) : undefined;
  }

  get main(): SessionCall | undefined {
    return this.#main;
  }

  /** The calls so far, the session's own first (originate: then the callee's). */
  get calls(): SessionCall[] {
    return [this.#main, this.#callee].filter((c): c is SessionCall => c !== undefined);
  }

  leg(legId: string): CallLeg | undefined {
    return this.#legs.get(legId);
  }

  /** A new leg joins its call; `started` is the call it began (an application's own, an originate's callee's). */
  legCreated(f: LegCreated): { leg: CallLeg; started?: SessionCall } | undefined {
    if (this.#legs.has(f.legId)) return undefined;
    const s = this.session;
    const order = this.#legs.size;
    let started: SessionCall | undefined;
    // Application sessions: the first leg decides; the call keeps the session's start time.
    if (!this.#main) started = this.#main = this.#own(f.direction === 'in' ? 'incoming' : 'outgoing');
    let call = this.#main;
    if (s.kind === 'originate' && order > 0) {
      if (!this.#callee) {
        const first = [...this.#legs.values()][0];
        started = this.#callee = {
          kind: 'outgoing',
          id: f.legId,
          from: f.callerId ?? s.callback?.leg2CallerId ?? first?.created.party.number ?? call.from,
          to: f.party.number,
          startedAt: f.at,
          hasVoicemail: false,
        };
        // The originate's user_id/pin associates the callee's record with that user too (spec realtime §5.3).
        if (s.user !== undefined) started.userId = s.user.id;
      }
      call = this.#callee;
    }
    const leg: CallLeg = { created: f, order, call };
    this.#legs.set(f.legId, leg);
    return started ? { leg, started } : { leg };
  }

  /** The leg, when its answer answers its call (originate, dialer, application: their first leg). */
  legAnswered(f: LegAnswered): CallLeg | undefined {
    const leg = this.#legs.get(f.legId);
    if (!leg || ANSWERED_BY_JOIN.has(this.session.kind) || leg.order !== 0 || leg.call !== this.#main) return undefined;
    return this.#answer(leg, f.at);
  }

  /** The leg, when its joining the conversation answers its call (a called party, or the originate callee). */
  legJoined(f: LegJoined): CallLeg | undefined {
    const leg = this.#legs.get(f.legId);
    if (!leg) return undefined;
    const kind = this.session.kind;
    const mainAnswer = ANSWERED_BY_JOIN.has(kind) && leg.created.role !== 'caller' && leg.call === this.#main;
    const calleeAnswer = kind === 'originate' && leg.call === this.#callee;
    return mainAnswer || calleeAnswer ? this.#answer(leg, f.at) : undefined;
  }

  /** A valid agent PIN on a leg: its owner is who answers there (spec realtime §3.2: the call is now theirs). */
  pinValid(legId: string, userId: string): void {
    const leg = this.#legs.get(legId);
    if (leg) leg.pinUserId = userId;
  }

  /** `hasVoicemail` (spec realtime §4.2, §3.4 "hasVoicemail=true if a voicemail was left"): a complete
   *  voicemail recording, credited to the call of the recorded leg (else the session's own); that call. */
  recordingFinished(f: RecordingFinished): SessionCall | undefined {
    if (f.purpose !== 'voicemail' || f.status !== 'complete') return undefined;
    const call = (f.legId === undefined ? undefined : this.#legs.get(f.legId)?.call) ?? this.#main;
    if (call) call.hasVoicemail = true;
    return call;
  }

  /** The session ended: its calls, the session's own first; `started` when that call begins only now
   *  (an application session that ended before any leg: Ringside never dialled, an outgoing call). */
  ended(): { calls: SessionCall[]; started?: SessionCall } {
    if (this.#main) return { calls: this.calls };
    const started = (this.#main = this.#own('outgoing'));
    return { calls: this.calls, started };
  }

  /**
   * The answer of a call: its time and who answered — the PIN's owner, else the leg's user (spec realtime
   * §3.4 (P) "carries the answering userId"). The answerer becomes the call's user when it had none, or
   * when a PIN associated it (§3.2). Undefined when the call was answered already.
   */
  #answer(leg: CallLeg, at: number): CallLeg | undefined {
    const call = leg.call;
    if (call.answeredAt !== undefined) return undefined;
    call.answeredAt = at;
    const answerer = leg.pinUserId ?? legUserId(leg.created);
    if (answerer === undefined) return leg;
    call.answeredBy = answerer;
    if (call.userId === undefined || leg.pinUserId !== undefined) call.userId = answerer;
    return leg;
  }

  #own(kind: CallKind): SessionCall {
    const s = this.session;
    const call: SessionCall = { kind, id: s.callId, from: fromNumber(s), to: s.to.number, startedAt: s.at, hasVoicemail: false };
    if (s.user !== undefined) call.userId = s.user.id;
    return call;
  }
}

function startingKind(kind: SessionKind): CallKind | undefined {
  return Object.hasOwn(CALL_KIND_OF_SESSION, kind) ? CALL_KIND_OF_SESSION[kind] : undefined;
}

/** The user a leg reaches or comes from, if it is a user's. */
export function legUserId(leg: LegCreated): string | undefined {
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

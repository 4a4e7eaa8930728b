/**
 * The teltel projection (spec teltel-events.md): a reducer over one call session's canonical facts that
 * emits START, RING, RINGRESULT, READY, JOIN, LEAVE and COMPLETED webhook payloads.
 *
 * Pure: no clock, no randomness, no I/O. Event ids come from eventId(session, 'teltel', n) where n counts
 * the events this projector emitted before, so replaying the same facts gives identical payloads
 * (spec teltel §1 [PROP]: consumers deduplicate on `id`). A fact that does not fit the session's state
 * produces nothing rather than an exception: one bad fact must not take the process down.
 */
import type {
  Fact,
  LegCreated,
  LegEnded,
  LegFailed,
  Party,
  SessionEnded,
  SessionStarted,
} from '../../events/model/facts.js';
import type { SessionProjector, WireEvent } from '../dialect.js';
import { eventId } from '../event-id.js';
import { isoMillisZ } from '../timestamps.js';
import { sessionFrame, type SessionFrame } from './session-frame.js';
import {
  DIAL_STATES,
  legName,
  phaseOf,
  stateForCause,
  userValue,
  type Phase,
  type TeltelEventName,
} from './wire-values.js';

/** One leg as this projection sees it. */
interface LegView {
  id: string;
  party: Party;
  /** Ringside dialled it (direction `out`): it has a RING and a phase of its own. */
  dialled: boolean;
  /** `<initiator>to<party kind>`, for dialled legs. */
  phase: Phase;
  /** Owning user id, when known (party.userId, else the leg's user). */
  userId?: string;
  /** RING sent and its RINGRESULT not yet. */
  ringPending: boolean;
  ready: boolean;
  joined: boolean;
}

type Status = 'idle' | 'awaiting-first-leg' | 'open' | 'closed';

const MAX_DATE_MS = 8.64e15;

export class TeltelProjector implements SessionProjector {
  #status: Status = 'idle';
  #started?: SessionStarted;
  #frame?: SessionFrame;
  #emitted = 0;
  #lastAt = 0;
  readonly #legs = new Map<string, LegView>();
  readonly #joined = new Set<string>();
  #lastDial?: LegView;
  #answered = false;
  #audioUrl?: string;
  readonly #userIds: string[] = [];

  apply(fact: Fact): WireEvent[] {
    try {
      return this.#apply(fact);
    } catch {
      // Last-resort guard (the reducer below is written not to throw): a malformed fact yields nothing.
      return [];
    }
  }

  #apply(fact: Fact): WireEvent[] {
    // Not a fact at all (a corrupt log entry): nothing to say about it.
    if (typeof fact !== 'object' || fact === null || typeof fact.type !== 'string') return [];
    if (this.#status === 'closed') return []; // spec teltel §6 rule 1: nothing follows COMPLETED.
    if (this.#status === 'idle') {
      // Decision: only call sessions (first fact `session.started`) produce teltel events; texts never do.
      if (fact.type !== 'session.started') return [];
      return this.#start(fact);
    }
    const started = this.#started!;
    if (fact.sessionId !== started.sessionId || fact.type === 'session.started') return [];
    const out: WireEvent[] = [];
    if (this.#status === 'awaiting-first-leg') {
      // An application session's direction is that of its first leg, created right after
      // session.started (facts.ts header); START waits for it and keeps session.started's time.
      this.#frame = sessionFrame(started, fact.type === 'leg.created' ? fact.direction : undefined);
      this.#status = 'open';
      out.push(this.#startEvent());
    }
    out.push(...this.#reduce(fact));
    return out;
  }

  #start(fact: SessionStarted): WireEvent[] {
    // A session.started without what every event needs is not a session we can describe.
    if (typeof fact.sessionId !== 'string' || typeof fact.callId !== 'string' || typeof fact.to?.kind !== 'string') return [];
    this.#started = fact;
    this.#lastAt = this.#time(fact.at);
    for (const id of fact.userIds ?? []) this.#addUser(id);
    this.#addUser(fact.user?.id);
    if (fact.kind === 'application') {
      this.#status = 'awaiting-first-leg';
      return [];
    }
    this.#frame = sessionFrame(fact, undefined);
    this.#status = 'open';
    return [this.#startEvent()];
  }

  /** spec teltel §3 [DOC]: START is always the first event; its phase is the one towards `session.to`. */
  #startEvent(): WireEvent {
    const f = this.#frame!;
    return this.#emit('START', this.#started!.at, f.startPhase, f.toKind, {});
  }

  #reduce(fact: Fact): WireEvent[] {
    switch (fact.type) {
      case 'leg.created':
        return this.#legCreated(fact);
      case 'leg.answered': {
        // spec teltel §4: ANSWER — the dialled party picked up.
        const leg = this.#legs.get(fact.legId);
        return leg?.ringPending ? [this.#ringResult(leg, 'ANSWER', fact.at)] : [];
      }
      case 'leg.failed':
        return this.#legFailed(fact);
      case 'leg.ended':
        return this.#legEnded(fact);
      case 'leg.media-ready': {
        // spec teltel §3: READY when a media path exists between the party and the PBX; once per leg.
        const leg = this.#reported(fact.legId);
        if (!leg || leg.ready) return [];
        leg.ready = true;
        return [this.#subjectEvent('READY', leg, fact.at)];
      }
      case 'leg.joined': {
        // spec teltel §3 JOIN; §2.1 [PROP]: a JOIN counts its own subject.
        const leg = this.#reported(fact.legId);
        if (!leg || leg.joined) return [];
        return [this.#join(leg, fact.at)];
      }
      case 'leg.left': {
        // spec teltel §3 LEAVE; §2.1 [PROP]: a LEAVE no longer counts its subject.
        const leg = this.#reported(fact.legId);
        if (!leg || !leg.joined) return [];
        return [this.#leave(leg, fact.at)];
      }
      case 'agentpin.valid':
        // The agent who identified by PIN is involved in the call from now on (WireEvent.userIds).
        this.#addUser(fact.user?.id);
        return [];
      case 'recording.finished':
        // spec teltel §2.4 audio_url [DOC]: the call recording (not voicemail); the first complete one wins.
        if (fact.purpose === 'call' && fact.status === 'complete' && this.#audioUrl === undefined && typeof fact.url === 'string')
          this.#audioUrl = fact.url;
        return [];
      case 'session.ended':
        return this.#sessionEnded(fact);
      default:
        return [];
    }
  }

  #legCreated(fact: LegCreated): WireEvent[] {
    if (this.#legs.has(fact.legId) || !fact.party) return [];
    // A caller's leg is never dialled in its own session: one created `out` is a party Ringside dialled in
    // the session a transfer continues (spec teltel §5.8), already answered there.
    const dialled = fact.direction === 'out' && fact.role !== 'caller';
    const leg: LegView = {
      id: fact.legId,
      party: fact.party,
      dialled,
      phase: phaseOf(this.#frame!.initiator, fact.party.kind),
      ringPending: false,
      ready: false,
      joined: false,
    };
    const userId = fact.party.userId ?? fact.user?.id;
    if (userId !== undefined) leg.userId = userId;
    this.#legs.set(fact.legId, leg);
    this.#addUser(fact.party.userId);
    this.#addUser(fact.user?.id);
    // §3 [AST]: Local channels are not parties (not counted in participants, never dialled as peers).
    if (!dialled || fact.party.kind === 'local') return [];
    // spec teltel §3: RING when dialling a destination starts (AMI DialBegin / originated channel);
    // parallel ringing gives several RINGs. It opens the phase of this dial.
    leg.ringPending = true;
    this.#lastDial = leg;
    return [this.#emit('RING', fact.at, leg.phase, leg.party.kind, {}, this.#dialData(leg))];
  }

  #legFailed(fact: LegFailed): WireEvent[] {
    const leg = this.#legs.get(fact.legId);
    if (!leg?.ringPending) return [];
    // spec teltel §4: the dial result of that peer is the RINGRESULT state.
    const state = DIAL_STATES.includes(fact.result) && (fact.result as string) !== 'ANSWER' ? fact.result : 'INVALIDARGS';
    return [this.#ringResult(leg, state, fact.at)];
  }

  /** A leg's end produces nothing by itself; it only closes what the fact order should already have closed. */
  #legEnded(fact: LegEnded): WireEvent[] {
    const leg = this.#legs.get(fact.legId);
    if (!leg) return [];
    const out: WireEvent[] = [];
    // spec teltel §6 rule 3: every RING gets exactly one RINGRESULT, even if the leg ended without leg.failed.
    if (leg.ringPending) out.push(this.#ringResult(leg, stateForCause(fact.cause), fact.at));
    // spec teltel §6 rule 4: a joined party leaves before it is gone.
    if (leg.joined) out.push(this.#leave(leg, fact.at));
    return out;
  }

  #sessionEnded(fact: SessionEnded): WireEvent[] {
    const out: WireEvent[] = [];
    // spec teltel §6 rules 3–5 hold even if legs were left open: Ringside abandoned them (§4 ABORT).
    for (const leg of this.#legs.values()) if (leg.ringPending) out.push(this.#ringResult(leg, 'ABORT', fact.at));
    for (const id of [...this.#joined]) out.push(this.#leave(this.#legs.get(id)!, fact.at));

    // spec teltel §2.1 [PROP]: COMPLETED uses the phase of the leg that ended the session; when that leg is
    // not a dialled one (the caller, or none), the most recent dial's, else the session's own.
    const byLeg = fact.hangupLegId === undefined ? undefined : this.#legs.get(fact.hangupLegId);
    const phaseLeg = byLeg?.dialled && byLeg.party.kind !== 'local' ? byLeg : this.#lastDial;
    const by = fact.hangupBy;
    const hangedBy = by?.kind === 'phone' || by?.kind === 'sip' ? by.kind : 'local';
    const specific: Record<string, unknown> = {
      // spec teltel §2.4 [DOC] / §6 rule 7: the side that sent the first BYE or CANCEL; `local` (Q1 [PROP]).
      hanged_by: hangedBy,
      hanged_value: typeof by?.number === 'string' ? by.number : '',
    };
    if (hangedBy === 'sip') {
      const user = by.userId ?? byLeg?.userId ?? this.#userOfSipNumber(by.number);
      if (user !== undefined) specific.hanged_user = userValue(user);
    }
    // spec teltel §6 rule 8: answered iff some RINGRESULT was ANSWER; audio_url only when answered.
    specific.is_answered = this.#answered;
    if (this.#answered && this.#audioUrl !== undefined) specific.audio_url = this.#audioUrl;
    const phase = phaseLeg ? this.#legPhase(phaseLeg) : this.#frame!.startPhase;
    out.push(this.#emit('COMPLETED', fact.at, phase, phaseLeg ? phaseLeg.party.kind : this.#frame!.toKind, specific));
    this.#status = 'closed';
    return out;
  }

  #ringResult(leg: LegView, state: string, at: number): WireEvent {
    leg.ringPending = false;
    if (state === 'ANSWER') this.#answered = true;
    return this.#emit('RINGRESULT', at, leg.phase, leg.party.kind, { state }, this.#dialData(leg));
  }

  #join(leg: LegView, at: number): WireEvent {
    leg.joined = true;
    this.#joined.add(leg.id);
    return this.#subjectEvent('JOIN', leg, at);
  }

  #leave(leg: LegView, at: number): WireEvent {
    leg.joined = false;
    this.#joined.delete(leg.id);
    return this.#subjectEvent('LEAVE', leg, at);
  }

  /** spec teltel §2.4 [DOC]: subject_type/subject always on READY, JOIN, LEAVE; subject_user only for SIP. */
  #subjectEvent(name: 'READY' | 'JOIN' | 'LEAVE', leg: LegView, at: number): WireEvent {
    const specific: Record<string, unknown> = { subject_type: leg.party.kind, subject: leg.party.number };
    if (leg.party.kind === 'sip' && leg.userId !== undefined) specific.subject_user = userValue(leg.userId);
    return this.#emit(name, at, this.#legPhase(leg), leg.party.kind, specific);
  }

  /** A leg we report on: known, and a phone or a SIP device (spec teltel §2.4 subject_type). */
  #reported(legId: string): LegView | undefined {
    const leg = this.#legs.get(legId);
    return leg && (leg.party.kind === 'phone' || leg.party.kind === 'sip') ? leg : undefined;
  }

  /** spec teltel §2.1 [PROP]: a dialled leg's events use its own dial's phase; the caller's leg uses the
   *  phase of the most recent dial, or, before any dial, the session's (`didtodid` inbound). */
  #legPhase(leg: LegView): Phase {
    if (leg.dialled) return leg.phase;
    return this.#lastDial?.phase ?? this.#frame!.startPhase;
  }

  /** spec teltel §2.3 [PROP] extension: `dial_id` pairs a RING with its RINGRESULT; `target` names the party. */
  #dialData(leg: LegView): Record<string, unknown> {
    const target: Record<string, unknown> = { type: leg.party.kind === 'sip' ? 'sip' : 'phone', number: leg.party.number };
    if (leg.userId !== undefined) target.user = userValue(leg.userId);
    return { dial_id: leg.id, target };
  }

  #userOfSipNumber(number: string): string | undefined {
    for (const leg of this.#legs.values()) if (leg.party.kind === 'sip' && leg.party.number === number && leg.userId) return leg.userId;
    return undefined;
  }

  #addUser(id: string | undefined): void {
    if (typeof id === 'string' && id !== '' && !this.#userIds.includes(id)) this.#userIds.push(id);
  }

  /** Fact time as a wire time that never goes back (spec teltel §6 rule 2) and is always a valid date. */
  #time(at: number): number {
    if (typeof at === 'number' && Number.isFinite(at) && Math.abs(at) <= MAX_DATE_MS && at > this.#lastAt) this.#lastAt = at;
    return this.#lastAt;
  }

  #emit(
    name: TeltelEventName,
    at: number,
    phase: Phase,
    legKind: Party['kind'],
    specific: Record<string, unknown>,
    dial?: Record<string, unknown>,
  ): WireEvent {
    const s = this.#started!;
    const f = this.#frame!;
    const id = eventId(s.sessionId, 'teltel', this.#emitted);
    // spec teltel §2.1: common attributes on every event; absent keys are omitted, never null (§2.4 [PROP]).
    const payload: Record<string, unknown> = {
      event: name,
      id,
      timestamp: isoMillisZ(this.#time(at)),
      accountcode: s.accountcode,
      session_id: s.sessionId,
      call_id: f.callId,
      direction: f.direction,
      type: f.type,
    };
    if (f.subtype !== undefined) payload.subtype = f.subtype;
    payload.phase = phase;
    if (f.showsLeg) payload.leg = legName(legKind);
    payload.participants = this.#joined.size;
    Object.assign(payload, specific);
    const data = { ...copyData(f.data), ...dial };
    if (Object.keys(data).length > 0) payload.data = data;
    this.#emitted += 1;
    return {
      dialect: 'teltel',
      name,
      id,
      sessionId: s.sessionId,
      accountId: s.accountId,
      userIds: [...this.#userIds],
      payload,
    };
  }
}

/** The frame's `data` for one event's payload, shared with no other: its values are scalars or objects of
 *  scalars (session-frame.ts), so two levels of copy do what `structuredClone` did, at a fraction of the cost. */
function copyData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in data) {
    const v = data[k];
    out[k] = v !== null && typeof v === 'object' ? { ...v } : v;
  }
  return out;
}

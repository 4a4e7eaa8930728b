/**
 * The switch's call sessions in progress, as a read-only snapshot (the console's live calls, docs/console.md).
 *
 * Kept from the facts the sessions record, not from the objects that run them: every kind of session
 * (calls, originates, transfers, voice-API calls) reports the same facts in the same order (facts.ts
 * header), so one small reducer sees them all, and nothing in a Call has to expose its state. The switch
 * hands every session this sink in front of the real one: a fact updates the snapshot, then goes on
 * unchanged. A session appears at its `session.started` and is gone at its `session.ended`; conference
 * sessions (no `session.started`) are not calls and never appear.
 */
import type { Fact, LegRole, LineRef, Party, PartyKind, SessionKind, SessionStarted } from '../events/model/facts.js';
import type { FactSink } from '../events/model/fact-sink.js';

/** A leg as the snapshot shows it. `dialing`: Ringside sent the INVITE (no 180 yet); a caller's leg is
 *  `ringing` until Ringside answers it. Ended legs stay in the list (a ring-all's losers, a failed fork). */
export interface LiveLeg {
  legId: string;
  role: LegRole;
  partyKind: PartyKind;
  number: string;
  name?: string;
  userId?: string;
  state: 'dialing' | 'ringing' | 'answered' | 'ended';
  createdAt: number;
  answeredAt?: number;
}

export interface LiveSession {
  sessionId: string;
  accountId: string;
  kind: SessionKind;
  from: Party;
  to: Party;
  line?: LineRef;
  /** A voice-API session: its application's (`id` absent for a call made by `POST /calls`). */
  application?: SessionStarted['application'];
  /** `ending`: Ringside was asked to hang it up, or an answered leg has ended and the rest are following. */
  state: 'ringing' | 'answered' | 'ending';
  startedAt: number;
  answeredAt?: number;
  legs: LiveLeg[];
}

export class LiveSessions implements FactSink {
  readonly #inner: FactSink;
  readonly #sessions = new Map<string, LiveSession>();
  /** Sessions continuing a blind transfer: their caller leg arrives answered (facts.ts header). */
  readonly #transferred = new Set<string>();
  readonly #freed = new Set<(accountId: string, userIds: number[]) => void>();

  constructor(inner: FactSink) {
    this.#inner = inner;
  }

  record(...facts: Fact[]): Promise<unknown> {
    for (const f of facts) this.#apply(f);
    return this.#inner.record(...facts);
  }

  /** The account's sessions now, oldest first (copies: the snapshot is not theirs to change). */
  list(accountId: string): LiveSession[] {
    return [...this.#sessions.values()].filter((s) => s.accountId === accountId).map(copy);
  }

  /** One live session of the account, or undefined. */
  get(accountId: string, sessionId: string): LiveSession | undefined {
    const s = this.#sessions.get(sessionId);
    return s && s.accountId === accountId ? copy(s) : undefined;
  }

  /** The users with a leg up (not ended) in one of the account's sessions, ringing included: the agent pool's
   *  "busy" (switch/agents/agent-pool.ts). Read in place, no copies. A `local` leg is Ringside itself. */
  usersInCalls(accountId: string): Set<number> {
    const users = new Set<number>();
    for (const s of this.#sessions.values()) {
      if (s.accountId !== accountId) continue;
      for (const l of s.legs) {
        const id = userIdOf(l);
        if (id !== undefined && l.state !== 'ended') users.add(id);
      }
    }
    return users;
  }

  /** `listener` is told when users stop being in a call here (one of their legs ended, or its session did):
   *  the moment `usersInCalls` may have lost them. Called synchronously inside `record`; a listener that
   *  throws is skipped, the facts go on. Returns the unsubscribe. */
  onUsersFreed(listener: (accountId: string, userIds: number[]) => void): () => void {
    this.#freed.add(listener);
    return () => this.#freed.delete(listener);
  }

  /** Ringside was asked to end the session: it shows as `ending` until its `session.ended`. */
  markEnding(sessionId: string): void {
    const s = this.#sessions.get(sessionId);
    if (s) s.state = 'ending';
  }

  /** The session's object is done (Switch.#run): whatever its facts said, it is no longer live. A session
   *  ends with its `session.ended`; this only keeps one that failed unexpectedly from staying listed. */
  forget(sessionId: string): void {
    const s = this.#sessions.get(sessionId);
    this.#sessions.delete(sessionId);
    if (s) this.#free(s, s.legs);
    this.#transferred.delete(sessionId);
  }

  #apply(f: Fact): void {
    if (f.type === 'session.started') {
      this.#sessions.set(f.sessionId, {
        sessionId: f.sessionId,
        accountId: f.accountId,
        kind: f.kind,
        from: f.from,
        to: f.to,
        ...(f.line ? { line: f.line } : {}),
        ...(f.application ? { application: f.application } : {}),
        state: 'ringing',
        startedAt: f.at,
        legs: [],
      });
      if (f.transferOf) this.#transferred.add(f.sessionId);
      return;
    }
    const s = this.#sessions.get(f.sessionId);
    if (!s) return;
    switch (f.type) {
      case 'session.ended':
        this.#sessions.delete(f.sessionId);
        this.#transferred.delete(f.sessionId);
        return this.#free(s, s.legs);
      case 'leg.created': {
        // facts.ts header: a session continuing a transfer gets its caller answered already.
        const answered = f.role === 'caller' && this.#transferred.has(f.sessionId);
        const userId = f.party.userId ?? f.user?.id;
        s.legs.push({
          legId: f.legId,
          role: f.role,
          partyKind: f.party.kind,
          number: f.party.number,
          ...(f.party.name !== undefined ? { name: f.party.name } : f.user?.name !== undefined ? { name: f.user.name } : {}),
          ...(userId !== undefined ? { userId } : {}),
          state: answered ? 'answered' : f.direction === 'out' ? 'dialing' : 'ringing',
          createdAt: f.at,
          ...(answered ? { answeredAt: f.at } : {}),
        });
        if (answered) this.#answered(s, f.at);
        return;
      }
      case 'leg.ringing':
        return this.#leg(s, f.legId, (l) => l.state === 'dialing' && (l.state = 'ringing'));
      case 'leg.answered':
        this.#leg(s, f.legId, (l) => {
          l.state = 'answered';
          l.answeredAt = f.at;
        });
        return this.#answered(s, f.at);
      case 'leg.failed':
      case 'leg.ended':
        return this.#leg(s, f.legId, (l) => {
          this.#free(s, [l]);
          if (l.state === 'answered' && s.state === 'answered') s.state = 'ending';
          l.state = 'ended';
        });
      default:
        return;
    }
  }

  /** Tell the listeners about the users of these legs that were still up (an ended leg was told already). */
  #free(s: LiveSession, legs: readonly LiveLeg[]): void {
    if (this.#freed.size === 0) return;
    const ids = [...new Set(legs.filter((l) => l.state !== 'ended').flatMap((l) => userIdOf(l) ?? []))];
    if (ids.length === 0) return;
    for (const listener of this.#freed)
      try {
        listener(s.accountId, ids);
      } catch {
        // A listener's failure is its own (the pool logs its own): the snapshot and the facts go on.
      }
  }

  #answered(s: LiveSession, at: number): void {
    if (s.answeredAt === undefined) s.answeredAt = at;
    if (s.state === 'ringing') s.state = 'answered';
  }

  #leg(s: LiveSession, legId: string, change: (l: LiveLeg) => unknown): void {
    const leg = s.legs.find((l) => l.legId === legId);
    if (leg) change(leg);
  }
}

/** The user of a leg as a number, when it is a user's (a device, or a user reached at a number); a `local`
 *  leg is Ringside's. The id is a decimal string in the facts (events/model/facts.ts). */
function userIdOf(l: LiveLeg): number | undefined {
  if (l.partyKind === 'local' || l.userId === undefined || !/^\d{1,15}$/.test(l.userId)) return undefined;
  return Number(l.userId);
}

function copy(s: LiveSession): LiveSession {
  return { ...s, legs: s.legs.map((l) => ({ ...l })) };
}

/**
 * Report entries of a call session (spec realtime §1 "Report entry", §4.2): a pure reducer over one
 * session's facts, in order, that yields the session's entries when it ends. It takes the session's calls
 * from session-calls.ts, as the realtime projection does, so an entry's id is the `uniqueId` of that call's
 * events and its times, duration, billable seconds and disposition equal the `*.end` event's:
 *
 * - one entry per call: the session's own (id = `callId`) and, for an originate whose second party was
 *   dialled, the callee's `outgoing` call (id = that leg's id, `parentId` = the originate's);
 * - each leg under the call it belongs to, with its dial result and how it ended;
 * - a voicemail's URL on the call it was left for; a conversation's recording on every call of the session.
 *
 * Like the dialects it never throws: a fact it cannot use yields nothing.
 */
import type { Fact, LegCreated, Party, SessionEnded } from '../../events/model/facts.js';
import type { CallLegSummary, CallRecord } from '../../store/store.js';
import { callSeconds, dispositionOf } from '../call-outcome.js';
import { SessionCalls, type SessionCall } from '../session-calls.js';

/** What an entry says beyond the call itself. */
interface Extras {
  legs: CallLegSummary[];
  voicemailUrl?: string;
  recordingUrl?: string;
}

const numeric = (id: string | undefined): number | undefined => (id !== undefined && /^[0-9]+$/.test(id) ? Number(id) : undefined);

export class CallReports {
  #calls: SessionCalls | undefined;
  #ended = false;
  /** Every user the session concerned (rung, calling, associated), in the order they appeared. */
  readonly #userIds = new Set<string>();
  readonly #legs = new Map<string, CallLegSummary>();
  readonly #extras = new Map<SessionCall, Extras>();

  /** Takes the session's next fact; at `session.ended`, its report entries (none before, nor after). */
  apply(fact: Fact): CallRecord[] {
    try {
      return this.#apply(fact);
    } catch {
      // A malformed fact must never take the recorder down; it reports nothing.
      return [];
    }
  }

  #apply(f: Fact): CallRecord[] {
    if (this.#ended) return [];
    if (f.type === 'session.started') {
      // Anything before the session's start, and a second start, is not part of it.
      if (this.#calls) return [];
      this.#calls = SessionCalls.of(f);
      for (const u of [...(f.userIds ?? []), ...(f.user ? [f.user.id] : [])]) this.#userIds.add(u);
      return [];
    }
    const calls = this.#calls;
    if (!calls || f.sessionId !== calls.session.sessionId) return [];
    switch (f.type) {
      case 'leg.created': {
        const leg = calls.legCreated(f)?.leg;
        if (!leg) break;
        const summary = legSummary(f);
        this.#legs.set(f.legId, summary);
        this.#extra(leg.call).legs.push(summary);
        for (const u of [f.party.userId, f.user?.id]) if (u !== undefined) this.#userIds.add(u);
        break;
      }
      case 'leg.answered': {
        const summary = this.#legs.get(f.legId);
        if (!summary) break;
        summary.answeredAt ??= f.at;
        if (summary.direction === 'out') summary.result = 'ANSWER';
        calls.legAnswered(f);
        break;
      }
      case 'leg.joined':
        calls.legJoined(f);
        break;
      case 'agentpin.valid':
        // The PIN's owner answers there (spec realtime §3.2 `agentpin-valid`: the call is now theirs).
        calls.pinValid(f.legId, f.user.id);
        this.#userIds.add(f.user.id);
        break;
      case 'leg.failed': {
        const summary = this.#legs.get(f.legId);
        if (!summary) break;
        summary.result = f.result;
        if (f.sipStatus !== undefined) summary.sipStatus = f.sipStatus;
        summary.cause = f.cause;
        summary.endedAt = f.at;
        break;
      }
      case 'leg.ended': {
        const summary = this.#legs.get(f.legId);
        if (!summary) break;
        summary.cause = f.cause;
        summary.endedBy = f.by;
        summary.endedAt = f.at;
        break;
      }
      case 'recording.finished': {
        if (f.status !== 'complete') break;
        // A conversation's recording belongs to every call of the session that took part in it.
        if (f.purpose === 'call') for (const call of calls.calls) this.#extra(call).recordingUrl ??= f.url;
        const voicemail = calls.recordingFinished(f);
        if (voicemail) this.#extra(voicemail).voicemailUrl = f.url;
        break;
      }
      case 'session.ended':
        this.#ended = true;
        return this.#records(calls, f);
      default:
        break;
    }
    return [];
  }

  #records(calls: SessionCalls, end: SessionEnded): CallRecord[] {
    const all = calls.ended().calls;
    const main = all[0]!;
    return all.map((call) => this.#record(calls, call, end, call === main ? undefined : main.id));
  }

  #record(calls: SessionCalls, call: SessionCall, end: SessionEnded, parentId: string | undefined): CallRecord {
    const s = calls.session;
    const extras = this.#extra(call);
    const r: CallRecord = {
      id: call.id,
      accountId: s.accountId,
      sessionId: s.sessionId,
      direction: call.kind,
      sessionKind: s.kind,
      from: call.from,
      to: call.to,
      userIds: [...this.#userIds].map(numeric).filter((x): x is number => x !== undefined),
      startedAt: call.startedAt,
      endedAt: end.at,
      ...callSeconds(call, end.at),
      disposition: dispositionOf(call, end.cause),
      hasVoicemail: call.hasVoicemail,
      hangupBy: hangupBy(end.hangupBy),
      cause: end.cause,
      legs: extras.legs,
    };
    if (parentId !== undefined) r.parentId = parentId;
    if (s.line) Object.assign(r, { lineId: s.line.id, lineName: s.line.name, lineNumber: s.line.number });
    if (call.answeredAt !== undefined) r.answeredAt = call.answeredAt;
    const userId = numeric(call.userId);
    if (userId !== undefined) r.userId = userId;
    const answeredBy = numeric(call.answeredBy);
    if (answeredBy !== undefined) r.answeredByUserId = answeredBy;
    if (s.callback) r.callback = { ...s.callback };
    if (extras.voicemailUrl !== undefined) r.voicemailUrl = extras.voicemailUrl;
    if (extras.recordingUrl !== undefined) r.recordingUrl = extras.recordingUrl;
    return r;
  }

  #extra(call: SessionCall): Extras {
    let extras = this.#extras.get(call);
    if (!extras) this.#extras.set(call, (extras = { legs: [] }));
    return extras;
  }
}

function legSummary(f: LegCreated): CallLegSummary {
  const l: CallLegSummary = { legId: f.legId, role: f.role, direction: f.direction, partyKind: f.party.kind, number: f.party.number, createdAt: f.at };
  if (f.party.name !== undefined) l.name = f.party.name;
  const user = numeric(f.party.userId ?? f.user?.id);
  if (user !== undefined) l.userId = user;
  if (f.callerId !== undefined) l.callerId = f.callerId;
  return l;
}

function hangupBy(by: Party): CallRecord['hangupBy'] {
  const userId = numeric(by.userId);
  return { kind: by.kind, number: by.number, ...(userId !== undefined ? { userId } : {}) };
}

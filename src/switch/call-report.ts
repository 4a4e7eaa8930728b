/**
 * Report entries of a finished call session (spec realtime §1 "Report entry", §4.2): a pure reducer over
 * the session's facts. It cuts the session into calls exactly as the realtime projection does
 * (src/dialects/realtime/projection.ts), so an entry's id is the `uniqueId` of that call's events and its
 * times, duration, billable seconds and disposition equal the `*.end` event's:
 *
 * - one entry per session, id = `callId`; for originate two: the originate part (the first leg dialled,
 *   id = `callId`) and, once the second party was dialled, its `outgoing` part (id = that leg's id);
 * - answered: inbound/outbound/internal when a leg other than the caller's joins the conversation;
 *   originate/dialer/application when their first leg answers; the originate callee part when its leg joins;
 * - disposition: answered; else voicemail (a complete voicemail recording); else canceled (the session
 *   ended by `originator-cancel`); else missed.
 */
import type { CallFact, HangupCause, LegCreated, Party, SessionStarted } from '../events/model/facts.js';
import type { CallLegSummary, CallRecord } from '../store/store.js';
import { ANSWERED_BY_JOIN, CALL_KIND_OF_SESSION } from '../dialects/call-kinds.js';

type Direction = CallRecord['direction'];



interface Part {
  id: string;
  direction: Direction;
  from: string;
  to: string;
  startedAt: number;
  answeredAt?: number;
  userId?: string;
  answeredBy?: string;
  hasVoicemail: boolean;
  voicemailUrl?: string;
  recordingUrl?: string;
  legs: CallLegSummary[];
}

const numeric = (id: string | undefined): number | undefined => (id !== undefined && /^[0-9]+$/.test(id) ? Number(id) : undefined);

/** The session's report entries; none when the facts do not describe a finished call session. */
export function callRecords(facts: readonly CallFact[]): CallRecord[] {
  const s = facts[0];
  const end = facts.at(-1);
  if (s?.type !== 'session.started' || end?.type !== 'session.ended') return [];
  const legs = new Map<string, { created: LegCreated; order: number; part: Part; summary: CallLegSummary; pinUserId?: string }>();
  const userIds = new Set<string>([...(s.userIds ?? []), ...(s.user ? [s.user.id] : [])]);
  let main: Part | undefined;
  let callee: Part | undefined;
  const kind = CALL_KIND_OF_SESSION[s.kind];
  if (kind) main = newPart(s.callId, kind, fromNumber(s), s.to.number, s.at, s.user?.id);

  for (const f of facts) {
    switch (f.type) {
      case 'leg.created': {
        if (legs.has(f.legId)) break;
        const order = legs.size;
        // Application sessions: the first leg decides incoming / outgoing (as in the realtime projection).
        main ??= newPart(s.callId, f.direction === 'in' ? 'incoming' : 'outgoing', fromNumber(s), s.to.number, s.at, s.user?.id);
        let part = main;
        if (s.kind === 'originate' && order > 0) {
          if (!callee) {
            const first = [...legs.values()].find((l) => l.order === 0);
            callee = newPart(f.legId, 'outgoing', f.callerId ?? s.callback?.leg2CallerId ?? first?.created.party.number ?? main.from, f.party.number, f.at, s.user?.id);
          }
          part = callee;
        }
        const summary = legSummary(f);
        part.legs.push(summary);
        legs.set(f.legId, { created: f, order, part, summary });
        for (const u of [f.party.userId, f.user?.id]) if (u !== undefined) userIds.add(u);
        break;
      }
      case 'leg.answered': {
        const leg = legs.get(f.legId);
        if (!leg) break;
        leg.summary.answeredAt ??= f.at;
        if (leg.created.direction === 'out') leg.summary.result = 'ANSWER';
        const byFirstLeg = !ANSWERED_BY_JOIN.has(s.kind) && leg.order === 0 && leg.part === main;
        if (byFirstLeg) answer(leg.part, leg.created, f.at, leg.pinUserId);
        break;
      }
      case 'leg.joined': {
        const leg = legs.get(f.legId);
        if (!leg) break;
        const mainAnswer = ANSWERED_BY_JOIN.has(s.kind) && leg.created.role !== 'caller' && leg.part === main;
        const calleeAnswer = s.kind === 'originate' && leg.part === callee;
        if (mainAnswer || calleeAnswer) answer(leg.part, leg.created, f.at, leg.pinUserId);
        break;
      }
      case 'agentpin.valid': {
        const leg = legs.get(f.legId);
        // The PIN's owner answered (spec realtime §3.2 `agentpin-valid`: the call is now theirs).
        if (leg) leg.pinUserId = f.user.id;
        userIds.add(f.user.id);
        break;
      }
      case 'leg.failed': {
        const leg = legs.get(f.legId);
        if (!leg) break;
        leg.summary.result = f.result;
        if (f.sipStatus !== undefined) leg.summary.sipStatus = f.sipStatus;
        leg.summary.cause = f.cause;
        leg.summary.endedAt = f.at;
        break;
      }
      case 'leg.ended': {
        const leg = legs.get(f.legId);
        if (!leg) break;
        leg.summary.cause = f.cause;
        leg.summary.endedBy = f.by;
        leg.summary.endedAt = f.at;
        break;
      }
      case 'recording.finished': {
        if (f.status !== 'complete') break;
        if (f.purpose === 'call') {
          // A conversation's recording belongs to every part of the session that took part in it.
          for (const part of [main, callee]) if (part) part.recordingUrl ??= f.url;
          break;
        }
        const part = (f.legId === undefined ? undefined : legs.get(f.legId)?.part) ?? main;
        if (part) {
          part.hasVoicemail = true;
          part.voicemailUrl = f.url;
        }
        break;
      }
      default:
        break;
    }
  }
  main ??= newPart(s.callId, 'outgoing', fromNumber(s), s.to.number, s.at, s.user?.id);
  const records: CallRecord[] = [];
  for (const part of [main, callee]) {
    if (!part) continue;
    records.push(record(s, part, end.at, end.cause, end.hangupBy, [...userIds], part === callee ? main.id : undefined));
  }
  return records;
}

function newPart(id: string, direction: Direction, from: string, to: string, startedAt: number, userId: string | undefined): Part {
  const p: Part = { id, direction, from, to, startedAt, hasVoicemail: false, legs: [] };
  if (userId !== undefined) p.userId = userId;
  return p;
}

/** The answer of a call: its time, who answered, and the record's user when it had none (or a PIN named it). */
function answer(part: Part, leg: LegCreated, at: number, pinUserId: string | undefined): void {
  if (part.answeredAt !== undefined) return;
  part.answeredAt = at;
  const answerer = pinUserId ?? leg.user?.id ?? leg.party.userId;
  if (answerer === undefined) return;
  part.answeredBy = answerer;
  if (part.userId === undefined || pinUserId !== undefined) part.userId = answerer;
}

function legSummary(f: LegCreated): CallLegSummary {
  const l: CallLegSummary = { legId: f.legId, role: f.role, direction: f.direction, partyKind: f.party.kind, number: f.party.number, createdAt: f.at };
  if (f.party.name !== undefined) l.name = f.party.name;
  const user = numeric(f.party.userId ?? f.user?.id);
  if (user !== undefined) l.userId = user;
  if (f.callerId !== undefined) l.callerId = f.callerId;
  return l;
}

function record(s: SessionStarted, part: Part, endedAt: number, cause: HangupCause, by: Party, userIds: string[], parentId: string | undefined): CallRecord {
  const answered = part.answeredAt !== undefined;
  const r: CallRecord = {
    id: part.id,
    accountId: s.accountId,
    sessionId: s.sessionId,
    direction: part.direction,
    sessionKind: s.kind,
    from: part.from,
    to: part.to,
    userIds: userIds.map(numeric).filter((x): x is number => x !== undefined),
    startedAt: part.startedAt,
    endedAt,
    duration: wholeSeconds(part.startedAt, endedAt),
    billableSeconds: answered ? wholeSeconds(part.answeredAt!, endedAt) : 0,
    disposition: answered ? 'answered' : part.hasVoicemail ? 'voicemail' : cause === 'originator-cancel' ? 'canceled' : 'missed',
    hasVoicemail: part.hasVoicemail,
    hangupBy: { kind: by.kind, number: by.number, ...(numeric(by.userId) !== undefined ? { userId: numeric(by.userId)! } : {}) },
    cause,
    legs: part.legs,
  };
  if (parentId !== undefined) r.parentId = parentId;
  if (s.line) Object.assign(r, { lineId: s.line.id, lineName: s.line.name, lineNumber: s.line.number });
  if (answered) r.answeredAt = part.answeredAt!;
  const userId = numeric(part.userId);
  if (userId !== undefined) r.userId = userId;
  const answeredBy = numeric(part.answeredBy);
  if (answeredBy !== undefined) r.answeredByUserId = answeredBy;
  if (s.callback) r.callback = { ...s.callback };
  if (part.voicemailUrl !== undefined) r.voicemailUrl = part.voicemailUrl;
  if (part.recordingUrl !== undefined) r.recordingUrl = part.recordingUrl;
  return r;
}

/** `from` of the session's call: originate/dialer sessions start at Ringside, so the caller ID the first
 *  dialled party sees stands in (as in the realtime projection). */
function fromNumber(s: SessionStarted): string {
  if (s.from.kind !== 'local') return s.from.number;
  return s.callback?.leg1CallerId ?? s.line?.number ?? s.from.number;
}

function wholeSeconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000));
}

/**
 * Crash recovery for calls (docs/reliability.md): a session the log shows open when Ringside starts was
 * cut by the death of the process that ran it. Its dialogs are torn down where the peer is still there
 * (BYE from the dialog state its `leg.answered` facts carry, RFC 3261 §15.1.1), then it is closed with the
 * facts it lacks, in the order facts.ts guarantees, all stamped `server-restart` and hung up by Ringside
 * (`local`): dialled legs still ringing fail with ABORT (spec teltel §4 [PROP]: the platform abandoned the
 * leg), a joined leg leaves its conversation, every leg ends, open conferences complete, the session ends.
 * What each dialect shows for it is written in docs/compatibility.md, "Calls cut by a restart".
 *
 * Peers that were ringing get nothing: a CANCEL needs the INVITE's transaction (its Via branch), which is
 * not stored; their own timers end those attempts.
 */
import type { CallFact, Fact, LegDialog, Party, SessionStarted } from '../events/model/facts.js';
import type { FactSink } from '../events/model/fact-sink.js';
import { sendStoredBye, type SipStack } from '../sip/index.js';
import type { Logger } from '../log/logger.js';

const CAUSE = 'server-restart' as const;

/** One session's closing: the BYEs to send and the facts to record after them. */
export interface SessionClosing {
  sessionId: string;
  byes: { legId: string; dialog: LegDialog }[];
  facts: CallFact[];
}

interface LegState {
  legId: string;
  direction: 'in' | 'out';
  answered: boolean;
  dialog?: LegDialog;
  conversationId?: string;
  ended: boolean;
}

/** What closes a session whose facts stop short of `session.ended` (undefined: nothing to close). Pure. */
export function sessionClosing(facts: readonly Fact[], now: number): SessionClosing | undefined {
  const started = facts[0];
  if (started?.type !== 'session.started' || facts.some((f) => f.type === 'session.ended')) return undefined;
  const legs = new Map<string, LegState>();
  const playbacks = new Map<string, Extract<Fact, { type: 'playback.started' }>>();
  const conferences = new Map<string, { createdAt: number; tag?: string; members: Map<string, Extract<Fact, { type: 'conference.member' }>> }>();
  for (const f of facts) {
    switch (f.type) {
      case 'leg.created':
        // A transferred caller arrives answered (facts.ts): it can be hung up, though not by BYE from here.
        legs.set(f.legId, { legId: f.legId, direction: f.direction, answered: started.transferOf !== undefined && f.role === 'caller', ended: false });
        break;
      case 'leg.answered': {
        const l = legs.get(f.legId);
        if (l) {
          l.answered = true;
          if (f.dialog) l.dialog = f.dialog;
        }
        break;
      }
      case 'leg.joined':
        withLeg(legs, f.legId, (l) => (l.conversationId = f.conversationId));
        break;
      case 'leg.left':
        withLeg(legs, f.legId, (l) => delete l.conversationId);
        break;
      case 'leg.failed':
      case 'leg.ended':
        withLeg(legs, f.legId, (l) => (l.ended = true));
        break;
      case 'playback.started':
        playbacks.set(f.playbackId, f);
        break;
      case 'playback.finished':
        playbacks.delete(f.playbackId);
        break;
      case 'conference.created':
        conferences.set(f.conferenceId, { createdAt: f.at, ...(f.tag !== undefined ? { tag: f.tag } : {}), members: new Map() });
        break;
      case 'conference.member': {
        const c = conferences.get(f.conferenceId);
        if (c && f.state === 'active') c.members.set(f.memberId, f);
        else c?.members.delete(f.memberId);
        break;
      }
      case 'conference.completed':
        conferences.delete(f.conferenceId);
        break;
      default:
        break;
    }
  }
  // Never before the last fact: a session's facts are in time order.
  const at = Math.max(now, facts[facts.length - 1]!.at);
  const base = { sessionId: started.sessionId, at };
  const out: CallFact[] = [];
  for (const p of playbacks.values()) out.push({ ...base, type: 'playback.finished', playbackId: p.playbackId, target: p.target, source: p.source, outcome: 'stopped', ...(p.tag !== undefined ? { tag: p.tag } : {}) });
  const open = [...legs.values()].filter((l) => !l.ended);
  for (const l of open) if (l.conversationId !== undefined) out.push({ ...base, type: 'leg.left', legId: l.legId, conversationId: l.conversationId });
  for (const [conferenceId, c] of conferences) {
    let active = c.members.size;
    for (const m of c.members.values()) {
      active--;
      out.push({ ...base, type: 'conference.member', conferenceId, memberId: m.memberId, legId: m.legId, state: 'completed', mute: m.mute, hold: m.hold, activeMembers: active, ...(c.tag !== undefined ? { tag: c.tag } : {}) });
    }
    out.push({ ...base, type: 'conference.completed', conferenceId, createdAt: c.createdAt, ...(c.tag !== undefined ? { tag: c.tag } : {}) });
  }
  for (const l of open) {
    if (!l.answered && l.direction === 'out') out.push({ ...base, type: 'leg.failed', legId: l.legId, result: 'ABORT', cause: CAUSE });
    else out.push({ ...base, type: 'leg.ended', legId: l.legId, by: 'local', cause: CAUSE });
  }
  out.push({ ...base, type: 'session.ended', hangupBy: localParty(started), cause: CAUSE });
  const byes = open.flatMap((l) => (l.answered && l.dialog ? [{ legId: l.legId, dialog: l.dialog }] : []));
  return { sessionId: started.sessionId, byes, facts: out };
}

/** Ringside as the party that hung up: the number it answered on (the DID, the line), as the routing
 *  planners name it (routing/carrier.ts, device.ts, originate.ts). */
function localParty(started: SessionStarted): Party {
  const number = started.line?.number ?? (started.kind === 'inbound' ? started.to.number : 'local');
  return { kind: 'local', number };
}

function withLeg(legs: Map<string, LegState>, legId: string, fn: (l: LegState) => void): void {
  const l = legs.get(legId);
  if (l) fn(l);
}

export interface SessionRecoveryDeps {
  stack: SipStack;
  facts: FactSink;
  log: Logger;
  /** How long to wait for each BYE's answer before closing the session anyway. */
  byeTimeoutMs?: number;
  now?: () => number;
}

export interface RecoveryOutcome {
  sessionId: string;
  /** BYEs sent, and how many got a 2xx (or a 481: the peer had already forgotten the dialog). */
  byes: number;
  byesAnswered: number;
}

/** Tears down and closes one open session. Never throws for a BYE; a failed record rejects. */
export async function recoverSession(facts: readonly Fact[], deps: SessionRecoveryDeps): Promise<RecoveryOutcome | undefined> {
  const closing = sessionClosing(facts, (deps.now ?? Date.now)());
  if (!closing) return undefined;
  const log = deps.log.child({ sessionId: closing.sessionId });
  const timeoutMs = deps.byeTimeoutMs ?? 2000;
  const answers = await Promise.all(closing.byes.map(({ legId, dialog }) => bye(deps.stack, dialog, timeoutMs, log.child({ legId, callId: dialog.callId }))));
  await deps.facts.record(...closing.facts);
  const byesAnswered = answers.filter((a) => a).length;
  log.info({ byes: closing.byes.length, byesAnswered, facts: closing.facts.length }, 'session cut by a restart closed');
  return { sessionId: closing.sessionId, byes: closing.byes.length, byesAnswered };
}

async function bye(stack: SipStack, dialog: LegDialog, timeoutMs: number, log: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
  try {
    const res = await Promise.race([sendStoredBye(stack, dialog), timeout]);
    if (!res) log.info({ timeoutMs }, 'no answer to the recovery BYE in time; closing the leg anyway');
    else log.info({ status: res.status }, 'recovery BYE answered');
    return res !== undefined && ((res.status >= 200 && res.status < 300) || res.status === 481);
  } catch (err) {
    log.warn({ err }, 'recovery BYE could not be sent');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

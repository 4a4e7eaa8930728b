/**
 * A small builder that writes one session's facts in order, with a clock that moves forward. The switch
 * does not use it; golden tests, property generators and the demo tour do, so fact sequences read like
 * the timelines in the specs.
 */
import type {
  CallFact,
  DialResult,
  HangupCause,
  LegRole,
  Party,
  SessionStarted,
  UserRef,
} from '../../src/events/model/facts.js';

type StartFields = Omit<SessionStarted, 'type' | 'sessionId' | 'at'>;
type Without<F> = F extends CallFact ? Omit<F, 'sessionId' | 'at'> : never;

export const phone = (number: string): Party => ({ kind: 'phone', number });
export const sip = (number: string, userId?: string, name?: string): Party =>
  userId === undefined ? { kind: 'sip', number } : name === undefined ? { kind: 'sip', number, userId } : { kind: 'sip', number, userId, name };
export const local = (number = 'local'): Party => ({ kind: 'local', number });

/** SIP failure → dial result and hangup cause, as the switch maps them (issue 5, spec teltel §4). */
export function resultCause(result: Exclude<DialResult, 'ANSWER'>): HangupCause {
  switch (result) {
    case 'BUSY':
      return 'busy';
    case 'NOANSWER':
      return 'no-answer';
    case 'CANCEL':
      return 'originator-cancel';
    case 'CONGESTION':
      return 'congestion';
    case 'CHANUNAVAIL':
      return 'temporary-failure';
    case 'DONTCALL':
    case 'TORTURE':
      return 'rejected';
    case 'INVALIDARGS':
    case 'ABORT':
      return 'error';
  }
}

export class CallScript {
  readonly facts: CallFact[] = [];
  now: number;

  constructor(
    readonly sessionId: string,
    start = Date.UTC(2024, 4, 14, 9, 21, 7, 120),
    /** Milliseconds the clock moves after each fact. */
    readonly step = 1000,
  ) {
    this.now = start;
  }

  /** Let time pass. */
  wait(ms: number): this {
    this.now += ms;
    return this;
  }

  push(fact: Without<CallFact>): this {
    this.facts.push({ ...fact, sessionId: this.sessionId, at: this.now } as CallFact);
    this.now += this.step;
    return this;
  }

  start(fields: StartFields): this {
    return this.push({ type: 'session.started', ...fields });
  }

  leg(legId: string, role: LegRole, party: Party, extra: { direction?: 'in' | 'out'; callerId?: string; user?: UserRef; tag?: string } = {}): this {
    const direction = extra.direction ?? (role === 'caller' ? 'in' : 'out');
    return this.push({ type: 'leg.created', legId, role, party, direction, ...without(extra, 'direction') });
  }

  ringing(legId: string): this {
    return this.push({ type: 'leg.ringing', legId });
  }

  answered(legId: string): this {
    return this.push({ type: 'leg.answered', legId });
  }

  media(legId: string, codec = 'PCMU'): this {
    return this.push({ type: 'leg.media-ready', legId, codec });
  }

  /** `leg.answered` then `leg.media-ready`: what a 200 OK with SDP gives. */
  up(legId: string): this {
    return this.answered(legId).media(legId);
  }

  failed(legId: string, result: Exclude<DialResult, 'ANSWER'>, sipStatus?: number): this {
    const f = { type: 'leg.failed' as const, legId, result, cause: resultCause(result) };
    return this.push(sipStatus === undefined ? f : { ...f, sipStatus });
  }

  ended(legId: string, by: 'remote' | 'local', cause: HangupCause = 'normal'): this {
    return this.push({ type: 'leg.ended', legId, by, cause });
  }

  joined(legId: string, conversationId = 'conv-1'): this {
    return this.push({ type: 'leg.joined', legId, conversationId });
  }

  left(legId: string, conversationId = 'conv-1'): this {
    return this.push({ type: 'leg.left', legId, conversationId });
  }

  dtmf(legId: string, digit: string, durationMs = 120): this {
    return this.push({ type: 'dtmf', legId, digit, durationMs, via: 'rfc4733' });
  }

  end(hangupBy: Party, cause: HangupCause = 'normal', hangupLegId?: string): this {
    const f = { type: 'session.ended' as const, hangupBy, cause };
    return this.push(hangupLegId === undefined ? f : { ...f, hangupLegId });
  }
}

function without<T extends object, K extends keyof T>(o: T, k: K): Omit<T, K> {
  const { [k]: _drop, ...rest } = o;
  return rest;
}

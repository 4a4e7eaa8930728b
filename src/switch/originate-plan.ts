/**
 * An originate's plan (click-to-call, spec realtime §5.3), as routing/originate.ts writes it and
 * Originate runs it: the session it starts and the two sides Ringside dials, one after the other.
 */
import type { Party } from '../events/model/facts.js';
import type { RingTarget } from './ring-plan.js';
import type { SessionStart } from './session-facts.js';

/** One side: one leg in the facts (role `operator` for a SIP party, `contact` for a phone), its INVITE
 *  forked to every request (ring-plan.ts), ringing for at most `timeoutMs`. */
export interface OriginateSide {
  target: RingTarget & { callerId: string };
  timeoutMs: number;
}

export interface OriginatePlan {
  start: SessionStart;
  first: OriginateSide;
  second: OriginateSide;
  /** Ringside as a party, for the hangups it decides. */
  localParty: Party;
}

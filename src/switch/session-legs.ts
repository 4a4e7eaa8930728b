/**
 * The legs of one session: their ids (`<sessionId>.<n>`, in the order they are created), their
 * `leg.created` facts, and their media endpoints, every one closed when the session is over (but one a
 * transfer handed to the session that continues the call).
 */
import { Leg, type LegDeps, type LegSpec } from './leg.js';
import type { SessionFacts } from './session-facts.js';

export class SessionLegs {
  readonly #deps: LegDeps;
  readonly #facts: SessionFacts;
  readonly #legs: Leg[] = [];

  constructor(deps: LegDeps, facts: SessionFacts) {
    this.#deps = deps;
    this.#facts = facts;
  }

  /** A new leg of the session (not yet in the facts: `announce` records it). Its id is
   *  `<sessionId>.<n>` unless given (a voice-API call's leg is named by its call id, `c-…`). */
  create(spec: LegSpec, legId = `${this.#facts.sessionId}.${this.#legs.length + 1}`): Leg {
    const leg = new Leg(this.#deps, legId, spec);
    this.#legs.push(leg);
    return leg;
  }

  /** Records the leg's `leg.created`. */
  announce(leg: Leg): void {
    this.#facts.record({
      type: 'leg.created',
      legId: leg.legId,
      role: leg.role,
      party: leg.party,
      direction: leg.direction,
      ...(leg.callerId !== undefined ? { callerId: leg.callerId } : {}),
      ...(leg.user ? { user: leg.user } : {}),
    });
  }

  /** The session is over: every endpoint still open is closed. */
  close(): void {
    for (const leg of this.#legs) leg.releaseMedia();
  }
}

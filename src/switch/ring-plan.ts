/**
 * Who to ring, as the routing planners write it (src/switch/routing/) and ringing.ts rings it: targets
 * rung together in a round, rounds one after another.
 */
import type { LegRole, Party, UserRef } from '../events/model/facts.js';
import type { OutgoingRequestOptions } from '../sip/index.js';

/** One INVITE to send (To, Request-URI, From, destination, transport, credentials); the SDP is Ringside's. */
export type RingRequest = Omit<OutgoingRequestOptions, 'body' | 'contentType'>;

/** One party to ring: one leg in the facts. */
export interface RingTarget {
  party: Party;
  user?: UserRef;
  /** How the leg reads in the facts: `callee` (the default) for a call's targets, `operator`/`contact`
   *  for an originate's sides. */
  role?: LegRole;
  /** Caller ID presented on this leg (the From user of its INVITEs). */
  callerId?: string;
  /**
   * The INVITEs that reach the party. One: an ordinary dialled leg. Several (every registered device of a
   * user, of a ring group): the leg's INVITE is forked, as a forking proxy would (one media endpoint, the
   * same offer to each; the first 2xx wins, RFC 3261 §16.7). None (nothing registered): the leg fails at
   * once with CHANUNAVAIL.
   */
  requests: RingRequest[];
  /** The leg's id, when the session names it (a voice-API call, `c-…`). */
  legId?: string;
}

/** Targets rung together, for at most `timeoutMs`. */
export interface RingRound {
  targets: RingTarget[];
  timeoutMs: number;
}

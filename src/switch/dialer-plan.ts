/**
 * An autodialer attempt's plan (issue 14, spec teltel §5.7): the session it starts (`kind: 'dialer'`, the
 * campaign and contact in `start.dialer`), the contact it dials, and where its agents come from. Built by
 * the dialer (src/dialer/) for one contact; run by DialerCall.
 */
import type { Party } from '../events/model/facts.js';
import type { AccountRecord } from '../store/store.js';
import type { CallFlow } from '../config/call-flow/flow-types.js';
import type { OriginateSide } from './originate-plan.js';
import type { SessionStart } from './session-facts.js';

/** An agent the dialer may connect now: its side (role `operator`), held for this attempt until `release`. */
export interface AgentOffer {
  side: OriginateSide;
  /** The agent is free again (its call ended or was never connected). Idempotent. */
  release(): void;
}

/** Where an attempt's agents come from: the next free one (not one of `refused`, user ids that did not
 *  answer this attempt), or undefined when none is free now. */
export interface AgentSource {
  next(refused: ReadonlySet<string>): Promise<AgentOffer | undefined>;
}

export interface DialerPlan {
  start: SessionStart & { dialer: NonNullable<SessionStart['dialer']> };
  /** The contact's side (role `contact`, a phone number through the account's trunk). */
  contact: OriginateSide;
  /** Ringside as a party, for the hangups it decides: the caller ID the contact sees. */
  localParty: Party;
  /**
   * `operator-contact`: the agent (already reserved: `agent`) is rung first and joins alone; then the
   * contact. `contact-callflow`: the contact first; once it answers, `flow` runs on it. `predictive`: the contact first; once it answers it joins alone and the first free agent
   * from `agents` is rung, until one answers or `abandonAfterMs` passes (then the contact is abandoned).
   */
  agent?: AgentOffer;
  agents?: AgentSource;
  /** Predictive: the longest an answered contact waits for an agent before it counts as abandoned. */
  abandonAfterMs?: number;
  /** `contact-callflow`: the flow an answered contact is handed to, and its account (timezone, queues). */
  flow?: { flow: CallFlow; account: AccountRecord };
}

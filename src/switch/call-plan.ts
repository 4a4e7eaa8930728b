/**
 * A call's plan, as the routing planners write it (src/switch/routing/) and Call runs it: the session it
 * starts, its caller, who rings in which rounds, and the line's options.
 */
import type { Party, UserRef } from '../events/model/facts.js';
import type { ScreenOptions } from './leg-screen.js';
import type { RingRound } from './ring-plan.js';
import type { SessionStart } from './session-facts.js';
import type { VoicemailBox } from './voicemail.js';
import type { CallFlow } from '../config/call-flow/flow-types.js';
import type { AccountRecord } from '../store/store.js';

export interface CallPlan {
  start: SessionStart;
  /** `direction` is `in` unless the caller is a transferred party Ringside had dialled. */
  caller: { party: Party; user?: UserRef; direction?: 'in' | 'out' };
  /** Tried in order until a target answers. */
  rounds: RingRound[];
  /** Ringside as a party, for hangups it decides (the DID on inbound calls, spec teltel §6 rule 7). */
  localParty: Party;
  /** Tell the caller the single refusal the target gave (outgoing/internal calls), not a generic 480. */
  passThrough: boolean;
  /** An answered leg accepts the call (confirmation) or enters a PIN before it is connected. */
  screen?: ScreenOptions;
  /** Nobody answered (or the line goes straight to voicemail): the caller leaves a message. */
  voicemail?: VoicemailBox;
  /** Record the conversation (two channels: caller left, the other party right). */
  record?: boolean;
  /** The longest a bridged call may last; then Ringside hangs up both sides. */
  timeLimitMs?: number;
  /**
   * The line runs a call flow (its ring strategy is `flow`): the switch runs the plan as a FlowCall
   * (flow-call.ts) and `rounds`, `screen` and `voicemail` are unused. `voicemailMaxMs`: the line's longest
   * message, for the flow's voicemail nodes.
   */
  flow?: { flow: CallFlow; account: AccountRecord; voicemailMaxMs?: number };
}

/**
 * What the node runners of a call flow (flow-run.ts and the `*-node.ts` modules) may do with the call they
 * walk: the FlowCall (src/switch/flow-call.ts) implements it on a live inbound call; unit tests implement it
 * with a script. Every method that waits resolves `'gone'` once the caller has left (cancelled before the
 * answer, or hung up after it): the walk then stops, the call's end is already recorded.
 */
import type { Logger } from '../../log/logger.js';
import type { PlayItem } from '../../media/player.js';
import type { DialNode, DialStrategy, ForwardNode, QueueNode, VoicemailNode } from '../../config/call-flow/flow-types.js';

/** How a dial ended, as the dial node's outputs name it (flow-types.ts; `answer` once the bridge ended). */
export type DialEnd = 'answer' | 'noAnswer' | 'busy' | 'failed';

/** How a waiting caller's queue ended (`connected`: bridged to an agent, and that bridge is over). */
export type QueueEnd = 'connected' | 'timeout';

export type Gone = 'gone';

export interface FlowHost {
  readonly log: Logger;
  /** The instant the `time` nodes judge (the switch's clock, controllable by tests). */
  now(): Date;
  /** The account's IANA timezone (a `time` node may override it). */
  readonly timezone: string;
  /** Answers the caller (200 with our SDP, READY) unless already answered. */
  answer(): Promise<void | Gone>;
  /** Plays to the answered caller; `stopOnDigit`: the first key stops it and is returned. */
  play(items: PlayItem[], opts?: { stopOnDigit?: boolean }): Promise<{ digit?: string } | Gone>;
  /** The next key the caller presses within `ms` (RFC 4733 or SIP INFO), or undefined. */
  digit(ms: number): Promise<string | undefined | Gone>;
  /** Rings the node's target; on an answer, bridges and resolves when the bridge ends. */
  dial(node: DialNode, key: string): Promise<DialEnd | Gone>;
  /** The caller leaves a message in the user's box; the call is over when it resolves. */
  voicemail(node: VoicemailNode): Promise<void>;
  /** Dials the number through the trunk and bridges; the call is over when it resolves. */
  forward(node: ForwardNode): Promise<void>;
  /** The caller waits for an agent (CallQueues); `connected` once the bridge to the agent ended. */
  queue(node: QueueNode & { strategy: DialStrategy; maxWaitSeconds: number; announceEverySeconds: number }, key: string): Promise<QueueEnd | Gone>;
  /** The flow ends the call (Ringside hangs up, `hanged_by: local`). */
  hangUp(): void;
  /** The caller is gone (its end recorded) or the call is over. */
  readonly over: boolean;
}

/** What a node runner says comes next. */
export type Step = { next: string; output: string } | { end: 'hangup'; output?: string } | { end: 'over' };

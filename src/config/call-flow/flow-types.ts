/**
 * The call-flow graph (issue 14 "Call flows"; spec teltel §7 "Call flows"): the model only. A flow is a set
 * of nodes keyed by id; each node's outputs name the next node. Nothing here runs a call — the executor is
 * src/switch/flow-call.ts with src/switch/call-flow/ (docs/call-centre.md, "Call flows"). Flows are provisioning (the file's
 * `accounts[].flows`, `/provisioning/flows`, the store): the model lives in config/ so the loader, the store
 * and the switch may all import it (scripts/layers.mjs).
 *
 * Defaults, written down once (the executor and validate-flow.ts both read them from here):
 *
 * | node      | output / field      | when omitted                                                        |
 * |-----------|---------------------|---------------------------------------------------------------------|
 * | playaudio | next                | hang up after the prompt (a play-only flow: READY, no JOIN)          |
 * | menu      | timeout, invalid    | re-prompt up to `retries` times, then hang up (when set, the output |
 * |           |                     | is taken instead of hanging up, once the retries are spent)          |
 * | menu      | timeoutSeconds      | 5                                                                    |
 * | menu      | retries             | 2 (re-prompts after the first play: at most 3 plays)                 |
 * | dial      | answer              | the call ends when the bridge ends                                   |
 * | dial      | noAnswer            | hang up                                                              |
 * | dial      | busy, failed        | follow `noAnswer` (so also hang up when that is omitted too)         |
 * | dial      | strategy            | ring-all                                                             |
 * | dial      | timeoutSeconds      | 30                                                                   |
 * | queue     | timeout             | hang up                                                              |
 * | queue     | maxWaitSeconds      | 300                                                                  |
 * | queue     | announceEverySeconds| 60 (0 = never announce the position)                                 |
 * | queue     | strategy            | longest-idle                                                         |
 * | time      | open, closed        | never omitted: both are required                                     |
 * | time      | timezone            | the account's timezone                                               |
 * | voicemail, forward, hangup | —  | terminal, no outputs                                                 |
 */

/** A node id, unique within its flow (the same id syntax as the rest of the provisioning). */
export type NodeId = string;

/** DTMF keys a menu may bind (RFC 4733 events 0–11; A–D are not offered). */
export const DTMF_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type DtmfKey = (typeof DTMF_KEYS)[number];

/** A prompt: a sound file from the media directory, or text for TTS. */
export type Prompt = { file: string } | { text: string };

export type DialStrategy = 'ring-all' | 'round-robin' | 'longest-idle';

/** Who a dial node (or a queue, without `number`) reaches: users by id, a ring group, or one number. */
export type DialTarget = { users: number[] } | { ringGroup: string } | { number: string };
export type QueueAgents = { users: number[] } | { ringGroup: string };

export interface PlayAudioNode {
  type: 'playaudio';
  prompt: Prompt;
  next?: NodeId;
}

export interface MenuNode {
  type: 'menu';
  prompt: Prompt;
  /** One output per DTMF key. */
  keys: Partial<Record<DtmfKey, NodeId>>;
  timeoutSeconds?: number;
  retries?: number;
  /** Followed when the last try ended with no key. */
  timeout?: NodeId;
  /** Followed when the last try ended with a key that has no output. */
  invalid?: NodeId;
}

/**
 * Outputs follow the dial results of src/switch/dial-results.ts (teltel §4): ANSWER → `answer`,
 * NOANSWER → `noAnswer`, BUSY → `busy`, CONGESTION and CHANUNAVAIL → `failed`. The teltel editor calls
 * `noAnswer` "no answer".
 */
export interface DialNode {
  type: 'dial';
  target: DialTarget;
  strategy?: DialStrategy;
  timeoutSeconds?: number;
  answer?: NodeId;
  noAnswer?: NodeId;
  busy?: NodeId;
  failed?: NodeId;
}

export interface VoicemailNode {
  type: 'voicemail';
  /** The user whose mailbox takes the message. */
  mailboxUser: number;
}

/** Callers wait with music until an agent answers; once connected the queue is terminal. */
export interface QueueNode {
  type: 'queue';
  agents: QueueAgents;
  strategy?: DialStrategy;
  music?: { file: string };
  announceEverySeconds?: number;
  maxWaitSeconds?: number;
  timeout?: NodeId;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * Open from `from` to `to` (local wall time, `HH:MM`, `to` may be `24:00`) on each of `days`. A range
 * never spans midnight: a night shift is two ranges (mon 22:00–24:00, tue 00:00–06:00).
 */
export interface WeeklyRange {
  days: Weekday[];
  from: string;
  to: string;
}

export interface OfficeHours {
  weekly: WeeklyRange[];
  /** Whole local dates (`YYYY-MM-DD`) that are closed whatever `weekly` says. */
  holidays?: string[];
}

export interface TimeNode extends OfficeHours {
  type: 'time';
  /** An IANA timezone overriding the account's. */
  timezone?: string;
  open: NodeId;
  closed: NodeId;
}

export interface ForwardNode {
  type: 'forward';
  number: string;
}

export interface HangupNode {
  type: 'hangup';
}

export type FlowNode =
  | PlayAudioNode
  | MenuNode
  | DialNode
  | VoicemailNode
  | QueueNode
  | TimeNode
  | ForwardNode
  | HangupNode;
export type FlowNodeType = FlowNode['type'];

export interface CallFlow {
  id: string;
  name: string;
  start: NodeId;
  nodes: Record<NodeId, FlowNode>;
}

export const FLOW_DEFAULTS = {
  menu: { timeoutSeconds: 5, retries: 2 },
  dial: { strategy: 'ring-all', timeoutSeconds: 30 },
  queue: { strategy: 'longest-idle', maxWaitSeconds: 300, announceEverySeconds: 60 },
} as const;

/** One output of a node: its name (`next`, `keys/3`, `busy`…), its target, and whether it was defaulted. */
export interface FlowOutput {
  output: string;
  target: NodeId;
  /** True when the node omitted this output and the target comes from the defaults table above. */
  defaulted: boolean;
  /** True when the caller has waited (a prompt played, a key awaited, ringing, queueing) before it is taken. */
  waits: boolean;
}

/**
 * The outputs a node can take, with the defaults applied. An omitted output whose default is "hang up"
 * has no target and is not listed. Which outputs wait is the rule validate-flow.ts checks cycles against:
 * playaudio `next` (a prompt played), every menu output (a key awaited), dial `answer`/`noAnswer`
 * (answered or rung for `timeoutSeconds`), queue `timeout` (`maxWaitSeconds` waited). A `time` output and
 * a dial's `busy`/`failed` can come back at once (a 486 or an unregistered user), so they do not wait.
 */
export function outputsOf(node: FlowNode): FlowOutput[] {
  const out: FlowOutput[] = [];
  const add = (output: string, target: NodeId | undefined, waits: boolean, defaulted = false) => {
    if (target !== undefined) out.push({ output, target, waits, defaulted });
  };
  switch (node.type) {
    case 'playaudio':
      add('next', node.next, true);
      break;
    case 'menu':
      for (const [key, target] of Object.entries(node.keys)) add(`keys/${key}`, target, true);
      add('timeout', node.timeout, true);
      add('invalid', node.invalid, true);
      break;
    case 'dial':
      add('answer', node.answer, true);
      add('noAnswer', node.noAnswer, true);
      add('busy', node.busy ?? node.noAnswer, false, node.busy === undefined);
      add('failed', node.failed ?? node.noAnswer, false, node.failed === undefined);
      break;
    case 'queue':
      add('timeout', node.timeout, true);
      break;
    case 'time':
      add('open', node.open, false);
      add('closed', node.closed, false);
      break;
    case 'voicemail':
    case 'forward':
    case 'hangup':
      break;
  }
  return out;
}

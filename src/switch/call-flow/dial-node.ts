/**
 * A `dial` node: rings its target (the FlowCall builds the rounds, dial-targets.ts) and takes the output
 * of the dial result (flow-types.ts: ANSWER → `answer`, NOANSWER → `noAnswer`, BUSY → `busy`, CONGESTION
 * and CHANUNAVAIL → `failed`; `busy`/`failed` follow `noAnswer` when omitted, and that hangs up when
 * omitted too). An answered dial is bridged; the call ends when the bridge ends — unless `answer` is set
 * and the dialled party hangs up first: then the caller goes on there.
 */
import type { DialOutcome } from '../dial-results.js';
import type { DialNode } from '../../config/call-flow/flow-types.js';
import type { DialEnd, FlowHost, Step } from './flow-host.js';

/**
 * The output of a dial nobody answered, from every leg's outcome: one leg that rang out makes it
 * `noAnswer` (somebody could have answered), else a busy makes it `busy`, else `failed` (no device, a
 * refusal, nobody to ring at all).
 */
export function unansweredDialEnd(failures: readonly DialOutcome[]): Exclude<DialEnd, 'answer'> {
  if (failures.some((f) => f.result === 'NOANSWER')) return 'noAnswer';
  if (failures.some((f) => f.result === 'BUSY')) return 'busy';
  return 'failed';
}

export async function runDial(node: DialNode, host: FlowHost, key: string): Promise<Step> {
  const end = await host.dial(node, key);
  if (end === 'gone') return { end: 'over' };
  // Answered: the call ended with the bridge, unless `answer` is set and the dialled party hung up first.
  if (end === 'answer') return node.answer !== undefined && !host.over ? { next: node.answer, output: 'answer' } : { end: 'over' };
  const target = end === 'noAnswer' ? node.noAnswer : (node[end] ?? node.noAnswer);
  return target !== undefined ? { next: target, output: end } : { end: 'hangup', output: end };
}

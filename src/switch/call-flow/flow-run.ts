/**
 * The walk of a call flow (docs/call-centre.md "Call flows"): from `start`, run each node (its runner in
 * this directory) and follow the output it took, until a node ends the call (hangup, a default that hangs
 * up) or the call is over (bridged and ended, voicemail, forward, the caller left). Every step is logged
 * with the flow and node ids (the host's logger carries the session id).
 *
 * validate-flow.ts refuses a cycle without a wait, but a caller could still loop through a menu for ever:
 * the walk is bounded by a hop count, after which Ringside hangs up.
 */
import type { CallFlow, FlowNode } from '../../config/call-flow/flow-types.js';
import type { FlowHost, Step } from './flow-host.js';
import { runMenu } from './menu-node.js';
import { runDial } from './dial-node.js';
import { runQueue } from './queue-node.js';
import { runForward, runHangup, runPlayAudio, runTime, runVoicemail } from './simple-nodes.js';

/** Nodes one call may run before Ringside hangs up (a safety net; a real caller never gets near it). */
export const MAX_FLOW_HOPS = 100;

/** How the walk ended: the flow hung up, the call was over, or the hop bound (or a broken graph) stopped it. */
export type FlowEnd = 'hangup' | 'over' | 'stopped';

export interface FlowRunOptions {
  /** Where `{ file }` prompts are read from. */
  mediaDir: string;
  maxHops?: number;
}

function runNode(flow: CallFlow, id: string, node: FlowNode, host: FlowHost, mediaDir: string): Promise<Step> | Step {
  // Round-robin rotations and queues are kept per node of a flow.
  const key = `${flow.id}/${id}`;
  switch (node.type) {
    case 'playaudio':
      return runPlayAudio(node, host, mediaDir);
    case 'menu':
      return runMenu(node, host, mediaDir);
    case 'dial':
      return runDial(node, host, key);
    case 'queue':
      return runQueue(node, host, key);
    case 'time':
      return runTime(node, host);
    case 'voicemail':
      return runVoicemail(node, host);
    case 'forward':
      return runForward(node, host);
    case 'hangup':
      return runHangup(node);
  }
}

export async function runFlow(flow: CallFlow, host: FlowHost, o: FlowRunOptions): Promise<FlowEnd> {
  const maxHops = o.maxHops ?? MAX_FLOW_HOPS;
  const log = host.log.child({ flowId: flow.id });
  let id = flow.start;
  for (let hop = 1; ; hop++) {
    if (host.over) return 'over';
    const node = flow.nodes[id];
    if (hop > maxHops || !node) {
      if (node) log.warn({ nodeId: id, hops: maxHops }, 'flow: too many steps; hanging up');
      else log.error({ nodeId: id }, 'flow: no such node; hanging up');
      host.hangUp();
      return 'stopped';
    }
    log.info({ nodeId: id, type: node.type, hop }, 'flow step');
    const step = await runNode(flow, id, node, host, o.mediaDir);
    if ('next' in step) {
      log.info({ nodeId: id, output: step.output, next: step.next }, 'flow output');
      id = step.next;
      continue;
    }
    if (step.end === 'over') {
      log.info({ nodeId: id }, 'flow: the call is over');
      return 'over';
    }
    log.info({ nodeId: id, output: step.output }, 'flow: hanging up');
    if (!host.over) host.hangUp();
    return 'hangup';
  }
}

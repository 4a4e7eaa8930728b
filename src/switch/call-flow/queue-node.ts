/**
 * A `queue` node: the caller is answered and waits with music (position announcements by TTS) until an
 * agent answers (CallQueues, call-queue.ts, offers the agents; the FlowCall rings the offered one inside
 * the caller's session and bridges). Connected, the call ends when that bridge ends; `maxWaitSeconds`
 * without an agent takes `timeout` (hang up when omitted). Defaults: flow-types.ts.
 */
import { FLOW_DEFAULTS, type QueueNode } from '../../config/call-flow/flow-types.js';
import type { FlowHost, Step } from './flow-host.js';

export async function runQueue(node: QueueNode, host: FlowHost, key: string): Promise<Step> {
  const end = await host.queue(
    {
      ...node,
      strategy: node.strategy ?? FLOW_DEFAULTS.queue.strategy,
      maxWaitSeconds: node.maxWaitSeconds ?? FLOW_DEFAULTS.queue.maxWaitSeconds,
      announceEverySeconds: node.announceEverySeconds ?? FLOW_DEFAULTS.queue.announceEverySeconds,
    },
    key,
  );
  if (end === 'gone' || end === 'connected') return { end: 'over' };
  return node.timeout !== undefined ? { next: node.timeout, output: 'timeout' } : { end: 'hangup', output: 'timeout' };
}

/** What a waiting caller hears as its position. */
export const positionText = (position: number): string => (position === 1 ? 'You are next in line. Please hold.' : `You are number ${position} in line. Please hold.`);

/**
 * What a FlowCall needs of the call queues (helper C's CallQueues, call-queue.ts, satisfies it): wait for
 * an agent, who is offered with a lease the executor releases when the bridge ends.
 */
import type { DialStrategy } from './flow-types.js';

export interface FlowAgentLease {
  userId: number;
  release(): void;
}

export interface FlowQueueEntry {
  accountId: string;
  /** `<flowId>/<nodeId>`. */
  queueKey: string;
  candidates: readonly number[];
  strategy: DialStrategy;
  maxWaitMs: number;
  announceEveryMs: number;
  announce(position: number): void;
  offer(lease: FlowAgentLease): Promise<'connected' | 'failed'>;
  gone: Promise<void>;
}

export interface FlowQueues {
  wait(entry: FlowQueueEntry): Promise<'connected' | 'timeout' | 'gone'>;
}

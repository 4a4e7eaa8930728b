/**
 * The waiting callers of every `queue` node (flow-types.ts `QueueNode`; docs/call-centre.md, "Call flows"):
 * callers wait, with music and position announcements, until an agent of the node takes them, or until
 * `maxWaitSeconds` (output `timeout`). The executor (flow-call.ts) plays the music and the announcements and
 * rings the agent; this module decides who is offered which agent and when. No SIP here.
 *
 * Rules:
 * - **First come, first served per queue key** (`${flowId}/${nodeId}`): only the head caller is offered an
 *   agent; the others wait behind it even when the head has nobody to be offered.
 * - **One offer at a time per caller.** The head asks the agent pool (agents/agent-pool.ts) for a lease,
 *   and `entry.offer(lease)` rings that agent. `connected`: the entry resolves `connected` and **the lease
 *   is the executor's** — it releases it when the bridge ends (until then the pool offers that agent to
 *   nobody: two queues sharing an agent never get it at once). `failed` (or a rejected promise): the lease is
 *   released here and the head tries the next free agent; the agent who failed is not offered to this
 *   caller again for 30 s (RETRY_SAME_AGENT_MS) — other callers may get them.
 * - **Max wait** (`maxWaitMs`, from entry; ≤ 0 or not finite: no limit) resolves `timeout`. It does not cut
 *   an offer already ringing an agent: that offer decides (`connected` wins, `failed` gives `timeout`).
 * - **Caller gone** (`entry.gone` settles): the entry resolves `gone` at once and leaves the queue. An offer in
 *   progress for it is the executor's to cancel (it watches the same call); whatever it then answers, the
 *   lease is released here (nobody is left to bridge).
 * - **Positions** are 1-based places in the queue and renumber as callers ahead leave. `announce(position)`
 *   is called at entry and every `announceEveryMs` (0: never again), except while that caller's offer is
 *   ringing an agent (they are about to be connected, not waiting in line).
 * - **Waking**: a waiting head is retried when the pool says an agent may be free (`AgentPool.onChange`: a
 *   lease released, a call ended here, a presence written through the pool) and, as a safety net for what the
 *   pool is not told (a presence written by another node, a user re-provisioned), every second (POLL_MS)
 *   while anyone waits.
 */
import type { AgentLease, AgentPool } from '../agents/agent-pool.js';
import type { DialStrategy } from '../../config/call-flow/flow-types.js';
import type { TimerHandle } from '../../sip/transaction/clock.js';
import type { Logger } from '../../log/logger.js';

/** The same agent is not offered to the same caller again for this long after a failed offer. */
export const RETRY_SAME_AGENT_MS = 30_000;
/** The safety-net retry of every waiting head. */
export const POLL_MS = 1_000;

export type OfferResult = 'connected' | 'failed';
export type QueueOutcome = 'connected' | 'timeout' | 'gone';

export interface QueueEntry {
  accountId: string;
  /** `${flowId}/${nodeId}`: callers of one key wait in one line. */
  queueKey: string;
  /** The node's agents (user ids), in the order the strategy reads them. */
  candidates: readonly number[];
  strategy: DialStrategy;
  maxWaitMs: number;
  announceEveryMs: number;
  /** Tell the caller their place (1 = next). Must not throw; a throw is logged. */
  announce(position: number): void;
  /** Ring the leased agent and bridge on answer. `connected`: the executor now owns the lease and releases it
   *  when the bridge ends. `failed`: the queue releases it and tries another agent. */
  offer(lease: AgentLease): Promise<OfferResult>;
  /** Settles when the caller hangs up. */
  gone: Promise<void>;
}

export interface CallQueuesDeps {
  pool: Pick<AgentPool, 'reserve' | 'onChange'>;
  now?: () => number;
  setTimer?: (ms: number, fn: () => void) => TimerHandle;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

interface Waiter {
  entry: QueueEntry;
  queue: Queue;
  /** `reserving`: asking the pool; `offering`: an agent is being rung for this caller. */
  phase: 'waiting' | 'reserving' | 'offering' | 'done';
  /** Max wait passed while an offer was ringing: the offer's result decides. */
  timedOut: boolean;
  /** Agent → when an offer to them failed for this caller. */
  failedAt: Map<number, number>;
  timers: TimerHandle[];
  resolve(outcome: QueueOutcome): void;
}

interface Queue {
  id: string;
  accountId: string;
  waiters: Waiter[];
  /** A wake came while the head was asking the pool: ask again if it found nobody. */
  rewake: boolean;
}

/** Read through a call so the compiler does not keep a phase narrowed across an await. */
const left = (w: Waiter): boolean => w.phase === 'done';

const defaultSetTimer = (ms: number, fn: () => void): TimerHandle => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

export class CallQueues {
  readonly #pool: CallQueuesDeps['pool'];
  readonly #now: () => number;
  readonly #setTimer: (ms: number, fn: () => void) => TimerHandle;
  readonly #log: CallQueuesDeps['log'];
  readonly #queues = new Map<string, Queue>();
  readonly #unsubscribe: () => void;
  #poll: TimerHandle | undefined;
  /** Accounts whose queues a microtask will pump (wakes are coalesced and never run inside the waker). */
  readonly #wakes = new Set<string>();

  constructor(deps: CallQueuesDeps) {
    this.#pool = deps.pool;
    this.#now = deps.now ?? Date.now;
    this.#setTimer = deps.setTimer ?? defaultSetTimer;
    this.#log = deps.log;
    this.#unsubscribe = this.#pool.onChange((accountId) => this.#wake(accountId));
  }

  /** Queue a caller; resolves once they are connected, timed out or gone. */
  wait(entry: QueueEntry): Promise<QueueOutcome> {
    return new Promise<QueueOutcome>((resolve) => {
      const id = `${entry.accountId}\u0000${entry.queueKey}`;
      let queue = this.#queues.get(id);
      if (!queue) this.#queues.set(id, (queue = { id, accountId: entry.accountId, waiters: [], rewake: false }));
      const w: Waiter = { entry, queue, phase: 'waiting', timedOut: false, failedAt: new Map(), timers: [], resolve };
      queue.waiters.push(w);
      this.#announce(w);
      if (Number.isFinite(entry.maxWaitMs) && entry.maxWaitMs > 0) w.timers.push(this.#setTimer(entry.maxWaitMs, () => this.#maxWait(w)));
      if (Number.isFinite(entry.announceEveryMs) && entry.announceEveryMs > 0) this.#announceLater(w);
      const gone = () => this.#finish(w, 'gone');
      entry.gone.then(gone, gone);
      this.#armPoll();
      void this.#pump(queue);
    });
  }

  /** How many callers wait in this queue now (the head included, also while it is being offered). */
  waiting(accountId: string, queueKey: string): number {
    return this.#queues.get(`${accountId}\u0000${queueKey}`)?.waiters.length ?? 0;
  }

  /** Stop listening to the pool and polling. Callers already waiting are not resolved. */
  close(): void {
    this.#unsubscribe();
    this.#poll?.cancel();
    this.#poll = undefined;
  }

  #position(w: Waiter): number {
    return w.queue.waiters.indexOf(w) + 1;
  }

  #announce(w: Waiter): void {
    try {
      w.entry.announce(this.#position(w));
    } catch (err) {
      this.#log?.error({ err, queue: w.entry.queueKey, accountId: w.entry.accountId }, 'queue announcement failed');
    }
  }

  #announceLater(w: Waiter): void {
    w.timers.push(
      this.#setTimer(w.entry.announceEveryMs, () => {
        if (w.phase === 'done') return;
        if (w.phase !== 'offering') this.#announce(w);
        this.#announceLater(w);
      }),
    );
  }

  #maxWait(w: Waiter): void {
    if (w.phase === 'offering') w.timedOut = true;
    else this.#finish(w, 'timeout');
  }

  /** The caller leaves the queue with `outcome`; the one behind becomes head and is offered. */
  #finish(w: Waiter, outcome: QueueOutcome): void {
    if (w.phase === 'done') return;
    w.phase = 'done';
    for (const t of w.timers) t.cancel();
    w.timers = [];
    const q = w.queue;
    const i = q.waiters.indexOf(w);
    if (i >= 0) q.waiters.splice(i, 1);
    if (q.waiters.length === 0) this.#queues.delete(q.id);
    this.#log?.info({ queue: w.entry.queueKey, accountId: w.entry.accountId, outcome }, 'queue caller left');
    w.resolve(outcome);
    if (i === 0) void this.#pump(q);
  }

  /** Offer the head of `q` one free agent, if it is waiting and one is free. */
  async #pump(q: Queue): Promise<void> {
    const head = q.waiters[0];
    if (!head) return;
    if (head.phase === 'reserving') q.rewake = true;
    if (head.phase !== 'waiting') return;
    head.phase = 'reserving';
    q.rewake = false;
    const { entry } = head;
    let lease: AgentLease | undefined;
    try {
      lease = await this.#pool.reserve(entry.accountId, this.#eligible(head), entry.strategy, entry.queueKey);
    } catch (err) {
      // The store failed: the caller keeps waiting and the poll asks again.
      this.#log?.error({ err, queue: entry.queueKey, accountId: entry.accountId }, 'queue could not ask the agent pool');
    }
    if (head.phase !== 'reserving') {
      // Gone or timed out while the pool was asked: nobody to offer the agent to.
      lease?.release();
      return;
    }
    head.phase = 'waiting';
    if (!lease) {
      if (q.rewake) void this.#pump(q);
      return;
    }
    head.phase = 'offering';
    let result: OfferResult;
    try {
      result = await entry.offer(lease);
    } catch (err) {
      this.#log?.warn({ err, queue: entry.queueKey, accountId: entry.accountId, userId: lease.userId }, 'queue offer threw: taken as failed');
      result = 'failed';
    }
    if (left(head)) {
      // The caller left while the agent was rung: whatever the offer says, nobody is left to bridge.
      lease.release();
      return;
    }
    if (result === 'connected') return this.#finish(head, 'connected');
    this.#log?.info({ queue: entry.queueKey, accountId: entry.accountId, userId: lease.userId }, 'queue offer failed');
    head.failedAt.set(lease.userId, this.#now());
    if (head.timedOut) this.#finish(head, 'timeout');
    else head.phase = 'waiting';
    // Releasing wakes every queue of the account (this one included) through the pool's onChange.
    lease.release();
  }

  /** The candidates this caller may be offered now: not one whose offer failed in the last 30 s. */
  #eligible(w: Waiter): number[] {
    const now = this.#now();
    return w.entry.candidates.filter((id) => {
      const at = w.failedAt.get(id);
      return at === undefined || now - at >= RETRY_SAME_AGENT_MS;
    });
  }

  #wake(accountId: string): void {
    if (this.#wakes.has(accountId)) return;
    this.#wakes.add(accountId);
    queueMicrotask(() => {
      this.#wakes.delete(accountId);
      for (const q of [...this.#queues.values()]) if (q.accountId === accountId) void this.#pump(q);
    });
  }

  #armPoll(): void {
    if (this.#poll || this.#queues.size === 0) return;
    this.#poll = this.#setTimer(POLL_MS, () => {
      this.#poll = undefined;
      for (const q of [...this.#queues.values()]) void this.#pump(q);
      this.#armPoll();
    });
  }
}

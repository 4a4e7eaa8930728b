/**
 * The agent pool: which of an account's agents may be offered a call now, and a lease on the one picked so
 * that nothing else offers them a call meanwhile (the call-flow queue, call-flow/call-queue.ts; the
 * autodialer). docs/call-centre.md, "Agents".
 *
 * An agent is **free** when all of these hold:
 * - their presence is `available` (what they set: routing/agent-presence.ts `presenceOf`; never set is
 *   available) and the provisioning has them `available: true` in this account — the same members a line's
 *   hunt rings (routing/targets.ts `availableUsers`);
 * - they are in no call here: no leg of theirs is up in a live session (LiveSessions.usersInCalls — ringing
 *   counts, unlike the `busy` that GET /agents shows: an agent being rung by a line is about to be busy);
 * - nobody holds a lease on them.
 *
 * **Per process.** Leases, the round-robin positions and the idle clock live in this object, and the live
 * sessions are this node's: a cluster node only knows its own calls (docs/call-centre.md, "What is stored,
 * and what is derived"). Two nodes may offer one agent a call at the same moment; the agent's phone decides
 * (call waiting, or a 486 that fails the offer, and the queue moves on). Restarting forgets the idle clock:
 * every agent counts as "never had a call" again.
 *
 * **No agent holds two leases.** `reserve` awaits the store once, then reads the live calls and the leases,
 * picks and leases in one synchronous step: two reserves racing each see the other's lease
 * (agent-pool.property.test.ts checks it on random reserve/release/presence/call sequences).
 *
 * Strategies (flow-types.ts `DialStrategy`; the queue node's default is longest-idle):
 * - `ring-all`: the first free candidate in the order given (a queue offers one agent at a time, so
 *   "all" is a hunt from the top);
 * - `round-robin`: the first free candidate after the one this `key` got last (from the top when it got
 *   none, or that agent is no longer a candidate);
 * - `longest-idle`: the free candidate whose last call through the pool ended longest ago (a lease's
 *   release stamps it); those who never had one come first, in candidate order.
 */
import type { Store } from '../../store/store.js';
import type { DialStrategy } from '../../config/call-flow/flow-types.js';
import type { LiveSessions } from '../live-sessions.js';
import type { Logger } from '../../log/logger.js';
import { presenceOf, takesGroupCalls } from '../routing/agent-presence.js';

/** One agent reserved for one offer. `release()` frees them and stamps their idle clock; idempotent. */
export interface AgentLease {
  userId: number;
  release(): void;
}

export interface AgentPoolDeps {
  store: Pick<Store, 'getUser' | 'listAgentPresence'>;
  live: Pick<LiveSessions, 'usersInCalls' | 'onUsersFreed'>;
  now?: () => number;
  /** Where a listener's failure is reported (it never reaches the releaser). */
  log?: Pick<Logger, 'error'>;
}

type ChangeListener = (accountId: string) => void;

export class AgentPool {
  readonly #store: AgentPoolDeps['store'];
  readonly #live: AgentPoolDeps['live'];
  readonly #now: () => number;
  readonly #log: AgentPoolDeps['log'];
  /** `${accountId}\0${userId}` → the lease held on them. */
  readonly #leases = new Map<string, AgentLease>();
  /** `${accountId}\0${userId}` → when their last lease was released. */
  readonly #idleSince = new Map<string, number>();
  /** `${accountId}\0${key}` → the user that key's round-robin got last. */
  readonly #lastGiven = new Map<string, number>();
  readonly #listeners = new Set<ChangeListener>();
  readonly #unsubscribe: () => void;

  constructor(deps: AgentPoolDeps) {
    this.#store = deps.store;
    this.#live = deps.live;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.log;
    this.#unsubscribe = this.#live.onUsersFreed((accountId) => this.#emit(accountId));
  }

  /** The free agents among `candidates`, in candidate order (what the dialer paces by). */
  async free(accountId: string, candidates: readonly number[]): Promise<number[]> {
    const willing = await this.#willing(accountId, candidates);
    return this.#freeNow(accountId, willing);
  }

  /** Lease one free agent among `candidates` by `strategy`; undefined when none is free. `key` names who
   *  asks (a queue node: `${flowId}/${nodeId}`), for round-robin. */
  async reserve(accountId: string, candidates: readonly number[], strategy: DialStrategy, key: string): Promise<AgentLease | undefined> {
    const willing = await this.#willing(accountId, candidates);
    // From here to the lease nothing awaits: no other reserve can slip in between.
    const free = this.#freeNow(accountId, willing);
    const userId = this.#pick(accountId, candidates, free, strategy, key);
    if (userId === undefined) return undefined;
    return this.#lease(accountId, userId, key);
  }

  /** Whether someone holds a lease on this agent now. */
  isLeased(accountId: string, userId: number): boolean {
    return this.#leases.has(slot(accountId, userId));
  }

  /** Some agent of the account may have become free: a lease released, a call of theirs ended here, or a
   *  presence written (tell the pool: `presenceChanged`). Returns the unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A presence of the account was written (REST, a feature code): waiting callers may find an agent now. */
  presenceChanged(accountId: string): void {
    this.#emit(accountId);
  }

  /** Stop listening to the live sessions (the pool's owner is shutting down). Leases stay as they are. */
  close(): void {
    this.#unsubscribe();
  }

  /** The candidates who belong to the account, take group calls in the provisioning and set `available`,
   *  in candidate order, each once. */
  async #willing(accountId: string, candidates: readonly number[]): Promise<number[]> {
    const ids = [...new Set(candidates)];
    if (ids.length === 0) return [];
    const [presence, users] = await Promise.all([
      this.#store.listAgentPresence(accountId).then((rs) => new Map(rs.map((r) => [r.userId, r]))),
      Promise.all(ids.map((id) => this.#store.getUser(id))),
    ]);
    return ids.filter((id, i) => {
      const u = users[i];
      return u !== undefined && u.accountId === accountId && u.available && takesGroupCalls(presenceOf(u, presence.get(id)));
    });
  }

  #freeNow(accountId: string, willing: readonly number[]): number[] {
    const inCalls = willing.length > 0 ? this.#live.usersInCalls(accountId) : new Set<number>();
    return willing.filter((id) => !inCalls.has(id) && !this.#leases.has(slot(accountId, id)));
  }

  #pick(accountId: string, candidates: readonly number[], free: readonly number[], strategy: DialStrategy, key: string): number | undefined {
    if (free.length === 0) return undefined;
    switch (strategy) {
      case 'ring-all':
        return free[0];
      case 'round-robin': {
        const last = this.#lastGiven.get(slot(accountId, key));
        const from = last === undefined ? -1 : candidates.indexOf(last);
        // Candidate order, starting after `last` and wrapping round.
        for (let i = 1; i <= candidates.length; i++) {
          const id = candidates[(from + i + candidates.length) % candidates.length]!;
          if (free.includes(id)) return id;
        }
        return undefined;
      }
      case 'longest-idle': {
        let best: number | undefined;
        let bestSince = Infinity;
        for (const id of free) {
          const since = this.#idleSince.get(slot(accountId, id)) ?? -Infinity;
          if (since < bestSince) {
            best = id;
            bestSince = since;
          }
        }
        return best ?? free[0];
      }
    }
  }

  #lease(accountId: string, userId: number, key: string): AgentLease {
    const at = slot(accountId, userId);
    this.#lastGiven.set(slot(accountId, key), userId);
    let released = false;
    const lease: AgentLease = {
      userId,
      release: () => {
        if (released) return;
        released = true;
        if (this.#leases.get(at) === lease) this.#leases.delete(at);
        this.#idleSince.set(at, this.#now());
        this.#emit(accountId);
      },
    };
    this.#leases.set(at, lease);
    return lease;
  }

  #emit(accountId: string): void {
    for (const listener of [...this.#listeners])
      try {
        listener(accountId);
      } catch (err) {
        this.#log?.error({ err, accountId }, 'agent pool listener failed');
      }
  }
}

function slot(accountId: string, id: number | string): string {
  return `${accountId}\u0000${id}`;
}

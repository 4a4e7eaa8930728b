/**
 * The order a dial node hunts its users in (strategy, docs/call-centre.md "Call flows"): `ring-all` rings
 * everyone together; `round-robin` starts one further along at every call of the node; `longest-idle`
 * starts with the user whose last flow-dialled call ended longest ago (never → first, ties in the given
 * order). Kept per switch, in memory: a restart starts the rotations again.
 */
import type { DialStrategy } from '../../config/call-flow/flow-types.js';

export class DialOrder {
  /** Round-robin: the index of the user who rings first on the node's next call, per `<flowId>/<nodeId>`. */
  readonly #rotation = new Map<string, number>();
  /** When each user's last bridged flow call ended (ms). */
  readonly #idleSince = new Map<number, number>();

  /** `users` in the order the strategy rings them. */
  order<U extends { id: number }>(users: readonly U[], strategy: DialStrategy, key: string): U[] {
    if (strategy === 'ring-all' || users.length === 0) return [...users];
    if (strategy === 'round-robin') {
      const start = (this.#rotation.get(key) ?? 0) % users.length;
      this.#rotation.set(key, start + 1);
      return users.map((_, i) => users[(start + i) % users.length]!);
    }
    const idle = (u: U) => this.#idleSince.get(u.id) ?? -Infinity;
    return users.map((u, i) => ({ u, i })).sort((a, b) => idle(a.u) - idle(b.u) || a.i - b.i).map((x) => x.u);
  }

  /** A user's bridged call through a flow ended at `at`: the longest-idle clock restarts. */
  ended(userId: number, at: number): void {
    this.#idleSince.set(userId, at);
  }
}

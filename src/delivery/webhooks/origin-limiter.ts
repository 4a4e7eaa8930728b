/**
 * Bounded concurrency per endpoint origin (scheme://host:port) and overall, so a slow receiver ties up at
 * most `perOrigin` requests and cannot exhaust the process. Waiters are served first come, first served;
 * an origin's state is dropped when it is idle, so memory is bounded by the origins in use.
 */
export class OriginLimiter {
  readonly #perOrigin: number;
  readonly #total: number;
  #active = 0;
  readonly #origins = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(perOrigin: number, total: number) {
    this.#perOrigin = perOrigin;
    this.#total = total;
  }

  get active(): number {
    return this.#active;
  }

  /** Resolves with a release function once a slot is free. */
  acquire(origin: string): Promise<() => void> {
    return new Promise((resolve) => {
      const o = this.#origin(origin);
      const go = () => {
        o.active++;
        this.#active++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          o.active--;
          this.#active--;
          this.#next(origin);
        });
      };
      if (o.active < this.#perOrigin && this.#active < this.#total) go();
      else o.waiting.push(go);
    });
  }

  #origin(origin: string) {
    let o = this.#origins.get(origin);
    if (!o) {
      o = { active: 0, waiting: [] };
      this.#origins.set(origin, o);
    }
    return o;
  }

  #next(released: string): void {
    // The origin that freed a slot first, then any origin waiting only for the overall limit.
    const order = [released, ...[...this.#origins.keys()].filter((k) => k !== released)];
    for (const key of order) {
      const o = this.#origins.get(key)!;
      while (o.waiting.length > 0 && o.active < this.#perOrigin && this.#active < this.#total) o.waiting.shift()!();
      if (o.active === 0 && o.waiting.length === 0) this.#origins.delete(key);
      if (this.#active >= this.#total) return;
    }
  }
}

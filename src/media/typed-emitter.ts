/**
 * A small event emitter with a typed event map. A listener that throws cannot break the emitter or the
 * other listeners: the error is caught and re-emitted as `listenererror` (as mediasoup does); if that
 * listener throws too, the error is dropped rather than looping.
 */
export type EventMap = { [event: string]: unknown[] };

export type ListenerErrorEvents = {
  listenererror: [event: string, error: unknown];
};

type Full<M> = M & ListenerErrorEvents;
type Args<M, K extends keyof Full<M>> = Full<M>[K] extends unknown[] ? Full<M>[K] : never;
type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEmitter<M extends EventMap> {
  #listeners = new Map<PropertyKey, Listener<never[]>[]>();

  on<K extends keyof Full<M>>(event: K, listener: Listener<Args<M, K>>): this {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener as unknown as Listener<never[]>);
    this.#listeners.set(event, list);
    return this;
  }

  once<K extends keyof Full<M>>(event: K, listener: Listener<Args<M, K>>): this {
    const wrapped = (...args: Args<M, K>): void => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  off<K extends keyof Full<M>>(event: K, listener: Listener<Args<M, K>>): this {
    const list = this.#listeners.get(event);
    if (list) {
      const i = list.indexOf(listener as unknown as Listener<never[]>);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  listenerCount(event: keyof Full<M>): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  /** Calls every listener in order; returns whether there was one. */
  emit<K extends keyof Full<M>>(event: K, ...args: Args<M, K>): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const l of [...list]) {
      try {
        (l as unknown as Listener<Args<M, K>>)(...args);
      } catch (err) {
        if (event === 'listenererror') continue; // a failing error handler must not recurse
        for (const h of [...(this.#listeners.get('listenererror') ?? [])]) {
          try {
            (h as unknown as Listener<ListenerErrorEvents['listenererror']>)(String(event), err);
          } catch {
            // dropped: see the class comment
          }
        }
      }
    }
    return true;
  }
}

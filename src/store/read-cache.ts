/**
 * Rows the switch reads on every call (accounts, users, numbers, lines, trunks, a user's SIP bindings), kept
 * parsed in memory by the store that writes them, so a call costs no query and no JSON.parse per lookup.
 * Values are frozen: they are shared by every reader, and a reader that changed one would change it for
 * all (it throws instead). Only values found are kept (a lookup of what does not exist — a fuzzer's random
 * number — still asks the database), and at most `maxEntries`, so the cache stays bounded by what is
 * provisioned. The store clears what a write changes.
 */
export class ReadCache {
  readonly #entries = new Map<string, unknown>();
  readonly #maxEntries: number;

  constructor(maxEntries = 20_000) {
    this.#maxEntries = maxEntries;
  }

  /** The value under `key`, from `load` the first time (and again after a `clear`/`delete`). */
  get<T>(key: string, load: () => T | undefined): T | undefined {
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit as T;
    const value = load();
    if (value === undefined) return undefined;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, deepFreeze(value));
    return value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

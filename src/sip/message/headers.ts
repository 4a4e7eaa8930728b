import { canonicalName, displayName, isListHeader } from './header-names.js';
import { splitTopLevel } from './lexer.js';

/**
 * The header fields of one message, in order. Names are case-insensitive and compact forms are expanded
 * (RFC 3261 §7.3.1, §7.3.3). Values are kept as received (after unfolding), so a proxy-like use can relay
 * unknown headers untouched.
 *
 * Parsed forms of a field (sip-message.ts getters) are kept here until that field changes: every layer
 * reads the top Via, the tags and the CSeq of a message several times, and parsing is the costly part.
 */
export class SipHeaders {
  #entries: Array<{ name: string; value: string }> = [];
  /** Parsed views, keyed by field name, or field name + ' ' + variant (e.g. `via top`). */
  #parsed: Map<string, unknown> | undefined;

  /** Number of header field rows. */
  get size(): number {
    return this.#entries.length;
  }

  /** Canonical name of row `i` (0 ≤ i < size): reading every row without allocating. */
  nameAt(i: number): string {
    return (this.#entries[i] as { name: string }).name;
  }

  /** Value of row `i` (0 ≤ i < size). */
  valueAt(i: number): string {
    return (this.#entries[i] as { value: string }).value;
  }

  /** First value of the field (for list headers: the first row, not split). */
  get(name: string): string | undefined {
    const n = canonicalName(name);
    for (const e of this.#entries) if (e.name === n) return e.value;
    return undefined;
  }

  /** Every row of the field, in order. */
  rows(name: string): string[] {
    return this.#rows(canonicalName(name));
  }

  #rows(n: string): string[] {
    const out: string[] = [];
    for (const e of this.#entries) if (e.name === n) out.push(e.value);
    return out;
  }

  /** Every value: rows of list headers are split on top-level commas (§7.3.1). */
  getAll(name: string): string[] {
    const n = canonicalName(name);
    const rows = this.#rows(n);
    if (!isListHeader(n)) return rows;
    const out: string[] = [];
    for (const r of rows) {
      if (r.indexOf(',') < 0) {
        const t = r.trim();
        if (t !== '') out.push(t);
        continue;
      }
      for (const part of splitTopLevel(r, ',') ?? [r]) {
        const t = part.trim();
        if (t !== '') out.push(t);
      }
    }
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  append(name: string, value: string): this {
    const n = canonicalName(name);
    this.#entries.push({ name: n, value });
    this.#changed(n);
    return this;
  }

  /** Inserts above the first row of the same field (a new top Via, §18.1.1), or at the top. */
  prepend(name: string, value: string): this {
    const n = canonicalName(name);
    const idx = this.#entries.findIndex((e) => e.name === n);
    this.#entries.splice(idx < 0 ? 0 : idx, 0, { name: n, value });
    this.#changed(n);
    return this;
  }

  /** Replaces every row of the field with the given value(s). */
  set(name: string, value: string | string[]): this {
    const n = canonicalName(name);
    const values = Array.isArray(value) ? value : [value];
    const idx = this.#entries.findIndex((e) => e.name === n);
    this.delete(n);
    const at = idx < 0 ? this.#entries.length : Math.min(idx, this.#entries.length);
    this.#entries.splice(at, 0, ...values.map((v) => ({ name: n, value: v })));
    this.#changed(n);
    return this;
  }

  delete(name: string): this {
    const n = canonicalName(name);
    this.#entries = this.#entries.filter((e) => e.name !== n);
    this.#changed(n);
    return this;
  }

  /** Replaces the first value of a (possibly list) field: used to rewrite the top Via. */
  replaceFirstValue(name: string, value: string): void {
    const n = canonicalName(name);
    const e = this.#entries.find((x) => x.name === n);
    if (!e) return;
    if (isListHeader(n)) {
      const parts = splitTopLevel(e.value, ',') ?? [e.value];
      parts[0] = value;
      e.value = parts.map((p) => p.trim()).join(', ');
    } else e.value = value;
    this.#changed(n);
  }

  /** Removes the first value of a list field (the top Via when a response goes upstream, §18.1.2). */
  removeFirstValue(name: string): void {
    const n = canonicalName(name);
    const idx = this.#entries.findIndex((x) => x.name === n);
    const e = this.#entries[idx];
    if (!e) return;
    const parts = splitTopLevel(e.value, ',') ?? [e.value];
    if (parts.length <= 1) this.#entries.splice(idx, 1);
    else e.value = parts.slice(1).map((p) => p.trim()).join(', ');
    this.#changed(n);
  }

  /**
   * The parsed form of a field, computed once and kept until the field changes. `key` is the canonical
   * field name, optionally followed by a space and a variant (`via top`). A parse that throws is not kept.
   * The value is shared by every reader: treat it as read-only.
   */
  parsed<T>(key: string, parse: () => T): T {
    const cached = this.peek<T>(key);
    if (cached !== undefined) return cached;
    const value = parse();
    this.remember(key, value);
    return value;
  }

  /** The parsed form kept under `key`, if any. */
  peek<T>(key: string): T | undefined {
    return this.#parsed?.get(key) as T | undefined;
  }

  /** Stores a parsed form computed elsewhere (the parser's validation already parsed From, To, Via …). */
  remember(key: string, value: unknown): void {
    if (value === undefined) return;
    (this.#parsed ??= new Map()).set(key, value);
  }

  /** Drops the parsed forms of field `n` (its own key and its variants). */
  #changed(n: string): void {
    const parsed = this.#parsed;
    if (parsed === undefined || parsed.size === 0) return;
    for (const key of parsed.keys()) {
      if (key === n || (key.length > n.length && key.charCodeAt(n.length) === 0x20 && key.startsWith(n))) parsed.delete(key);
    }
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const e of this.#entries) yield [e.name, e.value];
  }

  clone(): SipHeaders {
    const h = new SipHeaders();
    for (const e of this.#entries) h.#entries.push({ ...e });
    return h;
  }

  /** Serializes as `Name: value\r\n` rows with conventional capitalisation. */
  toString(): string {
    let out = '';
    for (const e of this.#entries) out += `${displayName(e.name)}: ${e.value}\r\n`;
    return out;
  }
}

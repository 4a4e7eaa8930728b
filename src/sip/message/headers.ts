import { canonicalName, displayName, isListHeader } from './header-names.js';
import { splitTopLevel } from './lexer.js';

/**
 * The header fields of one message, in order. Names are case-insensitive and compact forms are expanded
 * (RFC 3261 §7.3.1, §7.3.3). Values are kept as received (after unfolding), so a proxy-like use can relay
 * unknown headers untouched.
 */
export class SipHeaders {
  #entries: Array<{ name: string; value: string }> = [];

  /** Number of header field rows. */
  get size(): number {
    return this.#entries.length;
  }

  /** First value of the field (for list headers: the first row, not split). */
  get(name: string): string | undefined {
    const n = canonicalName(name);
    for (const e of this.#entries) if (e.name === n) return e.value;
    return undefined;
  }

  /** Every row of the field, in order. */
  rows(name: string): string[] {
    const n = canonicalName(name);
    const out: string[] = [];
    for (const e of this.#entries) if (e.name === n) out.push(e.value);
    return out;
  }

  /** Every value: rows of list headers are split on top-level commas (§7.3.1). */
  getAll(name: string): string[] {
    const n = canonicalName(name);
    const rows = this.rows(n);
    if (!isListHeader(n)) return rows;
    const out: string[] = [];
    for (const r of rows) {
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
    this.#entries.push({ name: canonicalName(name), value });
    return this;
  }

  /** Inserts above the first row of the same field (a new top Via, §18.1.1), or at the top. */
  prepend(name: string, value: string): this {
    const n = canonicalName(name);
    const idx = this.#entries.findIndex((e) => e.name === n);
    this.#entries.splice(idx < 0 ? 0 : idx, 0, { name: n, value });
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
    return this;
  }

  delete(name: string): this {
    const n = canonicalName(name);
    this.#entries = this.#entries.filter((e) => e.name !== n);
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

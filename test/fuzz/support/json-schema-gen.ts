/**
 * Values from a route's JSON Schema (the subset fastify routes here use: type, enum, const, properties,
 * required, additionalProperties, items, min/max lengths and bounds, format, anyOf/oneOf/allOf, if/then,
 * `$ref` to shared schemas), then schema-aware damage: a required property dropped, a property of the
 * wrong type, extra properties, huge strings, odd numbers, nesting, prototype keys. A valid value most of
 * the time reaches the handler; a damaged one must be refused with a structured 400.
 */
import type { Prng } from './prng.js';

export type Schema = Record<string, unknown>;
export type Resolve = (ref: string) => Schema | undefined;

const ODD_STRINGS = ['', ' ', '0', '-1', 'null', 'true', 'undefined', '[]', '{}', '%00', '\u0000', '../../etc/passwd', '..%2f..%2f', '<script>alert(1)</script>', "' OR 1=1 --", '😀', '\u202e', '\ud800', 'é', '\r\n', 'a'.repeat(300), '+15550101', 'sip:102@ringside', 'http://127.0.0.1:9/', '1e309', 'NaN', '__proto__', 'constructor'];
const ODD_NUMBERS = [0, -0, -1, 1, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 1e308, -1e308, 5e-324, 0.5, 1.5, 1e21];
const FORMATS: Record<string, string[]> = {
  uri: ['http://127.0.0.1:9/hook', 'https://127.0.0.1:9/x?y=1', 'http://[::1]:9/', 'ftp://x', 'not a uri', 'http://', 'http://127.0.0.1:99999/'],
  'date-time': ['2026-01-01T00:00:00Z', '2026-13-40T25:61:61Z', '1970-01-01T00:00:00+00:00', 'yesterday'],
  date: ['2026-01-01', '2026-02-30', '0000-00-00', '9999-12-31', '2026-1-1'],
  email: ['alice@demo.test', 'bob@demo.test', 'x@', '@y', 'a'.repeat(300) + '@x.test'],
};

function typeOf(s: Schema): string | undefined {
  const t = s.type;
  if (Array.isArray(t)) return t[0] as string;
  return t as string | undefined;
}

export class SchemaValues {
  constructor(
    readonly r: Prng,
    readonly resolve: Resolve,
    /** Good values by property name, used half the time for a property of that name. */
    readonly hints: Record<string, unknown[]> = {},
  ) {}

  #deref(s: Schema, depth: number): Schema {
    let cur = s;
    for (let i = 0; i < 5 && typeof cur.$ref === 'string'; i++) cur = { ...(this.resolve(cur.$ref) ?? {}), ...cur, $ref: undefined };
    // An OpenAPI-style body (`content: {type: {schema}}`): the first content type's schema.
    if (cur.content && typeof cur.content === 'object') cur = (Object.values(cur.content as Record<string, { schema?: Schema }>)[0]?.schema ?? {}) as Schema;
    if (Array.isArray(cur.allOf) && depth < 8) cur = Object.assign({}, ...(cur.allOf as Schema[]).map((x) => this.#deref(x, depth + 1)), { ...cur, allOf: undefined });
    if (cur.then && typeof cur.then === 'object') cur = { ...this.#deref(cur.then as Schema, depth + 1), ...cur, then: undefined, if: undefined };
    return cur;
  }

  /** A value the schema accepts, most of the time (patterns are not generated from: they are guessed). */
  valid(schema: unknown, depth = 0): unknown {
    const r = this.r;
    if (!schema || typeof schema !== 'object') return this.any(depth);
    const s = this.#deref(schema as Schema, depth);
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return r.pick(s.enum);
    const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (Array.isArray(alts) && alts.length) return this.valid(r.pick(alts), depth + 1);
    const t = typeOf(s) ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
    switch (t) {
      case 'string': {
        const fmt = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
        if (fmt) return r.pick(fmt);
        const min = (s.minLength as number | undefined) ?? 0;
        const max = Math.min((s.maxLength as number | undefined) ?? 40, min + 40);
        const len = r.range(min, Math.max(min, max));
        const alphabet = r.pick(['abcdefghijklmnopqrstuvwxyz', '0123456789', '+0123456789', 'abc-_.0123']);
        return Array.from({ length: len }, () => alphabet[r.int(alphabet.length)]).join('');
      }
      case 'integer':
      case 'number': {
        const min = (s.minimum as number | undefined) ?? 0;
        const max = (s.maximum as number | undefined) ?? min + 1000;
        const n = min + r.next() * (max - min);
        return t === 'integer' ? Math.floor(n) : n;
      }
      case 'boolean':
        return r.chance(0.5);
      case 'null':
        return null;
      case 'array': {
        const min = (s.minItems as number | undefined) ?? 0;
        const max = Math.min((s.maxItems as number | undefined) ?? 4, min + 4);
        if (depth > 6) return [];
        return Array.from({ length: r.range(min, max) }, () => this.valid(s.items, depth + 1));
      }
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, Schema>;
        const required = new Set((s.required ?? []) as string[]);
        const out: Record<string, unknown> = {};
        if (depth > 6) return out;
        for (const [k, v] of Object.entries(props)) {
          if (!required.has(k) && !r.chance(0.6)) continue;
          const hint = this.hints[k];
          out[k] = hint && r.chance(0.5) ? r.pick(hint) : this.valid(v, depth + 1);
        }
        return out;
      }
      default:
        return this.any(depth);
    }
  }

  /** Any JSON value. */
  any(depth = 0): unknown {
    const r = this.r;
    switch (r.int(depth > 3 ? 4 : 6)) {
      case 0:
        return r.pick(ODD_STRINGS);
      case 1:
        return r.pick(ODD_NUMBERS);
      case 2:
        return r.pick([true, false, null]);
      case 3:
        return Array.from({ length: 12 }, () => 'abcdefghij'[r.int(10)]).join('');
      case 4:
        return Array.from({ length: r.int(4) }, () => this.any(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(ODD_STRINGS), this.any(depth + 1)]));
    }
  }

  /** The value with one schema-aware injury (or none, one time in four). */
  damaged(schema: unknown, value: unknown): unknown {
    const r = this.r;
    if (r.chance(0.25)) return value;
    const s = schema && typeof schema === 'object' ? this.#deref(schema as Schema, 0) : {};
    const obj = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : undefined;
    const keys = Object.keys((s.properties ?? {}) as object);
    switch (r.int(10)) {
      case 0: // a required property missing
        if (obj && Array.isArray(s.required) && s.required.length) delete obj[r.pick(s.required as string[])];
        return obj ?? value;
      case 1: // a property of the wrong type
        if (obj && keys.length) obj[r.pick(keys)] = this.any(0);
        return obj ?? this.any(0);
      case 2: // extra properties, prototype keys among them
        if (obj) {
          obj[r.pick(['extra', '__proto__', 'constructor', 'prototype', 'toString', ''])] = this.any(0);
          return obj;
        }
        return { value };
      case 3: // a huge string
        if (obj && keys.length) obj[r.pick(keys)] = 'x'.repeat(r.pick([1000, 100_000, 900_000]));
        return obj ?? 'x'.repeat(100_000);
      case 4: // odd numbers
        if (obj && keys.length) obj[r.pick(keys)] = r.pick(ODD_NUMBERS);
        return obj ?? r.pick(ODD_NUMBERS);
      case 5: // the wrong top-level shape
        return r.pick([null, [], [value], 'string', 0, true, {}]);
      case 6: {
        // deep nesting
        let v: unknown = value;
        for (let i = 0, n = r.pick([10, 100, 2000]); i < n; i++) v = r.chance(0.5) ? [v] : { a: v };
        if (obj && keys.length) {
          obj[r.pick(keys)] = v;
          return obj;
        }
        return v;
      }
      case 7: // arrays where scalars go (the first value is read), objects where text goes
        if (obj && keys.length) obj[r.pick(keys)] = r.chance(0.5) ? [this.any(2), this.any(2)] : { nested: this.any(2) };
        return obj ?? value;
      case 8: // odd strings in every property
        if (obj) for (const k of keys) if (r.chance(0.5)) obj[k] = r.pick(ODD_STRINGS);
        return obj ?? r.pick(ODD_STRINGS);
      default: // null in a property
        if (obj && keys.length) obj[r.pick(keys)] = null;
        return obj ?? null;
    }
  }
}

/**
 * Small lexical helpers shared by the header parsers (RFC 3261 §25.1).
 */

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

/** Is `c` linear white space (after unfolding, only SP and HTAB remain)? */
export function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Splits `value` on `sep` at the top level: not inside a quoted-string (with `\` escapes) nor inside `<…>`.
 * Returns `undefined` when a quoted string or angle bracket is left open.
 */
export function splitTopLevel(value: string, sep: string): string[] | undefined {
  const parts: string[] = [];
  const sepCode = sep.charCodeAt(0);
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuote = false;
    } else if (c === 0x22) inQuote = true;
    else if (c === 0x3c) inAngle = true;
    else if (c === 0x3e) inAngle = false;
    else if (c === sepCode && !inAngle) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (inQuote || inAngle) return undefined;
  parts.push(value.slice(start));
  return parts;
}

/** Removes the quotes and `\` escapes of a quoted-string (§25.1 quoted-pair). */
export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    const inner = s.slice(1, -1);
    return inner.includes('\\') ? inner.replace(/\\(.)/g, '$1') : inner;
  }
  return s;
}

/** Quotes a display name or parameter value when it is not a token sequence. */
export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** Reads a quoted string starting at `s[i] === '"'`; returns the index just past the closing quote, or -1. */
export function skipQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** gen-value = token / host (IPv6 references included); quoted strings are checked apart. */
const GEN_VALUE_RE = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/;

/**
 * Parses `*( SEMI generic-param )` (§25.1 generic-param = token [ EQUAL gen-value ], gen-value = token / host /
 * quoted-string), allowing LWS around `;` and `=`. Keys are lower-cased; valueless params map to `null`.
 * Returns `undefined` for empty or malformed parameters (RFC 4475 §3.1.2.1 `;;,;,,`).
 */
export function parseParams(s: string): Map<string, string | null> | undefined {
  const params = new Map<string, string | null>();
  const trimmed = s.trim();
  if (trimmed === '') return params;
  if (!trimmed.startsWith(';')) return undefined;
  const parts = splitTopLevel(trimmed.slice(1), ';');
  if (!parts) return undefined;
  for (const raw of parts) {
    const eq = raw.indexOf('=');
    const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    if (!isToken(name)) return undefined;
    if (eq < 0) {
      params.set(name.toLowerCase(), null);
      continue;
    }
    const value = raw.slice(eq + 1).trim();
    if (value.startsWith('"')) {
      if (skipQuoted(value, 0) !== value.length) return undefined;
    } else if (!GEN_VALUE_RE.test(value)) {
      return undefined;
    }
    params.set(name.toLowerCase(), value);
  }
  return params;
}

export function formatParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/**
 * Header field names: case-insensitive (RFC 3261 §7.3.1), with the compact forms of §7.3.3 and RFC 3515 /
 * RFC 3841 / RFC 4028 expanded to their full names. Names are stored lower-case; `displayName` gives the
 * conventional capitalisation used when serializing.
 */

// Maps, not object literals: a field named `constructor` or `__proto__` must not find Object.prototype.
const COMPACT = new Map<string, string>(Object.entries({
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  r: 'refer-to',
  b: 'referred-by',
  o: 'event',
  u: 'allow-events',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  x: 'session-expires',
  y: 'identity',
  n: 'identity-info',
}));

const DISPLAY = new Map<string, string>(Object.entries({
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
}));

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1: "multiple header field rows with the same
 * field-name MAY be present … if and only if the entire field-value … is defined as a comma-separated list").
 * Authorization-style headers are not: their parameters contain commas.
 */
const LIST_HEADERS = new Set([
  'via',
  'route',
  'record-route',
  'contact',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'allow-events',
  'in-reply-to',
  'path',
  'service-route',
  'p-asserted-identity',
  'reply-to',
  'alert-info',
  'call-info',
  'error-info',
  'warning',
]);

/** Lower-case full name for any spelling or compact form. */
export function canonicalName(name: string): string {
  const cached = CACHE.get(name);
  if (cached !== undefined) return cached;
  const lower = name.toLowerCase();
  const canonical = COMPACT.get(lower) ?? lower;
  // Bounded: a peer sending endless distinct header names cannot grow it.
  if (CACHE.size < 2048) CACHE.set(name, canonical);
  return canonical;
}

const CACHE = new Map<string, string>();

/** Conventional spelling for serialization: `Call-ID`, `CSeq`, otherwise Title-Case per dash. */
export function displayName(canonical: string): string {
  const known = DISPLAY.get(canonical) ?? DISPLAY_CACHE.get(canonical);
  if (known) return known;
  const out = canonical.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
  if (DISPLAY_CACHE.size < 2048) DISPLAY_CACHE.set(canonical, out);
  return out;
}

const DISPLAY_CACHE = new Map<string, string>();

export function isListHeader(canonical: string): boolean {
  return LIST_HEADERS.has(canonical);
}

import { SipParseError } from '../errors.js';

/**
 * A URI as used in SIP: `sip:`/`sips:` (RFC 3261 §19.1), `tel:` (RFC 3966), or any other absolute URI
 * (kept opaque, §25.1 absoluteURI). Escaped characters stay escaped in `user`, `params` and `headers`;
 * `unescape` decodes when comparing.
 */
export interface SipUri {
  /** Lower-case scheme: `sip`, `sips`, `tel`, or another scheme. */
  scheme: string;
  /** User part (or the telephone-subscriber for `tel:`), still %-escaped. */
  user?: string;
  password?: string;
  /** Host, lower-case; IPv6 references keep their brackets. Empty for `tel:` and opaque URIs. */
  host: string;
  port?: number;
  /** uri-parameters; keys lower-case, valueless parameters map to `null`. */
  params: Map<string, string | null>;
  /** headers after `?` (§19.1.1), still escaped. */
  headers: Map<string, string>;
  /** Everything after `scheme:` for schemes other than sip/sips/tel. */
  opaque?: string;
}

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const ESCAPE_OK = /%(?![0-9A-Fa-f]{2})/;
/** unreserved / escaped / user-unreserved (§25.1 user). */
const USER_RE = /^[A-Za-z0-9\-_.!~*'()%&=+$,;?/]+$/;
const PASSWORD_RE = /^[A-Za-z0-9\-_.!~*'()%&=+$,]*$/;
const PARAM_RE = /^[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+$/;
const HEADER_RE = /^[A-Za-z0-9\-_.!~*'()%[\]/?:+$]*$/;
const HOSTNAME_RE = /^[A-Za-z0-9]([A-Za-z0-9\-_]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-_]*[A-Za-z0-9])?)*\.?$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;
const FORBIDDEN_RE = /[\s\x00-\x1f\x7f<>"]/;
const PORT_RE = /^[0-9]{1,5}$/;

function fail(what: string, uri: string): never {
  throw new SipParseError(`invalid URI (${what}): ${uri.length > 200 ? uri.slice(0, 200) + '…' : uri}`);
}

/** Decodes %HH escapes (§19.1.4: escaped and unescaped forms compare equal). */
export function unescape(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function isValidHost(host: string): boolean {
  return HOSTNAME_RE.test(host) || IPV6_RE.test(host);
}

/**
 * Parses a URI. Throws SipParseError when a sip/sips/tel URI breaks the grammar (§25.1 SIP-URI, RFC 3966),
 * or when any URI contains whitespace or control characters.
 */
export function parseUri(text: string): SipUri {
  if (FORBIDDEN_RE.test(text)) fail('whitespace or reserved character', text);
  const colon = text.indexOf(':');
  if (colon <= 0) fail('no scheme', text);
  const scheme = text.slice(0, colon);
  if (scheme !== 'sip' && !SCHEME_RE.test(scheme)) fail('scheme', text);
  const lower = scheme === 'sip' ? scheme : scheme.toLowerCase();
  const rest = text.slice(colon + 1);
  if (lower === 'sip' || lower === 'sips') return parseSipUri(lower, rest, text);
  if (lower === 'tel') return parseTelUri(rest, text);
  if (rest === '') fail('empty', text);
  return { scheme: lower, host: '', params: new Map(), headers: new Map(), opaque: rest };
}

function parseSipUri(scheme: string, rest: string, text: string): SipUri {
  if (rest.includes('%') && ESCAPE_OK.test(rest)) fail('bad escape', text);
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  // userinfo ends at the first "@": user-unreserved allows ";" "?" in the user part (RFC 4475 §3.1.1.9).
  const at = rest.indexOf('@');
  let hostPart = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    const user = pc >= 0 ? userinfo.slice(0, pc) : userinfo;
    if (user === '' || !USER_RE.test(user)) fail('user', text);
    uri.user = user;
    if (pc >= 0) {
      const password = userinfo.slice(pc + 1);
      if (!PASSWORD_RE.test(password)) fail('password', text);
      uri.password = password;
    }
  }
  const q = hostPart.indexOf('?');
  let headersPart: string | undefined;
  if (q >= 0) {
    headersPart = hostPart.slice(q + 1);
    hostPart = hostPart.slice(0, q);
  }
  const semi = hostPart.indexOf(';');
  const hostport = semi >= 0 ? hostPart.slice(0, semi) : hostPart;
  // uri-parameters, `;name[=value]` each, read in place (no split array).
  for (let from = semi + 1; from > 0; ) {
    const end = hostPart.indexOf(';', from);
    const p = hostPart.slice(from, end < 0 ? hostPart.length : end);
    const eq = p.indexOf('=');
    const k = eq >= 0 ? p.slice(0, eq) : p;
    const v = eq >= 0 ? p.slice(eq + 1) : null;
    if (!PARAM_RE.test(k) || (v !== null && !PARAM_RE.test(v))) fail('parameter', text);
    uri.params.set(k.toLowerCase(), v);
    from = end + 1;
  }
  let host = hostport;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) fail('IPv6 reference', text);
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) fail('port', text);
      uri.port = parsePort(after.slice(1), text);
    }
  } else {
    const pc = hostport.lastIndexOf(':');
    if (pc >= 0) {
      host = hostport.slice(0, pc);
      uri.port = parsePort(hostport.slice(pc + 1), text);
    }
  }
  if (!isValidHost(host)) fail('host', text);
  uri.host = host.toLowerCase();
  if (headersPart !== undefined) {
    for (const h of headersPart.split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) fail('header', text);
      const k = h.slice(0, eq);
      const v = h.slice(eq + 1);
      if (!HEADER_RE.test(k) || !HEADER_RE.test(v)) fail('header', text);
      uri.headers.set(k, v);
    }
  }
  return uri;
}

function parsePort(s: string, text: string): number {
  if (!PORT_RE.test(s)) fail('port', text);
  const n = Number(s);
  if (n > 65535) fail('port', text);
  return n;
}

/** RFC 3966: telephone-subscriber *par. Kept simple: number chars, then ;params. */
function parseTelUri(rest: string, text: string): SipUri {
  const parts = rest.split(';');
  const number = parts[0] ?? '';
  if (!/^\+?[0-9A-Fa-f*#\-.()pw%]+$/.test(number)) fail('telephone number', text);
  const uri: SipUri = { scheme: 'tel', user: number, host: '', params: new Map(), headers: new Map() };
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    const k = eq >= 0 ? p.slice(0, eq) : p;
    if (!PARAM_RE.test(k)) fail('parameter', text);
    uri.params.set(k.toLowerCase(), eq >= 0 ? p.slice(eq + 1) : null);
  }
  return uri;
}

export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined) return `${uri.scheme}:${uri.opaque}`;
  let out = `${uri.scheme}:`;
  if (uri.scheme === 'tel') out += uri.user ?? '';
  else {
    if (uri.user !== undefined) {
      out += uri.user;
      if (uri.password !== undefined) out += `:${uri.password}`;
      out += '@';
    }
    out += uri.host;
    if (uri.port !== undefined) out += `:${uri.port}`;
  }
  for (const [k, v] of uri.params) out += v === null ? `;${k}` : `;${k}=${v}`;
  if (uri.headers.size > 0) {
    out += '?' + [...uri.headers].map(([k, v]) => `${k}=${v}`).join('&');
  }
  return out;
}

/** Builds a sip: URI from parts (user is escaped as needed). */
export function sipUri(parts: { user?: string; host: string; port?: number; scheme?: 'sip' | 'sips'; params?: Record<string, string | null> }): SipUri {
  const uri: SipUri = {
    scheme: parts.scheme ?? 'sip',
    host: parts.host.includes(':') && !parts.host.startsWith('[') ? `[${parts.host}]` : parts.host,
    params: new Map(Object.entries(parts.params ?? {})),
    headers: new Map(),
  };
  if (parts.user !== undefined) uri.user = parts.user.replace(/[^A-Za-z0-9\-_.!~*'()&=+$,;?/]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (parts.port !== undefined) uri.port = parts.port;
  return uri;
}

/** §19.1.4 URI equality, simplified: scheme, unescaped user, host, port, and the transport/user/method/maddr/ttl params. */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (a.opaque !== undefined || b.opaque !== undefined) return a.opaque === b.opaque;
  if (unescape(a.user ?? '') !== unescape(b.user ?? '')) return false;
  if (a.host !== b.host || a.port !== b.port) return false;
  for (const k of ['transport', 'user', 'method', 'maddr', 'ttl']) {
    if ((a.params.get(k) ?? undefined)?.toLowerCase() !== (b.params.get(k) ?? undefined)?.toLowerCase()) return false;
  }
  return true;
}

import { SipParseError } from '../errors.js';
import { formatParams, isToken, parseParams } from './lexer.js';
import { isValidHost } from './uri.js';

/** RFC 3261 §8.1.1.7: a branch starting with this cookie was built by an RFC 3261 element. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** One Via value: `SIP/2.0/transport sent-by *(;param)` (§20.42). */
export interface Via {
  /** Upper-case transport token: UDP, TCP, TLS, SCTP, WS, or any other token (RFC 4475 §3.1.1.10). */
  transport: string;
  host: string;
  port?: number;
  params: Map<string, string | null>;
}

function fail(what: string, value: string): never {
  throw new SipParseError(`invalid Via (${what}): ${value.length > 200 ? value.slice(0, 200) + '…' : value}`);
}

/** Parses one Via value; LWS is allowed around "/" (§25.1 SLASH) and around ";" "=" (RFC 4475 §3.1.1.1). */
export function parseVia(value: string): Via {
  let transport: string;
  let host: string;
  let rest: string | undefined;
  const sp = value.startsWith(PLAIN_PREFIX) ? value.indexOf(' ', PLAIN_PREFIX.length) : -1;
  const plainTransport = sp > 0 ? value.slice(PLAIN_PREFIX.length, sp) : '';
  const semi = sp > 0 ? value.indexOf(';', sp + 1) : -1;
  const sentByEnd = semi < 0 ? value.length : semi;
  if (sp > 0 && sentByEnd > sp + 1 && isToken(plainTransport) && !HAS_WS.test(value.slice(sp + 1))) {
    // What nearly every peer sends, `SIP/2.0/UDP host:port;params` without extra LWS: VIA_RE would split it
    // at the space and the first ";" (the grammar is the same; this only skips the regex).
    transport = plainTransport;
    host = value.slice(sp + 1, sentByEnd);
    rest = semi < 0 ? undefined : value.slice(semi);
  } else {
    const m = VIA_RE.exec(value);
    if (!m) fail('syntax', value);
    const [, name, version, t, sentBy, r] = m as unknown as [string, string, string, string, string, string | undefined];
    if (name.toUpperCase() !== 'SIP' || version !== '2.0') fail('protocol version', value);
    if (!isToken(t)) fail('transport', value);
    transport = t;
    host = sentBy.replace(ALL_WS, '');
    rest = r;
  }
  let port: number | undefined;
  const pm = SENT_BY_RE.exec(host);
  if (!pm) fail('sent-by', value);
  host = pm[1] as string;
  if (pm[2] !== undefined) {
    port = Number(pm[2]);
    if (port > 65535) fail('port', value);
  }
  if (!isValidHost(host)) fail('host', value);
  const params = parseParams(rest ?? '');
  if (!params) fail('parameters', value);
  const via: Via = { transport: transport.toUpperCase(), host: host.toLowerCase(), params };
  if (port !== undefined) via.port = port;
  return via;
}

const PLAIN_PREFIX = 'SIP/2.0/';
const VIA_RE = /^\s*([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/;]+)\s+([^;]+?)\s*(;.*)?$/s;
const SENT_BY_RE = /^(\[[^\]]+\]|[^:]+)(?::([0-9]{1,5}))?$/;
const HAS_WS = /\s/;
const ALL_WS = /\s+/g;

export function formatVia(via: Via): string {
  return `SIP/2.0/${via.transport} ${via.host}${via.port !== undefined ? `:${via.port}` : ''}${formatParams(via.params)}`;
}

/** The branch parameter, or undefined. */
export function viaBranch(via: Via): string | undefined {
  return via.params.get('branch') ?? undefined;
}

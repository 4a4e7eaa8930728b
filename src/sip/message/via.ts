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
  const m = /^\s*([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/;]+)\s+([^;]+?)\s*(;.*)?$/s.exec(value);
  if (!m) fail('syntax', value);
  const [, name, version, transport, sentBy, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (name.toUpperCase() !== 'SIP' || version !== '2.0') fail('protocol version', value);
  if (!isToken(transport)) fail('transport', value);
  let host = sentBy.replace(/\s+/g, '');
  let port: number | undefined;
  const pm = /^(\[[^\]]+\]|[^:]+)(?::([0-9]{1,5}))?$/.exec(host);
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

export function formatVia(via: Via): string {
  return `SIP/2.0/${via.transport} ${via.host}${via.port !== undefined ? `:${via.port}` : ''}${formatParams(via.params)}`;
}

/** The branch parameter, or undefined. */
export function viaBranch(via: Via): string | undefined {
  return via.params.get('branch') ?? undefined;
}

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SipRequestError } from '../errors.js';
import { parseUri } from '../message/uri.js';
import type { Destination, TransportProtocol } from './transport-types.js';

const PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/** Default ports (RFC 3261 §19.1.2: 5060, 5061 for TLS; RFC 7118 has none: the WebSocket URI's, 80/443). */
const DEFAULT_PORT: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/**
 * Where to send a request for a URI (a simplified RFC 3263): the `transport` parameter picks UDP, TCP, TLS,
 * WS or WSS (else TLS for a `sips:` URI, §26.2.2, else `fallback`), the port defaults per transport, and a
 * host name is resolved with the system resolver (A/AAAA only: no NAPTR/SRV — see docs/sip.md).
 */
export async function resolveDestination(uriText: string, fallback: TransportProtocol): Promise<Destination> {
  const uri = parseUri(uriText);
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') throw new SipRequestError(`cannot route to a ${uri.scheme}: URI`);
  const t = uri.params.get('transport')?.toLowerCase();
  let protocol: TransportProtocol = PROTOCOLS.find((p) => p === t) ?? fallback;
  // §26.2.2: a sips: URI is reached over TLS (WSS is TLS too).
  if (uri.scheme === 'sips' && protocol !== 'wss') protocol = 'tls';
  const maddr = uri.params.get('maddr') ?? undefined;
  let host = (maddr ?? uri.host).replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) {
    try {
      host = (await lookup(host)).address;
    } catch (err) {
      throw new SipRequestError(`cannot resolve ${host}: ${(err as Error).message}`);
    }
  }
  return { protocol, host, port: uri.port ?? DEFAULT_PORT[protocol] };
}

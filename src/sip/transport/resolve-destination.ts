import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SipRequestError } from '../errors.js';
import { parseUri } from '../message/uri.js';
import type { Destination, TransportProtocol } from './transport-types.js';

/**
 * Where to send a request for a URI (a simplified RFC 3263): the `transport` parameter picks UDP or TCP
 * (else `fallback`), the port defaults to 5060, and a host name is resolved with the system resolver
 * (A/AAAA only: no NAPTR/SRV — see docs/sip.md).
 */
export async function resolveDestination(uriText: string, fallback: TransportProtocol): Promise<Destination> {
  const uri = parseUri(uriText);
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') throw new SipRequestError(`cannot route to a ${uri.scheme}: URI`);
  const t = uri.params.get('transport')?.toLowerCase();
  const protocol: TransportProtocol = t === 'tcp' ? 'tcp' : t === 'udp' ? 'udp' : fallback;
  const maddr = uri.params.get('maddr') ?? undefined;
  let host = (maddr ?? uri.host).replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) {
    try {
      host = (await lookup(host)).address;
    } catch (err) {
      throw new SipRequestError(`cannot resolve ${host}: ${(err as Error).message}`);
    }
  }
  return { protocol, host, port: uri.port ?? 5060 };
}

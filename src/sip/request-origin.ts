/**
 * Where a request really comes from when a proxy we trust (Kamailio in front of a cluster: docs/scale-out.md)
 * relayed it: the previous hop's address from the Via the proxy received it with — its `received`
 * parameter when the proxy stamped one (RFC 3261 §18.2.1), else its sent-by host. From anyone else the
 * transport's source is the origin: a Via is only as trustworthy as whoever wrote it.
 */
import type { SipRequest } from './message/sip-message.js';

export function requestOrigin(req: SipRequest, sourceHost: string, trustedProxies: ReadonlySet<string>): string {
  if (trustedProxies.size === 0 || !trustedProxies.has(sourceHost)) return sourceHost;
  const vias = req.vias;
  const previous = vias[1];
  if (!previous) return sourceHost; // the proxy's own request (OPTIONS probe)
  const received = previous.params.get('received');
  return received ?? previous.host.replace(/^\[(.*)\]$/, '$1');
}

import { BlockList, isIP } from 'node:net';

/** Addresses a peer on the internet cannot reach: RFC 1918, RFC 6598 (carrier-grade NAT), link-local
 *  (RFC 3927, RFC 4291) and unique local IPv6 (RFC 4193). Loopback is not in the list: it is reachable
 *  from where it is used. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** Whether `host` (an IP literal, brackets allowed) is a private address; host names are not. */
export function isPrivateAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  const family = isIP(h);
  if (family === 0) return false;
  return PRIVATE.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

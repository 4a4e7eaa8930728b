/**
 * Which of this machine's addresses a peer reaches us on, for a process bound to 0.0.0.0 / `::` that must
 * still name one address in what peers see (SIP Via/Contact, SDP `c=`).
 *
 * Node cannot read the destination address of a received datagram (no IP_PKTINFO), so we answer the
 * equivalent question synchronously: the address of the interface whose subnet holds the peer (what the
 * kernel's source-address selection picks for an on-link peer, loopback included), else the address of the
 * interface the default route leaves by (/proc/net/route), else the first non-internal address. Interfaces are
 * read again after a minute, so an address that changes (DHCP, a VPN coming up) is followed.
 */
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

interface Interface {
  name: string;
  address: string;
  family: 'ipv4' | 'ipv6';
  internal: boolean;
  subnet: BlockList;
}

const REFRESH_MS = 60_000;
let cached: { at: number; interfaces: Interface[]; defaultIface: string | null } | null = null;
const byPeer = new Map<string, string>();

function snapshot(): NonNullable<typeof cached> {
  const now = Date.now();
  if (cached && now - cached.at < REFRESH_MS) return cached;
  const interfaces: Interface[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    for (const info of infos ?? []) {
      const iface = toInterface(name, info);
      if (iface) interfaces.push(iface);
    }
  }
  cached = { at: now, interfaces, defaultIface: defaultRouteInterface() };
  byPeer.clear();
  return cached;
}

function toInterface(name: string, info: NetworkInterfaceInfo): Interface | null {
  const family = info.family === 'IPv4' ? 'ipv4' : 'ipv6';
  // Link-local IPv6 needs a zone id to be usable in SDP or a Via: never advertised.
  if (family === 'ipv6' && /^fe80:/i.test(info.address)) return null;
  const [net, prefix] = (info.cidr ?? `${info.address}/${family === 'ipv4' ? 32 : 128}`).split('/');
  const subnet = new BlockList();
  subnet.addSubnet(net as string, Number(prefix), family);
  return { name, address: info.address, family, internal: info.internal, subnet };
}

/** The interface of the IPv4 default route (Linux); null elsewhere or without one. */
function defaultRouteInterface(): string | null {
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
      if (destination === '00000000' && mask === '00000000' && iface) return iface;
    }
  } catch {
    // Not Linux: fall back to the first external interface.
  }
  return null;
}

/** This machine's address for reaching `peer` (an IP literal; brackets allowed). */
export function localAddressFor(peer: string): string {
  const host = peer.replace(/^\[|\]$/g, '');
  const family = isIP(host) === 6 ? 'ipv6' : 'ipv4';
  const snap = snapshot();
  const known = byPeer.get(host);
  if (known) return known;
  let address: string | undefined;
  if (isIP(host) !== 0) {
    const v4mapped = family === 'ipv6' && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(host);
    const probe = v4mapped ? host.slice(7) : host;
    const probeFamily = v4mapped ? 'ipv4' : family;
    address = snap.interfaces.find((i) => i.family === probeFamily && i.subnet.check(probe, probeFamily))?.address;
    if (address && v4mapped) address = `::ffff:${address}`;
  }
  address ??= primaryAddress(family);
  if (byPeer.size > 10_000) byPeer.clear();
  byPeer.set(host, address);
  return address;
}

/** The address peers off this machine most likely reach us on: the default route's interface address. */
export function primaryAddress(family: 'ipv4' | 'ipv6' = 'ipv4'): string {
  const snap = snapshot();
  const external = snap.interfaces.filter((i) => i.family === family && !i.internal);
  const viaDefault = external.find((i) => i.name === snap.defaultIface);
  // No external interface at all: every peer is on this machine, so loopback is the address they reach.
  return (viaDefault ?? external[0])?.address ?? (family === 'ipv4' ? '127.0.0.1' : '::1');
}

/** Whether `host` is a wildcard bind address (any interface). */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

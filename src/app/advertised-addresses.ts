import { isIP } from 'node:net';
import type { ServerConfig } from '../config/config-types.js';
import { isWildcard } from '../util/local-address.js';
import type { Settings } from './settings.js';

/**
 * What peers are told to reach us at (docs/phones.md, "Addresses"): the flags/environment, else the config's
 * `server` section, else the one address bound; undefined means "per peer": the address of the interface
 * each peer is reached by (util/local-address.ts).
 */
export function advertisedAddresses(settings: Pick<Settings, 'host' | 'sipAddress' | 'mediaAddress'>, server: Pick<ServerConfig, 'sipAddress' | 'mediaAddress'>): { sip?: string; media?: string } {
  const sip = settings.sipAddress ?? server.sipAddress ?? (isWildcard(settings.host) ? undefined : settings.host);
  const media = settings.mediaAddress ?? server.mediaAddress ?? (sip !== undefined && isIP(sip) !== 0 ? sip : undefined);
  return { ...(sip !== undefined ? { sip } : {}), ...(media !== undefined ? { media } : {}) };
}

/** A host as it goes in a URL's authority (IPv6 bracketed). */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

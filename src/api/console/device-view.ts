/**
 * A registered SIP device as the console shows it (`GET /console/devices`, docs/console.md): one binding of
 * the registrar (RFC 3261 §10.3), as the store keeps it for every node, with its user. Required properties
 * first, optional ones last.
 */
import type { SipBindingRecord, UserRecord } from '../../store/store.js';

export const DEVICE_SCHEMA_ID = 'console-device';

export const deviceSchema = {
  $id: DEVICE_SCHEMA_ID,
  type: 'object',
  description: 'one registered contact of a user',
  required: ['userId', 'userName', 'aor', 'contact', 'transport', 'source', 'expiresAt'],
  properties: {
    userId: { type: 'integer' },
    userName: { type: 'string' },
    aor: { type: 'string', description: 'the address-of-record (To of the REGISTER)' },
    contact: { type: 'string', description: 'the Contact URI as registered' },
    transport: { type: 'string', enum: ['udp', 'tcp', 'tls', 'ws', 'wss'] },
    source: { type: 'string', description: 'host:port the REGISTER came from (IPv6 in brackets)' },
    expiresAt: { type: 'integer', description: 'milliseconds since the epoch' },
    extension: { type: 'string' },
    userAgent: { type: 'string', description: 'the device\'s User-Agent (device-supplied: render it as text)' },
  },
} as const;

export function deviceView(user: UserRecord, b: SipBindingRecord) {
  const host = b.source.host.includes(':') ? `[${b.source.host}]` : b.source.host;
  return {
    userId: user.id,
    userName: user.name,
    aor: b.aor,
    contact: b.contact,
    transport: b.source.protocol,
    source: `${host}:${b.source.port}`,
    expiresAt: b.expiresAt,
    ...(user.extension !== undefined ? { extension: user.extension } : {}),
    ...(b.userAgent !== undefined ? { userAgent: b.userAgent } : {}),
  };
}

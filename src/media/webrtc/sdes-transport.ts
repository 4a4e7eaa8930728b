/**
 * SDES-SRTP (RFC 4568): the keys travel in the SDP (`a=crypto:<tag> AES_CM_128_HMAC_SHA1_80 inline:<key||salt>`),
 * which is only as secret as the signalling, so it is offered to phones on SIP over TLS. We answer with the
 * tag of the first line we support and our own fresh key (RFC 4568 §7.1.2: each direction its own key).
 * MKI and a key lifetime other than the default are refused (not supported by the SRTP contexts used).
 */
import { randomBytes } from 'node:crypto';
import type { MediaSecurity } from '../media-security.js';
import type { RemoteSecurity } from '../sdp-negotiator.js';
import { SRTP_KEY_LENGTH, SRTP_SALT_LENGTH, SrtpProtector } from './srtp-protector.js';

export const SDES_SUITE = 'AES_CM_128_HMAC_SHA1_80';

/** The master key and salt of one `inline:` key-params, or null if we cannot use it (RFC 4568 §9.2). */
export function parseInlineKey(keyParams: string): { key: Buffer; salt: Buffer } | null {
  // Only one key (no `;`-separated list); `|2^31`-style lifetime accepted, MKI (`|1:4`) refused.
  const m = /^inline:([A-Za-z0-9+/=]+)((?:\|[^|;]*)*)$/.exec(keyParams.trim());
  if (!m) return null;
  const extras = m[2]!.split('|').filter((x) => x !== '');
  if (extras.some((x) => x.includes(':'))) return null;
  const raw = Buffer.from(m[1]!, 'base64');
  if (raw.length !== SRTP_KEY_LENGTH + SRTP_SALT_LENGTH) return null;
  return { key: raw.subarray(0, SRTP_KEY_LENGTH), salt: raw.subarray(SRTP_KEY_LENGTH) };
}

/** The offer's first a=crypto line we can use (suite and key-params), or null. */
export function chooseCrypto(remote: RemoteSecurity): { tag: number; key: Buffer; salt: Buffer } | null {
  for (const c of remote.crypto) {
    if (c.suite.toUpperCase() !== SDES_SUITE) continue;
    const k = parseInlineKey(c.keyParams);
    if (k) return { tag: c.tag, ...k };
  }
  return null;
}

export class SdesTransport implements MediaSecurity {
  readonly rtcpMux: boolean;
  readonly localKeyParams: string;
  readonly tag: number;
  readonly #protector: SrtpProtector;

  constructor(remote: { tag: number; key: Buffer; salt: Buffer }, rtcpMux = false) {
    const key = randomBytes(SRTP_KEY_LENGTH);
    const salt = randomBytes(SRTP_SALT_LENGTH);
    this.tag = remote.tag;
    this.rtcpMux = rtcpMux;
    this.localKeyParams = `inline:${Buffer.concat([key, salt]).toString('base64')}`;
    this.#protector = new SrtpProtector({ localKey: key, localSalt: salt, remoteKey: remote.key, remoteSalt: remote.salt });
  }

  get authFailures(): number {
    return this.#protector.failures;
  }

  control(): void {
    // No STUN or DTLS on an SDES leg: dropped.
  }

  unprotectRtp(data: Buffer): Buffer | null {
    return this.#protector.unprotectRtp(data);
  }

  unprotectRtcp(data: Buffer): Buffer | null {
    return this.#protector.unprotectRtcp(data);
  }

  protectRtp(packet: Buffer): Buffer | null {
    return this.#protector.protectRtp(packet);
  }

  protectRtcp(packet: Buffer): Buffer | null {
    return this.#protector.protectRtcp(packet);
  }

  close(): void {}
}

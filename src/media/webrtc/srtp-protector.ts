/**
 * SRTP/SRTCP protection of raw packets (RFC 3711) with werift's SRTP contexts: AES-CM-128 with an 80-bit
 * HMAC-SHA1 tag (SRTP_AES128_CM_HMAC_SHA1_80, RFC 5764 §4.1.2 / AES_CM_128_HMAC_SHA1_80, RFC 4568 §6.2.1),
 * the profile browsers and SDES phones all offer. Replay and rollover state is the library's.
 */
import { ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpSession } from 'werift';

export interface SrtpKeys {
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

export const SRTP_KEY_LENGTH = 16;
export const SRTP_SALT_LENGTH = 14;

export class SrtpProtector {
  readonly #srtp: SrtpSession;
  readonly #srtcp: SrtcpSession;
  failures = 0;

  constructor(keys: SrtpKeys) {
    const config = {
      keys: { localMasterKey: keys.localKey, localMasterSalt: keys.localSalt, remoteMasterKey: keys.remoteKey, remoteMasterSalt: keys.remoteSalt },
      profile: ProtectionProfileAes128CmHmacSha1_80,
    };
    this.#srtp = new SrtpSession(config);
    this.#srtcp = new SrtcpSession(config);
  }

  protectRtp(packet: Buffer): Buffer {
    const header = RtpHeader.deSerialize(packet);
    return this.#srtp.encrypt(packet.subarray(header.payloadOffset), header);
  }

  unprotectRtp(data: Buffer): Buffer | null {
    try {
      return this.#srtp.decrypt(data);
    } catch {
      this.failures++;
      return null;
    }
  }

  protectRtcp(packet: Buffer): Buffer {
    return this.#srtcp.encrypt(packet);
  }

  unprotectRtcp(data: Buffer): Buffer | null {
    try {
      return this.#srtcp.decrypt(data);
    } catch {
      this.failures++;
      return null;
    }
  }
}

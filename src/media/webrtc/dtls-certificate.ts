/**
 * The DTLS certificate of this process: one self-signed ECDSA P-256 certificate, made once (werift's
 * generator) and shared by every WebRTC endpoint. Its SHA-256 fingerprint goes in `a=fingerprint`
 * (RFC 8122 §5); the peer checks the certificate it receives in the handshake against it, which is all the
 * authentication DTLS-SRTP has (RFC 5763 §5), so a fresh one per start is as good as a stored one.
 */
import { createHash } from 'node:crypto';
import { CipherContext, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm, type SignatureHash } from 'werift';

export interface DtlsCertificate {
  certPem: string;
  keyPem: string;
  signatureHash: SignatureHash;
  /** `sha-256 AB:CD:…` value for a=fingerprint. */
  fingerprint: { algorithm: 'sha-256'; value: string };
}

/** `AB:CD:…` (RFC 8122 §5: uppercase hex pairs separated by colons). */
export function certificateFingerprint(der: Buffer, algorithm: string): string {
  const hex = createHash(algorithm.replace('-', '').toLowerCase()).update(der).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

let made: Promise<DtlsCertificate> | null = null;

export function dtlsCertificate(): Promise<DtlsCertificate> {
  made ??= (async () => {
    const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
      { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
      NamedCurveAlgorithm.secp256r1_23,
    );
    return { certPem, keyPem, signatureHash, fingerprint: { algorithm: 'sha-256', value: certificateFingerprint(pemToDer(certPem), 'sha-256') } };
  })();
  return made;
}

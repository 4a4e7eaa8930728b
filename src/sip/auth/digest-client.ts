import { randomBytes } from 'node:crypto';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { digestResponse, parseAlgorithm, parseAuthHeader, SUPPORTED_ALGORITHMS, type DigestAlgorithm } from './digest.js';

export interface DigestClientCredentials {
  username: string;
  password: string;
  /** Only answer challenges for this realm (any realm when absent). */
  realm?: string;
}

/**
 * Client side of digest authentication (RFC 3261 §22.2/§22.3, RFC 8760): answers a 401/407 by adding
 * Authorization / Proxy-Authorization to the retried request. Prefers SHA-256 over MD5; counts nonce use.
 * Refuses to answer the same nonce twice unless the server says `stale=true`, so a wrong password cannot loop.
 */
export class DigestClient {
  readonly #creds: DigestClientCredentials;
  #nc = new Map<string, number>();
  #failedNonces = new Set<string>();

  constructor(creds: DigestClientCredentials) {
    this.#creds = creds;
  }

  /** Adds credentials to `request` (a new request: caller increments CSeq and makes a new branch).
   *  Returns false when the challenge cannot or should not be answered. */
  authorize(request: SipRequest, challenge: SipResponse): boolean {
    const proxy = challenge.status === 407;
    const rows = challenge.headers.rows(proxy ? 'proxy-authenticate' : 'www-authenticate');
    const offers = rows
      .map(parseAuthHeader)
      .filter((h) => h !== undefined && h.scheme.toLowerCase() === 'digest')
      .map((h) => ({ h: h!, alg: parseAlgorithm(h!.params.get('algorithm')) }))
      .filter((o): o is { h: NonNullable<typeof o.h>; alg: DigestAlgorithm } => o.alg !== undefined)
      .filter((o) => !this.#creds.realm || o.h.params.get('realm') === this.#creds.realm)
      .sort((a, b) => SUPPORTED_ALGORITHMS.indexOf(a.alg) - SUPPORTED_ALGORITHMS.indexOf(b.alg));
    const offer = offers[0];
    if (!offer) return false;
    const realm = offer.h.params.get('realm') ?? '';
    const nonce = offer.h.params.get('nonce') ?? '';
    const stale = (offer.h.params.get('stale') ?? '').toLowerCase() === 'true';
    if (this.#failedNonces.has(nonce) && !stale) return false;
    this.#failedNonces.add(nonce);
    const qops = (offer.h.params.get('qop') ?? '').split(',').map((q) => q.trim());
    const useQop = qops.includes('auth');
    const count = (this.#nc.get(nonce) ?? 0) + 1;
    this.#nc.set(nonce, count);
    const nc = count.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const uri = request.uri;
    const response = digestResponse({
      algorithm: offer.alg,
      username: this.#creds.username,
      realm,
      password: this.#creds.password,
      method: request.method,
      uri,
      nonce,
      ...(useQop ? { qop: 'auth' as const, nc, cnonce } : {}),
    });
    let value = `Digest username="${this.#creds.username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${offer.alg}`;
    if (useQop) value += `, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
    const opaque = offer.h.params.get('opaque');
    if (opaque !== undefined) value += `, opaque="${opaque}"`;
    request.headers.set(proxy ? 'proxy-authorization' : 'authorization', value);
    return true;
  }

  /** Forget failed nonces after a success (the next challenge can be answered again). */
  succeeded(): void {
    this.#failedNonces.clear();
  }
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SipRequest } from '../message/sip-message.js';
import { systemClock, type Clock } from '../transaction/clock.js';
import { digestResponse, parseAlgorithm, parseAuthHeader, type DigestAlgorithm } from './digest.js';
import { DigestGuard, type DigestLimits } from './digest-guard.js';

/** The credentials a user has for SIP: looked up by the username in the Authorization header and the realm. */
export interface SipCredentials {
  userId: string;
  password: string;
}

/** Where the authenticator finds credentials (the lead's store implements it against provisioned users). */
export type SipCredentialLookup = (username: string, realm: string) => Promise<SipCredentials | undefined> | SipCredentials | undefined;

export type AuthResult =
  | { ok: true; userId: string; username: string }
  | { ok: false; reason: 'missing' | 'stale' | 'invalid' | 'replay' | 'unknown-user' | 'rate-limited' };

export interface DigestAuthenticatorOptions {
  realm: string;
  /** Challenge algorithms, most preferred first (RFC 8760 §2.4: one challenge per algorithm). */
  algorithms?: DigestAlgorithm[];
  /** Nonces older than this are answered `stale=true` (default 5 minutes). */
  nonceTtlMs?: number;
  /** Failed attempts per source allowed per window before refusing (default 10 per minute). */
  maxFailures?: number;
  /** Failed attempts per username, all sources together, per window (default 20 per minute). */
  maxFailuresPerUser?: number;
  failureWindowMs?: number;
  /** The failure limits to use; else the guard shared for the credential lookup passed to `verify`
   *  (DigestGuard.share), else one of this authenticator's own built from the options above. */
  guard?: DigestGuard;
  clock?: Clock;
  /** HMAC key for nonces; random per process by default. */
  secret?: Buffer;
  /** Proxy-Authenticate/Proxy-Authorization (407) instead of WWW-Authenticate/Authorization (401). */
  proxy?: boolean;
}

/**
 * Server side of SIP digest authentication (RFC 3261 §22.4 with RFC 7616/RFC 8760 algorithms):
 * - challenges offer SHA-256 then MD5, qop=auth;
 * - nonces are self-validating (timestamp + random + HMAC), expire after `nonceTtlMs` → `stale=true`;
 * - nonce-count must increase per nonce (replay protection, RFC 7616 §3.4.1 / §5.12);
 * - failed attempts are limited per source address and per username (digest-guard.ts); a locked source
 *   or username is answered `rate-limited` without its digest being checked.
 */
export class DigestAuthenticator {
  readonly realm: string;
  readonly #algorithms: DigestAlgorithm[];
  readonly #ttl: number;
  readonly #clock: Clock;
  readonly #secret: Buffer;
  readonly #guard: DigestGuard | undefined;
  readonly #ownGuard: DigestGuard;
  readonly #proxy: boolean;
  /** nonce → highest nonce-count accepted. Bounded: entries die with their nonce. */
  #counts = new Map<string, number>();

  constructor(options: DigestAuthenticatorOptions) {
    this.realm = options.realm;
    this.#algorithms = options.algorithms ?? ['SHA-256', 'MD5'];
    this.#ttl = options.nonceTtlMs ?? 300_000;
    this.#clock = options.clock ?? systemClock;
    this.#secret = options.secret ?? randomBytes(32);
    this.#proxy = options.proxy ?? false;
    this.#guard = options.guard;
    const own: Partial<DigestLimits> = {};
    if (options.maxFailures !== undefined) own.maxFailuresPerSource = options.maxFailures;
    if (options.maxFailuresPerUser !== undefined) own.maxFailuresPerUser = options.maxFailuresPerUser;
    if (options.failureWindowMs !== undefined) own.windowMs = options.failureWindowMs;
    this.#ownGuard = new DigestGuard(own, this.#clock);
  }

  /** 401 (registrar/UAS) or 407 (proxy). */
  get challengeStatus(): 401 | 407 {
    return this.#proxy ? 407 : 401;
  }

  get challengeHeader(): string {
    return this.#proxy ? 'proxy-authenticate' : 'www-authenticate';
  }

  get credentialsHeader(): string {
    return this.#proxy ? 'proxy-authorization' : 'authorization';
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#secret).update(payload).digest('base64url').slice(0, 22);
  }

  newNonce(): string {
    const payload = `${this.#clock.now().toString(16)}.${randomBytes(8).toString('hex')}`;
    return `${payload}.${this.#sign(payload)}`;
  }

  /** 'ok' | 'stale' | 'forged' */
  #checkNonce(nonce: string): 'ok' | 'stale' | 'forged' {
    const last = nonce.lastIndexOf('.');
    if (last < 0) return 'forged';
    const payload = nonce.slice(0, last);
    const sig = Buffer.from(nonce.slice(last + 1));
    const expected = Buffer.from(this.#sign(payload));
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return 'forged';
    const issued = parseInt(payload.split('.')[0] ?? '', 16);
    if (!Number.isFinite(issued)) return 'forged';
    return this.#clock.now() - issued > this.#ttl ? 'stale' : 'ok';
  }

  /** WWW-Authenticate values for a 401: one per algorithm, preferred first (RFC 8760 §2.4). */
  challenge(stale = false): string[] {
    const nonce = this.newNonce();
    return this.#algorithms.map(
      (alg) => `Digest realm="${this.realm}", nonce="${nonce}", algorithm=${alg}, qop="auth"${stale ? ', stale=true' : ''}`,
    );
  }

  /**
   * Verifies the request's credentials for this realm. `source` (the sender's IP) and the username key the
   * failure limits.
   */
  async verify(req: SipRequest, lookup: SipCredentialLookup, source: string): Promise<AuthResult> {
    const guard = this.#guard ?? DigestGuard.sharedFor(lookup) ?? this.#ownGuard;
    if (guard.sourceBlocked(source)) return { ok: false, reason: 'rate-limited' };
    const header = req.headers
      .rows(this.credentialsHeader)
      .map(parseAuthHeader)
      .find((h) => h && h.scheme.toLowerCase() === 'digest' && h.params.get('realm') === this.realm);
    if (!header) return { ok: false, reason: 'missing' };
    const p = header.params;
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    const algorithm = parseAlgorithm(p.get('algorithm'));
    const fail = (reason: 'invalid' | 'unknown-user'): AuthResult => {
      guard.failed(source, username);
      return { ok: false, reason };
    };
    // Checked before anything about the user is looked up: a locked name answers the same whether or not
    // it exists and whatever the guess.
    if (username && guard.userBlocked(username, source)) return { ok: false, reason: 'rate-limited' };
    if (!username || !nonce || !uri || !response || !algorithm || !this.#algorithms.includes(algorithm)) return fail('invalid');
    const nonceState = this.#checkNonce(nonce);
    if (nonceState === 'forged') return fail('invalid');
    const qop = p.get('qop');
    const nc = p.get('nc');
    const cnonce = p.get('cnonce');
    // We always offer qop=auth; answers without it (RFC 2069 style) are refused.
    if (qop !== 'auth' || !nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce) return fail('invalid');
    const creds = await lookup(username, this.realm);
    if (!creds) return fail('unknown-user');
    const expected = digestResponse({ algorithm, username, realm: this.realm, password: creds.password, method: req.method, uri, nonce, qop: 'auth', nc, cnonce });
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return fail('invalid');
    // Correct password with an expired nonce: ask again with stale=true, no failure counted (RFC 7616 §3.3).
    if (nonceState === 'stale') return { ok: false, reason: 'stale' };
    const count = parseInt(nc, 16);
    const seen = this.#counts.get(nonce) ?? 0;
    // A replayed (or reused) nonce-count: refused, but not counted as a failed guess — the digest was right.
    if (count <= seen) return { ok: false, reason: 'replay' };
    this.#rememberCount(nonce, count);
    guard.succeeded(source, username);
    return { ok: true, userId: creds.userId, username };
  }

  #rememberCount(nonce: string, count: number): void {
    this.#counts.set(nonce, count);
    if (this.#counts.size > 50_000) {
      for (const n of this.#counts.keys()) if (this.#checkNonce(n) !== 'ok') this.#counts.delete(n);
      while (this.#counts.size > 50_000) {
        const first = this.#counts.keys().next().value;
        if (first === undefined) break;
        this.#counts.delete(first);
      }
    }
  }
}

import { createHash } from 'node:crypto';
import { splitTopLevel, unquote } from '../message/lexer.js';

/** Digest algorithms we compute (RFC 8760 §2: SIP's use of RFC 7616 algorithms). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

export const SUPPORTED_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

/** A parsed `Digest k=v, k="v"` header value: scheme and lower-cased parameter names, values unquoted. */
export interface AuthHeader {
  scheme: string;
  params: Map<string, string>;
}

/** Parses WWW-Authenticate / Authorization style values (RFC 3261 §25.1 challenge / credentials). */
export function parseAuthHeader(value: string): AuthHeader | undefined {
  const m = /^\s*([A-Za-z0-9\-._~+!%*`']+)\s*(.*)$/s.exec(value);
  if (!m) return undefined;
  const params = new Map<string, string>();
  const rest = (m[2] ?? '').trim();
  if (rest !== '') {
    const parts = splitTopLevel(rest, ',');
    if (!parts) return undefined;
    for (const p of parts) {
      const eq = p.indexOf('=');
      if (eq <= 0) continue;
      params.set(p.slice(0, eq).trim().toLowerCase(), unquote(p.slice(eq + 1).trim()));
    }
  }
  return { scheme: m[1] as string, params };
}

export function hash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(data, 'utf8').digest('hex');
}

/** The inputs of a digest response (RFC 7616 §3.4.1, RFC 2617 §3.2.2 as used by RFC 3261 §22.4). */
export interface DigestInputs {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** `auth`, or undefined for the RFC 2069 form without qop. */
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2), HA1 = H(user:realm:password), HA2 = H(method:uri). */
export function digestResponse(i: DigestInputs): string {
  const ha1 = hash(i.algorithm, `${i.username}:${i.realm}:${i.password}`);
  return digestResponseFromHa1(i, ha1);
}

export function digestResponseFromHa1(i: Omit<DigestInputs, 'password'>, ha1: string): string {
  const ha2 = hash(i.algorithm, `${i.method}:${i.uri}`);
  if (i.qop === 'auth') return hash(i.algorithm, `${ha1}:${i.nonce}:${i.nc ?? ''}:${i.cnonce ?? ''}:auth:${ha2}`);
  return hash(i.algorithm, `${ha1}:${i.nonce}:${ha2}`);
}

/** Normalises the algorithm parameter; absent means MD5 (RFC 7616 §3.3). */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  const v = (value ?? 'MD5').toUpperCase();
  if (v === 'MD5') return 'MD5';
  if (v === 'SHA-256') return 'SHA-256';
  return undefined;
}

/**
 * The certificate and key for SIP over TLS and HTTPS/WSS: read from the configured files, or — when TLS is
 * on without files — a self-signed pair made once in `<data>/tls/` with the `openssl` command and reused
 * after (docs/configuration.md, "TLS"; why openssl and not a package: docs/compatibility.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../log/logger.js';
import { primaryAddress } from '../util/local-address.js';
import { ENV, type Settings } from './settings.js';

export class TlsCredentialsError extends Error {
  override readonly name = 'TlsCredentialsError';
}

export interface LoadedTls {
  cert: Buffer;
  key: Buffer;
  /** Extra CAs trusted for the TLS peers Ringside dials (--tls-ca). */
  ca?: Buffer;
  /** Where they came from (logged at start). */
  certFile: string;
  selfSigned: boolean;
}

export function loadTlsCredentials(tls: NonNullable<Settings['tls']>, dataDir: string, logger: Logger): LoadedTls {
  const ca = tls.caFile !== undefined ? readPem(tls.caFile, `--tls-ca (${ENV.tlsCa})`) : undefined;
  return { ...ownOrSelfSigned(tls, dataDir, logger), ...(ca ? { ca } : {}) };
}

function ownOrSelfSigned(tls: NonNullable<Settings['tls']>, dataDir: string, logger: Logger): LoadedTls {
  if (tls.certFile !== undefined && tls.keyFile !== undefined) {
    const cert = readPem(tls.certFile, `--tls-cert (${ENV.tlsCert})`);
    const key = readPem(tls.keyFile, `--tls-key (${ENV.tlsKey})`);
    check(cert, key, `--tls-cert/--tls-key: '${tls.certFile}' and '${tls.keyFile}'`);
    return { cert, key, certFile: tls.certFile, selfSigned: false };
  }
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'self-signed-cert.pem');
  const keyFile = join(dir, 'self-signed-key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    generateSelfSigned(certFile, keyFile);
  }
  logger.warn({ certFile }, 'TLS uses a self-signed certificate made for this data directory: phones and browsers will not trust it until told to; give --tls-cert and --tls-key for a real one');
  const cert = readPem(certFile, 'the self-signed certificate');
  const key = readPem(keyFile, 'the self-signed key');
  check(cert, key, `the self-signed pair in ${dir}`);
  return { cert, key, certFile, selfSigned: true };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new TlsCredentialsError(`${what}: cannot read '${file}': ${why}`);
  }
}

/** The pair must load into a TLS context (valid PEM, key matching the certificate). */
function check(cert: Buffer, key: Buffer, what: string): void {
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsCredentialsError(`${what}: not a usable certificate and key (${(err as Error).message.split('\n')[0]})`);
  }
}

/** RSA 2048, ten years, CN and subjectAltName for this host's name, localhost, the loopback addresses and
 *  the primary address (what peers off this machine reach at the time the pair is made). */
function generateSelfSigned(certFile: string, keyFile: string): void {
  const name = hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'ringside';
  const primary = primaryAddress();
  const san = `subjectAltName=DNS:${name},DNS:localhost,IP:127.0.0.1,IP:::1${primary === '127.0.0.1' ? '' : `,IP:${primary}`}`;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', `/CN=${name}`, '-addext', san, '-keyout', keyFile, '-out', certFile], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    const why = e.code === 'ENOENT' ? 'the openssl command is not installed' : (e.stderr?.toString().trim().split('\n')[0] ?? e.message);
    throw new TlsCredentialsError(`TLS is on without --tls-cert/--tls-key and a self-signed certificate could not be made (${why}): install openssl or give a certificate`);
  }
}

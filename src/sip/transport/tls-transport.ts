import { connect as tlsConnect, createServer as tlsCreateServer, type SecureContextOptions } from 'node:tls';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import type { StreamSockets } from './tcp-transport.js';

/** The certificate Ringside presents on its SIP TLS port (and trusts when dialling out). */
export interface TlsCredentials {
  /** PEM certificate chain and private key. */
  cert: string | Buffer;
  key: string | Buffer;
  /** Verify the certificates of peers we dial (RFC 3261 §26.3.1; default true). Phones reached over
   *  their own connection are not dialled, so this only concerns trunks and dead connections. */
  verifyPeers?: boolean;
  /** Extra trusted CAs (PEM) for peers we dial, beside the system store. */
  ca?: string | Buffer;
}

/**
 * SIP over TLS (RFC 3261 §26.2.1, §18): the TCP transport's framing and connection pool over TLS sockets.
 * Phones are not asked for a client certificate (most have none; digest authenticates them, §26.3.2.2).
 */
export function tlsSockets(credentials: TlsCredentials, onHandshakeError: (err: Error, remote: string) => void = () => {}): StreamSockets {
  const context: SecureContextOptions = { cert: credentials.cert, key: credentials.key, minVersion: 'TLSv1.2' };
  return {
    protocol: 'tls',
    createServer: (onSocket) => {
      const server = tlsCreateServer({ ...context, requestCert: false }, (socket) => onSocket(socket as Socket));
      // A client that fails the handshake (plain SIP on the TLS port, an untrusted certificate) is dropped.
      server.on('tlsClientError', (err, socket) => {
        onHandshakeError(err, `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`);
        socket.destroy();
      });
      return server;
    },
    connect: (host, port) =>
      tlsConnect({
        host,
        port,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        rejectUnauthorized: credentials.verifyPeers ?? true,
        ...(credentials.ca ? { ca: credentials.ca } : {}),
      }),
    readyEvent: 'secureConnect',
  };
}

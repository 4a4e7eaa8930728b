import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SipTransportError } from '../errors.js';

/**
 * A bound UDP socket: one datagram is one message (RFC 3261 §18.3). Datagrams larger than the limit are
 * passed on anyway; the parser rejects them.
 */
export class UdpTransport {
  #socket: Socket;
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  static bind(host: string, port: number, onDatagram: (data: Buffer, host: string, port: number) => void, receiveBufferBytes = 8 * 1024 * 1024): Promise<UdpTransport> {
    // The kernel silently caps the size at net.core.rmem_max; `receiveBufferBytes` reads what it granted.
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: receiveBufferBytes });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', () => {
          /* ICMP errors on connected paths; sends report their own errors */
        });
        socket.on('message', (data, rinfo) => onDatagram(data, rinfo.address, rinfo.port));
        resolve(new UdpTransport(socket));
      });
    });
  }

  #port = 0;

  /** SO_RCVBUF as granted (Linux reports twice the usable size, socket(7)). */
  get receiveBufferBytes(): number {
    return this.#socket.getRecvBufferSize();
  }

  get port(): number {
    if (this.#port === 0) this.#port = this.#socket.address().port;
    return this.#port;
  }

  send(data: Buffer, host: string, port: number): Promise<void> {
    if (this.#closed) return Promise.reject(new SipTransportError('UDP transport closed', { host, port, protocol: 'udp' }));
    return new Promise((resolve, reject) => {
      this.#socket.send(data, port, host.replace(/^\[|\]$/g, ''), (err) => {
        if (err) reject(new SipTransportError(`UDP send to ${host}:${port} failed: ${err.message}`, { host, port, protocol: 'udp' }, err));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

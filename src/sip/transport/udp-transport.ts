import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SipTransportError } from '../errors.js';
import { PROBE_BYTES, type ReceiveDelayProbe } from './receive-delay-probe.js';

/**
 * A bound UDP socket: one datagram is one message (RFC 3261 §18.3). Datagrams larger than the limit are
 * passed on anyway; the parser rejects them.
 */
export class UdpTransport {
  #socket: Socket;
  #closed = false;
  readonly #probe: ReceiveDelayProbe | undefined;

  private constructor(socket: Socket, probe: ReceiveDelayProbe | undefined) {
    this.#socket = socket;
    this.#probe = probe;
  }

  /** `probe`: measures the wait in the receive buffer with datagrams to the socket's own address
   *  (receive-delay-probe.ts); they are taken out before SIP sees them. */
  static bind(host: string, port: number, onDatagram: (data: Buffer, host: string, port: number) => void, receiveBufferBytes = 8 * 1024 * 1024, probe?: ReceiveDelayProbe): Promise<UdpTransport> {
    // The kernel silently caps the size at net.core.rmem_max; `receiveBufferBytes` reads what it granted.
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: receiveBufferBytes });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', () => {
          /* ICMP errors on connected paths; sends report their own errors */
        });
        if (probe) {
          socket.on('message', (data, rinfo) => {
            if (data.length === PROBE_BYTES && probe.take(data)) return;
            onDatagram(data, rinfo.address, rinfo.port);
          });
          const self = selfAddress(host);
          const bound = socket.address().port;
          probe.start((datagram) => {
            try {
              socket.send(datagram, bound, self, () => {});
            } catch {
              /* closing */
            }
          });
        } else {
          socket.on('message', (data, rinfo) => onDatagram(data, rinfo.address, rinfo.port));
        }
        resolve(new UdpTransport(socket, probe));
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
    this.#probe?.stop();
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** Where a socket bound to `host` reaches itself: the loopback address of its family for a wildcard bind. */
function selfAddress(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[|\]$/g, '');
}

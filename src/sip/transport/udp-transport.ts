import { isIPv6 } from 'node:net';
import { SipTransportError } from '../errors.js';
import { PROBE_BYTES, type ReceiveDelayProbe } from './receive-delay-probe.js';
import { udpSocketThread } from './udp-socket-thread.js';

/**
 * A bound UDP socket: one datagram is one message (RFC 3261 §18.3). Datagrams larger than the limit are
 * passed on anyway; the parser rejects them. The socket's system calls run on the process's UDP socket
 * thread (udp-socket-thread.ts); this is its handle on the event loop.
 */
export class UdpTransport {
  readonly #id: number;
  readonly #port: number;
  readonly #receiveBufferBytes: number;
  #closed = false;
  readonly #probe: ReceiveDelayProbe | undefined;

  private constructor(id: number, port: number, receiveBufferBytes: number, probe: ReceiveDelayProbe | undefined) {
    this.#id = id;
    this.#port = port;
    this.#receiveBufferBytes = receiveBufferBytes;
    this.#probe = probe;
  }

  /** `probe`: measures the wait in the receive buffer with datagrams to the socket's own address
   *  (receive-delay-probe.ts); they are taken out before SIP sees them. */
  static async bind(host: string, port: number, onDatagram: (data: Buffer, host: string, port: number) => void, receiveBufferBytes = 8 * 1024 * 1024, probe?: ReceiveDelayProbe, onDropped: (count: number) => void = () => {}): Promise<UdpTransport> {
    // The kernel silently caps the size at net.core.rmem_max; `receiveBufferBytes` reads what it granted.
    const handler = probe
      ? (data: Buffer, h: string, p: number) => {
          if (data.length === PROBE_BYTES && probe.take(data)) return;
          onDatagram(data, h, p);
        }
      : onDatagram;
    const probing = probe ? { header: new Uint8Array(probe.header), intervalMs: probe.intervalMs, self: selfAddress(host) } : undefined;
    const bound = await udpSocketThread.bind(isIPv6(host) ? 'udp6' : 'udp4', host, port, receiveBufferBytes, handler, onDropped, probing);
    probe?.start(probing!.intervalMs);
    return new UdpTransport(bound.id, bound.port, bound.receiveBufferBytes, probe);
  }

  /** SO_RCVBUF as granted (Linux reports twice the usable size, socket(7)). */
  get receiveBufferBytes(): number {
    return this.#receiveBufferBytes;
  }

  get port(): number {
    return this.#port;
  }

  send(data: Buffer, host: string, port: number): Promise<void> {
    if (this.#closed) return Promise.reject(new SipTransportError('UDP transport closed', { host, port, protocol: 'udp' }));
    return udpSocketThread.send(this.#id, data, host.replace(/^\[|\]$/g, ''), port).catch((err: Error) => {
      throw new SipTransportError(`UDP send to ${host}:${port} failed: ${err.message}`, { host, port, protocol: 'udp' }, err);
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#probe?.stop();
    return udpSocketThread.close(this.#id);
  }
}

/** Where a socket bound to `host` reaches itself: the loopback address of its family for a wildcard bind. */
function selfAddress(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[|\]$/g, '');
}

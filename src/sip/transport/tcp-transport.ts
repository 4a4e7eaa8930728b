import { createServer, connect, type Server, type Socket } from 'node:net';
import { SipTransportError } from '../errors.js';
import { StreamFramer } from './stream-framer.js';
import { addressKey, newConnectionId } from './transport-types.js';

/** How a stream transport listens and dials: plain TCP here, TLS in tls-transport.ts. Everything above
 *  the socket (framing, pooling, reuse in both directions) is the same for both. */
export interface StreamSockets {
  protocol: 'tcp' | 'tls';
  /** A server calling `onSocket` with each accepted (for TLS: handshaken) socket. */
  createServer(onSocket: (socket: Socket) => void): Server;
  /** Dials; the socket emits `readyEvent` once usable. */
  connect(host: string, port: number): Socket;
  /** The event that says a dialled socket is usable: `connect` (TCP) or `secureConnect` (TLS). */
  readyEvent: 'connect' | 'secureConnect';
}

export const TCP_SOCKETS: StreamSockets = {
  protocol: 'tcp',
  createServer: (onSocket) => createServer(onSocket),
  connect: (host, port) => connect({ host, port }),
  readyEvent: 'connect',
};

interface Connection {
  id: string;
  socket: Socket;
  remoteHost: string;
  remotePort: number;
  framer: StreamFramer;
}

export interface TcpTransportOptions {
  maxMessageBytes: number;
  /** Close a connection after this long without traffic (ms). */
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  onMessage: (data: Buffer, host: string, port: number, connectionId: string) => void;
  onFramingError: (err: Error, host: string, port: number) => void;
  onConnectionChange: (opened: boolean) => void;
  /** TCP (default) or TLS. */
  sockets?: StreamSockets;
}

/**
 * TCP (or TLS) listener and connection pool (RFC 3261 §18.3, §18.2.2). Connections are reused in both
 * directions: a request to `host:port` goes over any open connection with that remote address, whether it
 * was accepted or opened by us; responses go back on the connection the request came in on.
 */
export class TcpTransport {
  #server: Server;
  #options: TcpTransportOptions;
  #byId = new Map<string, Connection>();
  #byAddress = new Map<string, Connection>();
  #connecting = new Map<string, Promise<Connection>>();
  #closed = false;
  readonly #sockets: StreamSockets;

  private constructor(server: Server, options: TcpTransportOptions, sockets: StreamSockets) {
    this.#server = server;
    this.#options = options;
    this.#sockets = sockets;
  }

  static listen(host: string, port: number, options: TcpTransportOptions): Promise<TcpTransport> {
    const sockets = options.sockets ?? TCP_SOCKETS;
    let transport: TcpTransport | undefined;
    const server = sockets.createServer((socket) => {
      if (transport) transport.#adopt(socket);
      else socket.destroy();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        transport = new TcpTransport(server, options, sockets);
        resolve(transport);
      });
    });
  }

  get protocol(): 'tcp' | 'tls' {
    return this.#sockets.protocol;
  }

  #port = 0;

  get port(): number {
    if (this.#port === 0) {
      const a = this.#server.address();
      this.#port = typeof a === 'object' && a ? a.port : 0;
    }
    return this.#port;
  }

  get connectionCount(): number {
    return this.#byId.size;
  }

  hasConnection(id: string): boolean {
    return this.#byId.has(id);
  }

  #adopt(socket: Socket): Connection {
    const conn: Connection = {
      id: newConnectionId(this.#sockets.protocol),
      socket,
      remoteHost: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      framer: new StreamFramer(this.#options.maxMessageBytes),
    };
    this.#byId.set(conn.id, conn);
    this.#byAddress.set(addressKey(conn.remoteHost, conn.remotePort), conn);
    this.#options.onConnectionChange(true);
    socket.setNoDelay(true);
    socket.setTimeout(this.#options.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk) => {
      let frames;
      try {
        frames = conn.framer.push(chunk);
      } catch (err) {
        this.#options.onFramingError(err as Error, conn.remoteHost, conn.remotePort);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        if (f.kind === 'ping') socket.write('\r\n');
        else this.#options.onMessage(f.data, conn.remoteHost, conn.remotePort, conn.id);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#byId.delete(conn.id);
      const key = addressKey(conn.remoteHost, conn.remotePort);
      if (this.#byAddress.get(key) === conn) this.#byAddress.delete(key);
      this.#options.onConnectionChange(false);
    });
    return conn;
  }

  #connect(host: string, port: number): Promise<Connection> {
    const key = addressKey(host, port);
    const existing = this.#byAddress.get(key);
    if (existing && !existing.socket.destroyed) return Promise.resolve(existing);
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const p = new Promise<Connection>((resolve, reject) => {
      const socket = this.#sockets.connect(host.replace(/^\[|\]$/g, ''), port);
      const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), this.#options.connectTimeoutMs);
      socket.once(this.#sockets.readyEvent, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const conn = this.#adopt(socket);
        // Key under the address we dialled too, so later sends find it (remoteAddress may be normalised).
        this.#byAddress.set(key, conn);
        resolve(conn);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new SipTransportError(`${this.#name} connect to ${host}:${port} failed: ${err.message}`, { host, port, protocol: this.protocol }, err));
      });
    });
    this.#connecting.set(key, p);
    const clear = (): void => {
      this.#connecting.delete(key);
    };
    p.then(clear, clear);
    return p;
  }

  /** Sends on the named connection if it is open, else on a pooled or new connection to host:port. */
  async send(data: Buffer, host: string, port: number, connectionId?: string): Promise<void> {
    if (this.#closed) throw new SipTransportError(`${this.#name} transport closed`, { host, port, protocol: this.protocol });
    let conn = connectionId ? this.#byId.get(connectionId) : undefined;
    if (!conn || conn.socket.destroyed) conn = await this.#connect(host, port);
    const c = conn;
    await new Promise<void>((resolve, reject) => {
      c.socket.write(data, (err) => {
        if (err) reject(new SipTransportError(`${this.#name} send to ${host}:${port} failed: ${err.message}`, { host, port, protocol: this.protocol }, err));
        else resolve();
      });
    });
  }

  get #name(): string {
    return this.protocol.toUpperCase();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const c of this.#byId.values()) c.socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

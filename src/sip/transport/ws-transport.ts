import { SipTransportError } from '../errors.js';
import { newConnectionId } from './transport-types.js';

/**
 * One accepted WebSocket with the `sip` subprotocol, as the HTTP side hands it over (the socket library
 * stays out of sip/: app/sip-websocket-acceptor.ts adapts `ws`). Each message is one SIP message.
 */
export interface WebSocketChannel {
  /** Sends one text message; `done` is called once it is written or failed. */
  send(text: string, done: (err?: Error) => void): void;
  /** Closing handshake (1001 at shutdown). */
  close(code: number, reason: string): void;
}

/** What the acceptor calls for the channel's events. */
export interface WebSocketChannelEvents {
  message(data: Buffer): void;
  closed(): void;
}

interface Connection {
  id: string;
  channel: WebSocketChannel;
  remoteHost: string;
  remotePort: number;
}

export interface WsTransportOptions {
  /** `ws` (plain HTTP server) or `wss` (HTTPS server). */
  protocol: 'ws' | 'wss';
  onMessage: (data: Buffer, host: string, port: number, connectionId: string) => void;
  onConnectionChange: (opened: boolean, connectionId: string) => void;
}

/**
 * SIP over WebSocket (RFC 7118), server side only: each WebSocket message is one SIP message, so there is
 * no stream framing (§5). Ringside never dials WebSocket: a browser phone is reachable only over the
 * connection it opened, so a send to a closed connection fails.
 */
export class WsTransport {
  readonly protocol: 'ws' | 'wss';
  readonly #options: WsTransportOptions;
  readonly #byId = new Map<string, Connection>();
  #closed = false;

  constructor(options: WsTransportOptions) {
    this.protocol = options.protocol;
    this.#options = options;
  }

  get connectionCount(): number {
    return this.#byId.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  hasConnection(id: string): boolean {
    return this.#byId.has(id);
  }

  /** A new connection; the returned events are to be called for its messages and its close. */
  accept(channel: WebSocketChannel, remoteHost: string, remotePort: number): WebSocketChannelEvents & { connectionId: string } {
    const conn: Connection = { id: newConnectionId(this.protocol), channel, remoteHost, remotePort };
    this.#byId.set(conn.id, conn);
    this.#options.onConnectionChange(true, conn.id);
    let open = true;
    return {
      connectionId: conn.id,
      message: (data) => {
        // RFC 5626 §4.4.1 keep-alive as SIP.js and JsSIP send it over WebSocket: CRLFCRLF, answered CRLF.
        if (isBlank(data)) {
          if (data.length >= 4) channel.send('\r\n', () => {});
          return;
        }
        if (open) this.#options.onMessage(data, remoteHost, remotePort, conn.id);
      },
      closed: () => {
        if (!open) return;
        open = false;
        this.#byId.delete(conn.id);
        this.#options.onConnectionChange(false, conn.id);
      },
    };
  }

  /** Sends one SIP message as one text message on the named connection (RFC 7118 §5). */
  send(data: Buffer, host: string, port: number, connectionId?: string): Promise<void> {
    const conn = connectionId ? this.#byId.get(connectionId) : undefined;
    const name = this.protocol.toUpperCase();
    if (this.#closed || !conn) {
      return Promise.reject(new SipTransportError(`${name} connection to ${host}:${port} is closed (a WebSocket client is reachable only over its own connection)`, { host, port, protocol: this.protocol }));
    }
    return new Promise((resolve, reject) => {
      // A text frame: SIP is UTF-8 text, and browser stacks (SIP.js, JsSIP) read text frames.
      conn.channel.send(data.toString('utf8'), (err) => {
        if (err) reject(new SipTransportError(`${name} send to ${host}:${port} failed: ${err.message}`, { host, port, protocol: this.protocol }, err));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const c of this.#byId.values()) c.channel.close(1001, 'shutting down');
    return Promise.resolve();
  }
}

function isBlank(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}

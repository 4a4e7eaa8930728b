/**
 * SIP over WebSocket's HTTP side (RFC 7118 §4): upgrades on the SIP path must offer the `sip` subprotocol
 * (else 400, counted), are accepted with the `ws` package and handed to the SIP stack as channels. Here and
 * not in sip/, which does not import socket libraries (ARCHITECTURE.md, "Layers").
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SipStack } from '../sip/sip-stack.js';
import type { UpgradeHandler } from './upgrade-router.js';

export interface SipWebSocketAcceptorOptions {
  /** Largest SIP message (one WebSocket message) accepted. */
  maxMessageBytes?: number;
  /** Ping interval; a client that misses a pong until the next ping is cut (default 30 s). */
  pingIntervalMs?: number;
  /** Connections open at once from one IP address; more get 503 (default 200: an office of browsers
   *  behind one NAT address stays well under it, one client opening thousands does not). */
  maxPerAddress?: number;
}

export class SipWebSocketAcceptor {
  readonly #wss: WebSocketServer;
  readonly #stack: SipStack;
  readonly #sockets = new Set<WebSocket>();
  readonly #alive = new WeakSet<WebSocket>();
  readonly #pinger: NodeJS.Timeout;
  readonly #perAddress = new Map<string, number>();
  readonly #maxPerAddress: number;

  constructor(stack: SipStack, options: SipWebSocketAcceptorOptions = {}) {
    this.#stack = stack;
    this.#maxPerAddress = options.maxPerAddress ?? 200;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes ?? 64 * 1024,
      perMessageDeflate: false,
      // §4: the answer names the `sip` subprotocol (upgrades without it are refused before this).
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    this.#pinger = setInterval(() => this.#ping(), options.pingIntervalMs ?? 30_000);
    this.#pinger.unref();
  }

  /** The upgrade handler for the HTTP (`ws`) or HTTPS (`wss`) server. */
  handler(protocol: 'ws' | 'wss'): UpgradeHandler {
    return (req, socket, head) => this.#upgrade(protocol, req, socket, head);
  }

  #upgrade(protocol: 'ws' | 'wss', req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const remote = `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`;
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim().toLowerCase());
    if (!offered.includes('sip')) return this.#refuse(socket, 400, 'Bad Request', 'the WebSocket subprotocol "sip" is required (RFC 7118 §4)', remote);
    const address = req.socket.remoteAddress ?? '';
    const open = this.#perAddress.get(address) ?? 0;
    if (open >= this.#maxPerAddress) return this.#refuse(socket, 503, 'Service Unavailable', `too many SIP WebSocket connections from this address (${this.#maxPerAddress})`, remote);
    // Counted from the upgrade on: a burst of upgrades cannot overshoot while handshakes are in flight.
    this.#perAddress.set(address, open + 1);
    let counted = true;
    const uncount = (): void => {
      if (!counted) return;
      counted = false;
      const n = (this.#perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, n);
    };
    socket.once('close', uncount);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const events = this.#stack.acceptWebSocket(
        protocol,
        { send: (text, done) => ws.send(text, (err) => done(err ?? undefined)), close: (code, reason) => ws.close(code, reason) },
        req.socket.remoteAddress ?? '',
        req.socket.remotePort ?? 0,
      );
      if (!events) {
        ws.close(1001, 'SIP over WebSocket is not available');
        return;
      }
      this.#sockets.add(ws);
      this.#alive.add(ws);
      ws.on('pong', () => this.#alive.add(ws));
      ws.on('message', (data: RawData) => events.message(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)));
      // An oversized or broken frame: `ws` closes the socket (1009/1002); nothing reaches the stack.
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        this.#sockets.delete(ws);
        events.closed();
      });
    });
  }

  #refuse(socket: Duplex, status: number, text: string, reason: string, remote: string): void {
    this.#stack.webSocketRefused(reason, remote);
    const body = `${reason}\n`;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  #ping(): void {
    for (const ws of this.#sockets) {
      if (!this.#alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.#alive.delete(ws);
      ws.ping();
    }
  }

  /** Cuts every SIP WebSocket (after the stack sent its closing handshakes). */
  async close(): Promise<void> {
    clearInterval(this.#pinger);
    for (const ws of this.#sockets) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

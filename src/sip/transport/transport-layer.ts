import type { Logger } from 'pino';
import { SipParseError, SipTransportError } from '../errors.js';
import { SipHeaders } from '../message/headers.js';
import { newTag } from '../message/ids.js';
import { DEFAULT_LIMITS, parseMessage, type ParseLimits } from '../message/parser.js';
import { serializeMessage } from '../message/serializer.js';
import { SipResponse, type SipMessage, type SipRequest } from '../message/sip-message.js';
import { formatVia, type Via } from '../message/via.js';
import { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
import { tlsSockets, type TlsCredentials } from './tls-transport.js';
import { isStream, newCounters, type Destination, type InboundMessage, type Outbound, type TransportCounters, type TransportProtocol } from './transport-types.js';
import { UdpTransport } from './udp-transport.js';
import { ReceiveDelayProbe } from './receive-delay-probe.js';
import { WsTransport, type WebSocketChannel, type WebSocketChannelEvents } from './ws-transport.js';

export interface TransportLayerOptions {
  host: string;
  /** 0 picks an ephemeral port; UDP and TCP share the number. */
  port: number;
  /** `ws`/`wss` listen on no port of their own: the HTTP(S) server hands their upgrades to `upgrade()`. */
  protocols: TransportProtocol[];
  /** With `tls` in `protocols`: its port (default 5061; 0 = ephemeral) and certificate. */
  tls?: TlsCredentials & { port: number };

  limits?: ParseLimits;
  tcpIdleTimeoutMs?: number;
  logger: Logger;
  /** Test hook: return false to drop an outgoing datagram/segment as if lost (counted as sent). */
  outboundFilter?: (data: Buffer, dest: Destination) => boolean;
  /** SO_RCVBUF asked for the UDP socket (default 8 MiB): a burst while the loop is busy waits in the
   *  kernel instead of being dropped. Linux caps it at net.core.rmem_max. */
  udpReceiveBufferBytes?: number;
  /** Measure the wait in the UDP socket's receive buffer (`receiveDelay`; the overload guard reads it). */
  probeReceiveDelay?: boolean;
}

/**
 * The transport layer of RFC 3261 §18: parses what arrives, stamps `received`/`rport` on requests
 * (§18.2.1, RFC 3581 §4), answers malformed requests with 400 where it can, and routes responses
 * (§18.2.2, RFC 3581 §4).
 */
export class TransportLayer {
  readonly counters: TransportCounters = newCounters();
  #udp?: UdpTransport;
  /** The wait in the UDP socket's receive buffer (receive-delay-probe.ts), when `probeReceiveDelay`. */
  readonly receiveDelay = new ReceiveDelayProbe();
  #tcp?: TcpTransport;
  #tls?: TcpTransport;
  #ws?: WsTransport;
  #wss?: WsTransport;
  #options: TransportLayerOptions;
  #limits: ParseLimits;
  #log: Logger;
  #handler: (msg: InboundMessage) => void = () => {};

  private constructor(options: TransportLayerOptions) {
    this.#options = options;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#log = options.logger;
  }

  static async listen(options: TransportLayerOptions): Promise<TransportLayer> {
    const layer = new TransportLayer(options);
    await layer.#bind();
    return layer;
  }

  async #bind(): Promise<void> {
    const { host, protocols } = this.#options;
    for (let attempt = 0; ; attempt++) {
      let port = this.#options.port;
      try {
        if (protocols.includes('udp')) {
          this.#udp = await UdpTransport.bind(host, port, (d, h, p) => this.#receive(d, { protocol: 'udp', host: h, port: p }), this.#options.udpReceiveBufferBytes, this.#options.probeReceiveDelay ? this.receiveDelay : undefined);
          port = this.#udp.port;
        }
        if (protocols.includes('tcp')) {
          this.#tcp = await TcpTransport.listen(host, port, this.#streamOptions('tcp'));
        }
        if (protocols.includes('tls')) await this.#bindTls();
        for (const p of ['ws', 'wss'] as const) if (protocols.includes(p)) this.#bindWs(p);
        return;
      } catch (err) {
        await Promise.all([this.#udp?.close(), this.#tcp?.close()]);
        this.#udp = undefined;
        this.#tcp = undefined;
        // A TLS port problem (in use, bad certificate) is not solved by another UDP/TCP port.
        if (this.#tlsFailed) throw err;
        // Port 0: the UDP port the system picked may be taken on TCP; try another.
        if (this.#options.port !== 0 || attempt >= 20) throw err;
      }
    }
  }

  #tlsFailed = false;

  async #bindTls(): Promise<void> {
    const tls = this.#options.tls;
    try {
      if (!tls) throw new SipTransportError('TLS needs a certificate and key');
      this.#tls = await TcpTransport.listen(this.#options.host, tls.port, {
        ...this.#streamOptions('tls'),
        sockets: tlsSockets(tls, (err, remote) => {
          this.counters.tlsHandshakeErrors++;
          this.#log.debug({ err: err.message, remote }, 'sip tls handshake failed');
        }),
      });
    } catch (err) {
      this.#tlsFailed = true;
      throw err;
    }
  }

  #bindWs(protocol: 'ws' | 'wss'): void {
    const ws = new WsTransport({
      protocol,
      onMessage: (d, h, p, id) => this.#receive(d, { protocol, host: h, port: p, connectionId: id }),
      onConnectionChange: (opened, id) => {
        if (opened) this.counters.wsConnectionsOpened++;
        else {
          this.counters.wsConnectionsClosed++;
          for (const l of this.#closeListeners) l(id);
        }
      },
    });
    if (protocol === 'ws') this.#ws = ws;
    else this.#wss = ws;
  }

  #closeListeners: Array<(connectionId: string) => void> = [];

  /** Called with the id of each WebSocket connection that closes (its registrations are dead, RFC 7118 §5). */
  onConnectionClosed(listener: (connectionId: string) => void): void {
    this.#closeListeners.push(listener);
  }

  #streamOptions(protocol: 'tcp' | 'tls'): TcpTransportOptions {
    return {
      maxMessageBytes: this.#limits.maxMessageBytes,
      idleTimeoutMs: this.#options.tcpIdleTimeoutMs ?? 120_000,
      connectTimeoutMs: 5_000,
      onMessage: (d, h, p, id) => this.#receive(d, { protocol, host: h, port: p, connectionId: id }),
      onFramingError: (err, h, p) => {
        this.counters.malformed++;
        this.counters.tcpFramingErrors++;
        this.#log.warn({ err: err.message, remote: `${h}:${p}`, protocol }, 'sip stream framing error, connection closed');
      },
      onConnectionChange: (opened) => {
        if (protocol === 'tcp') {
          if (opened) this.counters.tcpConnectionsOpened++;
          else this.counters.tcpConnectionsClosed++;
        } else if (opened) this.counters.tlsConnectionsOpened++;
        else this.counters.tlsConnectionsClosed++;
      },
    };
  }

  /**
   * A WebSocket with the `sip` subprotocol accepted by the HTTP (`ws`) or HTTPS (`wss`) server. Undefined
   * when that transport is off or closing: the acceptor then refuses the upgrade.
   */
  acceptWebSocket(protocol: 'ws' | 'wss', channel: WebSocketChannel, remoteHost: string, remotePort: number): (WebSocketChannelEvents & { connectionId: string }) | undefined {
    const t = protocol === 'ws' ? this.#ws : this.#wss;
    if (!t || t.closed) return undefined;
    return t.accept(channel, remoteHost, remotePort);
  }

  /** An upgrade on the SIP path refused (no `sip` subprotocol, RFC 7118 §4): counted and logged. */
  webSocketRefused(reason: string, remote: string): void {
    this.counters.wsUpgradesRefused++;
    this.#log.info({ reason, remote }, 'sip websocket upgrade refused');
  }

  /** True while the connection a message came on (TCP, TLS, WebSocket) is open. */
  isOpen(dest: Destination): boolean {
    if (!dest.connectionId) return false;
    return this.#stream(dest.protocol)?.hasConnection(dest.connectionId) ?? false;
  }

  #stream(protocol: TransportProtocol): TcpTransport | WsTransport | undefined {
    return protocol === 'tcp' ? this.#tcp : protocol === 'tls' ? this.#tls : protocol === 'ws' ? this.#ws : protocol === 'wss' ? this.#wss : undefined;
  }

  /** The TLS port (0 when TLS is off). */
  get tlsPort(): number {
    return this.#tls?.port ?? 0;
  }

  onMessage(handler: (msg: InboundMessage) => void): void {
    this.#handler = handler;
  }

  get host(): string {
    return this.#options.host;
  }

  get port(): number {
    return this.#udp?.port ?? this.#tcp?.port ?? 0;
  }

  get protocols(): TransportProtocol[] {
    return this.#options.protocols;
  }

  get tcpConnections(): number {
    return this.#tcp?.connectionCount ?? 0;
  }

  /** Open connections per stream protocol. */
  get connections(): { tcp: number; tls: number; ws: number; wss: number } {
    return { tcp: this.#tcp?.connectionCount ?? 0, tls: this.#tls?.connectionCount ?? 0, ws: this.#ws?.connectionCount ?? 0, wss: this.#wss?.connectionCount ?? 0 };
  }

  #receive(data: Buffer, source: Destination): void {
    this.counters.received++;
    let message: SipMessage;
    try {
      message = parseMessage(data, this.#limits);
    } catch (err) {
      this.counters.malformed++;
      this.#answerMalformed(err, source);
      return;
    }
    if (message.kind === 'request') {
      stampVia(message, source);
    } else if (message.headers.getAll('via').length === 0) {
      this.counters.dropped++;
      return;
    }
    try {
      this.#handler({ message, source });
    } catch (err) {
      this.#log.error({ err }, 'sip message handler threw');
    }
  }

  /** §21.4.1 / §8.2: a malformed request is answered with 400 when Via, From, To, Call-ID and CSeq can be
   *  echoed; otherwise (and for responses) it is dropped and counted. */
  #answerMalformed(err: unknown, source: Destination): void {
    const partial = err instanceof SipParseError ? err.partial : undefined;
    const reason = err instanceof Error ? err.message : String(err);
    const get = (n: string): string | undefined => partial?.headers.find(([k]) => k === n)?.[1];
    const isRequest = partial !== undefined && !/^SIP\//i.test(partial.startLine);
    const via = get('via');
    const cseq = get('cseq');
    const ok = isRequest && via && get('from') && get('to') && get('call-id') && cseq && !/^ACK\b/i.test(partial.startLine);
    if (!ok) {
      this.counters.dropped++;
      this.#log.debug({ reason, remote: `${source.host}:${source.port}` }, 'sip malformed message dropped');
      return;
    }
    const headers = new SipHeaders();
    for (const [k, v] of partial.headers) if (k === 'via') headers.append('via', v);
    headers.append('from', get('from') as string);
    const to = get('to') as string;
    headers.append('to', /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${newTag()}`);
    headers.append('call-id', get('call-id') as string);
    headers.append('cseq', cseq);
    const res = new SipResponse(400, `Bad Request (${reason.replace(/[\r\n]/g, ' ').slice(0, 80)})`, headers);
    this.counters.badRequestAnswered++;
    // Sent straight back to the source: the Via itself may be what is malformed.
    this.#write(serializeMessage(res), source).catch(() => {});
  }

  /** Sends a request (or any message) to a destination. */
  async send(message: SipMessage, dest: Destination): Promise<void> {
    await this.write(this.prepareRequest(message, dest));
  }

  /** A message serialized for `dest`, to be written now and maybe again. */
  prepareRequest(message: SipMessage, dest: Destination): Outbound {
    return { data: serializeMessage(message), dest };
  }

  /**
   * Sends a response where §18.2.2 says (with RFC 3581 §4): over the connection the request came on if it is
   * still open; else to `received` (or the sent-by host) at `rport` (or the sent-by port, default 5060).
   */
  async sendResponse(res: SipResponse, requestSource?: Destination): Promise<void> {
    await this.write(this.prepareResponse(res, requestSource));
  }

  /** A response serialized and routed (see `sendResponse`), to be written now and maybe again. Throws
   *  SipTransportError when the response has no Via. */
  prepareResponse(res: SipResponse, requestSource?: Destination): Outbound {
    const data = serializeMessage(res);
    if (res.headers.getAll('via').length === 0) throw new SipTransportError('response without Via');
    return { data, dest: responseDestination(res.topVia, requestSource) };
  }

  /** Writes bytes prepared before (a retransmission sends the very same bytes). */
  write(out: Outbound): Promise<void> {
    return this.#write(out.data, out.dest);
  }

  async #write(data: Buffer, dest: Destination): Promise<void> {
    this.counters.sent++;
    if (this.#options.outboundFilter && !this.#options.outboundFilter(data, dest)) return;
    if (dest.protocol === 'udp') {
      if (!this.#udp) throw new SipTransportError('UDP is not enabled', { ...dest });
      await this.#udp.send(data, dest.host, dest.port);
    } else {
      const t = this.#stream(dest.protocol);
      if (!t) throw new SipTransportError(`${dest.protocol.toUpperCase()} is not enabled`, { ...dest });
      await t.send(data, dest.host, dest.port, dest.connectionId);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#udp?.close(), this.#tcp?.close(), this.#tls?.close(), this.#ws?.close(), this.#wss?.close()]);
  }
}

/** §18.2.1 and RFC 3581 §4: record where a request really came from in its top Via. */
export function stampVia(req: SipRequest, source: Destination): void {
  if (req.headers.getAll('via').length === 0) return;
  // A copy: the parsed top Via is shared with the message's other readers.
  const parsed = req.topVia;
  const via: Via = { ...parsed, params: new Map(parsed.params) };
  const host = source.host.includes(':') ? `[${source.host}]` : source.host;
  let changed = false;
  if (via.host !== host.toLowerCase() || via.params.has('rport')) {
    via.params.set('received', host);
    changed = true;
  }
  if (via.params.has('rport')) {
    via.params.set('rport', String(source.port));
    changed = true;
  }
  if (changed) req.headers.replaceFirstValue('via', formatVia(via));
}

/** §18.2.2 response routing from the (stamped) top Via. */
export function responseDestination(via: Via, requestSource?: Destination): Destination {
  // The protocol the request arrived on wins over what its Via claims (§18.2.2: reliable transports answer
  // on the same connection).
  const protocol: TransportProtocol = requestSource?.protocol ?? viaProtocol(via.transport);
  const received = via.params.get('received') ?? undefined;
  const rport = via.params.get('rport');
  const host = (received ?? via.host).replace(/^\[|\]$/g, '');
  const port = rport ? Number(rport) : (via.port ?? 5060);
  const dest: Destination = { protocol, host, port };
  if (isStream(protocol) && requestSource?.connectionId) {
    // Reliable transport: reuse the connection the request came on; if it has closed, open one to the
    // received address at the sent-by port (§18.2.2) — never for WebSocket, which we cannot dial (RFC 7118
    // §5: the sent-by of a WebSocket client is a made-up .invalid host).
    dest.connectionId = requestSource.connectionId;
  }
  return dest;
}


/** The protocol a Via transport token names (RFC 3261 §20.42, RFC 7118 §5); unknown tokens count as TCP. */
function viaProtocol(token: string): TransportProtocol {
  const t = token.toLowerCase();
  return t === 'udp' || t === 'tls' || t === 'ws' || t === 'wss' ? t : 'tcp';
}

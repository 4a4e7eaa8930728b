import type { Logger } from 'pino';
import { SipParseError, SipTransportError } from '../errors.js';
import { SipHeaders } from '../message/headers.js';
import { newTag } from '../message/ids.js';
import { DEFAULT_LIMITS, parseMessage, type ParseLimits } from '../message/parser.js';
import { serializeMessage } from '../message/serializer.js';
import { SipResponse, type SipMessage, type SipRequest } from '../message/sip-message.js';
import { formatVia, type Via } from '../message/via.js';
import { TcpTransport } from './tcp-transport.js';
import { newCounters, type Destination, type InboundMessage, type Outbound, type TransportCounters, type TransportProtocol } from './transport-types.js';
import { UdpTransport } from './udp-transport.js';

export interface TransportLayerOptions {
  host: string;
  /** 0 picks an ephemeral port; UDP and TCP share the number. */
  port: number;
  protocols: TransportProtocol[];
  limits?: ParseLimits;
  tcpIdleTimeoutMs?: number;
  logger: Logger;
  /** Test hook: return false to drop an outgoing datagram/segment as if lost (counted as sent). */
  outboundFilter?: (data: Buffer, dest: Destination) => boolean;
  /** SO_RCVBUF asked for the UDP socket (default 8 MiB): a burst while the loop is busy waits in the
   *  kernel instead of being dropped. Linux caps it at net.core.rmem_max. */
  udpReceiveBufferBytes?: number;
}

/**
 * The transport layer of RFC 3261 §18: parses what arrives, stamps `received`/`rport` on requests
 * (§18.2.1, RFC 3581 §4), answers malformed requests with 400 where it can, and routes responses
 * (§18.2.2, RFC 3581 §4).
 */
export class TransportLayer {
  readonly counters: TransportCounters = newCounters();
  #udp?: UdpTransport;
  #tcp?: TcpTransport;
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
          this.#udp = await UdpTransport.bind(host, port, (d, h, p) => this.#receive(d, { protocol: 'udp', host: h, port: p }), this.#options.udpReceiveBufferBytes);
          port = this.#udp.port;
        }
        if (protocols.includes('tcp')) {
          this.#tcp = await TcpTransport.listen(host, port, {
            maxMessageBytes: this.#limits.maxMessageBytes,
            idleTimeoutMs: this.#options.tcpIdleTimeoutMs ?? 120_000,
            connectTimeoutMs: 5_000,
            onMessage: (d, h, p, id) => this.#receive(d, { protocol: 'tcp', host: h, port: p, connectionId: id }),
            onFramingError: (err, h, p) => {
              this.counters.malformed++;
              this.counters.tcpFramingErrors++;
              this.#log.warn({ err: err.message, remote: `${h}:${p}` }, 'sip tcp framing error, connection closed');
            },
            onConnectionChange: (opened) => {
              if (opened) this.counters.tcpConnectionsOpened++;
              else this.counters.tcpConnectionsClosed++;
            },
          });
        }
        return;
      } catch (err) {
        await this.#udp?.close();
        this.#udp = undefined;
        // Port 0: the UDP port the system picked may be taken on TCP; try another.
        if (this.#options.port !== 0 || attempt >= 20) throw err;
      }
    }
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
      if (!this.#tcp) throw new SipTransportError('TCP is not enabled', { ...dest });
      await this.#tcp.send(data, dest.host, dest.port, dest.connectionId);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#udp?.close(), this.#tcp?.close()]);
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
  const protocol: TransportProtocol = requestSource?.protocol ?? (via.transport === 'UDP' ? 'udp' : 'tcp');
  const received = via.params.get('received') ?? undefined;
  const rport = via.params.get('rport');
  const host = (received ?? via.host).replace(/^\[|\]$/g, '');
  const port = rport ? Number(rport) : (via.port ?? 5060);
  const dest: Destination = { protocol, host, port };
  if (protocol === 'tcp' && requestSource?.connectionId) {
    // Reliable transport: reuse the connection the request came on; if it has closed, open one to the
    // received address at the sent-by port (§18.2.2).
    dest.connectionId = requestSource.connectionId;
  }
  return dest;
}


import { requestOrigin } from './request-origin.js';
import { ALLOW, SUPPORTED, SUPPORTED_HEADER } from './user-agent/capabilities.js';
import type { Logger } from 'pino';
import { silentLogger } from '../log/logger.js';
import { DigestClient } from './auth/digest-client.js';
import { dialogKey } from './dialog/dialog.js';
import type { InviteSession } from './dialog/invite-session.js';
import { SipRequestError, SipStackClosedError } from './errors.js';
import { SipHeaders } from './message/headers.js';
import { newBranch, newCallId, newTag } from './message/ids.js';
import { ownBytes } from './message/own-bytes.js';
import { createResponse } from './message/message-factory.js';
import { parseNameAddr } from './message/name-addr.js';
import { DEFAULT_LIMITS, type ParseLimits } from './message/parser.js';
import { SipRequest, type SipResponse } from './message/sip-message.js';
import { formatUri } from './message/uri.js';
import { DEFAULT_TIMERS, systemClock, type Clock, type TimerSettings } from './transaction/clock.js';
import { InviteServerTransaction } from './transaction/invite-server-transaction.js';
import type { ServerTransaction } from './transaction/server-transaction.js';
import { TransactionLayer } from './transaction/transaction-layer.js';
import { isWildcard, localAddressFor, primaryAddress } from '../util/local-address.js';
import { resolveDestination } from './transport/resolve-destination.js';
import { TransportLayer } from './transport/transport-layer.js';
import type { TlsCredentials } from './transport/tls-transport.js';
import { viaTransport, type Destination, type InboundMessage, type TransportCounters, type TransportProtocol } from './transport/transport-types.js';
import type { WebSocketChannel, WebSocketChannelEvents } from './transport/ws-transport.js';
import { IncomingInvite } from './user-agent/incoming-invite.js';
import type { OverloadGuard } from './overload-guard.js';
import { IncomingRequest } from './user-agent/incoming-request.js';
import { OutgoingInvite } from './user-agent/outgoing-invite.js';
import { SipMessageCounts } from './sip-message-counts.js';
import { UserAgentClient } from './user-agent/user-agent-client.js';
import type { RequestCallbacks, RequestHandle, UserAgentCore } from './user-agent/user-agent-core.js';

export interface SipStackOptions {
  /** Address to bind (default 0.0.0.0). */
  host?: string;
  /** Port for both UDP and TCP (default 5060; 0 = ephemeral, same number on both). */
  port?: number;
  /** Host written in Via, Contact and From (default: `host`; when binding 0.0.0.0 or `::`, the address of
   *  the interface each peer is reached by: util/local-address.ts). */
  publicHost?: string;
  /** Default `['udp', 'tcp']`; add `tls` (needs `tls`) and `ws`/`wss` (fed by `acceptWebSocket()`). */
  protocols?: TransportProtocol[];
  /** SIP over TLS (RFC 3261 §26): port (default 5061, 0 = ephemeral) and certificate. */
  tls?: TlsCredentials & { port: number };
  timers?: Partial<TimerSettings>;
  clock?: Clock;
  logger?: Logger;
  userAgent?: string;
  /** User part of our Contact URI (default `ringside`). */
  contactUser?: string;
  limits?: Partial<ParseLimits>;
  tcpIdleTimeoutMs?: number;
  /** An incoming INVITE the application leaves unanswered this long gets 480 (default 180 s). */
  maxRingMs?: number;
  /** Test hook: drop outgoing messages for which it returns false (simulated loss). */
  outboundFilter?: (data: Buffer, dest: Destination) => boolean;
  /** Sheds new INVITEs with 503 + Retry-After while overloaded (overload-guard.ts). */
  overload?: OverloadGuard;
  /** Receive buffer asked of the kernel for the UDP socket (bytes; capped by net.core.rmem_max). */
  udpReceiveBufferBytes?: number;
  /** Proxies whose Via stamps are believed (request-origin.ts): Kamailio in front of a cluster. */
  trustedProxies?: readonly string[];
}

/** An out-of-dialog request to send (MESSAGE, OPTIONS, REGISTER, or the INVITE of `invite`). */
export interface OutgoingRequestOptions {
  /** Target: a URI (`sip:bob@192.0.2.1:5060`) or a name-addr; goes in To. */
  to: string;
  /** Request-URI when it differs from the To URI (REGISTER: the registrar's URI). */
  requestUri?: string;
  /** From: URI or name-addr (default `sip:<contactUser>@<publicHost>`). A tag is added. */
  from?: string;
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** UDP (default) or TCP when the URI has no `transport` parameter. */
  transport?: TransportProtocol;
  /** Send here instead of resolving the Request-URI (e.g. a registered contact's source address). */
  destination?: Destination;
  /** Answer 401/407 challenges with these credentials (RFC 3261 §22.2). */
  credentials?: { username: string; password: string };
  callId?: string;
  cseq?: number;
  fromTag?: string;
  /** Contact header value; default our own contact for INVITE/REGISTER/REFER/SUBSCRIBE. */
  contact?: string;
}

export type IncomingRequestHandler = (req: IncomingRequest) => void | Promise<void>;
export type IncomingInviteHandler = (invite: IncomingInvite) => void | Promise<void>;

export interface SipStackCounters {
  transport: TransportCounters;
  transactions: { clients: number; servers: number };
  sessions: number;
  /** Responses matching no transaction and no dialog, dropped (§17.1.3, §18.1.2). */
  strayResponses: number;
  /** Transactions that timed out: Timer B (INVITE client), F (non-INVITE client), H (no ACK, §17.2.1). */
  timeouts: { B: number; F: number; H: number };
}


/**
 * The user-agent core (RFC 3261 §8, §17 dispatch) on a UDP+TCP transport: the one object the switch uses.
 *
 * Incoming: `onInvite` for new calls, `onRequest(method, …)` for out-of-dialog MESSAGE, OPTIONS, REGISTER,
 * etc. OPTIONS is answered 200 by default; other methods without a handler get 405. Outgoing: `invite`
 * for calls, `request` for everything else. In-dialog traffic goes through the returned `InviteSession`.
 */
export class SipStack implements UserAgentCore {
  readonly log: Logger;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  readonly #transport: TransportLayer;
  readonly #transactions: TransactionLayer;
  /** The configured or bound host; undefined = per peer (util/local-address.ts). */
  readonly #fixedHost: string | undefined;
  readonly #userAgent: string;
  readonly #trustedProxies: ReadonlySet<string>;
  readonly #contactUser: string;
  #sessions = new Map<string, InviteSession>();
  #handlers = new Map<string, IncomingRequestHandler>();
  #inviteHandler?: IncomingInviteHandler;
  #strayResponses = 0;
  readonly #timeouts = { B: 0, F: 0, H: 0 };
  /** Messages by direction, method and status (for the metrics endpoint). */
  readonly messageCounts = new SipMessageCounts();
  #closed = false;
  #pending = new Set<UserAgentClient>();
  /** Call-ID/From tag/CSeq of out-of-dialog requests with a live server transaction (§8.2.2.2). */
  #recent = new Set<string>();
  readonly #maxRingMs: number;
  readonly #overload: OverloadGuard | undefined;
  #lastShedLog = 0;

  private constructor(transport: TransportLayer, options: SipStackOptions, log: Logger) {
    this.log = log;
    this.clock = options.clock ?? systemClock;
    this.timers = { ...DEFAULT_TIMERS, ...(options.timers ?? {}) };
    this.#transport = transport;
    const host = options.host ?? '0.0.0.0';
    this.#fixedHost = options.publicHost ?? (isWildcard(host) ? undefined : host);
    this.#userAgent = options.userAgent ?? 'Ringside';
    this.#trustedProxies = new Set(options.trustedProxies ?? []);
    this.#contactUser = options.contactUser ?? 'ringside';
    this.#maxRingMs = options.maxRingMs ?? 180_000;
    this.#overload = options.overload;
    this.#overload?.watchSocket(transport.receiveDelay);
    this.#transactions = new TransactionLayer({
      clock: this.clock,
      timers: this.timers,
      prepareRequest: (req, dest) => {
        this.messageCounts.count('out', req);
        return transport.prepareRequest(req, dest);
      },
      prepareResponse: (res, source) => {
        this.messageCounts.count('out', res);
        return transport.prepareResponse(res, source);
      },
      write: (out) => transport.write(out),
      timedOut: (timer) => void this.#timeouts[timer]++,
    });
    transport.onMessage((m) => this.#receive(m));
  }

  /** Binds UDP and TCP and starts answering. */
  static async start(options: SipStackOptions = {}): Promise<SipStack> {
    const log = options.logger ?? silentLogger();
    const transport = await TransportLayer.listen({
      host: options.host ?? '0.0.0.0',
      port: options.port ?? 5060,
      protocols: options.protocols ?? ['udp', 'tcp'],
      limits: { ...DEFAULT_LIMITS, ...(options.limits ?? {}) },
      logger: log,
      ...(options.tcpIdleTimeoutMs !== undefined ? { tcpIdleTimeoutMs: options.tcpIdleTimeoutMs } : {}),
      ...(options.outboundFilter ? { outboundFilter: options.outboundFilter } : {}),
      ...(options.udpReceiveBufferBytes !== undefined ? { udpReceiveBufferBytes: options.udpReceiveBufferBytes } : {}),
      ...(options.overload ? { probeReceiveDelay: true } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
    return new SipStack(transport, options, log);
  }

  /** The bound port (UDP and TCP). */
  get port(): number {
    return this.#transport.port;
  }

  /** The TLS port (0 when TLS is off). */
  get tlsPort(): number {
    return this.#transport.tlsPort;
  }

  /** Enabled transports. */
  get protocols(): TransportProtocol[] {
    return this.#transport.protocols;
  }

  /** Open connections per stream transport. */
  get connections(): { tcp: number; tls: number; ws: number; wss: number } {
    return this.#transport.connections;
  }

  /** The port named in Via/Contact for WebSocket (the HTTP or HTTPS server's), set once it listens. */
  readonly #wsPorts: { ws: number; wss: number } = { ws: 0, wss: 0 };
  setWebSocketPort(protocol: 'ws' | 'wss', port: number): void {
    this.#wsPorts[protocol] = port;
  }

  /** A WebSocket accepted with the `sip` subprotocol (RFC 7118) on the HTTP (`ws`) or HTTPS (`wss`)
   *  server; undefined when that transport is off (refuse the upgrade). */
  acceptWebSocket(protocol: 'ws' | 'wss', channel: WebSocketChannel, remoteHost: string, remotePort: number): (WebSocketChannelEvents & { connectionId: string }) | undefined {
    return this.#transport.acceptWebSocket(protocol, channel, remoteHost, remotePort);
  }

  /** An upgrade on the SIP WebSocket path was refused (counted in `counters.transport.wsUpgradesRefused`). */
  webSocketRefused(reason: string, remote: string): void {
    this.#transport.webSocketRefused(reason, remote);
  }

  /** True while the connection of a destination with a `connectionId` is open (UDP: always false). */
  isConnectionOpen(dest: Destination): boolean {
    return this.#transport.isOpen(dest);
  }

  /** A WebSocket connection closed (its bindings and dialogs cannot be reached any more). */
  onConnectionClosed(listener: (connectionId: string) => void): void {
    this.#transport.onConnectionClosed(listener);
  }

  /** Our port for a transport, as written in Via and Contact. */
  #portFor(protocol: TransportProtocol): number {
    if (protocol === 'tls') return this.#transport.tlsPort;
    if (protocol === 'ws' || protocol === 'wss') return this.#wsPorts[protocol] || this.port;
    return this.port;
  }

  /** The host in the From of what we send: the advertised host, else this machine's primary address. */
  get publicHost(): string {
    return this.#fixedHost ?? primaryAddress();
  }

  /** The advertised host, when one is configured or the stack is bound to one address. */
  get fixedHost(): string | undefined {
    return this.#fixedHost;
  }

  /** The host a peer at `peerHost` reaches us on (Via sent-by, Contact). */
  hostFor(peerHost?: string): string {
    if (this.#fixedHost !== undefined) return this.#fixedHost;
    return peerHost === undefined ? primaryAddress() : localAddressFor(peerHost);
  }

  get contactUser(): string {
    return this.#contactUser;
  }

  get counters(): SipStackCounters {
    return {
      transport: { ...this.#transport.counters },
      transactions: this.#transactions.size,
      sessions: this.#sessions.size,
      strayResponses: this.#strayResponses,
      timeouts: { ...this.#timeouts },
    };
  }

  /** New INVITEs (not re-INVITEs). Without a handler, INVITEs get 480. */
  onInvite(handler: IncomingInviteHandler): void {
    this.#inviteHandler = handler;
  }

  /** Out-of-dialog requests of one method (MESSAGE, OPTIONS, REGISTER, NOTIFY, …). */
  onRequest(method: string, handler: IncomingRequestHandler): void {
    this.#handlers.set(method.toUpperCase(), handler);
  }

  // ---- UserAgentCore ---------------------------------------------------------------------------------

  /** Our Contact for a peer: a Destination names the host it reaches us on; a bare protocol gets the
   *  primary address. */
  contact(peer: TransportProtocol | Destination, user = this.#contactUser): string {
    const protocol = typeof peer === 'string' ? peer : peer.protocol;
    const host = bracket(this.hostFor(typeof peer === 'string' ? undefined : peer.host));
    // RFC 3261 §19.1.1 / RFC 7118 §5: the transport parameter for anything but UDP. TLS stays `sip:` with
    // `transport=tls` (a sips: Contact would promise TLS on every hop, §26.2; docs/compatibility.md).
    return `<sip:${user}@${host}:${this.#portFor(protocol)}${protocol === 'udp' ? '' : `;transport=${protocol}`}>`;
  }

  #via(dest: Destination): string {
    // §18.1.1 sent-by with our port; RFC 3581 §3: ask for rport.
    return `SIP/2.0/${viaTransport(dest.protocol)} ${bracket(this.hostFor(dest.host))}:${this.#portFor(dest.protocol)};branch=${newBranch()};rport`;
  }

  send(req: SipRequest, dest: Destination, cb: RequestCallbacks, options: { keepVia?: boolean } = {}): RequestHandle {
    if (this.#closed) {
      cb.onFinal(createResponse(req, 503, { reason: 'Stack Closed' }), true);
      return { terminate: () => {} };
    }
    if (!options.keepVia) req.headers.prepend('via', this.#via(dest));
    // Nothing is left hanging: on close() every pending request gets a synthetic 503.
    const uac = new UserAgentClient(req, cb, this.log, this.#settled);
    this.#pending.add(uac);
    const tx = this.#transactions.sendRequest(req, dest, uac);
    return {
      terminate: () => {
        this.#pending.delete(uac);
        tx.terminate();
      },
    };
  }

  readonly #settled = (uac: UserAgentClient): void => {
    this.#pending.delete(uac);
  };

  async sendStateless(req: SipRequest, dest: Destination, options: { keepVia?: boolean } = {}): Promise<void> {
    if (!options.keepVia) req.headers.prepend('via', this.#via(dest));
    this.messageCounts.count('out', req);
    await this.#transport.send(req, dest);
  }

  sendResponse(res: SipResponse, source: Destination): Promise<void> {
    this.messageCounts.count('out', res);
    return this.#transport.sendResponse(res, source);
  }

  resolve(uri: string, fallback: TransportProtocol): Promise<Destination> {
    return resolveDestination(uri, fallback);
  }

  addSession(key: string, session: unknown): void {
    this.#sessions.set(key, session as InviteSession);
  }

  removeSession(key: string): void {
    this.#sessions.delete(key);
  }

  // ---- outgoing --------------------------------------------------------------------------------------

  /** Builds an out-of-dialog request (§8.1.1). Via is added when it is sent. */
  buildRequest(method: string, o: OutgoingRequestOptions, protocol: TransportProtocol = 'udp'): SipRequest {
    const to = toNameAddr(o.to);
    const toUri = formatUri(parseNameAddr(to).uri);
    const from = toNameAddr(o.from ?? `sip:${this.#contactUser}@${bracket(this.publicHost)}`);
    const h = new SipHeaders();
    h.append('max-forwards', '70');
    h.append('from', `${from};tag=${o.fromTag ?? newTag()}`);
    h.append('to', to);
    h.append('call-id', o.callId ?? newCallId(this.publicHost));
    h.append('cseq', `${o.cseq ?? 1} ${method}`);
    const needsContact = ['INVITE', 'REGISTER', 'SUBSCRIBE', 'REFER'].includes(method);
    if (o.contact !== undefined) h.append('contact', o.contact);
    else if (needsContact) h.append('contact', this.contact(protocol));
    h.append('user-agent', this.#userAgent);
    if (method === 'INVITE') {
      h.append('allow', ALLOW);
      h.append('supported', SUPPORTED_HEADER);
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) h.set(k, v);
    const body = o.body === undefined ? Buffer.alloc(0) : typeof o.body === 'string' ? ownBytes(o.body) : o.body;
    if (body.length > 0) h.set('content-type', o.contentType ?? (method === 'INVITE' ? 'application/sdp' : 'text/plain'));
    return new SipRequest(method, o.requestUri ?? toUri, h, body);
  }

  async #destination(o: OutgoingRequestOptions, req: SipRequest): Promise<Destination> {
    if (o.destination) return o.destination;
    const route = req.headers.getAll('route')[0];
    const uri = route !== undefined ? formatUri(parseNameAddr(route).uri) : req.uri;
    return this.resolve(uri, o.transport ?? 'udp');
  }

  /** Starts a call (§13.2). `await (await stack.invite(o)).result` gives the session or the failure. */
  async invite(o: OutgoingRequestOptions): Promise<OutgoingInvite> {
    if (this.#closed) throw new SipStackClosedError();
    const protocol = o.destination?.protocol ?? o.transport ?? 'udp';
    const req = this.buildRequest('INVITE', o, protocol);
    const dest = await this.#destination(o, req);
    if (o.contact === undefined) req.headers.set('contact', this.contact(dest));
    this.log.debug({ callId: req.callId, to: req.uri, destination: `${dest.protocol}:${dest.host}:${dest.port}` }, 'sip outgoing INVITE');
    return new OutgoingInvite(this, req, dest, o.credentials, o.destination !== undefined);
  }

  /**
   * Sends an out-of-dialog non-INVITE request and resolves with the final response (408/503 synthetic on
   * timeout or transport error). Challenges are answered once with `credentials` (twice if stale).
   */
  async request(method: string, o: OutgoingRequestOptions): Promise<SipResponse> {
    if (this.#closed) throw new SipStackClosedError();
    const m = method.toUpperCase();
    if (m === 'INVITE' || m === 'ACK' || m === 'CANCEL') throw new SipRequestError(`use invite()/the session for ${m}`);
    const protocol = o.destination?.protocol ?? o.transport ?? 'udp';
    let req = this.buildRequest(m, o, protocol);
    const dest = await this.#destination(o, req);
    if (o.contact === undefined && req.headers.get('contact') !== undefined) req.headers.set('contact', this.contact(dest));
    const auth = o.credentials ? new DigestClient(o.credentials) : undefined;
    for (let attempt = 0; ; attempt++) {
      const sent = req;
      const res = await new Promise<SipResponse>((resolve) => this.send(sent, dest, { onFinal: (r) => resolve(r) }));
      if ((res.status !== 401 && res.status !== 407) || !auth || attempt >= 2) return res;
      const retry = new SipRequest(m, sent.uri, sent.headers.clone(), sent.body);
      retry.headers.removeFirstValue('via');
      retry.headers.set('cseq', `${sent.cseq.seq + 1} ${m}`);
      if (!auth.authorize(retry, res)) return res;
      req = retry;
    }
  }

  // ---- incoming --------------------------------------------------------------------------------------

  #receive({ message, source }: InboundMessage): void {
    if (this.#closed) return;
    this.messageCounts.count('in', message);
    try {
      if (message.kind === 'response') {
        if (!this.#transactions.receiveResponse(message)) this.#strayResponse(message);
      } else {
        this.#receiveRequest(message, source);
      }
    } catch (err) {
      this.log.error({ err, callId: message.callId }, 'sip dispatch failed');
    }
  }

  /** §13.2.2.4: a 2xx retransmission after the INVITE transaction ended is ACKed by the dialog. */
  #strayResponse(res: SipResponse): void {
    if (res.status >= 200 && res.status < 300 && res.cseq.method === 'INVITE') {
      const s = this.#sessions.get(dialogKey({ callId: res.callId, localTag: res.fromTag ?? '', remoteTag: res.toTag ?? '' }));
      if (s) {
        s.resendAck(res.cseq.seq);
        return;
      }
    }
    this.#strayResponses++;
  }

  #sessionFor(req: SipRequest): InviteSession | undefined {
    return this.#sessions.get(dialogKey({ callId: req.callId, localTag: req.toTag ?? '', remoteTag: req.fromTag ?? '' }));
  }

  /** Copies of INVITEs still unanswered, per transaction (overload-guard.ts: the third copy is late). */
  readonly #inviteCopies = new WeakMap<ServerTransaction, number>();

  #noteInviteCopy(tx: ServerTransaction): void {
    const copies = (this.#inviteCopies.get(tx) ?? 1) + 1;
    this.#inviteCopies.set(tx, copies);
    if (copies === 3) this.#overload!.noteLateInvite();
  }

  #receiveRequest(req: SipRequest, source: Destination): void {
    const method = req.method;
    if (method === 'ACK') {
      // ACK for a non-2xx belongs to the INVITE server transaction (§17.2.1); for a 2xx, to the dialog
      // (§13.3.1.4). Anything else is absorbed (§17.2.3).
      const tx = this.#transactions.findServer(req);
      if (tx) tx.receiveRequest(req);
      else this.#sessionFor(req)?.receiveAck(req);
      return;
    }
    const existing = this.#transactions.findServer(req);
    if (existing) {
      existing.receiveRequest(req); // retransmission (§17.2.1, §17.2.2)
      if (method === 'INVITE' && this.#overload && existing.state === 'proceeding') this.#noteInviteCopy(existing);
      return;
    }
    const tx = this.#transactions.createServer(req, source, {});
    if (method === 'CANCEL') {
      // §9.2: CANCEL is answered 200 if it matches an INVITE transaction, else 481; the INVITE then gets 487.
      const target = this.#transactions.findCancelTarget(req);
      tx.respond(createResponse(req, target ? 200 : 481));
      if (target && target.state === 'proceeding') target.cancel(req);
      return;
    }
    if (method === 'INVITE') tx.respond(createResponse(req, 100)); // §17.2.1: 100 Trying at once
    const incoming = new IncomingRequest(req, source, tx, undefined, requestOrigin(req, source.host, this.#trustedProxies));
    // §8.2.2.1: unsupported Request-URI scheme → 416 (RFC 4475 §3.3.2/§3.3.3).
    const scheme = req.uri.slice(0, req.uri.indexOf(':')).toLowerCase();
    if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
      incoming.respond(416);
      return;
    }
    // §8.2.2.3: Require with option tags we do not support → 420 listing them in Unsupported.
    const unsupported = req.headers.getAll('require').filter((t) => !SUPPORTED.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      incoming.respond(420, { headers: { unsupported: unsupported.join(', ') } });
      return;
    }
    if (req.toTag !== undefined) {
      // §12.2.2: in-dialog request; unknown dialog → 481.
      const session = this.#sessionFor(req);
      if (!session) {
        incoming.respond(481);
        return;
      }
      void session.receiveRequest(incoming, tx instanceof InviteServerTransaction ? tx : undefined);
      return;
    }
    // §8.2.2.2: the same request arriving again by another path (same Call-ID, From tag and CSeq, another
    // transaction) is a merged request → 482 Loop Detected.
    const mergeKey = `${req.callId}\u0000${req.fromTag ?? ''}\u0000${req.headers.get('cseq') ?? ''}`;
    if (this.#recent.has(mergeKey)) {
      incoming.respond(482);
      return;
    }
    this.#remember(mergeKey, tx);
    if (method === 'INVITE') {
      this.#newInvite(req, source, tx as InviteServerTransaction, incoming);
      return;
    }
    const handler = this.#handlers.get(method);
    if (!handler) {
      if (method === 'OPTIONS') {
        incoming.respond(200, { headers: { allow: ALLOW, accept: 'application/sdp', supported: SUPPORTED_HEADER } });
      } else {
        incoming.respond(405, { headers: { allow: ALLOW } });
      }
      return;
    }
    // The application owes a final response; if it never gives one, answer 500 before the client's
    // Timer F (64*T1) so the server transaction cannot linger.
    const guard = this.clock.setTimer(Math.max(1, 60 * this.timers.T1), () => {
      if (!incoming.finalResponse) incoming.respond(500, { reason: 'No Response From Application' });
    });
    Promise.resolve()
      .then(() => handler(incoming))
      .catch((err) => this.log.error({ err, callId: req.callId, method }, 'sip request handler threw'))
      .finally(() => {
        guard.cancel();
        if (!incoming.finalResponse) incoming.respond(500, { reason: 'No Response From Application' });
      });
  }

  /** Keeps a merge key while its transaction lives. Its own method: the closure the transaction keeps must
   *  not share a scope with the request and its handlers, or they would linger with the transaction. */
  #remember(mergeKey: string, tx: ServerTransaction): void {
    this.#recent.add(mergeKey);
    tx.onTerminated(() => this.#recent.delete(mergeKey));
  }

  #newInvite(req: SipRequest, source: Destination, tx: InviteServerTransaction, incoming: IncomingRequest): void {
    // §8.2.3: a body we cannot read → 415 with Accept (RFC 4475 §3.3.6); §8.2.2: if the caller accepts no
    // SDP in the answer → 406 (RFC 4475 §3.3.15).
    const ct = (req.contentType ?? 'application/sdp').split(';')[0]?.trim().toLowerCase();
    if (req.body.length > 0 && ct !== 'application/sdp') {
      incoming.respond(415, { headers: { accept: 'application/sdp' } });
      return;
    }
    const accept = req.headers.getAll('accept').map((a) => (a.split(';')[0] ?? '').trim().toLowerCase());
    if (accept.length > 0 && !accept.some((a) => a === 'application/sdp' || a === '*/*' || a === 'application/*')) {
      incoming.respond(406, { headers: { accept: 'application/sdp' } });
      return;
    }
    if (!this.#inviteHandler) {
      incoming.respond(480);
      return;
    }
    const live = this.#transactions.size;
    const shed = this.#overload?.shouldShed(live.clients + live.servers);
    if (shed) {
      incoming.respond(503, { headers: { 'retry-after': String(this.#overload!.retryAfterSeconds) } });
      // One warning a second at most: under overload the log must not add to the load.
      const now = Date.now();
      if (now - this.#lastShedLog >= 1000) {
        this.#lastShedLog = now;
        this.log.warn({ reason: shed, shed: this.#overload!.status.shed }, 'overloaded: new calls refused with 503');
      }
      return;
    }
    const invite = new IncomingInvite(this, req, source, tx, requestOrigin(req, source.host, this.#trustedProxies));
    // §13.3.1: an INVITE with Expires that is still unanswered when it lapses gets 487; without Expires
    // the stack gives up after `maxRingMs` with 480, so no transaction rings forever.
    const expires = Number(req.headers.get('expires'));
    const ringMs = Number.isFinite(expires) && expires > 0 ? Math.min(expires * 1000, this.#maxRingMs) : this.#maxRingMs;
    invite.expireAfter(ringMs, Number.isFinite(expires) && expires > 0 ? 487 : 480);
    this.log.debug({ callId: req.callId, from: req.headers.get('from'), to: req.headers.get('to'), source: `${source.protocol}:${source.host}:${source.port}` }, 'sip incoming INVITE');
    Promise.resolve()
      .then(() => this.#inviteHandler?.(invite))
      .catch((err) => {
        this.log.error({ err, callId: req.callId }, 'sip INVITE handler threw');
        invite.refuse(500);
      });
  }

  /** Stops everything: transactions end, sessions are abandoned without BYE, sockets close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#sessions.values()]) s.abandon();
    this.#sessions.clear();
    for (const uac of [...this.#pending]) uac.abort();
    this.#pending.clear();
    this.#transactions.close();
    await this.#transport.close();
  }
}

function toNameAddr(s: string): string {
  return s.includes('<') ? s : `<${s}>`;
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

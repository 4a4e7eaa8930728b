/**
 * The RealTime API over WebSocket at `/` (spec realtime §2): `authrequest` with a bearer token, then the
 * user and account event streams, fed from the durable log. Beyond the original: each event carries
 * `eventId`, and a start request may name the last `eventId` the client saw to replay what it missed
 * before going live (in order, without duplicates). Bad frames get structured errors and the socket lives
 * on; slow consumers are closed with a clear code instead of growing memory.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { EventLog, LogEntry, Subscription } from '../events/log/event-log.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import { hasElevatedRole, principalForToken, type Principal } from '../auth/principal.js';

/** Close codes (RFC 6455 §7.4.2 leaves 4000–4999 to applications). */
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_NO_PONG = 4009;
export const CLOSE_SHUTDOWN = 1001;

/** Tuning of the socket server (Ringside.start passes them through; tests shorten them). */
export interface RealtimeSocketOptions {
  /** Server ping interval; a client that misses two pongs is closed (spec realtime §2.3 Proposed). */
  pingIntervalMs?: number;
  /** Bytes queued on one socket before it counts as a slow consumer. */
  maxBufferedBytes?: number;
  /** Largest frame a client may send. */
  maxFrameBytes?: number;
}

export interface RealtimeSocketServerOptions extends RealtimeSocketOptions {
  /** The HTTP server whose upgrades at `/` become sockets. Without it, the owner routes upgrades to
   *  `handleUpgrade` (several WebSocket services on one server, app/upgrade-router.ts). */
  server?: Server;
  store: Store;
  /** The event log the streams are fed from. */
  events: EventLog;
  logger: Logger;
}

type StreamKind = 'user' | 'account';

interface Client {
  ws: WebSocket;
  /** The connection under `ws`: corked while one turn's events are sent (#corkForTurn). */
  socket: Duplex;
  corked: boolean;
  principal?: Principal;
  authenticating: boolean;
  streams: Partial<Record<StreamKind, Subscription>>;
  missedPongs: number;
  id: number;
}

const STREAM_REQUESTS: Record<string, { kind: StreamKind; start: boolean }> = {
  startusereventrequest: { kind: 'user', start: true },
  stopusereventrequest: { kind: 'user', start: false },
  startaccounteventrequest: { kind: 'account', start: true },
  stopaccounteventrequest: { kind: 'account', start: false },
};

export class RealtimeSocketServer {
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<Client>();
  readonly #pinger: NodeJS.Timeout;
  readonly #maxBuffered: number;
  readonly #store: Store;
  readonly #events: EventLog;
  readonly #logger: Logger;
  #nextId = 0;

  constructor(options: RealtimeSocketServerOptions) {
    const { server } = options;
    this.#store = options.store;
    this.#events = options.events;
    this.#logger = options.logger;
    this.#maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 64 * 1024 });
    server?.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.#pinger = setInterval(() => this.#ping(), options.pingIntervalMs ?? 30_000);
    this.#pinger.unref();
  }

  /** An HTTP upgrade request: spec realtime §2.1 accepts it on the API host at `/`, anything else is 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket));
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  #accept(ws: WebSocket, socket: Duplex): void {
    const client: Client = { ws, socket, corked: false, authenticating: false, streams: {}, missedPongs: 0, id: ++this.#nextId };
    this.#clients.add(client);
    ws.on('pong', () => (client.missedPongs = 0));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.#onFrame(client, data, isBinary).catch((err: unknown) => {
        this.#logger.error({ err, client: client.id }, 'realtime socket request failed');
        this.#send(client, { type: 'error', success: false, error: 'internal_error', message: 'internal error; see the server log' });
      });
    });
    ws.on('close', () => this.#drop(client));
    ws.on('error', (err) => {
      this.#logger.warn({ err: err.message, client: client.id }, 'realtime socket error');
      this.#drop(client);
    });
  }

  async #onFrame(client: Client, data: RawData, isBinary: boolean): Promise<void> {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      msg = JSON.parse(data.toString());
    } catch {
      // spec realtime §2.2 Proposed: malformed JSON → error message, socket stays open.
      return this.#send(client, { type: 'error', success: false, error: 'bad_json', message: 'each frame must be one JSON object in a text frame' });
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || typeof (msg as { type?: unknown }).type !== 'string') {
      return this.#send(client, { type: 'error', success: false, error: 'bad_request', message: 'each frame must be a JSON object with a string "type"' });
    }
    const req = msg as { type: string; token?: unknown; lastEventId?: unknown };
    if (req.type === 'authrequest') return this.#auth(client, req.token);
    const stream = STREAM_REQUESTS[req.type];
    const responseType = req.type.replace(/request$/, 'response');
    if (!stream) return this.#send(client, { type: 'error', success: false, error: 'unknown_request', request: req.type, message: `unknown request type '${req.type}'` });
    if (!client.principal) {
      return this.#send(client, { type: responseType, success: false, error: 'not_authenticated', message: 'send authrequest with a bearer token first' });
    }
    if (!stream.start) {
      client.streams[stream.kind]?.close();
      delete client.streams[stream.kind];
      return this.#send(client, { type: responseType, success: true });
    }
    return this.#start(client, stream.kind, responseType, req.lastEventId);
  }

  async #auth(client: Client, token: unknown): Promise<void> {
    if (typeof token !== 'string' || token === '') {
      return this.#send(client, { type: 'authresponse', success: false, error: 'missing_token', message: 'authrequest needs "token": the bearer token from POST /auth/login' });
    }
    if (client.authenticating) return this.#send(client, { type: 'authresponse', success: false, error: 'busy', message: 'an authrequest is already being checked' });
    client.authenticating = true;
    try {
      const principal = await principalForToken(token, this.#store);
      if (!principal) return this.#send(client, { type: 'authresponse', success: false, error: 'invalid_token', message: 'the token is unknown or expired; log in again or refresh it' });
      // Re-authenticating as someone else ends the previous identity's streams.
      if (client.principal && client.principal.kind === 'user' && principal.kind === 'user' && client.principal.user.id !== principal.user.id) this.#closeStreams(client);
      client.principal = principal;
      this.#logger.info({ client: client.id, userId: principal.kind === 'user' ? principal.user.id : undefined, accountId: principal.accountId }, 'realtime socket authenticated');
      this.#send(client, { type: 'authresponse', success: true });
    } finally {
      client.authenticating = false;
    }
  }

  async #start(client: Client, kind: StreamKind, responseType: string, lastEventId: unknown): Promise<void> {
    const p = client.principal!;
    // Idempotent: starting an active stream succeeds and changes nothing (spec realtime §2.3 Proposed).
    if (client.streams[kind]) return this.#send(client, { type: responseType, success: true });
    if (kind === 'account' && !hasElevatedRole(p)) {
      return this.#send(client, { type: responseType, success: false, error: 'forbidden', message: 'the account stream needs the manager or admin role' });
    }
    if (kind === 'user' && p.kind !== 'user') {
      return this.#send(client, { type: responseType, success: false, error: 'forbidden', message: 'API credentials have no user stream' });
    }
    let after: number | undefined;
    if (lastEventId !== undefined) {
      if (typeof lastEventId !== 'string') return this.#send(client, { type: responseType, success: false, error: 'bad_request', message: '"lastEventId" must be a string' });
      after = await this.#events.positionOf(lastEventId);
      // Another account's event id is as unknown as one that never was: a resume point tells nothing across accounts.
      if (after !== undefined && (await this.#events.read(after - 1, { accountId: p.accountId }, 1))[0]?.position !== after) after = undefined;
      if (after === undefined) return this.#send(client, { type: responseType, success: false, error: 'unknown_event_id', message: `no event with id '${lastEventId}'` });
    }
    if (client.streams[kind] || client.ws.readyState !== client.ws.OPEN) return this.#send(client, { type: responseType, success: true });
    this.#send(client, { type: responseType, success: true });
    const eventType = kind === 'user' ? 'userevent' : 'accountevent';
    // The account is fixed by the filter, so an account never sees another account's events.
    const filter = kind === 'user' && p.kind === 'user' ? { accountId: p.accountId, dialects: ['realtime'], userId: String(p.user.id) } : { accountId: p.accountId, dialects: ['realtime'] };
    const options = { filter, onEntry: (e: LogEntry) => this.#deliver(client, eventType, e) };
    client.streams[kind] = this.#events.subscribe(after === undefined ? options : { ...options, after });
  }

  /** One serialisation per entry and stream kind, however many clients receive it (fan-out). */
  readonly #frames = new WeakMap<LogEntry, { userevent?: string; accountevent?: string }>();

  #deliver(client: Client, eventType: 'userevent' | 'accountevent', e: LogEntry): void {
    let cached = this.#frames.get(e);
    if (!cached) this.#frames.set(e, (cached = {}));
    const frame = (cached[eventType] ??= realtimeFrame(eventType, e));
    this.#corkForTurn(client);
    this.#send(client, frame);
  }

  /** The events one commit publishes reach a client in one write instead of one per event: its socket is
   *  corked at the first and uncorked once this turn's deliveries are done. */
  #corkForTurn(client: Client): void {
    if (client.corked) return;
    client.corked = true;
    client.socket.cork();
    process.nextTick(() => {
      client.corked = false;
      client.socket.uncork();
    });
  }

  #send(client: Client, frame: Record<string, unknown> | string): void {
    const ws = client.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.#maxBuffered) {
      this.#logger.warn({ client: client.id, buffered: ws.bufferedAmount }, 'realtime socket closed: slow consumer');
      this.#closeStreams(client);
      ws.close(CLOSE_SLOW_CONSUMER, 'slow consumer: send buffer limit exceeded; reconnect with lastEventId');
      return;
    }
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  #ping(): void {
    for (const c of this.#clients) {
      if (c.missedPongs >= 2) {
        c.ws.close(CLOSE_NO_PONG, 'no pong');
        c.ws.terminate();
        this.#drop(c);
        continue;
      }
      c.missedPongs++;
      if (c.ws.readyState === c.ws.OPEN) c.ws.ping();
    }
  }

  #closeStreams(client: Client): void {
    for (const s of Object.values(client.streams)) s?.close();
    client.streams = {};
  }

  #drop(client: Client): void {
    this.#closeStreams(client);
    this.#clients.delete(client);
  }

  async close(): Promise<void> {
    clearInterval(this.#pinger);
    for (const c of this.#clients) {
      this.#closeStreams(c);
      c.ws.close(CLOSE_SHUTDOWN, 'server shutting down');
    }
    this.#clients.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

/**
 * `{ type, ...payload, eventId }` as JSON, spliced from the logged payload's text without parsing it: the
 * same bytes as JSON.stringify of that object, since a realtime payload never has `type` or `eventId` of
 * its own (the stream adds them: dialects/realtime/schemas.ts).
 */
export function realtimeFrame(eventType: 'userevent' | 'accountevent', e: Pick<LogEntry, 'id' | 'payloadJson'>): string {
  const inner = e.payloadJson.slice(1, -1);
  return `{"type":"${eventType}",${inner}${inner ? ',' : ''}"eventId":${JSON.stringify(e.id)}}`;
}

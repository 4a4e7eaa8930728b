import type { Logger } from 'pino';
import { silentLogger } from '../../log/logger.js';
import { DigestAuthenticator, type SipCredentialLookup } from '../auth/digest-authenticator.js';
import type { DigestAlgorithm } from '../auth/digest.js';
import { parseNameAddr, type NameAddr } from '../message/name-addr.js';
import { formatUri, unescape, uriEquals, parseUri } from '../message/uri.js';
import { systemClock, type Clock } from '../transaction/clock.js';
import type { Destination } from '../transport/transport-types.js';
import { resolveDestination } from '../transport/resolve-destination.js';
import type { IncomingRequest } from '../user-agent/incoming-request.js';
import type { Binding, BindingStore } from './binding-store.js';
import { RegisterFailureLog } from './failure-log.js';

export interface RegistrarOptions {
  store: BindingStore;
  credentials: SipCredentialLookup;
  /** Digest realm (usually the SIP domain). */
  realm: string;
  /** Shorter requested expirations get 423 Interval Too Brief (§10.3 step 7), default 60 s. */
  minExpires?: number;
  /** Longer expirations are shortened to this, default 3600 s. */
  maxExpires?: number;
  /** Used when the REGISTER names none, default 3600 s (§10.2.1.1 leaves it to the registrar). */
  defaultExpires?: number;
  /** At most this many contacts per user; more are refused with 403 (default 10). */
  maxContactsPerUser?: number;
  /** Digest algorithms to offer, most preferred first (default SHA-256, MD5 — RFC 8760 §2.4). Put MD5
   *  first for legacy clients that only read the first challenge (sipp 3.6, some older phones). */
  algorithms?: DigestAlgorithm[];
  clock?: Clock;
  logger?: Logger;
  /** A preconfigured authenticator (nonce lifetime, failure limits); overrides `realm`/`algorithms`. */
  authenticator?: DigestAuthenticator;
  /** Whether the connection a binding was registered over is still open (the stack's `isConnectionOpen`).
   *  Without it every binding is taken as reachable at its source. */
  isConnectionOpen?: (source: Destination) => boolean;
}

/** A live contact the switch can call. */
export interface ReachableContact {
  userId: string;
  aor: string;
  /** Request-URI for the INVITE. */
  uri: string;
  /** Where to send it: the REGISTER's real source (RFC 3581 symmetric response routing, NAT friendly); with
   *  a `route`, the first Route's address (RFC 3261 §8.1.2). */
  destination: Destination;
  /** RFC 3327 §5.4: the binding's Path, sent as the request's preloaded Route header field values. */
  route?: string[];
  expiresAt: number;
  q: number;
}

/**
 * Registrar (RFC 3261 §10.3): digest-authenticates REGISTER against provisioned users' SIP credentials,
 * stores several contacts per user, honours Expires / contact `expires`, Min-Expires (423), `*` with
 * Expires: 0 to remove all, and remembers the request's real source address for NAT traversal.
 *
 * Path (RFC 3327 §5.3): the Path header field values of a successful REGISTER are stored with its bindings
 * and copied into the 200; requests to the device carry them as a preloaded route (a proxy in front, e.g.
 * Kamailio, then reaches the phone from any node). A REGISTER with Path but without `Supported: path` is
 * accepted all the same, which §5.3 allows ("MAY choose to support the extension in the absence of a
 * Supported header field value"): most phones never say it, and the proxy that adds Path is the operator's.
 * This adds no new way in: the REGISTER is digest-authenticated, and its author could name any Contact.
 */
export class Registrar {
  readonly #store: BindingStore;
  readonly #credentials: SipCredentialLookup;
  readonly #auth: DigestAuthenticator;
  readonly #min: number;
  readonly #max: number;
  readonly #default: number;
  readonly #maxContacts: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #failures: RegisterFailureLog;
  readonly #isOpen: ((source: Destination) => boolean) | undefined;
  /** WebSocket bindings by connection id, to drop them when it closes (RFC 7118 §5). */
  readonly #byConnection = new Map<string, Array<{ userId: string; contact: string }>>();

  constructor(options: RegistrarOptions) {
    this.#isOpen = options.isConnectionOpen;
    this.#store = options.store;
    this.#credentials = options.credentials;
    this.#clock = options.clock ?? systemClock;
    this.#auth =
      options.authenticator ??
      new DigestAuthenticator({ realm: options.realm, clock: this.#clock, ...(options.algorithms ? { algorithms: options.algorithms } : {}) });
    this.#min = options.minExpires ?? 60;
    this.#max = options.maxExpires ?? 3600;
    this.#default = options.defaultExpires ?? 3600;
    this.#maxContacts = options.maxContactsPerUser ?? 10;
    this.#log = options.logger ?? silentLogger();
    this.#failures = new RegisterFailureLog(this.#log, this.#clock);
  }

  /** Logs a refusal (failure-log.ts) and sends it. */
  #refuse(incoming: IncomingRequest, reason: string, status: number, options: Parameters<IncomingRequest['respond']>[1] = {}): void {
    const req = incoming.request;
    const username = /username\s*=\s*"([^"]*)"/i.exec(req.headers.get('authorization') ?? '')?.[1];
    const user = req.to.uri.user !== undefined ? unescape(req.to.uri.user) : undefined;
    this.#failures.refused({ aor: `${req.to.uri.scheme}:${user !== undefined ? `${user}@` : ''}${req.to.uri.host}`, source: { host: incoming.source.host, port: incoming.source.port, transport: incoming.source.protocol }, reason, status, ...(username !== undefined ? { username } : {}) });
    incoming.respond(status, options);
  }

  /** Handler for `stack.onRequest('REGISTER', …)`. */
  readonly handle = async (incoming: IncomingRequest): Promise<void> => {
    const req = incoming.request;
    // §10.3 step 5: authenticate (RFC 8760 digest).
    const auth = await this.#auth.verify(req, this.#credentials, incoming.origin);
    if (!auth.ok) {
      if (auth.reason === 'rate-limited') {
        this.#refuse(incoming, 'rate-limited', 403, { reason: 'Too Many Failed Attempts' });
        return;
      }
      // A first REGISTER without credentials, or a stale nonce, is the normal digest exchange: not logged.
      if (auth.reason !== 'missing' && auth.reason !== 'stale') {
        this.#refuse(incoming, auth.reason === 'invalid' ? 'wrong-credentials' : auth.reason, this.#auth.challengeStatus, { headers: { [this.#auth.challengeHeader]: this.#auth.challenge(false) } });
        return;
      }
      incoming.respond(this.#auth.challengeStatus, { headers: { [this.#auth.challengeHeader]: this.#auth.challenge(auth.reason === 'stale') } });
      return;
    }
    // §10.3 step 6: the authenticated user may only change its own address-of-record.
    const to = req.to;
    const toUser = to.uri.user !== undefined ? unescape(to.uri.user) : undefined;
    if (to.uri.scheme !== 'sip' && to.uri.scheme !== 'sips') {
      this.#refuse(incoming, 'aor-scheme', 404, { reason: 'Not Found (AOR scheme)' });
      return;
    }
    if (toUser !== auth.username) {
      this.#refuse(incoming, 'aor-mismatch', 403, { reason: 'Forbidden (AOR does not belong to the authenticated user)' });
      return;
    }
    const aor = `${to.uri.scheme}:${toUser}@${to.uri.host}`;
    const now = this.#clock.now();
    const callId = req.callId;
    const cseq = req.cseq.seq;
    const headerExpires = req.headers.get('expires');
    const contactRows = req.headers.getAll('contact');
    // RFC 3327 §5.3: the path vector, in the order of the header field values (topmost = nearest to us).
    const path = req.headers.getAll('path');
    let bindings = await this.#live(auth.userId);

    if (contactRows.length === 1 && contactRows[0] === '*') {
      // §10.3 step 6: "*" only with Expires: 0; removes every binding (older Call-ID/CSeq checks apply).
      if (headerExpires !== '0') {
        incoming.respond(400, { reason: 'Bad Request (* needs Expires: 0)' });
        return;
      }
      for (const b of bindings) {
        if (b.callId === callId && b.cseq >= cseq) continue;
        await this.#store.remove(b.userId, b.contact);
      }
      bindings = await this.#live(auth.userId);
      this.#log.info({ userId: auth.userId, aor }, 'sip unregistered all contacts');
      incoming.respond(200, { headers: this.#okHeaders(bindings, now, path) });
      return;
    }
    if (contactRows.includes('*')) {
      incoming.respond(400, { reason: 'Bad Request (* with other contacts)' });
      return;
    }
    const contacts = req.contacts;
    // §10.3 step 7: check every expiry first, so a 423 changes nothing.
    const plans: Array<{ na: NameAddr; expires: number }> = [];
    for (const na of contacts) {
      const e = na.params.get('expires') ?? headerExpires ?? String(this.#default);
      const expires = /^[0-9]+$/.test(e) ? Number(e) : this.#default;
      if (expires > 0 && expires < this.#min) {
        incoming.respond(423, { headers: { 'min-expires': String(this.#min) } });
        return;
      }
      plans.push({ na, expires: Math.min(expires, this.#max) });
    }
    for (const { na, expires } of plans) {
      const contact = formatUri(na.uri);
      const existing = bindings.find((b) => sameContact(b.contact, contact));
      if (existing && existing.callId === callId && existing.cseq >= cseq) {
        // §10.3 step 7: an out-of-order REGISTER for the same Call-ID is refused.
        incoming.respond(500, { reason: 'Server Internal Error (out of order CSeq)', headers: { 'retry-after': '1' } });
        return;
      }
      if (expires === 0) {
        if (existing) await this.#store.remove(existing.userId, existing.contact);
        continue;
      }
      if (!existing && bindings.length >= this.#maxContacts) {
        this.#refuse(incoming, 'too-many-contacts', 403, { reason: 'Too Many Contacts' });
        return;
      }
      const q = Number(na.params.get('q') ?? '1');
      const binding: Binding = {
        userId: auth.userId,
        aor,
        contact: existing?.contact ?? contact,
        source: { ...incoming.source },
        expiresAt: now + expires * 1000,
        callId,
        cseq,
        q: Number.isFinite(q) ? Math.max(0, Math.min(1, q)) : 1,
      };
      const ua = req.headers.get('user-agent');
      if (ua !== undefined) binding.userAgent = ua;
      // A refresh without Path drops the old one: the binding's path is the latest REGISTER's (§5.3).
      if (path.length > 0) binding.path = path;
      await this.#store.save(binding);
      if (isWebSocket(binding.source) && binding.source.connectionId) {
        const list = this.#byConnection.get(binding.source.connectionId) ?? [];
        list.push({ userId: binding.userId, contact: binding.contact });
        this.#byConnection.set(binding.source.connectionId, list);
      }
      if (!existing) bindings.push(binding);
    }
    bindings = await this.#live(auth.userId);
    this.#log.info({ userId: auth.userId, aor, contacts: bindings.length }, 'sip registration');
    incoming.respond(200, { headers: this.#okHeaders(bindings, now, path) });
  };

  /** §10.3 step 8: the 200 lists every current binding with its remaining expiry; RFC 3327 §5.3: it copies
   *  the request's Path header field values, in order. */
  #okHeaders(bindings: Binding[], now: number, path: string[]): Record<string, string | string[]> {
    const h: Record<string, string | string[]> = { date: new Date(now).toUTCString() };
    if (bindings.length > 0) h.contact = bindings.map((b) => `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`);
    if (path.length > 0) h.path = path;
    return h;
  }

  /** Bindings still valid; expired ones are removed from the store on the way. */
  async #live(userId: string): Promise<Binding[]> {
    const now = this.#clock.now();
    const all = await this.#store.load(userId);
    const live: Binding[] = [];
    for (const b of all) {
      if (b.expiresAt <= now) await this.#store.remove(b.userId, b.contact);
      else live.push(b);
    }
    return live;
  }

  /** "Where do I reach user X": live contacts, best `q` first, then most recently refreshed. */
  async lookup(userId: string): Promise<ReachableContact[]> {
    const live = await this.#live(userId);
    const out: ReachableContact[] = [];
    for (const b of live.sort((a, b) => b.q - a.q || b.expiresAt - a.expiresAt)) {
      const destination = await this.#reach(b);
      if (destination) out.push({ userId: b.userId, aor: b.aor, uri: b.contact, destination, expiresAt: b.expiresAt, q: b.q, ...(b.path?.length ? { route: [...b.path] } : {}) });
    }
    return out;
  }

  /**
   * Where a binding is reached. Over the connection it registered on while that is open (RFC 3261 §18.2.1
   * reuse, RFC 7118 §5). A closed WebSocket connection makes the binding dead: a browser cannot be dialled.
   * A closed TCP/TLS connection: a new one to the source host at the Contact's port, where the phone
   * listens (the source port was the phone's ephemeral client port).
   */
  async #reach(b: Binding): Promise<Destination | undefined> {
    const source = { ...b.source };
    if (b.path?.length) return this.#firstHop(b, source);
    if (!source.connectionId || !this.#isOpen || this.#isOpen(source)) return source;
    if (isWebSocket(source)) {
      await this.#store.remove(b.userId, b.contact);
      this.#log.info({ userId: b.userId, contact: b.contact }, 'sip binding dropped: its WebSocket connection is closed');
      return undefined;
    }
    let port: number | undefined;
    try {
      port = parseUri(b.contact).port;
    } catch {
      port = undefined;
    }
    return { protocol: source.protocol, host: source.host, port: port ?? (source.protocol === 'tls' ? 5061 : 5060) };
  }

  /**
   * With a Path, the request goes to the first Route's address (RFC 3261 §8.1.2, loose routing): the proxy
   * nearest to us. When that is where the REGISTER came from, the source is kept (its connection, if any);
   * a node other than the one the phone registered through resolves the URI instead.
   */
  async #firstHop(b: Binding, source: Destination): Promise<Destination> {
    const first = b.path![0]!;
    try {
      const uri = formatUri(parseNameAddr(first).uri);
      const hop = await resolveDestination(uri, source.protocol === 'ws' || source.protocol === 'wss' ? 'tcp' : source.protocol);
      if (hop.host === source.host && hop.port === source.port && hop.protocol === source.protocol && (!source.connectionId || !this.#isOpen || this.#isOpen(source))) return source;
      return hop;
    } catch (err) {
      this.#log.warn({ err, userId: b.userId, path: first }, 'sip binding path: cannot resolve its first hop; using the REGISTER source');
      return source;
    }
  }

  /** A WebSocket connection closed: the bindings registered over it are removed (RFC 7118 §5). */
  async connectionClosed(connectionId: string): Promise<void> {
    const list = this.#byConnection.get(connectionId);
    if (!list) return;
    this.#byConnection.delete(connectionId);
    for (const { userId, contact } of list) {
      const current = (await this.#store.load(userId)).find((b) => b.contact === contact);
      // Removed only if not refreshed since over another connection.
      if (current && current.source.connectionId === connectionId) await this.#store.remove(userId, contact);
    }
    this.#log.info({ connectionId, bindings: list.length }, 'sip websocket closed: its bindings removed');
  }
}

function isWebSocket(d: Destination): boolean {
  return d.protocol === 'ws' || d.protocol === 'wss';
}

function sameContact(a: string, b: string): boolean {
  try {
    return uriEquals(parseUri(a), parseUri(b));
  } catch {
    return a === b;
  }
}

/**
 * Ringside's SIP side, composed: the stack on `--sip-port` (UDP and TCP), the registrar with bindings kept
 * in the store, digest credentials from provisioned users, and MESSAGE for texts. Calls (INVITE) join
 * when the switch lands.
 */
import { SipStack } from '../sip/sip-stack.js';
import type { TlsCredentials } from '../sip/transport/tls-transport.js';
import type { TransportProtocol } from '../sip/transport/transport-types.js';
import type { OverloadGuard } from '../sip/overload-guard.js';
import { Registrar } from '../sip/registrar/registrar.js';
import { DigestAuthenticator, type SipCredentialLookup } from '../sip/auth/digest-authenticator.js';
import { DigestGuard } from '../sip/auth/digest-guard.js';
import type { SipDigestLimitsConfig } from '../config/config-types.js';
import { OutboundRegistration } from '../sip/registration/outbound-registration.js';
import type { BindingStore } from '../sip/registrar/binding-store.js';
import type { Store, TrunkRecord } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import { createMessageHandler } from '../messaging/sip-message-handler.js';

export interface SipServiceOptions {
  host: string;
  port: number;
  realm: string;
  algorithms: ('SHA-256' | 'MD5')[];
  publicHost?: string;
  /** Digest brute-force limits (server.sipDigestLimits); defaults when absent. */
  digestLimits?: SipDigestLimitsConfig;
  overload?: OverloadGuard;
  udpReceiveBufferBytes?: number;
  /** Proxies whose Via stamps give a relayed request's origin (sip/request-origin.ts). */
  trustedProxies?: readonly string[];
  /** SIP over TLS (port and certificate), when enabled. */
  tls?: TlsCredentials & { port: number };
  /** SIP over WebSocket on the HTTP server (`ws`) and on the HTTPS server (`wss`). */
  webSocket?: { ws: boolean; wss: boolean };
}

function guardLimits(c: SipDigestLimitsConfig | undefined): ConstructorParameters<typeof DigestGuard>[0] {
  if (!c) return {};
  return { maxFailuresPerSource: c.maxFailuresPerSource, maxFailuresPerUser: c.maxFailuresPerUser, windowMs: c.windowSeconds * 1000, trustedSourceMs: c.trustedSourceHours * 3600_000 };
}

export class SipService {
  /** Trunk registrations by what they send (registrationKey). */
  readonly #registrations = new Map<string, OutboundRegistration>();

  private constructor(
    readonly stack: SipStack,
    readonly registrar: Registrar,
    readonly credentials: SipCredentialLookup,
    readonly options: SipServiceOptions,
  ) {}

  static async start(options: SipServiceOptions, store: Store, logger: Logger): Promise<SipService> {
    const protocols: TransportProtocol[] = ['udp', 'tcp'];
    if (options.tls) protocols.push('tls');
    if (options.webSocket?.ws) protocols.push('ws');
    if (options.webSocket?.wss) protocols.push('wss');
    const stack = await SipStack.start({
      protocols,
      ...(options.tls ? { tls: options.tls } : {}),
      host: options.host,
      port: options.port,
      ...(options.publicHost ? { publicHost: options.publicHost } : {}),
      ...(options.overload ? { overload: options.overload } : {}),
      ...(options.udpReceiveBufferBytes !== undefined ? { udpReceiveBufferBytes: options.udpReceiveBufferBytes } : {}),
      ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
      logger,
      userAgent: 'Ringside',
    });
    const bindings: BindingStore = {
      load: (userId) => store.loadSipBindings(userId),
      save: (b) => store.saveSipBinding(b),
      remove: (userId, contact) => store.removeSipBinding(userId, contact),
    };
    // Digest credentials are the users' provisioned SIP username and password.
    const credentials: SipCredentialLookup = async (username) => {
      const u = await store.findUserBySipUsername(username);
      return u?.sip ? { userId: String(u.id), password: u.sip.password } : undefined;
    };
    // One set of failure counts for REGISTER, INVITE and MESSAGE: each authenticator finds it by the lookup.
    DigestGuard.share(credentials, new DigestGuard(guardLimits(options.digestLimits)));
    const registrar = new Registrar({
      store: bindings,
      credentials,
      realm: options.realm,
      algorithms: options.algorithms,
      logger: logger.child({ component: 'registrar' }),
      isConnectionOpen: (d) => stack.isConnectionOpen(d),
    });
    stack.onRequest('REGISTER', registrar.handle);
    // RFC 7118 §5: a browser phone is reachable only over its WebSocket; when that closes, so do its bindings.
    stack.onConnectionClosed((id) => {
      registrar.connectionClosed(id).catch((err: unknown) => logger.warn({ err, connectionId: id }, 'removing the bindings of a closed websocket failed'));
    });
    const service = new SipService(stack, registrar, credentials, options);
    service.syncTrunkRegistrations(await store.listTrunks(), logger);
    return service;
  }

  /** Texts: MESSAGE from trunks (inbound) and from devices (outbound). */
  enableMessaging(store: Store, messaging: MessagingService, logger: Logger): void {
    const authenticator = new DigestAuthenticator({ realm: this.options.realm, algorithms: this.options.algorithms });
    this.stack.onRequest('MESSAGE', createMessageHandler({ store, messaging, authenticator, credentials: this.credentials, logger }));
  }

  /** Registers to every carrier trunk configured with `register: true` (RFC 3261 §10.2), refreshing and
   *  retrying on its own; the state changes are logged. Called again with the trunks after a change
   *  (provisioning REST), it unregisters what was removed or changed and registers what is new. */
  syncTrunkRegistrations(trunks: readonly TrunkRecord[], logger: Logger): void {
    const wanted = new Map<string, TrunkRecord>();
    for (const t of trunks) if (t.register && t.auth) wanted.set(registrationKey(t), t);
    for (const [key, reg] of this.#registrations) {
      if (wanted.has(key)) continue;
      this.#registrations.delete(key);
      reg.stop().catch((err: unknown) => logger.warn({ err }, 'trunk unregistration failed'));
    }
    for (const [key, t] of wanted) {
      if (this.#registrations.has(key) || !t.auth) continue;
      const reg = new OutboundRegistration(this.stack, {
        registrar: `sip:${t.host}:${t.port}`,
        aor: `sip:${t.auth.username}@${t.auth.realm ?? t.host}`,
        username: t.auth.username,
        password: t.auth.password,
        expires: t.registerExpiresSeconds,
        transport: t.transport,
      });
      reg.onStateChange((state, res) => logger.info({ trunk: t.name, state, status: res?.status }, 'trunk registration'));
      reg.start().catch((err: unknown) => logger.warn({ trunk: t.name, err }, 'trunk registration failed'));
      this.#registrations.set(key, reg);
    }
  }

  get port(): number {
    return this.stack.port;
  }

  async close(): Promise<void> {
    // Unregister from carriers (Expires: 0), but never let a silent carrier hold up shutdown.
    await Promise.race([Promise.allSettled([...this.#registrations.values()].map((r) => r.stop())), new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.stack.close();
  }
}

/** A registration is the same while everything it sends is: a change to any of these starts a new one. */
function registrationKey(t: TrunkRecord): string {
  return JSON.stringify([t.name, t.host, t.port, t.transport, t.auth?.username, t.auth?.password, t.auth?.realm, t.registerExpiresSeconds]);
}

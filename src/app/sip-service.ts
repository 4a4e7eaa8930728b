/**
 * Ringside's SIP side, composed: the stack on `--sip-port` (UDP and TCP), the registrar with bindings kept
 * in the store, digest credentials from provisioned users, and MESSAGE for texts. Calls (INVITE) join
 * when the switch lands.
 */
import { SipStack } from '../sip/sip-stack.js';
import { Registrar } from '../sip/registrar/registrar.js';
import { DigestAuthenticator, type SipCredentialLookup } from '../sip/auth/digest-authenticator.js';
import type { BindingStore } from '../sip/registrar/binding-store.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import { createMessageHandler } from '../messaging/sip-message-handler.js';

export interface SipServiceOptions {
  host: string;
  port: number;
  realm: string;
  algorithms: ('SHA-256' | 'MD5')[];
  publicHost?: string;
}

export class SipService {
  private constructor(
    readonly stack: SipStack,
    readonly registrar: Registrar,
    readonly credentials: SipCredentialLookup,
    readonly options: SipServiceOptions,
  ) {}

  static async start(options: SipServiceOptions, store: Store, logger: Logger): Promise<SipService> {
    const stack = await SipStack.start({
      host: options.host,
      port: options.port,
      ...(options.publicHost ? { publicHost: options.publicHost } : {}),
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
    const registrar = new Registrar({ store: bindings, credentials, realm: options.realm, algorithms: options.algorithms, logger: logger.child({ component: 'registrar' }) });
    stack.onRequest('REGISTER', registrar.handle);
    return new SipService(stack, registrar, credentials, options);
  }

  /** Texts: MESSAGE from trunks (inbound) and from devices (outbound). */
  enableMessaging(store: Store, messaging: MessagingService, logger: Logger): void {
    const authenticator = new DigestAuthenticator({ realm: this.options.realm, algorithms: this.options.algorithms });
    this.stack.onRequest('MESSAGE', createMessageHandler({ store, messaging, authenticator, credentials: this.credentials, logger }));
  }

  get port(): number {
    return this.stack.port;
  }

  close(): Promise<void> {
    return this.stack.close();
  }
}

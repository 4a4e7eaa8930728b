/**
 * A simulated desk phone of a demo user: a SIP user agent on 127.0.0.1 that registers with Ringside's
 * registrar over UDP (RFC 3261 §10.2, digest RFC 8760 via `OutboundRegistration`), rings and answers the
 * calls the script asks it to, and places calls to extensions and numbers, answering Ringside's digest
 * challenge with the user's SIP password.
 */
import { OutboundRegistration, SipStack } from '../sip/index.js';
import type { Logger } from '../log/logger.js';
import type { MediaEngine } from '../media/media-engine.js';
import { DemoError } from './errors.js';
import type { PartyCall } from './party-call.js';
import { SimulatedParty, type Narrate } from './simulated-party.js';
import { withTimeout } from './wait.js';

export interface PhoneUser {
  /** `alice`: the tour's name for the phone. */
  name: string;
  /** Display name in From. */
  displayName: string;
  /** SIP username = extension (examples/demo.yaml `sip.username`). */
  username: string;
  password: string;
}

/** Ringside's SIP address as the phones reach it. */
export interface SipServer {
  host: string;
  port: number;
}

/** Registrations last 2 minutes: a tour that dies leaves no binding behind for long (the minimum is 60 s). */
const REGISTRATION_SECONDS = 120;

export class SimulatedPhone extends SimulatedParty {
  readonly user: PhoneUser;
  readonly server: SipServer;
  readonly #registration: OutboundRegistration;

  private constructor(user: PhoneUser, server: SipServer, stack: SipStack, media: MediaEngine, voiceHz: number, say: Narrate) {
    super(user.name, stack, media, voiceHz, say);
    this.user = user;
    this.server = server;
    this.#registration = new OutboundRegistration(stack, {
      registrar: `sip:${server.host}:${server.port}`,
      aor: `sip:${user.username}@${server.host}`,
      username: user.username,
      password: user.password,
      expires: REGISTRATION_SECONDS,
      transport: 'udp',
    });
  }

  /** Binds a SIP port on 127.0.0.1 (any free port); the Contact user is the extension. */
  static async start(user: PhoneUser, server: SipServer, media: MediaEngine, voiceHz: number, say: Narrate, logger: Logger): Promise<SimulatedPhone> {
    const stack = await SipStack.start({ host: '127.0.0.1', port: 0, protocols: ['udp'], contactUser: user.username, userAgent: `Ringside demo phone (${user.name})`, logger });
    return new SimulatedPhone(user, server, stack, media, voiceHz, say);
  }

  /** REGISTER with digest; resolves with the status line and the granted expiry. */
  async register(timeoutMs = 5000): Promise<string> {
    const res = await withTimeout(this.#registration.start(), timeoutMs, `${this.name}: no answer to REGISTER from ${this.server.host}:${this.server.port} within ${timeoutMs / 1000} s`);
    if (res.status !== 200) throw new DemoError(`${this.name}: REGISTER as ${this.user.username} refused: ${res.status} ${res.reason}`);
    return `${res.status} ${res.reason}, expires in ${this.#registration.grantedExpires} s`;
  }

  /** Dials an extension or a number through Ringside (the INVITE is digest-authenticated as this user). */
  dial(target: string): Promise<PartyCall> {
    return this.call({
      to: `sip:${target}@${this.server.host}:${this.server.port}`,
      from: `"${this.user.displayName}" <sip:${this.user.username}@${this.server.host}>`,
      credentials: { username: this.user.username, password: this.user.password },
      label: target,
    });
  }

  /** Unregisters (Expires: 0) and closes. */
  override async close(): Promise<void> {
    await this.reset();
    await withTimeout(this.#registration.stop(), 3000, 'unregister timed out').catch(() => undefined);
    await super.close();
  }
}

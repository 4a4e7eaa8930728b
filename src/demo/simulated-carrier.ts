/**
 * The simulated carrier: the trunk peer of examples/demo.yaml (127.0.0.2, port 5090 by default). It places
 * the PSTN calls that reach Ringside's numbers — an INVITE from the trunk's address is the carrier's,
 * docs/switch.md "Routing" — and answers the calls Ringside sends out through the trunk to external
 * numbers (+15557770001 …), as the far end of a real carrier would.
 */
import { SipStack } from '../sip/index.js';
import type { Logger } from '../log/logger.js';
import type { MediaEngine } from '../media/media-engine.js';
import { DemoError } from './errors.js';
import type { PartyCall } from './party-call.js';
import { SimulatedParty, type Narrate } from './simulated-party.js';
import type { SipServer } from './simulated-phone.js';

/** The number the carrier's callers present (a PSTN caller). */
export const DEMO_CALLER_NUMBER = '+15557654321';

export class SimulatedCarrier extends SimulatedParty {
  /** Ringside's SIP address; known once Ringside runs (a standalone one starts after the carrier). */
  ringside?: SipServer;

  /** Binds SIP (UDP) at `host:port` (port 0: any free port, for a standalone Ringside configured to match). */
  static async start(host: string, port: number, media: MediaEngine, voiceHz: number, say: Narrate, logger: Logger): Promise<SimulatedCarrier> {
    const stack = await SipStack.start({ host, port, protocols: ['udp'], contactUser: 'carrier', userAgent: 'Ringside demo carrier', logger });
    return new SimulatedCarrier('carrier', stack, media, voiceHz, say);
  }

  /** A PSTN caller dials one of Ringside's numbers. Resolves when Ringside answers the call. */
  callNumber(number: string, callerNumber = DEMO_CALLER_NUMBER, callerName = 'Demo Caller'): Promise<PartyCall> {
    const server = this.ringside;
    if (!server) return Promise.reject(new DemoError('the carrier does not know where Ringside is yet'));
    this.say(this.name, `${callerName} (${callerNumber}) dials ${number}`);
    return this.call({
      to: `sip:${number}@${server.host}:${server.port}`,
      from: `"${callerName}" <sip:${callerNumber}@${this.stack.publicHost}>`,
      label: number,
    });
  }

  /** Answers the next call Ringside sends to `number` through the trunk. */
  answerCallTo(number: string, afterMs = 500, timeoutMs = 10_000): Promise<PartyCall> {
    const digits = number.replace(/^\+/, '');
    return this.answerNext({
      afterMs,
      timeoutMs,
      label: `a call to ${number}`,
      match: (invite) => (invite.request.requestUri.user ?? '').replace(/^\+/, '') === digits,
    });
  }
}

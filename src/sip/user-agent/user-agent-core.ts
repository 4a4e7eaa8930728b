import type { Logger } from 'pino';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Clock, TimerSettings } from '../transaction/clock.js';
import type { Destination, TransportProtocol } from '../transport/transport-types.js';

/** Callbacks for a request sent through the core: provisional responses, the final one (real or the
 *  synthetic 408/503 of §8.1.3.1), and INVITE 2xx retransmissions (RFC 6026 §7.2). */
export interface RequestCallbacks {
  onProvisional?(res: SipResponse): void;
  onFinal(res: SipResponse, synthetic: boolean): void;
  on2xxRetransmission?(res: SipResponse): void;
}

/** Lets the sender end a client transaction early (an INVITE whose CANCEL was never answered, §9.1). */
export interface RequestHandle {
  terminate(): void;
}

/**
 * What dialogs and user agents need from the stack (kept narrow so sessions never import the stack).
 */
export interface UserAgentCore {
  readonly log: Logger;
  readonly clock: Clock;
  readonly timers: TimerSettings;
  /** Our Contact header value for a transport. */
  contact(peer: TransportProtocol | Destination, user?: string): string;
  /** Adds our Via (unless `keepVia`: CANCEL reuses the INVITE's, §9.1) and sends the request in a new
   *  client transaction. */
  send(req: SipRequest, dest: Destination, callbacks: RequestCallbacks, options?: { keepVia?: boolean }): RequestHandle;
  /** Adds our Via and sends without a transaction (ACK for a 2xx, §13.2.2.4). */
  /** `keepVia`: the request already carries our Via (a retransmitted ACK is the same ACK, §13.2.2.4). */
  sendStateless(req: SipRequest, dest: Destination, options?: { keepVia?: boolean }): Promise<void>;
  /** Sends a response outside any transaction (2xx retransmissions by the UAS core, §13.3.1.4). */
  sendResponse(res: SipResponse, source: Destination): Promise<void>;
  resolve(uri: string, fallback: TransportProtocol): Promise<Destination>;
  addSession(key: string, session: unknown): void;
  removeSession(key: string): void;
}

/** Promise form of `UserAgentCore.send` for non-INVITE requests. */
export function sendAndWait(core: UserAgentCore, req: SipRequest, dest: Destination, options?: { keepVia?: boolean }): Promise<SipResponse> {
  return new Promise((resolve) => core.send(req, dest, { onFinal: (res) => resolve(res) }, options));
}

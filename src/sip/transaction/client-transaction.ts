import type { SipTransportError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Outbound } from '../transport/transport-types.js';
import { Transaction, type TransactionParts } from './transaction.js';
import type { ClientTransactionUser } from './transaction-user.js';

export interface ClientTransactionParts extends TransactionParts {
  /** The request to send (never ACK). */
  request: SipRequest;
  user: ClientTransactionUser;
}

/**
 * What the INVITE and non-INVITE client transactions share (RFC 3261 §17.1): the request, serialized once
 * and kept only while it may be sent again; the transaction user that responses are passed up to; and the
 * three ways a client transaction ends for it — a timeout (Timer B or F, treated as 408), a transport
 * failure (§17.1.4, treated as 503), or the end of the state that absorbs retransmitted responses.
 */
export abstract class ClientTransaction extends Transaction {
  protected readonly user: ClientTransactionUser;
  /** The request as sent, while it may be retransmitted (Timers A, E). */
  #request: Outbound | undefined;

  protected constructor(parts: ClientTransactionParts, state: 'calling' | 'trying') {
    super(parts, state);
    this.user = parts.user;
    this.#request = parts.ctx.prepareRequest(parts.request, parts.destination);
  }

  /** Sends the request and starts the timers of the first state (§17.1.1.2, §17.1.2.2). */
  abstract start(): void;

  /** A response matched to this transaction (§17.1.3). */
  abstract receiveResponse(res: SipResponse): void;

  /** Sends the request (again). */
  protected sendRequest(): void {
    if (this.#request) this.transmit(this.#request);
  }

  /** The request will not be sent again (a final response; an INVITE's first provisional, §17.1.1.2). */
  protected releaseRequest(): void {
    this.#request = undefined;
  }

  /** Timer B (§17.1.1.2) or Timer F (§17.1.2.2) fired: Terminated, and the TU treats it as 408. */
  protected timedOut(timer: 'B' | 'F'): void {
    this.ctx.timedOut?.(timer);
    this.setState('terminated');
    this.user.onRequestTimeout();
  }

  /** §17.1.4: a transport failure terminates the transaction and is reported (treated as 503). */
  protected transportFailed(error: SipTransportError): void {
    this.setState('terminated');
    this.user.onTransportError(error);
  }

  /** Timer D, K or M ran out (0 on a reliable transport for D and K): Terminated. */
  protected end(): void {
    this.setState('terminated');
    this.user.onTerminated?.();
  }
}

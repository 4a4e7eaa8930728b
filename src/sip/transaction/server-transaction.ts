import type { SipTransportError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { Transaction, type TransactionParts } from './transaction.js';
import type { ServerTransactionUser } from './transaction-user.js';

export interface ServerTransactionParts extends TransactionParts {
  user: ServerTransactionUser;
  /** Sends a response back to `destination` through the transport layer (§18.2.2). */
  sendResponse(res: SipResponse): Promise<void>;
}

/**
 * What the INVITE and non-INVITE server transactions share (RFC 3261 §17.2): the transaction user (which
 * the core may replace once it knows who answers), responses sent back to the request's source through the
 * transport layer (§18.2.2), the last response kept for retransmitted requests, and the end on a transport
 * failure (§17.2.4).
 */
export abstract class ServerTransaction extends Transaction {
  #user: ServerTransactionUser;
  #last?: SipResponse;
  readonly #toSource: (res: SipResponse) => Promise<void>;

  protected constructor(parts: ServerTransactionParts, state: 'proceeding' | 'trying') {
    super(parts, state);
    this.#user = parts.user;
    this.#toSource = parts.sendResponse;
  }

  /** The transaction user; the core hands an INVITE's transaction to its IncomingInvite. */
  get user(): ServerTransactionUser {
    return this.#user;
  }

  set user(tu: ServerTransactionUser) {
    this.#user = tu;
  }

  /** The last response sent: what a retransmitted request gets again. */
  get lastResponse(): SipResponse | undefined {
    return this.#last;
  }

  /** A request matched to this transaction (§17.2.3): a retransmission, or the ACK of an INVITE. */
  abstract receiveRequest(req: SipRequest): void;

  /** Passes a response from the TU down (§17.2.1, §17.2.2). */
  abstract respond(res: SipResponse): void;

  protected override transmit(res: SipResponse): void {
    this.#toSource(res).catch((err: SipTransportError) => this.onSendError(err));
  }

  /** Sends a response of the TU and keeps it for retransmitted requests. */
  protected sendResponse(res: SipResponse): void {
    this.#last = res;
    this.transmit(res);
  }

  /** §17.2.1, §17.2.2: a retransmitted request in Proceeding or Completed gets the last response again. */
  protected resendLastResponse(): void {
    if ((this.state === 'proceeding' || this.state === 'completed') && this.#last) this.transmit(this.#last);
  }

  /** Timer H, I, J or L ran out (0 on a reliable transport for I and J): Terminated. */
  protected end(): void {
    this.setState('terminated');
    this.#user.onTerminated?.();
  }

  protected onSendError(error: SipTransportError): void {
    // §17.2.4: transport failure → inform the TU, transaction Terminated.
    this.end();
    this.#user.onTransportError?.(error);
  }
}

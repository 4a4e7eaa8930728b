import type { SipTransportError } from '../errors.js';
import { ownCopy } from '../message/own-bytes.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Outbound } from '../transport/transport-types.js';
import { Transaction, type TransactionParts } from './transaction.js';
import type { ServerTransactionUser } from './transaction-user.js';

export interface ServerTransactionParts extends TransactionParts {
  user: ServerTransactionUser;
}

/**
 * What the INVITE and non-INVITE server transactions share (RFC 3261 §17.2): the transaction user (which
 * the core may replace once it knows who answers), responses sent back to the request's source through the
 * transport layer (§18.2.2), the last response kept — as the bytes sent — for retransmitted requests, and
 * the end on a transport failure (§17.2.4). The request itself is not kept: nothing here needs it again.
 */
export abstract class ServerTransaction extends Transaction {
  #user: ServerTransactionUser;
  #last?: Outbound;

  protected constructor(parts: ServerTransactionParts, state: 'proceeding' | 'trying') {
    super(parts, state);
    this.#user = parts.user;
  }

  /** The transaction user; the core hands an INVITE's transaction to its IncomingInvite. */
  get user(): ServerTransactionUser {
    return this.#user;
  }

  set user(tu: ServerTransactionUser) {
    this.#user = tu;
  }

  /** A request matched to this transaction (§17.2.3): a retransmission, or the ACK of an INVITE. */
  abstract receiveRequest(req: SipRequest): void;

  /** Passes a response from the TU down (§17.2.1, §17.2.2). */
  abstract respond(res: SipResponse): void;

  /**
   * Sends a response of the TU. Unless `keep` is false (an INVITE's 2xx, which the TU itself retransmits,
   * §13.3.1.4), its bytes are kept for retransmitted requests: copied into memory of their own, since they
   * may stay for the whole ring or 64*T1 (own-bytes.ts).
   */
  protected sendResponse(res: SipResponse, keep = true): void {
    let out: Outbound;
    try {
      out = this.ctx.prepareResponse(res, this.destination);
    } catch (err) {
      // Reported like a failed send: after `respond` returns.
      Promise.reject(err).catch((e: SipTransportError) => this.onSendError(e));
      return;
    }
    this.#last = keep ? { data: ownCopy(out.data), dest: out.dest } : undefined;
    this.#write(out);
  }

  /** §17.2.1, §17.2.2: a retransmitted request in Proceeding or Completed gets the last response again. */
  protected resendLastResponse(): void {
    if (this.#last && (this.state === 'proceeding' || this.state === 'completed')) this.#write(this.#last);
  }

  /** No response will be sent again (Confirmed, §17.2.1). */
  protected forgetLastResponse(): void {
    this.#last = undefined;
  }

  #write(out: Outbound): void {
    this.ctx.write(out).catch((err: SipTransportError) => this.onSendError(err));
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

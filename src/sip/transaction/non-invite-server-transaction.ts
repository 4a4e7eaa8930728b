import type { SipTransportError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Destination } from '../transport/transport-types.js';
import { Transaction, type TransactionContext } from './transaction.js';
import type { ServerTransactionUser } from './transaction-user.js';

/** Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8). */
export class NonInviteServerTransaction extends Transaction {
  readonly request: SipRequest;
  #tu: ServerTransactionUser;
  #last?: SipResponse;
  #sendResponse: (res: SipResponse) => Promise<void>;

  constructor(
    request: SipRequest,
    source: Destination,
    ctx: TransactionContext,
    tu: ServerTransactionUser,
    key: string,
    sendResponse: (res: SipResponse) => Promise<void>,
  ) {
    super(key, ctx, source, 'trying');
    this.request = request;
    this.#tu = tu;
    this.#sendResponse = sendResponse;
  }

  set user(tu: ServerTransactionUser) {
    this.#tu = tu;
  }

  protected override transmit(res: SipResponse): void {
    this.#sendResponse(res).catch((err: SipTransportError) => this.onSendError(err));
  }

  /** §17.2.2: a retransmission in Trying is discarded; in Proceeding/Completed the last response is resent. */
  receiveRequest(_req: SipRequest): void {
    if ((this.state === 'proceeding' || this.state === 'completed') && this.#last) this.transmit(this.#last);
  }

  respond(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.#last = res;
    this.transmit(res);
    if (res.status < 200) {
      this.setState('proceeding');
      return;
    }
    // §17.2.2: final → Completed; Timer J = 64*T1 (0 on reliable) absorbs request retransmissions.
    this.setState('completed');
    if (this.reliable) this.#terminate();
    else this.setTimer('J', 64 * this.ctx.timers.T1, () => this.#terminate());
  }

  #terminate(): void {
    this.setState('terminated');
    this.#tu.onTerminated?.();
  }

  protected onSendError(error: SipTransportError): void {
    this.#terminate();
    this.#tu.onTransportError?.(error);
  }
}

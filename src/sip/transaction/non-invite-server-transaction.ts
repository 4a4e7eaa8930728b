import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { ServerTransaction, type ServerTransactionParts } from './server-transaction.js';

/** Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8). */
export class NonInviteServerTransaction extends ServerTransaction {
  constructor(parts: ServerTransactionParts) {
    super(parts, 'trying');
  }

  /** §17.2.2: a retransmission in Trying is discarded; in Proceeding/Completed the last response is resent. */
  receiveRequest(_req: SipRequest): void {
    this.resendLastResponse();
  }

  respond(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.sendResponse(res);
    if (res.status < 200) {
      this.setState('proceeding');
      return;
    }
    // §17.2.2: final → Completed; Timer J = 64*T1 (0 on reliable) absorbs request retransmissions.
    this.setState('completed');
    if (this.reliable) this.end();
    else this.setTimer('J', 64 * this.ctx.timers.T1, () => this.end());
  }
}

import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { ServerTransaction, type ServerTransactionParts } from './server-transaction.js';

/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with the Accepted state of RFC 6026 §7.1).
 */
export class InviteServerTransaction extends ServerTransaction {
  #interval: number;

  constructor(parts: ServerTransactionParts) {
    super(parts, 'proceeding');
    this.#interval = parts.ctx.timers.T1;
  }

  /**
   * §17.2.1: a retransmitted INVITE in Proceeding gets the last provisional again; in Completed the final
   * again; in Accepted (RFC 6026 §7.1) and Confirmed it is absorbed.
   */
  receiveRequest(req: SipRequest): void {
    if (req.method === 'ACK') {
      // §17.2.1: ACK in Completed → Confirmed; Timer G and H stop; Timer I = T4 (0 on reliable) absorbs
      // further ACKs.
      if (this.state === 'completed') {
        this.clearTimer('G');
        this.clearTimer('H');
        this.forgetLastResponse();
        this.setState('confirmed');
        if (this.reliable) this.end();
        else this.setTimer('I', this.ctx.timers.T4, () => this.end());
      }
      return;
    }
    this.resendLastResponse();
  }

  /** Passes a response from the TU down (§17.2.1). */
  respond(res: SipResponse): void {
    const s = res.status;
    if (this.state !== 'proceeding') return;
    this.sendResponse(res, s < 200 || s >= 300);
    if (s < 200) return;
    if (s < 300) {
      // RFC 6026 §7.1: 2xx → Accepted; Timer L = 64*T1 absorbs INVITE retransmissions while the TU
      // retransmits the 2xx itself (§13.3.1.4).
      this.setState('accepted');
      this.setTimer('L', 64 * this.ctx.timers.T1, () => this.end());
      return;
    }
    // §17.2.1: 300-699 → Completed; Timer G retransmits (unreliable) with min(2^n*T1, T2); Timer H = 64*T1
    // waits for the ACK.
    this.setState('completed');
    if (!this.reliable) this.setTimer('G', this.#interval, () => this.#timerG());
    this.setTimer('H', 64 * this.ctx.timers.T1, () => {
      this.ctx.timedOut?.('H');
      this.end();
      this.user.onAckTimeout?.();
    });
  }

  #timerG(): void {
    if (this.state !== 'completed') return;
    this.resendLastResponse();
    this.#interval = Math.min(2 * this.#interval, this.ctx.timers.T2);
    this.setTimer('G', this.#interval, () => this.#timerG());
  }

  /** §9.2: a CANCEL matched this INVITE; the TU decides (normally 487 if no final response was sent). */
  cancel(req: SipRequest): void {
    this.user.onCancel?.(req);
  }
}

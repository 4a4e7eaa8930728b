import type { SipTransportError } from '../errors.js';
import type { SipResponse } from '../message/sip-message.js';
import { ClientTransaction, type ClientTransactionParts } from './client-transaction.js';

/** Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6). */
export class NonInviteClientTransaction extends ClientTransaction {
  #interval: number;

  constructor(parts: ClientTransactionParts) {
    super(parts, 'trying');
    this.#interval = parts.ctx.timers.T1;
  }

  /** §17.1.2.2: send; Timer E = T1 (unreliable) and Timer F = 64*T1 start in Trying. */
  start(): void {
    this.sendRequest();
    if (!this.reliable) this.setTimer('E', this.#interval, () => this.#timerE());
    // §17.1.2.2: Timer F in Trying or Proceeding → timeout (treated as 408), Terminated.
    this.setTimer('F', 64 * this.ctx.timers.T1, () => this.timedOut('F'));
  }

  /** §17.1.2.2: Timer E retransmits with min(2^n*T1, T2) in Trying, and every T2 in Proceeding. */
  #timerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.sendRequest();
    this.#interval = this.state === 'trying' ? Math.min(2 * this.#interval, this.ctx.timers.T2) : this.ctx.timers.T2;
    this.setTimer('E', this.#interval, () => this.#timerE());
  }

  receiveResponse(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return; // Completed absorbs retransmissions
    if (res.status < 200) {
      this.setState('proceeding');
      this.user.receiveResponse(res);
      return;
    }
    // §17.1.2.2: final → Completed; Timer K = T4 (0 on reliable) absorbs retransmitted responses.
    this.clearTimer('E');
    this.clearTimer('F');
    this.releaseRequest();
    this.setState('completed');
    this.user.receiveResponse(res);
    if (this.reliable) this.end();
    else this.setTimer('K', this.ctx.timers.T4, () => this.end());
  }

  protected onSendError(error: SipTransportError): void {
    // §17.1.4: while the request is still being (re)sent.
    if (this.state === 'trying' || this.state === 'proceeding') this.transportFailed(error);
  }
}

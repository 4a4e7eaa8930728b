import type { SipTransportError } from '../errors.js';
import { SipHeaders } from '../message/headers.js';
import { ownCopy } from '../message/own-bytes.js';
import { SipRequest, type SipResponse } from '../message/sip-message.js';
import type { Outbound } from '../transport/transport-types.js';
import { ClientTransaction, type ClientTransactionParts } from './client-transaction.js';

/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5, with the Accepted state of RFC 6026 §7.2).
 */
export class InviteClientTransaction extends ClientTransaction {
  /** The INVITE, until a final response: the ACK of a non-2xx is built from it (§17.1.1.3). */
  #invite: SipRequest | undefined;
  /** That ACK as sent, resent for each retransmitted final response while Timer D runs. */
  #ack?: Outbound;
  #interval: number;

  constructor(parts: ClientTransactionParts) {
    super(parts, 'calling');
    this.#invite = parts.request;
    this.#interval = parts.ctx.timers.T1;
  }

  /** §17.1.1.2: send the INVITE; Timer A (unreliable only) and Timer B = 64*T1 start in Calling. */
  start(): void {
    this.sendRequest();
    if (!this.reliable) this.setTimer('A', this.#interval, () => this.#timerA());
    this.setTimer('B', 64 * this.ctx.timers.T1, () => this.#timerB());
  }

  /** §17.1.1.2: Timer A retransmits and doubles (2*T1, 4*T1, …) while in Calling. */
  #timerA(): void {
    if (this.state !== 'calling') return;
    this.sendRequest();
    this.#interval *= 2;
    this.setTimer('A', this.#interval, () => this.#timerA());
  }

  /** §17.1.1.2: Timer B fires in Calling → the TU is told of a timeout (treated as 408); Terminated. */
  #timerB(): void {
    if (this.state !== 'calling') return;
    this.timedOut('B');
  }

  receiveResponse(res: SipResponse): void {
    const s = res.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.clearTimer('A');
        if (s < 200) {
          // §17.1.1.2: a provisional response moves Calling → Proceeding; retransmissions stop.
          this.releaseRequest();
          this.setState('proceeding');
          this.user.receiveResponse(res);
        } else if (s < 300) {
          // RFC 6026 §7.2: a 2xx moves to Accepted; Timer M = 64*T1 keeps the transaction to pass on
          // 2xx retransmissions (from other forks too) so the TU can ACK them.
          this.clearTimer('B');
          this.#release();
          this.setState('accepted');
          this.setTimer('M', 64 * this.ctx.timers.T1, () => this.end());
          this.user.receiveResponse(res);
        } else {
          // §17.1.1.2: 300-699 → Completed; the transaction sends the ACK itself (§17.1.1.3) and starts
          // Timer D (32 s unreliable, 0 reliable) to absorb retransmitted finals.
          this.clearTimer('B');
          this.setState('completed');
          // Kept for Timer D: in memory of its own (own-bytes.ts).
          const ack = this.ctx.prepareRequest(buildNon2xxAck(this.#invite as SipRequest, res), this.destination);
          this.#ack = { data: ownCopy(ack.data), dest: ack.dest };
          this.#release();
          this.transmit(this.#ack);
          this.user.receiveResponse(res);
          if (this.reliable) this.end();
          else this.setTimer('D', 32_000, () => this.end());
        }
        return;
      case 'completed':
        // §17.1.1.2: retransmitted final responses are answered with the ACK again, not passed up.
        if (s >= 300 && this.#ack) this.transmit(this.#ack);
        return;
      case 'accepted':
        // RFC 6026 §7.2: 2xx retransmissions go to the TU; anything else is discarded.
        if (s >= 200 && s < 300) this.user.receiveResponse(res);
        return;
      default:
        return;
    }
  }

  /** A final response: the INVITE will not be sent again. */
  #release(): void {
    this.#invite = undefined;
    this.releaseRequest();
  }

  protected onSendError(error: SipTransportError): void {
    // §17.1.4: only the INVITE itself failing counts (in Calling); a failed ACK is left to Timer D.
    if (this.state === 'calling') this.transportFailed(error);
  }
}

/**
 * §17.1.1.3: the ACK for a non-2xx final response: same Request-URI, Call-ID, From, top Via (one Via only)
 * and CSeq number as the INVITE, To from the response, Route headers of the INVITE.
 */
export function buildNon2xxAck(invite: SipRequest, res: SipResponse): SipRequest {
  const h = new SipHeaders();
  const topVia = invite.headers.getAll('via')[0];
  if (topVia !== undefined) h.append('via', topVia);
  for (const r of invite.headers.rows('route')) h.append('route', r);
  h.append('max-forwards', '70');
  h.append('from', invite.headers.get('from') ?? '');
  h.append('to', res.headers.get('to') ?? '');
  h.append('call-id', invite.callId);
  h.append('cseq', `${invite.cseq.seq} ACK`);
  return new SipRequest('ACK', invite.uri, h);
}

import type { Logger } from 'pino';
import type { SipTransportError } from '../errors.js';
import { createResponse } from '../message/message-factory.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { ClientTransactionUser } from '../transaction/transaction-user.js';
import type { RequestCallbacks } from './user-agent-core.js';

/**
 * The core's side of one request it sends (RFC 3261 §8.1): the user of its client transaction. It passes
 * responses to the sender's callbacks, exactly one of them as the final one — a real one, or the synthetic
 * 408 of a timeout, 503 of a transport error (§8.1.3.1) or 503 of a stack that closes.
 *
 * It keeps the request only until the final response (synthetic responses are built from it) and the
 * callbacks only while a response can still come (2xx retransmissions of an INVITE, RFC 6026 §7.2): the
 * transaction may linger 64*T1 after that, and must not keep the request or the sender alive meanwhile.
 */
export class UserAgentClient implements ClientTransactionUser {
  #request: SipRequest | undefined;
  #callbacks: RequestCallbacks | undefined;
  #finalSeen = false;
  readonly #callId: string;
  readonly #method: string;
  readonly #log: Logger;
  readonly #done: (uac: UserAgentClient) => void;

  /** `done`: called once the request needs nothing more from the stack (transaction ended or abandoned). */
  constructor(request: SipRequest, callbacks: RequestCallbacks, log: Logger, done: (uac: UserAgentClient) => void) {
    this.#request = request;
    this.#callbacks = callbacks;
    this.#callId = request.callId;
    this.#method = request.method;
    this.#log = log;
    this.#done = done;
  }

  receiveResponse(res: SipResponse): void {
    const cb = this.#callbacks;
    if (!cb) return;
    if (res.status < 200) cb.onProvisional?.(res);
    else if (!this.#finalSeen) this.#final(res, false);
    else if (res.status < 300) cb.on2xxRetransmission?.(res);
  }

  /** §8.1.3.1: a transaction timeout is a 408. */
  onRequestTimeout(): void {
    this.#done(this);
    if (!this.#finalSeen && this.#request) this.#final(createResponse(this.#request, 408), true);
  }

  /** §8.1.3.1: a transport failure is a 503. */
  onTransportError(err: SipTransportError): void {
    this.#log.warn({ err: err.message, callId: this.#callId, method: this.#method }, 'sip transport error');
    this.#done(this);
    if (!this.#finalSeen && this.#request) this.#final(createResponse(this.#request, 503, { reason: 'Service Unavailable (transport error)' }), true);
  }

  onTerminated(): void {
    this.#done(this);
  }

  /** The stack closes: nothing is left hanging, a request without a final response gets a synthetic 503. */
  abort(): void {
    if (!this.#finalSeen && this.#request) this.#final(createResponse(this.#request, 503, { reason: 'Service Unavailable (stack closed)' }), true);
  }

  #final(res: SipResponse, synthetic: boolean): void {
    this.#finalSeen = true;
    this.#request = undefined;
    const cb = this.#callbacks;
    // Only an INVITE's 2xx retransmissions come after the final response.
    if (!cb?.on2xxRetransmission) this.#callbacks = undefined;
    cb?.onFinal(res, synthetic);
  }
}

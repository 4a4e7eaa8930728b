import { InvalidStateError } from '../errors.js';
import { createResponse, type ResponseOptions } from '../message/message-factory.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { Destination } from '../transport/transport-types.js';

/**
 * A request handed to the application with its server transaction. `respond` may be called with any number
 * of provisional responses and exactly one final response (§8.2.6).
 */
export class IncomingRequest {
  readonly request: SipRequest;
  /** Where it came from (after `received`/`rport` processing: the real source address). */
  readonly source: Destination;
  /** The address the request comes from: the source, or behind a trusted proxy the previous hop's
   *  (request-origin.ts). Trunks, digest limits and media hints go by it. */
  readonly origin: string;
  readonly #tx: ServerTransaction;
  #final?: SipResponse;
  #onFinal?: (res: SipResponse) => void;
  readonly #toTag?: string;

  constructor(request: SipRequest, source: Destination, tx: ServerTransaction, toTag?: string, origin: string = source.host) {
    this.request = request;
    this.source = source;
    this.origin = origin;
    this.#tx = tx;
    this.#toTag = toTag;
  }

  get method(): string {
    return this.request.method;
  }

  /** The final response sent, if any. */
  get finalResponse(): SipResponse | undefined {
    return this.#final;
  }

  /** Called once, as the final response is sent: a dialog starts its 2xx retransmission there (RFC 3261
   *  §13.3.1.4), before the handler that answered goes on with other work and the ACK can be read. */
  onFinal(fn: (res: SipResponse) => void): void {
    this.#onFinal = fn;
  }

  respond(status: number, options: ResponseOptions = {}): SipResponse {
    if (this.#final) throw new InvalidStateError(`${this.request.method} already answered with ${this.#final.status}`);
    const res = createResponse(this.request, status, this.#toTag && !options.toTag ? { ...options, toTag: this.#toTag } : options);
    if (status >= 200) this.#final = res;
    this.#tx.respond(res);
    if (status >= 200) this.#onFinal?.(res);
    return res;
  }
}

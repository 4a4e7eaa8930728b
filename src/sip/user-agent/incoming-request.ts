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
  readonly #tx: ServerTransaction;
  #final?: SipResponse;
  readonly #toTag?: string;

  constructor(request: SipRequest, source: Destination, tx: ServerTransaction, toTag?: string) {
    this.request = request;
    this.source = source;
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

  respond(status: number, options: ResponseOptions = {}): SipResponse {
    if (this.#final) throw new InvalidStateError(`${this.request.method} already answered with ${this.#final.status}`);
    const res = createResponse(this.request, status, this.#toTag && !options.toTag ? { ...options, toTag: this.#toTag } : options);
    if (status >= 200) this.#final = res;
    this.#tx.respond(res);
    return res;
  }
}

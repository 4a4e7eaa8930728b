import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Destination } from '../transport/transport-types.js';
import type { ClientTransaction } from './client-transaction.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';
import type { TransactionContext } from './transaction.js';
import { cancelTargetKey, clientKey, serverKey } from './transaction-keys.js';
import type { ClientTransactionUser, ServerTransactionUser } from './transaction-user.js';

/**
 * Holds the live transactions and matches messages to them (RFC 3261 §17.1.3, §17.2.3). A terminated
 * transaction removes itself.
 */
export class TransactionLayer {
  readonly #ctx: TransactionContext;
  #clients = new Map<string, ClientTransaction>();
  #servers = new Map<string, ServerTransaction>();

  constructor(ctx: TransactionContext) {
    this.#ctx = ctx;
  }

  get context(): TransactionContext {
    return this.#ctx;
  }

  get size(): { clients: number; servers: number } {
    return { clients: this.#clients.size, servers: this.#servers.size };
  }

  /** Creates and starts a client transaction for a request (INVITE or not; never ACK). */
  sendRequest(req: SipRequest, dest: Destination, tu: ClientTransactionUser): ClientTransaction {
    const key = clientKey(req);
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction({ request: req, destination: dest, ctx: this.#ctx, user: tu, key })
        : new NonInviteClientTransaction({ request: req, destination: dest, ctx: this.#ctx, user: tu, key });
    this.#clients.set(key, tx);
    tx.onTerminated(() => {
      if (this.#clients.get(key) === tx) this.#clients.delete(key);
    });
    tx.start();
    return tx;
  }

  /** Routes a response to its client transaction; returns false when none matches (a stray response,
   *  or a 2xx retransmission after the INVITE transaction ended: the core handles those, §13.2.2.4). */
  receiveResponse(res: SipResponse): boolean {
    const tx = this.#clients.get(clientKey(res));
    if (!tx) return false;
    tx.receiveResponse(res);
    return true;
  }

  /** The server transaction a request belongs to, if it is a retransmission (or the ACK of a non-2xx). */
  findServer(req: SipRequest): ServerTransaction | undefined {
    return this.#servers.get(serverKey(req));
  }

  /** §9.2: the INVITE server transaction a CANCEL targets. */
  findCancelTarget(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.#servers.get(cancelTargetKey(cancel));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Creates a server transaction for a new request (never ACK). */
  createServer(req: SipRequest, source: Destination, tu: ServerTransactionUser): ServerTransaction {
    const key = serverKey(req);
    const parts = { destination: source, ctx: this.#ctx, user: tu, key };
    const tx = req.method === 'INVITE' ? new InviteServerTransaction(parts) : new NonInviteServerTransaction(parts);
    this.#servers.set(key, tx);
    tx.onTerminated(() => {
      if (this.#servers.get(key) === tx) this.#servers.delete(key);
    });
    return tx;
  }

  /** Terminates everything (stack shutdown). */
  close(): void {
    for (const tx of [...this.#clients.values(), ...this.#servers.values()]) tx.terminate();
    this.#clients.clear();
    this.#servers.clear();
  }
}

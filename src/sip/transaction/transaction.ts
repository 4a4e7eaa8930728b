import { SipTransportError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { Destination, Outbound } from '../transport/transport-types.js';
import type { Clock, TimerHandle, TimerSettings } from './clock.js';

/**
 * What a transaction needs from below: a clock, the timer base values, and the transport. Messages are
 * serialized once and kept as bytes: what a transaction sends again (§17.1.1.2, §17.1.2.2, §17.2.1,
 * §17.2.2) is what it sent, and a transaction that lingers 64*T1 does not keep a parsed message alive.
 */
export interface TransactionContext {
  clock: Clock;
  timers: TimerSettings;
  /** A request serialized for `dest`. */
  prepareRequest(req: SipRequest, dest: Destination): Outbound;
  /** A response serialized and routed back towards the request's source (§18.2.2); throws without Via. */
  prepareResponse(res: SipResponse, source: Destination): Outbound;
  write(out: Outbound): Promise<void>;
  /** A transaction timer ran out without its answer (counted for the metrics endpoint). */
  timedOut?(timer: 'B' | 'F' | 'H'): void;
}

/** What every transaction is made of; the transaction layer supplies it (transaction-layer.ts). */
export interface TransactionParts {
  /** A client's next hop for the request; a server's request source, where responses go (§18.2.2). */
  destination: Destination;
  ctx: TransactionContext;
  /** The matching key (§17.1.3, §17.2.3; transaction-keys.ts). */
  key: string;
}

export type TransactionState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/**
 * The root of the four transactions (RFC 3261 §17): its key (§17.1.3, §17.2.3), a state, named timers
 * (cancelled on every state change that ends them and on termination) and a send that reports transport
 * failures. What the two sides share beyond this lives in ClientTransaction (§17.1) and ServerTransaction
 * (§17.2).
 */
export abstract class Transaction {
  readonly key: string;
  protected readonly ctx: TransactionContext;
  /** Where messages of this transaction go (request destination, or the request's source for servers). */
  readonly destination: Destination;
  #state: TransactionState;
  #timers = new Map<string, TimerHandle>();
  #onTerminated: Array<() => void> = [];

  protected constructor(parts: TransactionParts, state: TransactionState) {
    this.key = parts.key;
    this.ctx = parts.ctx;
    this.destination = parts.destination;
    this.#state = state;
  }

  get state(): TransactionState {
    return this.#state;
  }

  /** Retransmissions happen only on unreliable transports (§17.1.1.2, §17.1.2.2, §17.2.1). */
  get reliable(): boolean {
    return this.destination.protocol !== 'udp';
  }

  protected setState(state: TransactionState): void {
    if (this.#state === 'terminated') return;
    this.#state = state;
    if (state === 'terminated') {
      for (const t of this.#timers.values()) t.cancel();
      this.#timers.clear();
      for (const fn of this.#onTerminated.splice(0)) fn();
    }
  }

  /** Registers a callback for termination (the transaction layer removes the transaction from its map). */
  onTerminated(fn: () => void): void {
    if (this.#state === 'terminated') fn();
    else this.#onTerminated.push(fn);
  }

  protected setTimer(name: string, ms: number, fn: () => void): void {
    this.#timers.get(name)?.cancel();
    this.#timers.set(
      name,
      this.ctx.clock.setTimer(ms, () => {
        this.#timers.delete(name);
        if (this.#state !== 'terminated') fn();
      }),
    );
  }

  protected clearTimer(name: string): void {
    this.#timers.get(name)?.cancel();
    this.#timers.delete(name);
  }

  protected hasTimer(name: string): boolean {
    return this.#timers.has(name);
  }

  /** Sends bytes prepared before; a failure is reported through `onSendError`. */
  protected transmit(out: Outbound): void {
    this.ctx.write(out).catch((err: unknown) => {
      const e = err instanceof SipTransportError ? err : new SipTransportError(String(err), this.destination, err);
      this.onSendError(e);
    });
  }

  protected abstract onSendError(error: SipTransportError): void;

  /** Ends the transaction now (stack shutdown). */
  terminate(): void {
    this.setState('terminated');
  }
}

import { ALLOW, SUPPORTED_HEADER } from './capabilities.js';
import { InvalidStateError } from '../errors.js';
import { Dialog } from '../dialog/dialog.js';
import { InviteSession } from '../dialog/invite-session.js';
import { newTag } from '../message/ids.js';
import { createResponse, type ResponseOptions } from '../message/message-factory.js';
import type { SipRequest } from '../message/sip-message.js';
import type { TimerHandle } from '../transaction/clock.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Destination } from '../transport/transport-types.js';
import type { UserAgentCore } from './user-agent-core.js';

export interface AnswerOptions {
  /** Session description (SDP answer). */
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * A new INVITE offered to the application (UAS, RFC 3261 §13.3). The application rings, accepts or rejects.
 * A CANCEL (§9.2) answers it with 487 automatically and calls `onCancel`.
 */
export class IncomingInvite {
  readonly request: SipRequest;
  readonly source: Destination;
  /** The address the request comes from: the source, or behind a trusted proxy the previous hop's
   *  (request-origin.ts). Trunks, digest limits and media hints go by it. */
  readonly origin: string;
  readonly #tx: InviteServerTransaction;
  readonly #core: UserAgentCore;
  readonly #toTag = newTag();
  #state: 'pending' | 'accepted' | 'rejected' | 'cancelled' = 'pending';
  #onCancel?: () => void;
  #expiry: Expiry | undefined;

  constructor(core: UserAgentCore, request: SipRequest, source: Destination, tx: InviteServerTransaction, origin: string = source.host) {
    this.#core = core;
    this.request = request;
    this.source = source;
    this.origin = origin;
    this.#tx = tx;
    tx.user = {
      onCancel: () => this.#cancelled(),
      onTransportError: () => {
        if (this.#state === 'pending') this.#settle('rejected');
      },
    };
  }

  /**
   * Answers `status` if the application has not answered within `ms` (the stack: 487 when the INVITE's
   * Expires lapses, §13.3.1; else 480 after its longest ring). Stops with the transaction.
   */
  expireAfter(ms: number, status: number): void {
    this.#expiry?.timer?.cancel();
    const timer = this.#core.clock.setTimer(ms, () => {
      if (this.#state === 'pending') this.reject(status);
    });
    const expiry: Expiry = { timer };
    this.#expiry = expiry;
    cancelWhenTerminated(this.#tx, expiry);
  }

  /**
   * Leaves `pending`. From here on the transaction has nothing to tell this object (a CANCEL is too late,
   * a transport error changes nothing): it gets an empty user, and the expiry timer goes, so neither keeps
   * the INVITE alive while the transaction lingers (RFC 6026 §7.1: 64*T1 after a 2xx).
   */
  #settle(state: 'accepted' | 'rejected' | 'cancelled'): void {
    this.#state = state;
    this.#tx.user = {};
    if (this.#expiry) {
      this.#expiry.timer?.cancel();
      this.#expiry.timer = undefined;
    }
  }

  get state(): 'pending' | 'accepted' | 'rejected' | 'cancelled' {
    return this.#state;
  }

  /** The caller's session description (SDP offer), if any. */
  get offer(): Buffer {
    return this.request.body;
  }

  /** Called once when the caller cancels before an answer (the 487 is already sent). */
  onCancel(fn: () => void): void {
    this.#onCancel = fn;
    if (this.#state === 'cancelled') fn();
  }

  #cancelled(): void {
    if (this.#state !== 'pending') return;
    // §9.2: the UAS answers the INVITE with 487 Request Terminated.
    this.#settle('cancelled');
    this.#tx.respond(createResponse(this.request, 487, { toTag: this.#toTag }));
    this.#onCancel?.();
  }

  /** Sends a provisional response (180 Ringing by default, 183 with early media SDP). */
  progress(status = 180, options: AnswerOptions = {}): void {
    if (this.#state !== 'pending') throw new InvalidStateError(`INVITE ${this.request.callId} is ${this.#state}`);
    if (status <= 100 || status >= 200) throw new InvalidStateError('progress takes a 101-199 status');
    this.#tx.respond(this.#response(status, options));
  }

  #response(status: number, options: AnswerOptions): ReturnType<typeof createResponse> {
    const headers: Record<string, string> = { contact: this.#core.contact(this.source), ...(options.headers ?? {}) };
    const o: ResponseOptions = { toTag: this.#toTag, headers };
    if (options.body !== undefined) {
      o.body = options.body;
      o.contentType = options.contentType ?? 'application/sdp';
    }
    return createResponse(this.request, status, o);
  }

  /**
   * Answers 200 OK and returns the session at once. The 2xx is retransmitted until the ACK arrives
   * (§13.3.1.4); `session.confirmed` says whether it did.
   */
  accept(options: AnswerOptions = {}): InviteSession {
    if (this.#state !== 'pending') throw new InvalidStateError(`INVITE ${this.request.callId} is ${this.#state}`);
    this.#settle('accepted');
    this.#onCancel = undefined; // never called once answered; the transaction lingers 32 s (RFC 6026 §7.1)
    // §13.3.1.4: the 2xx SHOULD say what else the dialog may carry.
    const res = this.#response(200, { ...options, headers: { allow: ALLOW, supported: SUPPORTED_HEADER, ...(options.headers ?? {}) } });
    const dialog = Dialog.fromUas(this.request, res);
    const session = new InviteSession(this.#core, dialog, this.source.protocol, res.body, this.request.body, this.source);
    this.#tx.respond(res);
    session.startUas2xx(res, this.source);
    return session;
  }

  /**
   * Rejects unless the INVITE is settled already: the caller may cancel, or the connection it came on may
   * fail (§17.2.4), while the application is still deciding. True when this call answered it.
   */
  refuse(status = 486, options: RejectOptions = {}): boolean {
    if (this.#state !== 'pending') return false;
    this.reject(status, options);
    return true;
  }

  /** Final non-2xx answer (486 Busy Here, 480, 603, …); throws once the INVITE is settled. */
  reject(status = 486, options: RejectOptions = {}): void {
    if (this.#state !== 'pending') throw new InvalidStateError(`INVITE ${this.request.callId} is ${this.#state}`);
    if (status < 300) throw new InvalidStateError('reject takes a 3xx-6xx status');
    this.#settle('rejected');
    this.#onCancel = undefined;
    const o: ResponseOptions = { toTag: this.#toTag };
    if (options.reason) o.reason = options.reason;
    if (options.headers) o.headers = options.headers;
    this.#tx.respond(createResponse(this.request, status, o));
  }
}

/** A final non-2xx answer's reason phrase and extra headers. */
interface RejectOptions {
  reason?: string;
  headers?: Record<string, string>;
}

/** The expiry timer of an INVITE, while it runs. */
interface Expiry {
  timer: TimerHandle | undefined;
}

/** Out of IncomingInvite's methods, so the closure kept by the transaction holds the timer, not the INVITE. */
function cancelWhenTerminated(tx: InviteServerTransaction, expiry: Expiry): void {
  tx.onTerminated(() => {
    expiry.timer?.cancel();
    expiry.timer = undefined;
  });
}

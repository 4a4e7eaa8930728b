import { newCallId, newTag } from '../message/ids.js';
import type { SipResponse } from '../message/sip-message.js';
import type { TimerHandle } from '../transaction/clock.js';
import type { TransportProtocol } from '../transport/transport-types.js';
import type { SipStack } from '../sip-stack.js';

export interface OutboundRegistrationOptions {
  /** Registrar URI, e.g. `sip:sip.carrier.example:5060`. */
  registrar: string;
  /** Address-of-record to register, e.g. `sip:+15551234567@sip.carrier.example`. */
  aor: string;
  username: string;
  password: string;
  /** Requested expiry in seconds (default 3600). */
  expires?: number;
  transport?: TransportProtocol;
  /** Retry delay after a failure, seconds (default 60). */
  retryAfter?: number;
}

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';

/**
 * Outbound registration for a carrier trunk (RFC 3261 §10.2): REGISTER with digest answers, refreshed
 * before expiry with the same Call-ID and increasing CSeq (§10.2.4), 423 handled by retrying with
 * Min-Expires (§10.2.8), retried after failures, and removed with Expires: 0 on `stop()`.
 */
export class OutboundRegistration {
  readonly #stack: SipStack;
  readonly #o: OutboundRegistrationOptions;
  readonly #callId: string;
  readonly #fromTag = newTag();
  #cseq = 0;
  #expires: number;
  #timer?: TimerHandle;
  #state: RegistrationState = 'unregistered';
  #listeners: Array<(s: RegistrationState, res?: SipResponse) => void> = [];
  #stopped = false;
  /** Expiry the registrar granted in the last 200 (seconds). */
  grantedExpires = 0;

  constructor(stack: SipStack, options: OutboundRegistrationOptions) {
    this.#stack = stack;
    this.#o = options;
    this.#callId = newCallId(stack.publicHost);
    this.#expires = options.expires ?? 3600;
  }

  get state(): RegistrationState {
    return this.#state;
  }

  onStateChange(fn: (s: RegistrationState, res?: SipResponse) => void): void {
    this.#listeners.push(fn);
  }

  #set(s: RegistrationState, res?: SipResponse): void {
    this.#state = s;
    for (const fn of this.#listeners) fn(s, res);
  }

  /** Registers now; resolves with the final response of this attempt. Refreshes continue until `stop()`. */
  async start(): Promise<SipResponse> {
    this.#stopped = false;
    return this.#register(this.#expires);
  }

  async #register(expires: number): Promise<SipResponse> {
    this.#timer?.cancel();
    if (expires > 0) this.#set('registering');
    const res = await this.#stack.request('REGISTER', {
      to: this.#o.aor,
      from: this.#o.aor,
      requestUri: this.#o.registrar,
      callId: this.#callId,
      cseq: ++this.#cseq,
      fromTag: this.#fromTag,
      credentials: { username: this.#o.username, password: this.#o.password },
      headers: { expires: String(expires) },
      ...(this.#o.transport ? { transport: this.#o.transport } : {}),
    });
    this.#cseq = Math.max(this.#cseq, res.cseq.seq);
    if (expires === 0) {
      this.#set('unregistered', res);
      return res;
    }
    if (res.status === 423) {
      const min = Number(res.headers.get('min-expires'));
      if (Number.isFinite(min) && min > expires) {
        this.#expires = min;
        return this.#register(min);
      }
    }
    if (res.status >= 200 && res.status < 300) {
      this.grantedExpires = this.#granted(res, expires);
      this.#set('registered', res);
      // Refresh a little before expiry: at half the interval for short ones, else 30 s early.
      const refreshIn = this.grantedExpires > 60 ? this.grantedExpires - 30 : Math.max(1, this.grantedExpires / 2);
      this.#schedule(refreshIn * 1000);
    } else {
      this.#set('failed', res);
      this.#schedule((this.#o.retryAfter ?? 60) * 1000);
    }
    return res;
  }

  #granted(res: SipResponse, requested: number): number {
    // Our binding: our contact user at our port (the host is whichever address the registrar reached).
    for (const c of res.contacts) {
      if (c.uri.user === this.#stack.contactUser && (c.uri.port ?? 5060) === this.#stack.port) {
        const e = Number(c.params.get('expires'));
        if (Number.isFinite(e) && e > 0) return e;
      }
    }
    const h = Number(res.headers.get('expires'));
    return Number.isFinite(h) && h > 0 ? h : requested;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#stack.clock.setTimer(ms, () => {
      this.#register(this.#expires).catch(() => this.#set('failed'));
    });
  }

  /** Stops refreshing and removes the binding (Expires: 0). */
  async stop(): Promise<SipResponse | undefined> {
    this.#stopped = true;
    this.#timer?.cancel();
    if (this.#state !== 'registered') {
      this.#set('unregistered');
      return undefined;
    }
    return this.#register(0);
  }
}

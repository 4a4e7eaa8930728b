import { DigestClient } from '../auth/digest-client.js';
import { Dialog } from '../dialog/dialog.js';
import { InviteSession } from '../dialog/invite-session.js';
import { SipHeaders } from '../message/headers.js';
import { SipRequest, type SipResponse } from '../message/sip-message.js';
import type { Destination } from '../transport/transport-types.js';
import { createResponse } from '../message/message-factory.js';
import type { TimerHandle } from '../transaction/clock.js';
import { isPrivateAddress } from '../../util/private-address.js';
import { parseUri } from '../message/uri.js';
import { LateAnswers } from './late-answers.js';
import { sendAndWait, type RequestHandle, type UserAgentCore } from './user-agent-core.js';

export type InviteResult =
  | { ok: true; session: InviteSession; response: SipResponse }
  | { ok: false; response: SipResponse; reason: 'rejected' | 'timeout' | 'transport-error' | 'cancelled' };

/**
 * An INVITE we send (UAC, RFC 3261 §13.2). `result` resolves once with the session (2xx, ACKed by us) or
 * the failure: the final response, or the synthetic 408 (Timer B) / 503 (transport error) of §8.1.3.1.
 * `cancel()` sends CANCEL (§9.1) — after the first provisional response, as §9.1 requires.
 */
export class OutgoingInvite {
  readonly result: Promise<InviteResult>;
  #resolve!: (r: InviteResult) => void;
  #core: UserAgentCore;
  #request: SipRequest;
  #dest: Destination;
  #onProgress?: (res: SipResponse) => void;
  #gotProvisional = false;
  #cancelRequested = false;
  #cancelSent = false;
  #done = false;
  #session?: InviteSession;
  #auth?: DigestClient;
  #authTries = 0;
  #handle?: RequestHandle;
  /** Where the current INVITE's responses go (see `#send`). */
  #route?: ResponseRoute;
  /** §9.1: the end of waiting for a final response after CANCEL. */
  #cancelGiveUp?: TimerHandle;

  /** True when the caller chose the destination (a registered contact): the dialog keeps using that flow. */
  readonly #flow: boolean;

  constructor(core: UserAgentCore, request: SipRequest, dest: Destination, credentials?: { username: string; password: string }, flow = false) {
    this.#core = core;
    this.#flow = flow;
    this.#request = request;
    this.#dest = dest;
    if (credentials) this.#auth = new DigestClient(credentials);
    this.result = new Promise((r) => (this.#resolve = r));
    this.#send();
  }

  /** The INVITE as last sent (a challenge makes a new one with a higher CSeq). */
  get request(): SipRequest {
    return this.#request;
  }

  get callId(): string {
    return this.#request.callId;
  }

  onProgress(fn: (res: SipResponse) => void): void {
    this.#onProgress = fn;
  }

  #finish(r: InviteResult): void {
    if (this.#done) return;
    this.#done = true;
    // Provisionals no longer matter; the transaction lingers (Timer M, RFC 6026 §7.2) without the caller's
    // callback, and without this object: later 2xx responses go to what LateAnswers keeps.
    this.#onProgress = undefined;
    this.#cancelGiveUp?.cancel();
    this.#cancelGiveUp = undefined;
    if (this.#route) {
      this.#route.invite = undefined;
      this.#route.late = new LateAnswers(this.#core, this.#request, this.#dest, this.#flow, this.#session);
    }
    this.#resolve(r);
  }

  #send(): void {
    // The transaction keeps these callbacks 64*T1 after the result: they reach this object (and its
    // request) only through `route`, which #finish points elsewhere.
    if (this.#route) this.#route.invite = undefined; // a challenged INVITE: its transaction has no more to say
    const route: ResponseRoute = { invite: this };
    this.#route = route;
    this.#handle = this.#core.send(this.#request, this.#dest, {
      onProvisional(res) {
        if (route.invite) route.invite.#provisional(res);
      },
      onFinal(res, synthetic) {
        if (route.invite) route.invite.#final(route.invite.#request, res, synthetic);
      },
      on2xxRetransmission(res) {
        if (route.invite) route.invite.#handle2xx(route.invite.#request, res);
        else route.late?.receive(res);
      },
    });
  }

  #provisional(res: SipResponse): void {
    if (res.status === 100 && this.#gotProvisional) return;
    this.#gotProvisional = true;
    if (this.#cancelRequested) this.#sendCancel();
    if (res.status > 100) this.#onProgress?.(res);
  }

  #final(req: SipRequest, res: SipResponse, synthetic: boolean): void {
    if (res.status >= 200 && res.status < 300) {
      this.#handle2xx(req, res);
      return;
    }
    if ((res.status === 401 || res.status === 407) && this.#auth && !this.#cancelRequested && this.#authTries < 2) {
      // §22.2: retry with credentials: same Call-ID and From tag, CSeq + 1, new branch.
      const retry = new SipRequest('INVITE', req.uri, stripVia(req.headers), req.body);
      retry.headers.set('cseq', `${req.cseq.seq + 1} INVITE`);
      if (this.#auth.authorize(retry, res)) {
        this.#authTries++;
        this.#request = retry;
        this.#gotProvisional = false;
        this.#send();
        return;
      }
    }
    const reason = synthetic ? (res.status === 408 ? 'timeout' : 'transport-error') : res.status === 487 ? 'cancelled' : 'rejected';
    this.#finish({ ok: false, response: res, reason });
  }

  /** The flow in-dialog requests keep using instead of the remote target: the one the caller chose, or
   *  ours when the peer's Contact is a private address while the peer we reached is not (a phone behind
   *  NAT that does not fix its Contact; RFC 3581's idea applied to the dialog: docs/phones.md, "NAT"). */
  #flowFor(dialog: Dialog): Destination | undefined {
    if (this.#flow) return this.#dest;
    if (dialog.routeSet.length > 0 || isPrivateAddress(this.#dest.host)) return undefined;
    try {
      return isPrivateAddress(parseUri(dialog.remoteTarget).host) ? this.#dest : undefined;
    } catch {
      return undefined;
    }
  }

  /** §13.2.2.4: every 2xx is ACKed; the first creates the session. A 2xx from another fork, or one that
   *  arrives after we cancelled, is ACKed and then hung up with BYE. */
  #handle2xx(req: SipRequest, res: SipResponse): void {
    const tag = res.toTag;
    if (this.#session && this.#session.dialog.id.remoteTag === tag) {
      this.#session.resendAck(req.cseq.seq);
      return;
    }
    const dialog = Dialog.fromUac(req, res);
    const session = new InviteSession(this.#core, dialog, this.#dest.protocol, req.body, res.body, this.#flowFor(dialog));
    session
      .nextHop()
      .then((dest) => {
        session.sendInitialAck(req.cseq.seq, dest);
        if (this.#session === session && !this.#cancelRequested) return;
        session.bye().catch(() => {});
      })
      .catch((err) => this.#core.log.warn({ err, callId: req.callId }, 'sip cannot route ACK'));
    if (!this.#session && !this.#cancelRequested) {
      this.#session = session;
      this.#finish({ ok: true, session, response: res });
    } else if (!this.#session && this.#cancelRequested) {
      this.#finish({ ok: false, response: res, reason: 'cancelled' });
    }
  }

  /** §9.1: cancels the pending INVITE. Does nothing once a final response arrived. */
  cancel(): void {
    if (this.#done || this.#cancelRequested) return;
    this.#cancelRequested = true;
    if (this.#gotProvisional) this.#sendCancel();
  }

  /** §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number and the top Via (same branch) of the
   *  INVITE, plus its Route headers; it is its own non-INVITE transaction to the same destination. */
  #sendCancel(): void {
    if (this.#cancelSent) return;
    this.#cancelSent = true;
    const inv = this.#request;
    const h = new SipHeaders();
    const via = inv.headers.getAll('via')[0];
    if (via !== undefined) h.append('via', via);
    for (const r of inv.headers.rows('route')) h.append('route', r);
    h.append('max-forwards', '70');
    h.append('from', inv.headers.get('from') ?? '');
    h.append('to', inv.headers.get('to') ?? '');
    h.append('call-id', inv.callId);
    h.append('cseq', `${inv.cseq.seq} CANCEL`);
    const cancel = new SipRequest('CANCEL', inv.uri, h);
    // The Via is already there (same branch as the INVITE): send as is.
    sendAndWait(this.#core, cancel, this.#dest, { keepVia: true }).catch(() => {});
    // §9.1: if the INVITE gets no final response within 64*T1 of the CANCEL, give up on it.
    this.#cancelGiveUp = this.#core.clock.setTimer(64 * this.#core.timers.T1, () => {
      if (this.#done) return;
      this.#handle?.terminate();
      this.#finish({ ok: false, response: createResponse(inv, 487, { reason: 'Request Terminated (no answer to CANCEL)' }), reason: 'cancelled' });
    });
  }
}

/** The OutgoingInvite until its result, then what its later 2xx responses need. */
interface ResponseRoute {
  invite: OutgoingInvite | undefined;
  late?: LateAnswers;
}

function stripVia(headers: SipHeaders): SipHeaders {
  const h = headers.clone();
  h.removeFirstValue('via');
  h.delete('authorization');
  h.delete('proxy-authorization');
  return h;
}

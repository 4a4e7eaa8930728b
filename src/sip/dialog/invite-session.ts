import { InvalidStateError } from '../errors.js';
import { ownBytes } from '../message/own-bytes.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseUri } from '../message/uri.js';
import type { TimerHandle } from '../transaction/clock.js';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.js';
import type { Destination, TransportProtocol } from '../transport/transport-types.js';
import type { IncomingRequest } from '../user-agent/incoming-request.js';
import { sendAndWait, type UserAgentCore } from '../user-agent/user-agent-core.js';
import type { Dialog } from './dialog.js';

export type SessionEndReason = 'local-bye' | 'remote-bye' | 'ack-timeout' | 'transport-error' | 'stack-closed';

export interface InDialogRequestOptions {
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Handler for requests the peer sends inside the session (re-INVITE, UPDATE, INFO, REFER, NOTIFY,
 *  MESSAGE, OPTIONS). If it does not respond, the session answers with the default for the method. */
export type InDialogRequestHandler = (req: IncomingRequest) => void | Promise<void>;

/** What a settled promise's resolver does. */
function settled(): void {}

/** A 2xx of ours being retransmitted until its ACK (§13.3.1.4). */
interface Pending2xx {
  timer?: TimerHandle;
  deadline: TimerHandle;
  onAck: (ok: boolean) => void;
}

/**
 * An INVITE dialog usage (RFC 3261 §13–§15): the call after a 2xx, in either direction. Sends and receives
 * in-dialog requests (BYE, re-INVITE, UPDATE RFC 3311, INFO RFC 6086, REFER RFC 3515, NOTIFY, MESSAGE RFC
 * 3428, OPTIONS), keeps ACK/2xx reliability for INVITE (§13.2.2.4, §13.3.1.4).
 */
export class InviteSession {
  readonly dialog: Dialog;
  readonly protocol: TransportProtocol;
  /** Our latest SDP (or other session body) and the peer's. */
  localBody: Buffer;
  remoteBody: Buffer;
  readonly #core: UserAgentCore;
  #handler?: InDialogRequestHandler;
  #ended: Promise<SessionEndReason>;
  #resolveEnded!: (r: SessionEndReason) => void;
  #endReason?: SessionEndReason;
  #confirmed: Promise<boolean>;
  #resolveConfirmed!: (ok: boolean) => void;
  /** UAS: the 2xx being retransmitted until its ACK (§13.3.1.4), keyed by CSeq number. */
  #pending2xx: Map<number, Pending2xx> | undefined;
  /** UAC: the ACKs we sent, by CSeq, to resend when a 2xx is retransmitted (§13.2.2.4). */
  #acks: Map<number, SipRequest> | undefined;
  #inviteInProgress = false;

  /** Where in-dialog requests go when there is no route set: the flow the dialog was set up on. */
  readonly #flow?: Destination;

  /**
   * `flow`: for a UAS, the INVITE's source; for a UAC, the destination the INVITE was sent to when the
   * caller chose it (a registered contact). Without a route set, in-dialog requests reuse it instead of
   * resolving the remote target, so they cross NATs and reuse the TCP connection (a choice: docs/sip.md).
   */
  constructor(core: UserAgentCore, dialog: Dialog, protocol: TransportProtocol, localBody: Buffer, remoteBody: Buffer, flow?: Destination) {
    this.#core = core;
    if (flow) this.#flow = { ...flow };
    this.dialog = dialog;
    this.protocol = protocol;
    this.localBody = localBody;
    this.remoteBody = remoteBody;
    this.#ended = new Promise((r) => (this.#resolveEnded = r));
    this.#confirmed = new Promise((r) => (this.#resolveConfirmed = r));
    if (dialog.role === 'uac') this.#resolveConfirmed(true);
    core.addSession(dialog.key, this);
  }

  get callId(): string {
    return this.dialog.id.callId;
  }

  /** The flow in-dialog requests reuse when there is no route set (see the constructor), if any. */
  get flow(): Destination | undefined {
    return this.#flow ? { ...this.#flow } : undefined;
  }

  get state(): 'confirmed' | 'terminated' {
    return this.#endReason ? 'terminated' : 'confirmed';
  }

  /** Resolves with why the session ended. */
  get ended(): Promise<SessionEndReason> {
    return this.#ended;
  }

  /** UAS: resolves true when the ACK for our 2xx arrives, false if it never does (64*T1). UAC: true. */
  get confirmed(): Promise<boolean> {
    return this.#confirmed;
  }

  onRequest(handler: InDialogRequestHandler): void {
    this.#handler = handler;
  }

  #end(reason: SessionEndReason): void {
    if (this.#endReason) return;
    this.#endReason = reason;
    this.#core.log.debug({ callId: this.callId, role: this.dialog.role, reason }, 'sip session ended');
    this.dialog.terminate();
    for (const p of this.#pending2xx?.values() ?? []) {
      p.timer?.cancel();
      p.deadline.cancel();
      p.onAck(false);
    }
    this.#pending2xx = undefined;
    // An ended session answers 481 without its handler: drop it, so the call behind it (the switch's
    // legs, media, facts) is not kept alive while the session lingers below.
    this.#handler = undefined;
    // Keep the session findable for a while so late 2xx retransmissions are still ACKed (§13.2.2.4).
    this.#core.clock.setTimer(64 * this.#core.timers.T1, () => this.#core.removeSession(this.dialog.key));
    this.#resolveConfirmed(false);
    this.#resolveEnded(reason);
    // Both promises are settled: their resolvers (and what they hold) need not linger with the session.
    this.#resolveConfirmed = settled;
    this.#resolveEnded = settled;
  }

  /** Ends the session locally without signalling (stack shutdown). */
  abandon(): void {
    this.#end('stack-closed');
  }

  /** Next hop for in-dialog requests (§12.2.1.1 / §8.1.2, or the flow, see the constructor). */
  nextHop(): Promise<Destination> {
    if (this.#flow && this.dialog.routeSet.length === 0) return Promise.resolve({ ...this.#flow });
    return this.#core.resolve(this.dialog.nextHopUri, this.protocol);
  }

  /** The next hop as far as it is known without resolving it: enough to pick the host in our Contact. */
  #peer(): Destination {
    return { protocol: this.protocol, host: parseUri(this.dialog.nextHopUri).host, port: 0 };
  }

  #destination(): Promise<Destination> {
    return this.nextHop();
  }

  #build(method: string, options: InDialogRequestOptions = {}, cseq?: number): SipRequest {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? ownBytes(options.body) : options.body;
    const o: Parameters<Dialog['createRequest']>[1] = { contact: this.#core.contact(this.#flow ?? this.#peer()) };
    if (cseq !== undefined) o.cseq = cseq;
    if (body) o.body = body;
    if (options.contentType) o.contentType = options.contentType;
    if (options.headers) o.headers = options.headers;
    return this.dialog.createRequest(method, o);
  }

  /** Sends a non-INVITE request in the dialog and resolves with its final response (408/503 synthetic on
   *  timeout/transport error). A 481/408 to a mid-dialog request ends the session (§12.2.1.2). */
  async request(method: string, options: InDialogRequestOptions = {}): Promise<SipResponse> {
    if (method === 'INVITE') return this.reinvite(options);
    if (method === 'ACK' || method === 'CANCEL') throw new InvalidStateError(`${method} is sent by the stack itself`);
    if (this.#endReason && method !== 'BYE') throw new InvalidStateError(`session ${this.callId} has ended`);
    const req = this.#build(method, options);
    const res = await sendAndWait(this.#core, req, await this.#destination());
    if (method !== 'BYE' && (res.status === 481 || res.status === 408)) this.#end('transport-error');
    if (method === 'UPDATE' && res.status >= 200 && res.status < 300) this.#afterOfferAnswer(req, res);
    return res;
  }

  /** §15.1.1: BYE ends the session whatever the answer. */
  async bye(): Promise<SipResponse> {
    if (this.#endReason) throw new InvalidStateError(`session ${this.callId} has already ended`);
    const req = this.#build('BYE');
    this.#end('local-bye');
    return sendAndWait(this.#core, req, await this.#destination());
  }

  /** §14.1: re-INVITE (one at a time, else 491 semantics apply locally); the 2xx is ACKed (§13.2.2.4). */
  async reinvite(options: InDialogRequestOptions = {}): Promise<SipResponse> {
    if (this.#endReason) throw new InvalidStateError(`session ${this.callId} has ended`);
    if (this.#inviteInProgress) throw new InvalidStateError('a re-INVITE is already in progress (RFC 3261 §14.1)');
    this.#inviteInProgress = true;
    const req = this.#build('INVITE', { ...options, contentType: options.contentType ?? 'application/sdp' });
    const dest = await this.#destination();
    try {
      return await new Promise<SipResponse>((resolve) => {
        this.#core.send(req, dest, {
          onFinal: (res) => {
            if (res.status >= 200 && res.status < 300) {
              this.#afterOfferAnswer(req, res);
              this.#sendAck(req.cseq.seq, dest);
            }
            resolve(res);
          },
          on2xxRetransmission: () => this.resendAck(req.cseq.seq),
        });
      });
    } finally {
      this.#inviteInProgress = false;
    }
  }

  #afterOfferAnswer(req: SipRequest, res: SipResponse): void {
    this.dialog.refreshTarget(res);
    if (req.body.length > 0) this.localBody = req.body;
    if (res.body.length > 0) this.remoteBody = res.body;
  }

  /** §13.2.2.4: the ACK for a 2xx is a new request in the dialog with the INVITE's CSeq number, sent without
   *  a transaction; it is resent for every retransmitted 2xx. */
  #sendAck(seq: number, dest: Destination): void {
    const ack = this.dialog.createRequest('ACK', { cseq: seq });
    (this.#acks ??= new Map()).set(seq, ack);
    this.#core.sendStateless(ack, dest).catch((err) => this.#core.log.warn({ err, callId: this.callId }, 'sip ACK send failed'));
  }

  /** Called by the outgoing INVITE for the initial 2xx. */
  sendInitialAck(seq: number, dest: Destination): void {
    this.#sendAck(seq, dest);
  }

  /** A 2xx retransmission for `seq` arrived: send the same ACK again, its Via (and branch) unchanged. */
  resendAck(seq: number): void {
    const ack = this.#acks?.get(seq);
    if (!ack) return;
    this.#destination()
      .then((dest) => this.#core.sendStateless(ack, dest, { keepVia: true }))
      .catch(() => {});
  }

  /**
   * UAS: §13.3.1.4 — retransmit the 2xx starting at T1 and doubling up to T2 until the ACK arrives; give up
   * after 64*T1, then end the session with a BYE.
   */
  startUas2xx(res: SipResponse, source: Destination): void {
    const seq = res.cseq.seq;
    const reliable = source.protocol !== 'udp';
    let interval = this.#core.timers.T1;
    const entry: Pending2xx = {
      deadline: this.#core.clock.setTimer(64 * this.#core.timers.T1, () => {
        entry.timer?.cancel();
        this.#pending2xx?.delete(seq);
        entry.onAck(false);
        this.#core.log.warn({ callId: this.callId }, 'sip no ACK for 2xx within 64*T1; sending BYE (RFC 3261 §13.3.1.4)');
        if (!this.#endReason) {
          const bye = this.#build('BYE');
          this.#end('ack-timeout');
          this.#destination()
            .then((dest) => sendAndWait(this.#core, bye, dest))
            .catch(() => {});
        }
      }),
      onAck: (ok) => {
        if (this.dialog.role === 'uas' && seq === this.dialog.remoteSeq) this.#resolveConfirmed(ok);
      },
    };
    const retransmit = (): void => {
      this.#core.sendResponse(res, source).catch(() => {});
      interval = Math.min(2 * interval, this.#core.timers.T2);
      entry.timer = this.#core.clock.setTimer(interval, retransmit);
    };
    if (!reliable) entry.timer = this.#core.clock.setTimer(interval, retransmit);
    (this.#pending2xx ??= new Map()).set(seq, entry);
  }

  /** ACK for one of our 2xx responses (§13.3.1.4): stop retransmitting. */
  receiveAck(ack: SipRequest): void {
    const seq = ack.cseq.seq;
    const p = this.#pending2xx?.get(seq);
    if (!p) return;
    p.timer?.cancel();
    p.deadline.cancel();
    this.#pending2xx?.delete(seq);
    if (ack.body.length > 0) this.remoteBody = ack.body;
    p.onAck(true);
  }

  /**
   * A request from the peer inside the dialog (§12.2.2). CSeq order is checked (500 if out of order);
   * BYE ends the session (§15.1.2); others go to the handler or get the default answer.
   */
  async receiveRequest(incoming: IncomingRequest, tx?: InviteServerTransaction): Promise<void> {
    const req = incoming.request;
    if (!this.dialog.acceptsRemoteCSeq(req)) {
      incoming.respond(500, { reason: 'Out of Order CSeq', headers: { 'retry-after': '1' } });
      return;
    }
    if (req.method === 'BYE') {
      incoming.respond(200);
      this.#end('remote-bye');
      return;
    }
    if (this.#endReason) {
      incoming.respond(481);
      return;
    }
    if (req.method === 'INVITE' || req.method === 'UPDATE') this.dialog.refreshTarget(req);
    if (req.method === 'INVITE' && this.#inviteInProgress) {
      // §14.2: a re-INVITE while ours is pending → 491 Request Pending.
      incoming.respond(491);
      return;
    }
    if (req.method === 'INVITE') {
      // The 2xx is retransmitted from the moment it is sent: a handler may answer and then await other
      // work, and the ACK that arrives meanwhile must find the 2xx it acknowledges (§13.3.1.4).
      incoming.onFinal((final) => {
        if (final.status < 200 || final.status >= 300) return;
        if (req.body.length > 0) this.remoteBody = req.body;
        if (final.body.length > 0) this.localBody = final.body;
        if (tx) this.startUas2xx(final, incoming.source);
      });
    }
    if (this.#handler) {
      try {
        await this.#handler(incoming);
      } catch (err) {
        this.#core.log.error({ err, callId: this.callId }, 'sip in-dialog handler threw');
      }
    }
    if (!incoming.finalResponse) this.#defaultAnswer(incoming);
    const final = incoming.finalResponse;
    if (req.method === 'UPDATE' && final && final.status < 300 && req.body.length > 0) {
      this.remoteBody = req.body;
      if (final.body.length > 0) this.localBody = final.body;
    }
  }

  /** Defaults when the application does not answer: re-INVITE/UPDATE → 200 with our current body;
   *  INFO, NOTIFY, MESSAGE, OPTIONS → 200; REFER → 603 (transfer is the switch's decision); others → 405. */
  #defaultAnswer(incoming: IncomingRequest): void {
    const m = incoming.request.method;
    const contact = { contact: this.#core.contact(incoming.source) };
    if (m === 'INVITE' || (m === 'UPDATE' && incoming.request.body.length > 0)) {
      incoming.respond(200, { headers: contact, body: this.localBody, contentType: 'application/sdp' });
    } else if (m === 'UPDATE') incoming.respond(200, { headers: contact });
    else if (m === 'INFO' || m === 'NOTIFY' || m === 'MESSAGE' || m === 'OPTIONS') incoming.respond(200);
    else if (m === 'REFER') incoming.respond(603);
    else incoming.respond(405, { headers: { allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, MESSAGE' } });
  }

  /** RFC 3515: asks the peer to call `target`; the implicit subscription's NOTIFYs reach `onRequest`. */
  refer(target: string, options: InDialogRequestOptions = {}): Promise<SipResponse> {
    return this.request('REFER', { ...options, headers: { 'refer-to': `<${target}>`, ...(options.headers ?? {}) } });
  }

  /** RFC 3515 §2.4.5: a NOTIFY of the REFER subscription with a message/sipfrag status line. */
  notifyReferStatus(statusLine: string, terminated: boolean): Promise<SipResponse> {
    return this.request('NOTIFY', {
      headers: { event: 'refer', 'subscription-state': terminated ? 'terminated;reason=noresource' : 'active;expires=60' },
      body: `${statusLine}\r\n`,
      contentType: 'message/sipfrag;version=2.0',
    });
  }

  info(body: string | Buffer, contentType: string): Promise<SipResponse> {
    return this.request('INFO', { body, contentType });
  }

  message(text: string, contentType = 'text/plain'): Promise<SipResponse> {
    return this.request('MESSAGE', { body: text, contentType });
  }
}


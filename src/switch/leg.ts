/**
 * A leg: one SIP dialog between Ringside and one party (ARCHITECTURE.md, "The canonical model"), as an
 * object handle — its id, party, user and direction, its media endpoint in the media engine and, once
 * answered, its InviteSession. Calls, ringing and conversations pass legs around, not ids.
 *
 * A leg answers the requests its party sends inside the dialog: INFO carries DTMF (RFC 6086, with
 * `application/dtmf-relay` or `application/dtmf`), which the media engine reports like an RFC 4733 digit;
 * a re-INVITE changes the media (RFC 3264 §8.4: `sendonly`/`inactive` from the party is hold, `sendrecv`
 * again is resume); a REFER asks for a transfer. What hold and REFER mean is up to the conversation the leg
 * is in (its `LegHost`); outside one, REFER gets 603.
 */
import type { LegRole, Party, UserRef } from '../events/model/facts.js';
import type { IncomingRequest, InviteSession, SipStack } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Negotiation, OpenOptions } from '../media/media-engine.js';
import type { Logger } from '../log/logger.js';
import { sipStatusForMediaError } from './media-sip-status.js';

/** What a leg is when it is created (its `leg.created` fact). */
export interface LegSpec {
  role: LegRole;
  party: Party;
  user?: UserRef;
  direction: 'in' | 'out';
  callerId?: string;
}

export interface LegDeps {
  stack: SipStack;
  media: MediaControl;
  log: Logger;
}

/** Where the in-dialog requests of a leg in a conversation go (conversation.ts). */
export interface LegHost {
  /** The leg's party changed the media direction by re-INVITE: on hold, or back. */
  held(leg: Leg, held: boolean): void;
  /** The leg's party sent a REFER (RFC 3515); the host answers it. */
  refer(leg: Leg, req: IncomingRequest): Promise<void>;
}

export class Leg {
  readonly legId: string;
  readonly role: LegRole;
  readonly party: Party;
  readonly user?: UserRef;
  readonly direction: 'in' | 'out';
  readonly callerId?: string;
  readonly #deps: LegDeps;
  #endpointId?: string;
  /** The endpoint is this leg's to close (not yet closed, not handed over to another session). */
  #ownsEndpoint = false;
  /** What the endpoint's last offer/answer negotiated, kept here so nobody has to ask the engine. */
  #negotiated?: Negotiation;
  #session?: InviteSession;
  #host?: LegHost;
  #log?: Logger;

  constructor(deps: LegDeps, legId: string, spec: LegSpec) {
    this.#deps = deps;
    this.legId = legId;
    this.role = spec.role;
    this.party = spec.party;
    if (spec.user) this.user = spec.user;
    this.direction = spec.direction;
    if (spec.callerId !== undefined) this.callerId = spec.callerId;
  }

  /** Lines about this leg (child logger made at the first line: most legs log none at info). */
  get log(): Logger {
    return (this.#log ??= this.#deps.log.child({ legId: this.legId }));
  }

  /** The leg's media endpoint (its RTP port in the media engine), once it has one. */
  get endpointId(): string | undefined {
    return this.#endpointId;
  }

  /** The leg's dialog, once answered. */
  get session(): InviteSession | undefined {
    return this.#session;
  }

  /** The codec the leg's media negotiated, once known (`leg.media-ready`). */
  get codec(): string | undefined {
    return this.#negotiated?.codec;
  }

  /** Binds a new media endpoint to the leg and returns its first SDP: our answer to the party's offer, or
   *  without one our offer (`peerHost`: where the party is believed to be, for the address in that offer;
   *  `webrtc`: the party is a browser). Rejects with the media engine's errors (no endpoint is left then). */
  async openMedia(remoteOffer?: string, peerHost?: string, opts: OpenOptions = {}): Promise<string> {
    const opened = await this.#deps.media.openEndpoint(this.legId, remoteOffer, peerHost, opts);
    this.adoptMedia(opened.endpointId);
    if (opened.negotiated) this.#negotiated = opened.negotiated;
    return opened.sdp;
  }

  /** The party's answer to our offer (in its 2xx, or in the ACK after a late offer). */
  async applyAnswer(answer: string): Promise<void> {
    this.#negotiated = await this.#deps.media.applyAnswer(this.#endpointId!, answer);
  }

  /** Takes over an endpoint that already carries the party's audio (a transferred party's). */
  adoptMedia(endpointId: string): void {
    this.#endpointId = endpointId;
    this.#ownsEndpoint = true;
  }

  /** Gives the endpoint up without closing it: it moves, with the party, to the session a transfer starts. */
  handOverMedia(): void {
    this.#ownsEndpoint = false;
  }

  /** Closes the leg's endpoint (once; not one handed over). */
  releaseMedia(): void {
    if (!this.#ownsEndpoint || this.#endpointId === undefined) return;
    this.#ownsEndpoint = false;
    const endpointId = this.#endpointId;
    this.#deps.media.closeEndpoint(endpointId).catch((err: unknown) => this.log.warn({ err, endpointId }, 'closing a media endpoint failed'));
  }

  /** The leg is answered: its dialog's requests are answered here from now on. */
  attach(session: InviteSession): void {
    this.#session = session;
    session.onRequest((req) => this.#request(req));
  }

  /** The conversation the leg is in (joined), or none (left). */
  setHost(host: LegHost | undefined): void {
    this.#host = host;
  }

  /** Ringside hangs up: BYE, if the dialog is still up (RFC 3261 §15.1.1). */
  hangUp(): void {
    if (this.#session?.state === 'confirmed') this.#session.bye().catch((err: unknown) => this.log.warn({ err }, 'BYE failed'));
  }

  async #request(req: IncomingRequest): Promise<void> {
    if (req.method === 'INFO') return this.#info(req);
    if (req.method === 'REFER') {
      if (this.#host) return this.#host.refer(this, req);
      req.respond(603, { reason: 'Transfer Not Possible Now' });
      return;
    }
    // Anything else (OPTIONS, an INVITE without an offer, …) gets the stack's default answer.
    if (req.method === 'INVITE' && req.request.body.length > 0) return this.#reoffer(req);
  }

  /** RFC 6086 INFO: a DTMF body goes to the media engine; other bodies get the stack's default 200. */
  async #info(req: IncomingRequest): Promise<void> {
    const contentType = req.request.headers.get('content-type') ?? '';
    if (!/^application\/dtmf/i.test(contentType)) return;
    try {
      await this.#deps.media.handleSipInfo(this.#endpointId!, contentType, req.request.body.toString('utf8'));
      req.respond(200);
    } catch (err) {
      req.respond(sipStatusForMediaError(err, { dtmfInfo: { contentType } }) === 415 ? 415 : 400, { reason: (err as Error).message.slice(0, 100) });
    }
  }

  /** A re-INVITE with an offer: the media engine answers it; the direction it leaves says whether the party
   *  put us on hold (we only receive, or nothing flows). */
  async #reoffer(req: IncomingRequest): Promise<void> {
    let answer: { sdp: string } & Negotiation;
    try {
      answer = await this.#deps.media.answerOffer(this.#endpointId!, req.request.body.toString('utf8'));
    } catch (err) {
      // RFC 3261 §14.2: an unacceptable re-offer is refused with 488; the session goes on unchanged.
      req.respond(sipStatusForMediaError(err) ?? 488);
      return;
    }
    const { sdp, ...negotiated } = answer;
    this.#negotiated = negotiated;
    req.respond(200, { headers: { contact: this.#deps.stack.contact(req.source) }, body: sdp, contentType: 'application/sdp' });
    this.#host?.held(this, negotiated.direction === 'recvonly' || negotiated.direction === 'inactive');
  }
}

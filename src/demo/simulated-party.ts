/**
 * What the simulated phones and the simulated carrier have in common: a SIP user agent on Ringside's own
 * stack (`SipStack`: INVITE in and out, digest answers to 401/407) with media from Ringside's own
 * `MediaEngine` (SDP offer/answer, G.711 RTP, RFC 4733 digits). Incoming calls ring (180) and are answered
 * only when the script asked for that call (`answerNext`); any other call just rings until Ringside
 * cancels it, like a phone nobody picks up.
 */
import type { IncomingInvite, OutgoingInvite, SipStack } from '../sip/index.js';
import type { MediaEngine } from '../media/media-engine.js';
import { CallRefusedError, DemoError } from './errors.js';
import { PartyCall } from './party-call.js';

/** Where a party's lines go: `say('bob', 'answers')`. */
export type Narrate = (actor: string, text: string) => void;

export interface AnswerRequest {
  /** Ring this long before answering (a person reaching for the phone). */
  afterMs?: number;
  /** Give up (reject) when no matching call arrives within this time. */
  timeoutMs?: number;
  /** Which INVITE to answer (default: the first one). */
  match?: (invite: IncomingInvite) => boolean;
  /** How the tour names the call in its lines (`the call to +15557770001`). */
  label?: string;
}

export interface PlaceCallOptions {
  /** Request-URI and To: `sip:+15550100@127.0.0.1:5060`. */
  to: string;
  /** From, as a URI or name-addr. */
  from: string;
  /** Answers Ringside's digest challenge (a device's INVITE, docs/switch.md "From a device"). */
  credentials?: { username: string; password: string };
  /** What the tour calls the target in its lines. */
  label: string;
}

interface Plan extends AnswerRequest {
  resolve: (call: PartyCall) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

let legCounter = 0;

export class SimulatedParty {
  readonly #plans: Plan[] = [];
  readonly #ringing = new Set<IncomingInvite>();
  readonly #calls = new Set<PartyCall>();
  readonly #outgoing = new Set<OutgoingInvite>();

  constructor(
    /** The name in the tour's lines: `alice`, `carrier`. */
    readonly name: string,
    readonly stack: SipStack,
    readonly media: MediaEngine,
    readonly voiceHz: number,
    protected readonly say: Narrate,
  ) {
    stack.onInvite((invite) => this.#incoming(invite));
  }

  /** `127.0.0.1:40312`: where this party's SIP listens. */
  get address(): string {
    return `${this.stack.publicHost}:${this.stack.port}`;
  }

  /** Answers the next incoming call that matches; rejects when none comes within `timeoutMs`. */
  answerNext(request: AnswerRequest = {}): Promise<PartyCall> {
    return new Promise<PartyCall>((resolve, reject) => {
      const plan: Plan = { ...request, resolve, reject };
      const timeoutMs = request.timeoutMs ?? 10_000;
      plan.timer = setTimeout(() => {
        this.#drop(plan);
        reject(new DemoError(`${this.name}: nothing rang within ${timeoutMs / 1000} s (waiting for ${request.label ?? 'a call'})`));
      }, timeoutMs);
      this.#plans.push(plan);
    });
  }

  #drop(plan: Plan): void {
    const i = this.#plans.indexOf(plan);
    if (i >= 0) this.#plans.splice(i, 1);
    clearTimeout(plan.timer);
  }

  #incoming(invite: IncomingInvite): void {
    const from = invite.request.from;
    const caller = from.displayName ? `${from.displayName} <${from.uri.user ?? ''}>` : (from.uri.user ?? '?');
    const dialled = invite.request.requestUri.user ?? '?';
    const plan = this.#plans.find((p) => !p.match || p.match(invite));
    invite.progress(180);
    this.#ringing.add(invite);
    invite.onCancel(() => {
      this.#ringing.delete(invite);
      this.say(this.name, `stops ringing: the call was cancelled (${dialled}, from ${caller})`);
    });
    if (!plan) {
      this.say(this.name, `rings: ${dialled}, from ${caller} (nobody picks up here)`);
      return;
    }
    this.#drop(plan);
    this.say(this.name, `rings: ${dialled}, from ${caller}`);
    setTimeout(() => {
      this.#ringing.delete(invite);
      if (invite.state !== 'pending') {
        plan.reject(new DemoError(`${this.name}: the call from ${caller} was ${invite.state} before it could be answered`));
        return;
      }
      this.#answer(invite).then(
        (call) => {
          this.say(this.name, `answers`);
          plan.resolve(call);
        },
        (err: Error) => plan.reject(err),
      );
    }, plan.afterMs ?? 0);
  }

  async #answer(invite: IncomingInvite): Promise<PartyCall> {
    const { endpointId } = await this.media.allocateEndpoint(`demo-${this.name}-${++legCounter}`);
    let answer: string;
    try {
      answer = this.media.createAnswer(endpointId, invite.offer.toString());
    } catch (err) {
      await this.media.closeEndpoint(endpointId);
      invite.refuse(488);
      throw new DemoError(`${this.name}: cannot answer Ringside's SDP offer: ${(err as Error).message}`);
    }
    if (invite.state !== 'pending') {
      await this.media.closeEndpoint(endpointId);
      throw new DemoError(`${this.name}: the call was ${invite.state} while answering`);
    }
    return this.#track(new PartyCall(this.name, invite.accept({ body: answer }), endpointId, this.media, this.voiceHz));
  }

  #track(call: PartyCall): PartyCall {
    this.#calls.add(call);
    void call.ended.then(() => this.#calls.delete(call));
    return call;
  }

  /** Places a call and resolves once it is answered; rejects with CallRefusedError on a final failure. */
  async call(o: PlaceCallOptions): Promise<PartyCall> {
    const { endpointId } = await this.media.allocateEndpoint(`demo-${this.name}-${++legCounter}`);
    const offer = this.media.createOffer(endpointId);
    let invite: OutgoingInvite;
    try {
      invite = await this.stack.invite({ to: o.to, from: o.from, body: offer, ...(o.credentials ? { credentials: o.credentials } : {}) });
    } catch (err) {
      await this.media.closeEndpoint(endpointId);
      throw err;
    }
    this.#outgoing.add(invite);
    let rang = false;
    invite.onProgress((res) => {
      if (rang || res.status !== 180) return;
      rang = true;
      this.say(this.name, `hears ringing (${o.label})`);
    });
    const result = await invite.result;
    this.#outgoing.delete(invite);
    if (!result.ok) {
      await this.media.closeEndpoint(endpointId);
      throw new CallRefusedError(o.label, result.response.status, result.response.reason);
    }
    try {
      this.media.applyAnswer(endpointId, result.response.body.toString());
    } catch (err) {
      await result.session.bye().catch(() => undefined);
      await this.media.closeEndpoint(endpointId);
      throw new DemoError(`${this.name}: cannot use the SDP answer for ${o.label}: ${(err as Error).message}`);
    }
    return this.#track(new PartyCall(this.name, result.session, endpointId, this.media, this.voiceHz));
  }

  /** Hangs up, cancels and refuses whatever a step left behind, and forgets its answer plans. */
  async reset(): Promise<void> {
    for (const plan of this.#plans.splice(0)) {
      clearTimeout(plan.timer);
      plan.reject(new DemoError(`${this.name}: the step ended before the call came`));
    }
    for (const invite of this.#ringing) invite.refuse(480);
    this.#ringing.clear();
    for (const invite of this.#outgoing) invite.cancel();
    await Promise.all([...this.#calls].map((c) => c.hangUp()));
  }

  /** Ends everything and closes the SIP stack (the media engine belongs to whoever made it). */
  async close(): Promise<void> {
    await this.reset();
    await this.stack.close();
  }
}

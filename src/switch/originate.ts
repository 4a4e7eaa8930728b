/**
 * Originate (click-to-call, spec realtime §5.3, teltel §7 "callback"): Ringside dials the first party;
 * when it answers it hears ringback while Ringside dials the second; when that one answers the two are
 * bridged (anchored media, as in call.ts). Either hang-up ends both (docs/switch.md, "Originate").
 *
 * Each side is one leg in the facts (role `operator` for a SIP device, `contact` for a phone, facts.ts
 * header): a user with several registered devices, or a ring group, is reached by forking the INVITE to
 * every device (first 2xx wins, the other forks are cancelled), as a forking proxy would; the facts see
 * one leg. Facts follow the originate sequence of test/support/random-sessions.ts exactly.
 */
import type { CallFact, Party, SessionStarted, UserRef } from '../events/model/facts.js';
import type { InviteSession, OutgoingInvite, OutgoingRequestOptions, SessionEndReason, SipStack } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { PlayItem } from '../media/player.js';
import type { Logger } from '../log/logger.js';
import type { FactSink } from '../events/model/fact-sink.js';
import { newPrefixedId, newSessionId } from '../util/ids.js';
import { CANCELLED, NOT_REGISTERED, RING_TIMEOUT, UNREACHABLE, dialResultForInvite, type DialOutcome } from './dial-results.js';
import { SessionFacts } from './session-facts.js';
import { codecOf, recordHangup, type Side } from './bridge.js';

/** One side of an originate: the party and every INVITE that reaches it (one per device; none = unreachable). */
export interface OriginateTarget {
  party: Party;
  user?: UserRef;
  /** The caller ID this side sees (the From user of its INVITEs). */
  callerId: string;
  requests: Omit<OutgoingRequestOptions, 'body' | 'contentType'>[];
  ringTimeoutMs: number;
}

export interface OriginatePlan {
  start: Omit<SessionStarted, 'type' | 'sessionId' | 'at'>;
  first: OriginateTarget;
  second: OriginateTarget;
  /** Ringside as a party, for the hangups it decides. */
  localParty: Party;
}

export interface OriginateDeps {
  stack: SipStack;
  media: MediaControl;
  facts: FactSink;
  logger: Logger;
}

/** What the first side hears while the second rings (a deployment may replace the prompt, prompts.ts). */
const RINGBACK: PlayItem = { prompt: 'ringback' };

const ABORTED: DialOutcome = { result: 'ABORT', cause: 'error' };
const MEDIA_FAILED: DialOutcome = { result: 'CONGESTION', cause: 'congestion', sipStatus: 503 };

type LegResult = { ok: true; session: InviteSession } | { ok: false; outcome: DialOutcome };

interface Fork {
  invite?: OutgoingInvite;
  done: boolean;
  outcome?: DialOutcome;
}

/** One side: its INVITE forked to every request; the first 2xx wins, all failing fails the leg. */
class ForkedLeg {
  readonly legId: string;
  readonly target: OriginateTarget;
  endpointId?: string;
  readonly result: Promise<LegResult>;
  #resolve!: (r: LegResult) => void;
  #settled = false;
  #ringing = false;
  #timer?: NodeJS.Timeout;
  #forks: Fork[] = [];
  readonly #deps: OriginateDeps;
  readonly #log: Logger;
  readonly #onRinging: () => void;

  constructor(deps: OriginateDeps, legId: string, target: OriginateTarget, log: Logger, onRinging: () => void) {
    this.#deps = deps;
    this.legId = legId;
    this.target = target;
    this.#log = log;
    this.#onRinging = onRinging;
    this.result = new Promise((r) => (this.#resolve = r));
  }

  get settled(): boolean {
    return this.#settled;
  }

  start(): Promise<LegResult> {
    if (this.#settled) return this.result;
    if (this.target.requests.length === 0) this.#settle({ ok: false, outcome: NOT_REGISTERED });
    else void this.#go();
    return this.result;
  }

  /** Gives up on the leg (ring timeout, shutdown, the other side left): every fork is cancelled. */
  cancel(outcome: DialOutcome): void {
    if (this.#settled) return;
    this.#settle({ ok: false, outcome });
    for (const f of this.#forks) f.invite?.cancel();
  }

  async #go(): Promise<void> {
    let offer: string;
    try {
      const { endpointId } = await this.#deps.media.allocateEndpoint(this.legId);
      if (this.#settled) {
        // Cancelled while the port was being bound: nobody will use it.
        this.#deps.media.closeEndpoint(endpointId).catch(() => undefined);
        return;
      }
      this.endpointId = endpointId;
      offer = await this.#deps.media.createOffer(endpointId);
    } catch (err) {
      this.#log.warn({ err }, 'no media for the leg');
      this.#settle({ ok: false, outcome: MEDIA_FAILED });
      return;
    }
    this.#timer = setTimeout(() => {
      this.#log.info('ring timeout: cancelling the leg');
      this.cancel(RING_TIMEOUT);
    }, this.target.ringTimeoutMs);
    this.#forks = this.target.requests.map(() => ({ done: false }));
    await Promise.all(this.target.requests.map((req, i) => this.#fork(this.#forks[i]!, req, offer)));
  }

  async #fork(f: Fork, req: Omit<OutgoingRequestOptions, 'body' | 'contentType'>, offer: string): Promise<void> {
    try {
      const invite = await this.#deps.stack.invite({ ...req, body: offer, contentType: 'application/sdp' });
      f.invite = invite;
      this.#log.info({ to: this.target.party.number, sipCallId: invite.callId }, 'dialling');
      if (this.#settled) invite.cancel();
      invite.onProgress(() => {
        if (this.#settled || this.#ringing) return;
        this.#ringing = true;
        this.#onRinging();
      });
      const r = await invite.result;
      if (r.ok) {
        if (this.#settled) {
          // RFC 3261 §9.1: a 2xx crossed our CANCEL, or another fork won: hang it up.
          r.session.bye().catch(() => undefined);
          return;
        }
        try {
          await this.#deps.media.applyAnswer(this.endpointId!, r.response.body.toString('utf8'));
        } catch (err) {
          this.#log.warn({ err }, 'answer SDP unusable; hanging up the fork');
          r.session.bye().catch(() => undefined);
          f.outcome = { result: 'CONGESTION', cause: 'error', sipStatus: 488 };
          f.done = true;
          return this.#check();
        }
        if (this.#settled) {
          // Another fork won, or the leg was cancelled, while the answer was applied.
          r.session.bye().catch(() => undefined);
          return;
        }
        this.#settle({ ok: true, session: r.session });
        for (const other of this.#forks) if (other !== f && !other.done) other.invite?.cancel();
        return;
      }
      f.outcome = dialResultForInvite(r);
    } catch (err) {
      this.#log.warn({ err }, 'dialling failed');
      f.outcome = UNREACHABLE;
    }
    f.done = true;
    this.#check();
  }

  #check(): void {
    if (this.#settled || !this.#forks.every((f) => f.done)) return;
    const outcomes = this.#forks.map((f) => f.outcome!);
    // Busy everywhere is BUSY; else a no-answer, else the first refusal (a fork that was never reachable
    // says less than one that answered with a status).
    const pick = outcomes.find((o) => o.result === 'BUSY' && outcomes.every((x) => x.result === 'BUSY')) ?? outcomes.find((o) => o.result === 'NOANSWER') ?? outcomes.find((o) => o.result !== 'CHANUNAVAIL') ?? outcomes[0]!;
    this.#settle({ ok: false, outcome: pick });
  }

  #settle(r: LegResult): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#resolve(r);
  }
}

export class Originate {
  readonly sessionId = newSessionId();
  readonly done: Promise<void>;
  readonly #deps: OriginateDeps;
  readonly #plan: OriginatePlan;
  readonly #facts: SessionFacts;
  readonly #log: Logger;
  #legSeq = 0;
  #aborted = false;
  /** The leg being dialled, while one is. */
  #dialling?: ForkedLeg;
  /** The first side's dialog, once the two sides are bridged. */
  #bridgedSession?: InviteSession;
  readonly #endpoints = new Set<string>();
  #resolveDone!: () => void;

  constructor(deps: OriginateDeps, plan: OriginatePlan) {
    this.#deps = deps;
    this.#plan = plan;
    this.#log = deps.logger.child({ sessionId: this.sessionId, callId: plan.start.callId });
    this.#facts = new SessionFacts(this.sessionId, deps.facts, this.#log);
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  get facts(): readonly CallFact[] {
    return this.#facts.facts;
  }

  /** Runs the originate to its end. Never rejects. */
  async run(): Promise<void> {
    try {
      await this.#run();
    } catch (err) {
      this.#log.error({ err }, 'originate failed unexpectedly');
    } finally {
      for (const id of this.#endpoints) this.#deps.media.closeEndpoint(id).catch((err: unknown) => this.#log.warn({ err, endpointId: id }, 'closing a media endpoint failed'));
      await this.#facts.flush();
      this.#log.info('originate over');
      this.#resolveDone();
    }
  }

  /** Ends it now (Ringside is stopping): a ringing leg is cancelled (ABORT), an answered one gets a BYE. */
  abort(): void {
    this.#aborted = true;
    this.#dialling?.cancel(ABORTED);
    if (this.#bridgedSession?.state === 'confirmed') this.#bridgedSession.bye().catch(() => undefined);
  }

  #newLeg(target: OriginateTarget): ForkedLeg {
    const legId = `${this.sessionId}.${++this.#legSeq}`;
    const leg = new ForkedLeg(this.#deps, legId, target, this.#log.child({ legId }), () => this.#facts.record({ type: 'leg.ringing', legId }));
    this.#facts.record({
      type: 'leg.created',
      legId,
      role: target.party.kind === 'sip' ? 'operator' : 'contact',
      party: target.party,
      direction: 'out',
      callerId: target.callerId,
      ...(target.user ? { user: target.user } : {}),
    });
    return leg;
  }

  /** Dials a leg; an answered leg gets its facts, a failed one its `leg.failed`. */
  async #dial(leg: ForkedLeg): Promise<LegResult> {
    this.#dialling = leg;
    const r = await leg.start();
    if (this.#dialling === leg) this.#dialling = undefined;
    if (leg.endpointId) this.#endpoints.add(leg.endpointId);
    if (r.ok) {
      this.#log.info({ legId: leg.legId }, 'leg answered');
      this.#facts.record({ type: 'leg.answered', legId: leg.legId });
      this.#facts.record({ type: 'leg.media-ready', legId: leg.legId, ...(await codecOf(this.#deps.media, leg.endpointId!)) });
    } else {
      const o = r.outcome;
      this.#log.info({ legId: leg.legId, result: o.result, sipStatus: o.sipStatus }, 'leg failed');
      this.#facts.record({ type: 'leg.failed', legId: leg.legId, result: o.result, cause: o.cause, ...(o.sipStatus !== undefined ? { sipStatus: o.sipStatus } : {}) });
    }
    return r;
  }

  async #run(): Promise<void> {
    const { start, first, second, localParty } = this.#plan;
    this.#log.info({ from: first.party.number, to: second.party.number }, 'originate started');
    this.#facts.record({ type: 'session.started', ...start });
    const a = this.#newLeg(first);
    if (this.#aborted) a.cancel(ABORTED);
    const ra = await this.#dial(a);
    if (!ra.ok) {
      // The first side never answered: nothing else is dialled.
      this.#facts.record({ type: 'session.ended', hangupBy: localParty, cause: this.#aborted ? 'error' : ra.outcome.cause });
      return;
    }
    const aSide: Side = { legId: a.legId, party: first.party, session: ra.session };
    const media = this.#deps.media;
    const aEndpoint = a.endpointId!;
    if (ra.session.state !== 'confirmed' && !this.#aborted) {
      // Gone already (hung up at once, or never ACKed our 2xx): nothing else is dialled.
      this.#facts.record({ type: 'leg.ended', legId: a.legId, by: 'remote', cause: 'normal' });
      this.#facts.record({ type: 'session.ended', hangupBy: first.party, hangupLegId: a.legId, cause: 'originator-cancel' });
      return;
    }
    try {
      const ringback = await media.play(aEndpoint, RINGBACK, { loop: true });
      void ringback.done.then((outcome) => this.#log.debug({ legId: a.legId, outcome }, 'ringback over'));
    } catch (err) {
      this.#log.warn({ err }, 'ringback failed; the first side hears silence');
    }
    const b = this.#newLeg(second);
    if (this.#aborted) b.cancel(ABORTED);
    // The first side may hang up while the second rings: then the second is cancelled.
    let firstLeft: SessionEndReason | undefined;
    void ra.session.ended.then((reason) => {
      if (b.settled) return;
      firstLeft = reason;
      this.#log.info({ legId: a.legId, reason }, 'the first side left while the second rang');
      b.cancel(CANCELLED);
    });
    const rb = await this.#dial(b);
    // The endpoint may be gone with the first side: then there is nothing to stop.
    await media.stopPlayback(aEndpoint).catch(() => undefined);
    if (!rb.ok) {
      if (firstLeft !== undefined) {
        const byRemote = firstLeft === 'remote-bye';
        this.#facts.record({ type: 'leg.ended', legId: a.legId, by: byRemote ? 'remote' : 'local', cause: byRemote ? 'normal' : 'temporary-failure' });
        this.#facts.record({ type: 'session.ended', hangupBy: byRemote ? first.party : localParty, ...(byRemote ? { hangupLegId: a.legId } : {}), cause: 'originator-cancel' });
        return;
      }
      // The second side failed (or Ringside is stopping): Ringside hangs up the first.
      if (ra.session.state === 'confirmed') ra.session.bye().catch((err: unknown) => this.#log.warn({ err, legId: a.legId }, 'BYE failed'));
      this.#facts.record({ type: 'leg.ended', legId: a.legId, by: 'local', cause: 'normal' });
      this.#facts.record({ type: 'session.ended', hangupBy: localParty, cause: this.#aborted ? 'error' : rb.outcome.cause });
      return;
    }
    const bSide: Side = { legId: b.legId, party: second.party, session: rb.session };
    const conversationId = newPrefixedId('conv');
    try {
      await media.connect(aEndpoint, b.endpointId!);
    } catch (err) {
      this.#log.error({ err }, 'connecting the media failed');
    }
    this.#facts.record({ type: 'leg.joined', legId: a.legId, conversationId });
    this.#facts.record({ type: 'leg.joined', legId: b.legId, conversationId });
    this.#bridgedSession = ra.session;
    if (this.#aborted && ra.session.state === 'confirmed') ra.session.bye().catch(() => undefined);
    const sides = [aSide, bSide];
    const firstEnd = await Promise.race(sides.map((side) => side.session.ended.then((reason) => ({ side, reason }))));
    this.#hangup(firstEnd.side, firstEnd.reason, sides, conversationId, aEndpoint);
  }

  /** One side ended: BYE the other and close the session (bridge.ts). */
  #hangup(hanger: Side, reason: SessionEndReason, sides: Side[], conversationId: string, relayEndpoint: string): void {
    this.#deps.media.disconnect(relayEndpoint).catch(() => undefined);
    this.#facts.record(recordHangup(this.#facts, this.#log, this.#plan.localParty, hanger, reason, sides, conversationId));
  }
}

/**
 * One call through the switch: a back-to-back user agent with anchored media (docs/switch.md).
 *
 * The caller's INVITE (the `caller` leg) is held while Ringside dials targets in rounds: every target of
 * a round rings in parallel (ring-all, forward, one user's devices in round-robin) until one answers, all
 * fail, the round's ring timeout passes, or the caller cancels. The first 2xx wins: the others are
 * cancelled (RFC 3261 §9.1), the caller is answered with an SDP answer from the media engine, and the two
 * RTP endpoints are connected (relay; the engine transcodes). A BYE from either side ends the other.
 * Line options add steps: an answered leg may first have to accept the call or enter a PIN (leg-screen.ts);
 * nobody answering may lead to voicemail (voicemail.ts); a bridged call may be recorded, is held and
 * resumed by re-INVITE, and ends at the account's time limit.
 *
 * Every step is a fact, in the order facts.ts guarantees, recorded through SessionFacts.
 */
import type { CallFact, HangupCause, Party, SessionStarted, UserRef } from '../events/model/facts.js';
import type { IncomingInvite, InviteResult, InviteSession, OutgoingInvite, OutgoingRequestOptions, SipResponse, SipStack } from '../sip/index.js';
import type { MediaControl, MediaListener } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import { newPrefixedId, newSessionId } from '../util/ids.js';
import { CANCELLED, NOT_REGISTERED, RING_TIMEOUT, UNREACHABLE, callerStatusWhenUnanswered, dialResultForInvite, type DialOutcome } from './dial-results.js';
import { SessionFacts } from './session-facts.js';
import { codecOf, recordHangup, type Side } from './bridge.js';
import type { FactDraft } from './session-facts.js';
import type { FactSink } from '../events/model/fact-sink.js';
import { LegScreen, type ScreenOptions } from './leg-screen.js';
import { takeVoicemail, type VoicemailBox } from './voicemail.js';
import type { IncomingRequest } from '../sip/index.js';

/** One party to dial. */
export interface DialTarget {
  party: Party;
  user?: UserRef;
  /** The INVITE to send (To, Request-URI, From, destination, transport, credentials). Absent when there is
   *  nothing to ring (a user with no registered device): the leg fails with CHANUNAVAIL at once. */
  request?: Omit<OutgoingRequestOptions, 'body' | 'contentType'>;
  /** Caller ID presented on this leg (the From user). */
  callerId?: string;
}

/** Targets rung together, for at most `timeoutMs`. */
export interface DialRound {
  targets: DialTarget[];
  timeoutMs: number;
}

export interface CallPlan {
  start: Omit<SessionStarted, 'type' | 'sessionId' | 'at'>;
  /** `direction` is `in` unless the caller is a transferred party Ringside had dialled. */
  caller: { party: Party; user?: UserRef; direction?: 'in' | 'out' };
  /** Tried in order until a target answers. */
  rounds: DialRound[];
  /** Ringside as a party, for hangups it decides (the DID on inbound calls, spec teltel §6 rule 7). */
  localParty: Party;
  /** Tell the caller the single refusal the target gave (outgoing/internal calls), not a generic 480. */
  passThrough: boolean;
  /** An answered leg accepts the call (confirmation) or enters a PIN before it is connected. */
  screen?: ScreenOptions;
  /** Nobody answered (or the line goes straight to voicemail): the caller leaves a message. */
  voicemail?: VoicemailBox;
  /** Record the conversation (two channels: caller left, the other party right). */
  record?: boolean;
  /** The longest a bridged call may last; then Ringside hangs up both sides. */
  timeLimitMs?: number;
}

export interface CallDeps {
  stack: SipStack;
  media: MediaControl;
  facts: FactSink;
  logger: Logger;
  /** The URL a recording is served at (`recording.finished.url`, teltel `audio_url`). */
  recordingUrl: (recordingId: string) => string;
  /** Blind transfer (REFER): the plan of the session that continues the call with `target` (the Refer-To
   *  user), or undefined when that names nobody; and how to run it. Without these, REFER gets 603. */
  transfer?: {
    plan: (request: TransferRequest) => Promise<CallPlan | undefined>;
    start: (plan: CallPlan, caller: TransferredCaller) => void;
  };
}

/** A REFER in a bridged call: who asked, for whom, and to go where. */
export interface TransferRequest {
  sessionId: string;
  plan: CallPlan;
  /** The Refer-To URI's user part: an extension, PIN or number. */
  target: string;
  /** The party being moved (the other side of the transferor). */
  transferee: { party: Party; user?: UserRef; direction: 'in' | 'out' };
}

/** The caller of a session that continues a transferred call: already answered, with media in place. */
export interface TransferredCaller {
  session: InviteSession;
  endpointId: string;
}

interface TargetLeg {
  legId: string;
  target: DialTarget;
  log: Logger;
  /** As the facts see it: dialling until answered (then maybe screening: confirmation or PIN) or failed;
   *  `ended`: answered, but hung up before it was connected. */
  state: 'dialling' | 'screening' | 'answered' | 'failed' | 'ended';
  screen?: LegScreen;
  /** Ringside gave up on it: a late 2xx is hung up, the INVITE cancelled. */
  abandoned: boolean;
  ringing: boolean;
  endpointId?: string;
  invite?: OutgoingInvite;
  session?: InviteSession;
  outcome?: DialOutcome;
}

interface Round {
  legs: TargetLeg[];
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve: (winner: TargetLeg | undefined) => void;
}

/** Media errors carry the SIP status to answer with (media/errors.ts: 488, 503). */
function sipStatusOf(err: unknown): number | undefined {
  const s = (err as { sipStatus?: unknown } | null)?.sipStatus;
  return typeof s === 'number' ? s : undefined;
}

export class Call {
  readonly sessionId = newSessionId();
  readonly callerLegId: string;
  /** Resolves when the call is over and its facts are recorded. */
  readonly done: Promise<void>;
  readonly #deps: CallDeps;
  /** The caller's INVITE, still to be answered; or the party a transfer moved here (answered already). */
  readonly #invite?: IncomingInvite;
  readonly #transferred?: TransferredCaller;
  readonly #plan: CallPlan;
  readonly #facts: SessionFacts;
  readonly #log: Logger;
  #phase: 'ringing' | 'bridged' | 'voicemail' | 'ended' = 'ringing';
  #legSeq = 0;
  #callerEndpoint?: string;
  #callerSdp?: string;
  #lateOffer = false;
  #ringSent = false;
  #round?: Round;
  /** The leg that answered, until the caller is answered too. */
  #winner?: TargetLeg;
  readonly #failed: TargetLeg[] = [];
  readonly #endpoints = new Set<string>();
  #callerSession?: InviteSession;
  /** Legs of the conversation on hold (re-INVITE). */
  readonly #held = new Set<string>();
  /** While bridged (from both `leg.joined` to the hangup): both sides, and what a transfer needs to move one
   *  of them. */
  #bridged?: { side: Side; endpointId: string; user?: UserRef; direction: 'in' | 'out' }[];
  /** Set while bridged: a REFER moved the other party away; ends the bridge without hanging it up. */
  #transferOut?: (transferor: Side) => void;
  #resolveDone!: () => void;

  constructor(deps: CallDeps, caller: IncomingInvite | TransferredCaller, plan: CallPlan) {
    this.#deps = deps;
    if ('endpointId' in caller) this.#transferred = caller;
    else this.#invite = caller;
    this.#plan = plan;
    this.#log = deps.logger.child({ sessionId: this.sessionId, callId: plan.start.callId, sipCallId: this.#invite?.request.callId ?? this.#transferred?.session.callId });
    this.#facts = new SessionFacts(this.sessionId, deps.facts, this.#log);
    this.callerLegId = this.#nextLegId();
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  /** The facts recorded so far (all of them once `done` resolved): the call's report is built from them. */
  get facts(): readonly CallFact[] {
    return this.#facts.facts;
  }

  get phase(): 'ringing' | 'bridged' | 'voicemail' | 'ended' {
    return this.#phase;
  }

  #nextLegId(): string {
    return `${this.sessionId}.${++this.#legSeq}`;
  }

  /** Runs the call to its end. Never rejects. */
  async run(): Promise<void> {
    try {
      await this.#run();
    } catch (err) {
      this.#log.error({ err }, 'call failed unexpectedly');
      if (this.#phase === 'ringing') this.#refuseCaller(500, 'error');
    } finally {
      await this.#finish();
    }
  }

  async #run(): Promise<void> {
    const { start, caller } = this.#plan;
    this.#log.info({ kind: start.kind, from: start.from.number, to: start.to.number, line: start.line?.id }, 'call started');
    this.#facts.record({ type: 'session.started', ...start });
    this.#facts.record({ type: 'leg.created', legId: this.callerLegId, role: 'caller', party: caller.party, direction: caller.direction ?? 'in', ...(caller.user ? { user: caller.user } : {}) });
    if (this.#transferred) await this.#takeTransferred(this.#transferred);
    else await this.#takeInvite(this.#invite!);
    for (const round of this.#plan.rounds) {
      if (this.#phase !== 'ringing') return;
      const winner = await this.#ringRound(round);
      // The caller may have left meanwhile (then #dropWinner hung the winner up).
      if (this.#phase !== 'ringing') return;
      if (winner) return this.#bridge(winner);
    }
    if (this.#phase === 'ringing') await this.#unanswered();
  }

  /** The caller's INVITE: its media endpoint and the SDP to answer it with. */
  async #takeInvite(invite: IncomingInvite): Promise<void> {
    invite.onCancel(() => this.#callerCancelled());
    if (this.#phase !== 'ringing') return;
    try {
      const { endpointId } = await this.#deps.media.allocateEndpoint(this.callerLegId);
      this.#endpoints.add(endpointId);
      this.#callerEndpoint = endpointId;
      const offer = invite.offer.toString('utf8');
      if (offer.trim() !== '') this.#callerSdp = await this.#deps.media.createAnswer(endpointId, offer);
      else {
        // RFC 3264 §5 / RFC 3261 §13.2.1: no offer in the INVITE, so the 2xx carries ours and the ACK the answer.
        this.#callerSdp = await this.#deps.media.createOffer(endpointId);
        this.#lateOffer = true;
      }
    } catch (err) {
      this.#log.warn({ err, legId: this.callerLegId }, 'caller media refused');
      if (this.#phase === 'ringing') this.#refuseCaller(sipStatusOf(err) ?? 503, 'error');
    }
  }

  /** A transferred party: answered already, its media endpoint carried over; it hears ringback while the
   *  transfer target rings, and hanging up cancels the targets as a CANCEL would. */
  async #takeTransferred(t: TransferredCaller): Promise<void> {
    this.#callerEndpoint = t.endpointId;
    this.#endpoints.add(t.endpointId);
    this.#callerSession = t.session;
    t.session.onRequest((req) => this.#inDialog(this.callerLegId, t.endpointId, req));
    void t.session.ended.then(() => this.#callerCancelled());
    if (t.session.state !== 'confirmed') return this.#callerCancelled();
    await this.#deps.media.play(t.endpointId, { prompt: 'ringback' }, { loop: true }).catch((err: unknown) => this.#log.warn({ err }, 'no ringback for the transferred party'));
  }

  // ---- ringing -----------------------------------------------------------------------------------

  #ringRound(round: DialRound): Promise<TargetLeg | undefined> {
    return new Promise((resolve) => {
      const r: Round = { legs: [], settled: false, resolve };
      this.#round = r;
      for (const target of round.targets) {
        const legId = this.#nextLegId();
        const leg: TargetLeg = { legId, target, log: this.#log.child({ legId }), state: 'dialling', abandoned: false, ringing: false };
        r.legs.push(leg);
        this.#facts.record({
          type: 'leg.created',
          legId,
          role: 'callee',
          party: target.party,
          direction: 'out',
          ...(target.callerId !== undefined ? { callerId: target.callerId } : {}),
          ...(target.user ? { user: target.user } : {}),
        });
      }
      for (const leg of r.legs) {
        if (!leg.target.request) this.#fail(leg, NOT_REGISTERED);
        else void this.#dial(leg);
      }
      if (!r.settled) r.timer = setTimeout(() => this.#ringTimeout(r), round.timeoutMs);
      this.#checkRound(r);
    });
  }

  #endRound(r: Round, winner: TargetLeg | undefined): void {
    if (r.settled) return;
    r.settled = true;
    if (r.timer) clearTimeout(r.timer);
    if (this.#round === r) this.#round = undefined;
    r.resolve(winner);
  }

  #checkRound(r: Round): void {
    if (!r.settled && r.legs.every((l) => l.state === 'failed' || l.state === 'ended')) this.#endRound(r, undefined);
  }

  #ringTimeout(r: Round): void {
    this.#log.info({ legs: r.legs.filter((l) => l.state === 'dialling').map((l) => l.legId) }, 'ring timeout: cancelling the legs still ringing');
    for (const leg of r.legs) {
      if (leg.state !== 'dialling') continue;
      this.#abandon(leg);
      this.#fail(leg, RING_TIMEOUT);
    }
  }

  async #dial(leg: TargetLeg): Promise<void> {
    try {
      const { endpointId } = await this.#deps.media.allocateEndpoint(leg.legId);
      this.#endpoints.add(endpointId);
      leg.endpointId = endpointId;
      if (leg.abandoned) return this.#release(leg);
      const offer = await this.#deps.media.createOffer(endpointId);
      if (leg.abandoned) return this.#release(leg);
      const invite = await this.#deps.stack.invite({ ...leg.target.request!, body: offer, contentType: 'application/sdp' });
      leg.invite = invite;
      leg.log.info({ to: leg.target.party.number, sipCallId: invite.callId }, 'dialling');
      if (leg.abandoned) invite.cancel();
      invite.onProgress((res) => this.#progress(leg, res));
      await this.#result(leg, await invite.result);
    } catch (err) {
      leg.log.warn({ err }, 'dialling failed');
      this.#fail(leg, UNREACHABLE);
      this.#release(leg);
    }
  }

  #progress(leg: TargetLeg, res: SipResponse): void {
    if (leg.state !== 'dialling' || leg.abandoned || res.status === 100) return;
    if (!leg.ringing) {
      leg.ringing = true;
      this.#facts.record({ type: 'leg.ringing', legId: leg.legId });
    }
    // The caller hears ringback from its own phone: one 180 when the first target alerts.
    if (!this.#ringSent && this.#phase === 'ringing' && this.#invite?.state === 'pending') {
      this.#ringSent = true;
      this.#invite.progress(180);
    }
  }

  async #result(leg: TargetLeg, r: InviteResult): Promise<void> {
    if (!r.ok) {
      leg.log.info({ status: r.response.status, reason: r.reason }, 'dialled leg failed');
      this.#fail(leg, dialResultForInvite(r));
      this.#release(leg);
      return;
    }
    if (this.#tooLate(leg, r.session)) return;
    let codec: { codec?: string };
    try {
      await this.#deps.media.applyAnswer(leg.endpointId!, r.response.body.toString('utf8'));
      codec = await codecOf(this.#deps.media, leg.endpointId!);
    } catch (err) {
      leg.log.warn({ err }, 'answer SDP unusable; hanging up the leg');
      r.session.bye().catch(() => undefined);
      this.#fail(leg, { result: 'CONGESTION', cause: 'error', sipStatus: sipStatusOf(err) ?? 488 });
      this.#release(leg);
      return;
    }
    // Things may have moved on while the media engine worked (another leg won, a timeout, a CANCEL).
    if (this.#tooLate(leg, r.session)) return;
    const round = this.#round!;
    leg.session = r.session;
    leg.state = 'answered';
    leg.log.info('dialled leg answered');
    this.#facts.record({ type: 'leg.answered', legId: leg.legId });
    this.#facts.record({ type: 'leg.media-ready', legId: leg.legId, ...codec });
    r.session.onRequest((req) => this.#inDialog(leg.legId, leg.endpointId!, req));
    if (this.#plan.screen) return this.#screen(leg, round, this.#plan.screen);
    this.#win(leg, round);
  }

  /** First to answer (and to accept, when screened) wins: every other leg still ringing is cancelled, every
   *  other leg still being screened is dropped. */
  #win(leg: TargetLeg, round: Round): void {
    leg.state = 'answered';
    for (const other of round.legs) {
      if (other === leg) continue;
      if (other.state === 'dialling') {
        this.#abandon(other);
        this.#fail(other, CANCELLED);
      } else if (other.state === 'screening') this.#dropScreened(other, 'other-accepted', 'normal');
    }
    this.#winner = leg;
    this.#endRound(round, leg);
  }

  /** The answered leg must accept the call or enter a PIN first (leg-screen.ts); the others ring on. */
  async #screen(leg: TargetLeg, round: Round, options: ScreenOptions): Promise<void> {
    leg.state = 'screening';
    const screen = new LegScreen(this.#deps.media, this.#facts, { legId: leg.legId, endpointId: leg.endpointId! }, options, leg.log);
    leg.screen = screen;
    void leg.session!.ended.then(() => {
      if (leg.state !== 'screening') return;
      // The answering party hung up before accepting.
      screen.cancel('hangup');
      this.#endScreened(leg, 'remote', 'normal');
    });
    const outcome = await screen.start();
    if (leg.state !== 'screening') return;
    if (outcome.ok) {
      return this.#win(leg, round);
    }
    if (outcome.reason === 'no-pin') {
      // Spec realtime §3.2 `voice.incoming.agentpin-timeout`: no PIN in time, the inbound call is dropped.
      this.#dropScreened(leg, undefined, 'normal');
      if (this.#phase === 'ringing') this.#refuseCaller(480, 'normal');
      return;
    }
    this.#dropScreened(leg, undefined, 'rejected');
  }

  /** Ringside hangs up a leg that was being screened. */
  #dropScreened(leg: TargetLeg, reason: 'hangup' | 'other-accepted' | undefined, cause: HangupCause): void {
    if (leg.state !== 'screening') return;
    if (reason) leg.screen?.cancel(reason);
    if (leg.session?.state === 'confirmed') leg.session.bye().catch(() => undefined);
    this.#endScreened(leg, 'local', cause);
  }

  #endScreened(leg: TargetLeg, by: 'remote' | 'local', cause: HangupCause): void {
    leg.state = 'ended';
    leg.log.info({ by, cause }, 'screened leg ended');
    this.#facts.record({ type: 'leg.ended', legId: leg.legId, by, cause });
    this.#release(leg);
    const r = this.#round;
    if (r?.legs.includes(leg)) this.#checkRound(r);
  }

  /** RFC 3261 §9.1: a 2xx can cross our CANCEL (or arrive after the ring timeout, or after another leg
   *  won): hang it up. */
  #tooLate(leg: TargetLeg, session: InviteSession): boolean {
    const round = this.#round;
    if (leg.state === 'dialling' && !leg.abandoned && this.#phase === 'ringing' && round?.legs.includes(leg)) return false;
    leg.log.info('answered too late; hanging up');
    session.bye().catch(() => undefined);
    this.#release(leg);
    return true;
  }

  #abandon(leg: TargetLeg): void {
    leg.abandoned = true;
    leg.invite?.cancel();
  }

  #fail(leg: TargetLeg, outcome: DialOutcome): void {
    if (leg.state !== 'dialling') return;
    leg.state = 'failed';
    leg.outcome = outcome;
    this.#failed.push(leg);
    leg.log.info({ result: outcome.result, sipStatus: outcome.sipStatus }, 'dialled leg failed');
    this.#facts.record({ type: 'leg.failed', legId: leg.legId, result: outcome.result, cause: outcome.cause, ...(outcome.sipStatus !== undefined ? { sipStatus: outcome.sipStatus } : {}) });
    const r = this.#round;
    if (r?.legs.includes(leg)) this.#checkRound(r);
  }

  #release(leg: TargetLeg): void {
    if (leg.endpointId) this.#closeEndpoint(leg.endpointId);
  }

  #closeEndpoint(endpointId: string): void {
    if (!this.#endpoints.delete(endpointId)) return;
    this.#deps.media.closeEndpoint(endpointId).catch((err: unknown) => this.#log.warn({ err, endpointId }, 'closing a media endpoint failed'));
  }


  /** A leg answered but the caller is gone before Ringside answered it: hang that leg up. */
  #dropWinner(): void {
    const w = this.#winner;
    this.#winner = undefined;
    if (w) this.#hangUpLate(w);
  }

  /** Hangs up a winner whose caller is gone (cancelled, or never confirmed the answer). */
  #hangUpLate(leg: TargetLeg, cause: HangupCause = 'originator-cancel'): void {
    if (leg.session?.state === 'confirmed') leg.session.bye().catch(() => undefined);
    this.#facts.record({ type: 'leg.ended', legId: leg.legId, by: 'local', cause });
    this.#release(leg);
  }

  // ---- the caller ends or is refused -------------------------------------------------------------

  /** The call will not be connected: legs still ringing fail with `ringing` (their INVITE cancelled),
   *  legs being screened are hung up (ended with `screened`), a winner not yet bridged is hung up. */
  #giveUp(ringing: DialOutcome, screened: HangupCause): void {
    const r = this.#round;
    if (r) {
      for (const leg of r.legs) {
        if (leg.state === 'screening') this.#dropScreened(leg, 'hangup', screened);
        else if (leg.state === 'dialling') {
          this.#abandon(leg);
          this.#fail(leg, ringing);
        }
      }
      this.#endRound(r, undefined);
    }
    this.#dropWinner();
  }

  /** RFC 3261 §9.2: the caller's CANCEL (the stack already answered 487): cancel every target. */
  #callerCancelled(): void {
    if (this.#phase !== 'ringing') return;
    this.#phase = 'ended';
    this.#log.info({ legId: this.callerLegId }, 'caller cancelled');
    this.#giveUp(CANCELLED, 'originator-cancel');
    this.#facts.record({ type: 'leg.ended', legId: this.callerLegId, by: 'remote', cause: 'originator-cancel' });
    this.#facts.record({ type: 'session.ended', hangupBy: this.#plan.caller.party, hangupLegId: this.callerLegId, cause: 'originator-cancel' });
  }

  /** Ringside refuses the call before anyone answered. */
  #refuseCaller(status: number, cause: HangupCause, hangup?: { party: Party; legId: string }): void {
    this.#phase = 'ended';
    this.#giveUp({ result: 'ABORT', cause: 'error' }, cause === 'normal' ? 'normal' : 'error');
    if (this.#invite?.state === 'pending') this.#invite.reject(status);
    // A transferred party has no INVITE to refuse: it is hung up.
    if (this.#transferred?.session.state === 'confirmed') this.#transferred.session.bye().catch(() => undefined);
    this.#log.info({ status, legId: this.callerLegId }, 'caller refused');
    this.#facts.record({ type: 'leg.ended', legId: this.callerLegId, by: 'local', cause });
    this.#facts.record({
      type: 'session.ended',
      hangupBy: hangup?.party ?? this.#plan.localParty,
      ...(hangup ? { hangupLegId: hangup.legId } : {}),
      cause,
    });
  }

  /** Nobody answered: voicemail when the line has it, else the `hangup` fallback (docs/switch.md). */
  async #unanswered(): Promise<void> {
    if (this.#plan.voicemail) return this.#voicemail(this.#plan.voicemail);
    const outcomes = this.#failed.map((l) => l.outcome!);
    const { status, cause } = callerStatusWhenUnanswered(outcomes, this.#plan.passThrough);
    // A single party's refusal relayed to the caller ended the call; anything else Ringside decided.
    const only = this.#failed.length === 1 ? this.#failed[0] : undefined;
    const byParty = this.#plan.passThrough && only?.outcome?.sipStatus !== undefined && only.outcome.sipStatus !== 487 ? only : undefined;
    this.#refuseCaller(status, cause, byParty ? { party: byParty.target.party, legId: byParty.legId } : undefined);
  }

  // ---- the caller answered: bridged or voicemail ---------------------------------------------------

  /**
   * Answers the caller (200 with our SDP) and waits for the media to be ready. Returns the session, or
   * undefined when the caller is gone (then the call's end is recorded; `winner` is hung up first).
   */
  async #answerCaller(phase: 'bridged' | 'voicemail', winner?: TargetLeg): Promise<InviteSession | undefined> {
    if (this.#transferred) {
      // Answered in the session it came from: its media is ready as it is (spec teltel §5.8, no READY).
      this.#phase = phase;
      await this.#deps.media.stopPlayback(this.#transferred.endpointId).catch(() => undefined);
      return this.#transferred.session;
    }
    if (this.#invite?.state !== 'pending') {
      // The caller's transaction ended under us (transport error, the stack's ring guard).
      this.#phase = 'ended';
      if (winner) this.#hangUpLate(winner);
      this.#facts.record({ type: 'leg.ended', legId: this.callerLegId, by: 'local', cause: 'error' });
      this.#facts.record({ type: 'session.ended', hangupBy: this.#plan.localParty, cause: 'error' });
      return undefined;
    }
    const media = this.#deps.media;
    const callerSession = this.#invite.accept({ body: this.#callerSdp! });
    this.#callerSession = callerSession;
    // From here a shutdown hangs up with BYE (abort), never with a final response.
    this.#phase = phase;
    this.#log.info({ legId: this.callerLegId, winner: winner?.legId, phase }, 'caller answered');
    this.#facts.record({ type: 'leg.answered', legId: this.callerLegId });
    callerSession.onRequest((req) => this.#inDialog(this.callerLegId, this.#callerEndpoint!, req));
    if (this.#lateOffer) {
      // RFC 3264 §5: our offer went in the 2xx; the caller's answer comes in the ACK.
      const acked = await callerSession.confirmed;
      try {
        if (acked && callerSession.remoteBody.length > 0) await media.applyAnswer(this.#callerEndpoint!, callerSession.remoteBody.toString('utf8'));
      } catch (err) {
        this.#log.warn({ err, legId: this.callerLegId }, 'the answer in the ACK is unusable');
      }
      if (!acked || callerSession.state !== 'confirmed') {
        // No ACK within 64*T1 (the session already sent BYE, RFC 3261 §13.3.1.4), or the caller hung up.
        this.#phase = 'ended';
        this.#log.warn({ legId: this.callerLegId }, 'the caller never confirmed the answer; hanging up');
        this.#facts.record({ type: 'leg.ended', legId: this.callerLegId, by: acked ? 'remote' : 'local', cause: acked ? 'normal' : 'temporary-failure' });
        if (winner) this.#hangUpLate(winner, 'normal');
        this.#facts.record({ type: 'session.ended', hangupBy: acked ? this.#plan.caller.party : this.#plan.localParty, ...(acked ? { hangupLegId: this.callerLegId } : {}), cause: acked ? 'normal' : 'temporary-failure' });
        return undefined;
      }
    }
    this.#facts.record({ type: 'leg.media-ready', legId: this.callerLegId, ...(await codecOf(media, this.#callerEndpoint!)) });
    return callerSession;
  }

  async #bridge(winner: TargetLeg): Promise<void> {
    this.#winner = undefined;
    const callerSession = await this.#answerCaller('bridged', winner);
    if (!callerSession) return;
    const media = this.#deps.media;
    const conversationId = newPrefixedId('conv');
    try {
      await media.connect(this.#callerEndpoint!, winner.endpointId!);
    } catch (err) {
      this.#log.error({ err }, 'connecting the media failed');
    }
    this.#facts.record({ type: 'leg.joined', legId: this.callerLegId, conversationId });
    this.#facts.record({ type: 'leg.joined', legId: winner.legId, conversationId });
    const sides: Side[] = [
      { legId: this.callerLegId, party: this.#plan.caller.party, session: callerSession },
      { legId: winner.legId, party: winner.target.party, session: winner.session! },
    ];
    this.#bridged = [
      { side: sides[0]!, endpointId: this.#callerEndpoint!, ...(this.#plan.caller.user ? { user: this.#plan.caller.user } : {}), direction: this.#plan.caller.direction ?? 'in' },
      { side: sides[1]!, endpointId: winner.endpointId!, ...(winner.target.user ? { user: winner.target.user } : {}), direction: 'out' },
    ];
    const transferred = new Promise<{ transferor: Side }>((resolve) => (this.#transferOut = (transferor) => resolve({ transferor })));
    // Digits pressed in the conversation are facts (the voice API's gather reads them; docs/switch.md).
    const onDigit: MediaListener<'dtmf'> = (e) => {
      const legId = this.#bridged?.find((b) => b.endpointId === e.endpointId)?.side.legId;
      if (legId) this.#facts.record({ type: 'dtmf', legId, digit: e.digit, durationMs: e.durationMs, via: e.via });
    };
    media.on('dtmf', onDigit);
    let recordingId: string | undefined;
    if (this.#plan.record) {
      try {
        // Two channels: the caller left, the party who answered right (docs/media.md "Recorder").
        recordingId = (await media.startRecording({ endpointIds: [this.#callerEndpoint!, winner.endpointId!] })).recordingId;
        this.#log.info({ recordingId }, 'recording the call');
      } catch (err) {
        this.#log.error({ err }, 'the call could not be recorded');
      }
    }
    let limit: NodeJS.Timeout | undefined;
    const timeUp = new Promise<undefined>((resolve) => {
      if (this.#plan.timeLimitMs !== undefined) limit = setTimeout(() => resolve(undefined), this.#plan.timeLimitMs);
    });
    const first = await Promise.race([...sides.map((side) => side.session.ended.then((reason) => ({ side, reason }))), timeUp, transferred]);
    if (limit) clearTimeout(limit);
    this.#transferOut = undefined;
    media.off('dtmf', onDigit);
    this.#bridged = undefined;
    if (!first) this.#log.info({ limitMs: this.#plan.timeLimitMs }, 'call time limit reached; hanging up both sides');
    this.#phase = 'ended';
    media.disconnect(this.#callerEndpoint!).catch(() => undefined);
    let ended: FactDraft;
    if (first && 'transferor' in first) {
      // Blind transfer: the transferor leaves (Ringside hangs it up after the NOTIFY); the other party goes
      // on in the session the transfer started (spec teltel §5.8).
      ended = recordHangup(this.#facts, this.#log, this.#plan.localParty, first.transferor, 'remote-bye', sides, conversationId, { byeOther: false });
      if (first.transferor.session.state === 'confirmed') first.transferor.session.bye().catch(() => undefined);
    } else ended = recordHangup(this.#facts, this.#log, this.#plan.localParty, first?.side, first?.reason ?? 'local-bye', sides, conversationId);
    if (recordingId !== undefined) await this.#finishRecording(recordingId, conversationId);
    this.#facts.record(ended);
  }

  /** Stops the conversation's recording: `recording.finished` comes after its parties left (facts.ts). */
  async #finishRecording(recordingId: string, conversationId: string): Promise<void> {
    try {
      const info = await this.#deps.media.stopRecording(recordingId);
      this.#log.info({ recordingId, durationMs: info.durationMs, status: info.status }, 'call recorded');
      this.#facts.record({ type: 'recording.finished', recordingId, conversationId, url: this.#deps.recordingUrl(recordingId), startedAt: info.startedAt, status: info.status, purpose: 'call' });
    } catch (err) {
      this.#log.error({ err, recordingId }, 'finishing the recording failed');
    }
  }

  /** Nobody answered, or the line goes straight to voicemail: the caller leaves a message. */
  async #voicemail(box: VoicemailBox): Promise<void> {
    const session = await this.#answerCaller('voicemail');
    if (!session) return;
    const end = await takeVoicemail({ media: this.#deps.media, facts: this.#facts, log: this.#log, recordingUrl: this.#deps.recordingUrl }, { legId: this.callerLegId, endpointId: this.#callerEndpoint!, session }, box);
    this.#phase = 'ended';
    const byCaller = end === 'caller' && (await session.ended) === 'remote-bye';
    if (session.state === 'confirmed') session.bye().catch(() => undefined);
    this.#facts.record({ type: 'leg.ended', legId: this.callerLegId, by: byCaller ? 'remote' : 'local', cause: 'normal' });
    this.#facts.record({ type: 'session.ended', hangupBy: byCaller ? this.#plan.caller.party : this.#plan.localParty, ...(byCaller ? { hangupLegId: this.callerLegId } : {}), cause: 'normal' });
  }

  // ---- requests inside a leg's dialog -------------------------------------------------------------

  /**
   * A request from an answered leg: INFO carries DTMF (RFC 6086 with `application/dtmf-relay` or
   * `application/dtmf`); a re-INVITE changes the media, and `sendonly`/`inactive` is hold (RFC 3264 §8.4),
   * `sendrecv` again is resume. Anything else gets the stack's default answer.
   */
  async #inDialog(legId: string, endpointId: string, req: IncomingRequest): Promise<void> {
    const media = this.#deps.media;
    if (req.method === 'INFO') {
      const contentType = req.request.headers.get('content-type') ?? '';
      if (!/^application\/dtmf/i.test(contentType)) return;
      try {
        await media.handleSipInfo(endpointId, contentType, req.request.body.toString('utf8'));
        req.respond(200);
      } catch (err) {
        req.respond(sipStatusOf(err) === 415 ? 415 : 400, { reason: (err as Error).message.slice(0, 100) });
      }
      return;
    }
    if (req.method === 'REFER') return this.#refer(legId, req);
    if (req.method !== 'INVITE' || req.request.body.length === 0) return;
    let answer: string;
    try {
      answer = await media.createAnswer(endpointId, req.request.body.toString('utf8'));
    } catch (err) {
      // RFC 3261 §14.2: an unacceptable re-offer is refused with 488; the session goes on unchanged.
      req.respond(sipStatusOf(err) ?? 488);
      return;
    }
    req.respond(200, { headers: { contact: this.#deps.stack.contact(req.source.protocol) }, body: answer, contentType: 'application/sdp' });
    const direction = (await media.endpointStats(endpointId).catch(() => undefined))?.direction;
    // We only receive (or nothing flows): the party put us on hold.
    const held = direction === 'recvonly' || direction === 'inactive';
    if (held === this.#held.has(legId) || !this.#bridged?.some((b) => b.side.legId === legId)) return;
    if (held) this.#held.add(legId);
    else this.#held.delete(legId);
    this.#log.info({ legId, held }, held ? 'leg on hold' : 'leg resumed');
    this.#facts.record({ type: 'leg.held', legId, held });
  }

  /**
   * RFC 3515 REFER from a bridged party: a blind transfer of the other party to the Refer-To target. Ringside
   * accepts it (202), reports success at once (NOTIFY with a 200 sipfrag, §2.4.5: completing it is now
   * Ringside's job), hangs up the transferor, and continues the call in a new session that dials the target.
   */
  async #refer(legId: string, req: IncomingRequest): Promise<void> {
    const transfer = this.#deps.transfer;
    const bridged = this.#bridged;
    const from = bridged?.find((b) => b.side.legId === legId);
    const to = bridged?.find((b) => b.side.legId !== legId);
    if (!transfer || !from || !to || this.#phase !== 'bridged') {
      req.respond(603, { reason: 'Transfer Not Possible Now' });
      return;
    }
    const referTo = req.request.headers.get('refer-to') ?? '';
    if (/[?&]replaces=/i.test(referTo)) {
      // An attended transfer (RFC 3891 Replaces in the Refer-To): not supported, so not half-done as blind.
      req.respond(603, { reason: 'Attended Transfer Not Supported' });
      return;
    }
    const target = /^\s*(?:[^<]*<)?\s*(?:sips?|tel):([^@;>?]+)/i.exec(referTo)?.[1];
    if (!target) {
      req.respond(400, { reason: 'Missing or Bad Refer-To' });
      return;
    }
    const dialled = decodeURIComponent(target);
    const plan = await transfer.plan({ sessionId: this.sessionId, plan: this.#plan, target: dialled, transferee: { party: to.side.party, ...(to.user ? { user: to.user } : {}), direction: to.direction } });
    if (!plan) {
      this.#log.info({ legId, target: dialled }, 'transfer to nobody refused');
      req.respond(404, { reason: 'Transfer Target Not Found' });
      return;
    }
    if (this.#bridged !== bridged || to.side.session.state !== 'confirmed') {
      req.respond(481);
      return;
    }
    req.respond(202);
    this.#log.info({ transferor: legId, transferee: to.side.legId, target: dialled }, 'blind transfer');
    from.side.session.notifyReferStatus('SIP/2.0 200 OK', true).catch((err: unknown) => this.#log.warn({ err, legId }, 'NOTIFY of the transfer failed'));
    // The transferee's media endpoint moves to the new session (which closes it at its end).
    this.#endpoints.delete(to.endpointId);
    this.#deps.media.disconnect(to.endpointId).catch(() => undefined);
    this.#transferOut?.(from.side);
    transfer.start(plan, { session: to.side.session, endpointId: to.endpointId });
  }

  // ---- shutdown ----------------------------------------------------------------------------------

  /** Ends the call now (Ringside is stopping): ringing calls are refused 503, bridged ones hung up. */
  abort(): void {
    if (this.#phase === 'ringing') this.#refuseCaller(503, 'error');
    else if ((this.#phase === 'bridged' || this.#phase === 'voicemail') && this.#callerSession?.state === 'confirmed') this.#callerSession.bye().catch(() => undefined);
  }

  async #finish(): Promise<void> {
    for (const id of [...this.#endpoints]) this.#closeEndpoint(id);
    await this.#facts.flush();
    this.#log.info('call over');
    this.#resolveDone();
  }
}

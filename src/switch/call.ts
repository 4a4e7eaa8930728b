/**
 * One call through the switch: a back-to-back user agent with anchored media (docs/switch.md).
 *
 * The caller's leg and the call's life. The caller's INVITE is held (or a transferred party, already
 * answered, hears ringback) while Ringside rings the plan's rounds (ringing.ts: first 2xx wins, the others
 * are cancelled). When a leg wins, the caller is answered with an SDP answer from the media engine and the
 * two join a Conversation (conversation.ts: the media relay, hold, DTMF, transfer, recording, time limit,
 * the hangup). Nobody answering leads to voicemail (voicemail.ts) or a refusal; the caller may cancel
 * meanwhile; Ringside stopping aborts the call.
 *
 * Every step is a fact, in the order facts.ts guarantees, recorded through SessionFacts.
 */
import type { HangupCause, Party } from '../events/model/facts.js';
import { storedDialogOf, type IncomingInvite, type InviteSession } from '../sip/index.js';
import type { Logger } from '../log/logger.js';
import { ABORTED, CANCELLED, callerStatusWhenUnanswered } from './dial-results.js';
import type { SessionFacts } from './session-facts.js';
import { codecOf } from './negotiated-codec.js';
import { openCallerMedia, takeLateAnswer } from './caller-media.js';
import { takeVoicemail, type VoicemailBox } from './voicemail.js';
import { sipStatusForMediaError } from './media-sip-status.js';
import type { Ringing } from './ringing.js';
import type { Conversation } from './conversation.js';
import type { SessionLegs } from './session-legs.js';
import { SwitchSession } from './switch-session.js';
import type { CallPlan } from './call-plan.js';
import type { Leg } from './leg.js';
import type { TransferredCaller } from './conversation-types.js';
import type { SessionDeps } from './session-deps.js';

export class Call {
  readonly #session: SwitchSession;
  readonly #deps: SessionDeps;
  /** The caller's INVITE, still to be answered; or the party a transfer moved here (answered already). */
  readonly #invite?: IncomingInvite;
  readonly #transferred?: TransferredCaller;
  readonly #plan: CallPlan;
  readonly #facts: SessionFacts;
  readonly #log: Logger;
  readonly #legs: SessionLegs;
  readonly #caller: Leg;
  readonly #ringing: Ringing;
  #phase: 'ringing' | 'bridged' | 'voicemail' | 'ended' = 'ringing';
  /** The SDP the caller is answered with (our answer, or our offer when its INVITE had none). */
  #callerSdp?: string;
  #lateOffer = false;
  #ringSent = false;
  #conversation?: Conversation;

  constructor(deps: SessionDeps, caller: IncomingInvite | TransferredCaller, plan: CallPlan) {
    this.#deps = deps;
    if ('endpointId' in caller) this.#transferred = caller;
    else this.#invite = caller;
    this.#plan = plan;
    this.#session = new SwitchSession(deps, { callId: plan.start.callId, sipCallId: this.#invite?.request.callId ?? this.#transferred?.session.callId });
    this.#log = this.#session.log;
    this.#facts = this.#session.facts;
    this.#legs = this.#session.legs;
    const c = plan.caller;
    this.#caller = this.#legs.create({ role: 'caller', party: c.party, direction: c.direction ?? 'in', ...(c.user ? { user: c.user } : {}) });
    this.#ringing = this.#session.ringing({
      ...(plan.screen ? { screen: plan.screen } : {}),
      onAlerting: () => this.#alerting(),
      // Spec realtime §3.2 `voice.incoming.agentpin-timeout`: no PIN in time, the inbound call is dropped.
      onNoPin: () => {
        if (this.#phase === 'ringing') this.#refuseCaller(480, 'normal');
      },
    });
  }

  get sessionId(): string {
    return this.#session.sessionId;
  }

  /** Resolves when the call is over and its facts are recorded. */
  get done(): Promise<void> {
    return this.#session.done;
  }

  /** Runs the call to its end. Never rejects. */
  run(): Promise<void> {
    return this.#session.run('call', () => this.#run(), () => {
      if (this.#phase === 'ringing') this.#refuseCaller(500, 'error');
    });
  }

  /** Ends the call now (Ringside is stopping): ringing calls are refused 503, answered ones hung up. */
  abort(): void {
    if (this.#phase === 'ringing') this.#refuseCaller(503, 'error');
    else if (this.#phase === 'bridged' && this.#conversation) this.#conversation.hangUp();
    else if (this.#phase === 'bridged' || this.#phase === 'voicemail') this.#caller.hangUp();
  }

  /** Ringside hangs the call up on request (the console): a ringing caller is refused 480, an answered
   *  call gets BYE on every leg. */
  hangUp(): void {
    if (this.#phase === 'ringing') this.#refuseCaller(480, 'normal');
    else this.abort();
  }

  /** Blind transfer of the caller's party to `target` (an extension, PIN or number), Ringside hanging up
   *  the other party; `unanswered` when there is no conversation to transfer out of (yet). */
  transfer(target: string): Promise<'moved' | 'nobody' | 'gone' | 'unanswered'> {
    if (this.#phase !== 'bridged' || !this.#conversation) return Promise.resolve('unanswered');
    return this.#conversation.transfer(target);
  }

  async #run(): Promise<void> {
    const { start } = this.#plan;
    this.#log.info({ kind: start.kind, from: start.from.number, to: start.to.number, line: start.line?.id }, 'call started');
    this.#facts.record({ type: 'session.started', ...start });
    this.#legs.announce(this.#caller);
    if (this.#transferred) await this.#takeTransferred(this.#transferred);
    else await this.#takeInvite(this.#invite!);
    for (const round of this.#plan.rounds) {
      if (this.#phase !== 'ringing') return;
      const winner = await this.#ringing.ring(round);
      if (this.#phase !== 'ringing') {
        // The caller left (or Ringside refused) just as a leg won: hang that leg up.
        if (winner) this.#hangUpWinner(winner);
        return;
      }
      if (winner) return this.#bridge(winner);
    }
    if (this.#phase === 'ringing') await this.#unanswered();
  }

  /** The caller's INVITE: its media endpoint and the SDP to answer it with. */
  async #takeInvite(invite: IncomingInvite): Promise<void> {
    invite.onCancel(() => this.#callerCancelled());
    if (this.#phase !== 'ringing') return;
    try {
      ({ sdp: this.#callerSdp, lateOffer: this.#lateOffer } = await openCallerMedia(this.#caller, invite));
    } catch (err) {
      this.#caller.log.warn({ err }, 'caller media refused');
      if (this.#phase === 'ringing') this.#refuseCaller(sipStatusForMediaError(err) ?? 503, 'error');
    }
  }

  /** A transferred party: answered already, its media endpoint carried over; it hears ringback while the
   *  transfer target rings, and hanging up cancels the targets as a CANCEL would. */
  async #takeTransferred(t: TransferredCaller): Promise<void> {
    this.#caller.adoptMedia(t.endpointId);
    this.#caller.attach(t.session);
    void t.session.ended.then(() => this.#callerCancelled());
    if (t.session.state !== 'confirmed') return this.#callerCancelled();
    await this.#deps.media.play(t.endpointId, { prompt: 'ringback' }, { loop: true }).catch((err: unknown) => this.#log.warn({ err }, 'no ringback for the transferred party'));
  }

  /** A target alerts: the caller hears ringback from its own phone, one 180 for the first. */
  #alerting(): void {
    if (this.#ringSent || this.#phase !== 'ringing' || this.#invite?.state !== 'pending') return;
    this.#ringSent = true;
    this.#invite.progress(180);
  }

  // The caller ends or is refused.

  /** RFC 3261 §9.2: the caller's CANCEL (the stack already answered 487): cancel every target. */
  #callerCancelled(): void {
    if (this.#phase !== 'ringing') return;
    this.#phase = 'ended';
    this.#log.info({ legId: this.#caller.legId }, 'caller cancelled');
    this.#ringing.giveUp(CANCELLED, 'originator-cancel');
    this.#facts.record({ type: 'leg.ended', legId: this.#caller.legId, by: 'remote', cause: 'originator-cancel' });
    this.#facts.record({ type: 'session.ended', hangupBy: this.#caller.party, hangupLegId: this.#caller.legId, cause: 'originator-cancel' });
  }

  /** Ringside refuses the call before anyone answered. */
  #refuseCaller(status: number, cause: HangupCause, hangup?: { party: Party; legId: string }): void {
    this.#phase = 'ended';
    this.#ringing.giveUp(ABORTED, cause === 'normal' ? 'normal' : 'error');
    this.#invite?.refuse(status);
    // A transferred party has no INVITE to refuse: it is hung up.
    if (this.#transferred) this.#caller.hangUp();
    this.#log.info({ status, legId: this.#caller.legId }, 'caller refused');
    this.#facts.record({ type: 'leg.ended', legId: this.#caller.legId, by: 'local', cause });
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
    const failed = this.#ringing.failed;
    const { status, cause } = callerStatusWhenUnanswered(failed.map((f) => f.outcome), this.#plan.passThrough);
    // A single party's refusal relayed to the caller ended the call; anything else Ringside decided.
    const only = failed.length === 1 ? failed[0] : undefined;
    const byParty = this.#plan.passThrough && only?.outcome.sipStatus !== undefined && only.outcome.sipStatus !== 487 ? only.leg : undefined;
    this.#refuseCaller(status, cause, byParty ? { party: byParty.party, legId: byParty.legId } : undefined);
  }

  /** Hangs up a leg that won but will not be connected: its caller is gone (cancelled, or never
   *  confirmed the answer). */
  #hangUpWinner(leg: Leg, cause: HangupCause = 'originator-cancel'): void {
    leg.hangUp();
    this.#facts.record({ type: 'leg.ended', legId: leg.legId, by: 'local', cause });
    leg.releaseMedia();
  }

  // The caller answered: in a conversation, or voicemail.

  /**
   * Answers the caller (200 with our SDP) and waits for the media to be ready. Returns the session, or
   * undefined when the caller is gone (then the call's end is recorded; `winner` is hung up first).
   */
  async #answerCaller(phase: 'bridged' | 'voicemail', winner?: Leg): Promise<InviteSession | undefined> {
    const caller = this.#caller;
    if (this.#transferred) {
      // Answered in the session it came from: its media is ready as it is (spec teltel §5.8, no READY).
      this.#phase = phase;
      await this.#deps.media.stopPlayback(this.#transferred.endpointId).catch(() => undefined);
      return this.#transferred.session;
    }
    if (this.#invite?.state !== 'pending') {
      // The caller's transaction ended under us (transport error, the stack's ring guard).
      this.#phase = 'ended';
      if (winner) this.#hangUpWinner(winner);
      this.#facts.record({ type: 'leg.ended', legId: caller.legId, by: 'local', cause: 'error' });
      this.#facts.record({ type: 'session.ended', hangupBy: this.#plan.localParty, cause: 'error' });
      return undefined;
    }
    const session = this.#invite.accept({ body: this.#callerSdp! });
    // From here a shutdown hangs up with BYE (abort), never with a final response.
    this.#phase = phase;
    this.#log.debug({ legId: caller.legId, winner: winner?.legId, phase }, 'caller answered');
    this.#facts.record({ type: 'leg.answered', legId: caller.legId, dialog: storedDialogOf(session) });
    caller.attach(session);
    if (this.#lateOffer) {
      const late = await takeLateAnswer(caller, session, this.#plan.localParty);
      if (!late.confirmed) {
        this.#phase = 'ended';
        this.#facts.record(late.legEnded);
        if (winner) this.#hangUpWinner(winner, 'normal');
        this.#facts.record(late.sessionEnded);
        return undefined;
      }
    }
    this.#facts.record({ type: 'leg.media-ready', legId: caller.legId, ...codecOf(caller) });
    return session;
  }

  /** The caller and the leg that won talk: a conversation of the two, until it ends. */
  async #bridge(winner: Leg): Promise<void> {
    if (!(await this.#answerCaller('bridged', winner))) return;
    const { start, localParty, record, timeLimitMs } = this.#plan;
    const conversation = this.#session.conversation({ start, localParty, ...(record ? { record } : {}), ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) });
    this.#conversation = conversation;
    await conversation.join(this.#caller, winner);
    const ended = await conversation.run();
    this.#phase = 'ended';
    this.#facts.record(ended);
  }

  /** Nobody answered, or the line goes straight to voicemail: the caller leaves a message. */
  async #voicemail(box: VoicemailBox): Promise<void> {
    const session = await this.#answerCaller('voicemail');
    if (!session) return;
    const caller = this.#caller;
    const end = await takeVoicemail({ media: this.#deps.media, facts: this.#facts, log: this.#log, recordingUrl: this.#deps.recordingUrl }, { legId: caller.legId, endpointId: caller.endpointId!, session }, box);
    this.#phase = 'ended';
    const byCaller = end === 'caller' && (await session.ended) === 'remote-bye';
    caller.hangUp();
    this.#facts.record({ type: 'leg.ended', legId: caller.legId, by: byCaller ? 'remote' : 'local', cause: 'normal' });
    this.#facts.record({ type: 'session.ended', hangupBy: byCaller ? caller.party : this.#plan.localParty, ...(byCaller ? { hangupLegId: caller.legId } : {}), cause: 'normal' });
  }
}

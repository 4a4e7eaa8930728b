/**
 * One inbound call run through a call flow (docs/call-centre.md "Call flows"): a line whose ring strategy
 * is `flow` hands its calls here instead of to a Call. The walk (call-flow/flow-run.ts) asks this class,
 * through FlowHost, to answer, play, read keys, dial, queue, take a message or hang up; every step is a
 * fact in the order facts.ts guarantees, so every dialect follows (spec teltel §7 "Call flows": a dial is
 * RING/RINGRESULT, answering or playing READY, connecting JOIN/LEAVE).
 *
 * - Nothing answers the caller until a node needs audio (playaudio, menu, queue, voicemail): a flow that
 *   dials first rings with the caller unanswered, exactly like a line (180 to the caller on the first
 *   alert; READY for the caller after the callee's, spec teltel §5.1). Once answered, the caller hears
 *   ringback from Ringside while a dial rings (READY of the caller comes before RING: "if the call flow
 *   answered first").
 * - Keys: RFC 4733 or SIP INFO (the leg hands INFO to the media engine), recorded as `dtmf` facts.
 * - The flow ending the call is Ringside's hangup (`hanged_by: local`, the DID, spec teltel §6 rule 7 and
 *   Q1): BYE when answered; before the answer a final response (486 when every dial was busy, else 480).
 * - A queue answers the caller, plays music and position announcements, and rings the agent CallQueues
 *   offers inside this session; on an answer the two are bridged, and the agent's lease is released when
 *   that bridge ends.
 */
import type { HangupCause } from '../events/model/facts.js';
import { storedDialogOf, type IncomingInvite, type InviteSession } from '../sip/index.js';
import type { MediaListener } from '../media/media-control.js';
import type { PlayItem } from '../media/player.js';
import type { Logger } from '../log/logger.js';
import type { AccountRecord } from '../store/store.js';
import { ABORTED, CANCELLED, callerStatusWhenUnanswered, type DialOutcome } from './dial-results.js';
import type { SessionFacts } from './session-facts.js';
import { codecOf } from './negotiated-codec.js';
import { openCallerMedia, takeLateAnswer } from './caller-media.js';
import { takeVoicemail } from './voicemail.js';
import { sipStatusForMediaError } from './media-sip-status.js';
import type { Ringing } from './ringing.js';
import type { Conversation } from './conversation.js';
import type { SessionLegs } from './session-legs.js';
import { SwitchSession } from './switch-session.js';
import type { CallPlan } from './call-plan.js';
import type { Leg } from './leg.js';
import type { SessionDeps } from './session-deps.js';
import type { RingRound } from './ring-plan.js';
import type { RoutingDeps } from './routing/targets.js';
import { presenting, trunkOf, trunkTarget } from './routing/targets.js';
import type { CallFlow, DialNode, DialStrategy, ForwardNode, QueueNode, VoicemailNode } from '../config/call-flow/flow-types.js';
import { FLOW_DEFAULTS } from '../config/call-flow/flow-types.js';
import type { DialEnd, FlowHost, Gone, QueueEnd } from './call-flow/flow-host.js';
import { runFlow } from './call-flow/flow-run.js';
import { dialRounds, huntRounds } from './call-flow/dial-targets.js';
import { unansweredDialEnd } from './call-flow/dial-node.js';
import { positionText } from './call-flow/queue-node.js';
import { mediaFile } from './call-flow/flow-prompt.js';
import type { DialOrder } from './call-flow/dial-order.js';
import type { CallQueues } from './call-flow/call-queue.js';
import type { AgentLease } from './agents/agent-pool.js';

/** What a flow call runs with, besides what every session has. */
export interface FlowCallDeps extends SessionDeps {
  routing: Pick<RoutingDeps, 'store' | 'registrar' | 'publicHost' | 'outgoingRingMs'>;
  dialOrder: DialOrder;
  /** The queues of every queue node (CallQueues); without them a queue node times out at once. */
  queues?: Pick<CallQueues, 'wait'>;
  /** The switch's clock (ms), which `time` nodes judge: tests set it. */
  now: () => number;
  /** Where `{ file }` prompts and music are read from. */
  mediaDir: string;
}

/** How long the agent a queue offers rings before the queue tries the next one. */
export const QUEUE_OFFER_RING_MS = 20_000;
/** A voicemail node's longest message when the line sets none (docs/configuration.md default). */
const DEFAULT_VOICEMAIL_MS = 120_000;

/** Hold music when a queue names none: a soft four-note phrase, then a rest (looped). */
const DEFAULT_MUSIC: PlayItem[] = [523, 659, 784, 659].map((f): PlayItem => ({ tone: { frequencies: [f], durationMs: 400, level: 0.15 } })).concat([{ silenceMs: 1200 }]);

type Phase = 'unanswered' | 'answered' | 'bridged' | 'voicemail' | 'ended';

export class FlowCall implements FlowHost {
  readonly #session: SwitchSession;
  readonly #deps: FlowCallDeps;
  /** The caller's INVITE; none when the flow takes over a leg answered already (`continueAnswered`). */
  readonly #invite?: IncomingInvite;
  readonly #plan: CallPlan;
  readonly #flow: CallFlow;
  readonly #account: AccountRecord;
  readonly #facts: SessionFacts;
  readonly log: Logger;
  readonly #legs: SessionLegs;
  readonly #caller!: Leg;
  #phase: Phase = 'unanswered';
  #callerSdp?: string;
  #lateOffer = false;
  #ringSent = false;
  /** The dial in progress (a dial node, a forward, a queue's offer). */
  #ringing?: Ringing;
  /** Every dialled leg that failed, over the whole call: what an unanswered caller is refused with. */
  readonly #failures: DialOutcome[] = [];
  #conversation?: Conversation;
  readonly #gone: Promise<Gone>;
  #resolveGone!: (g: Gone) => void;
  /** Keys pressed and not yet read, and the reader waiting for one. */
  readonly #digits: string[] = [];
  #digitWaiter?: (digit: string) => void;
  readonly #onDigit: MediaListener<'dtmf'>;
  /** While a caller waits in a queue: what it hears between announcements. */
  #music?: PlayItem[];

  /**
   * `caller`: an inbound INVITE (the flow call is its own session), or a leg answered already in another
   * session (`answered`: the autodialer's contact in a contact-callflow attempt), which `continueAnswered`
   * walks inside that session.
   */
  constructor(deps: FlowCallDeps, caller: IncomingInvite | { answered: Leg; session: SwitchSession }, plan: CallPlan) {
    if (!plan.flow) throw new Error('FlowCall needs a plan with a flow');
    this.#deps = deps;
    this.#plan = plan;
    this.#flow = plan.flow.flow;
    this.#account = plan.flow.account;
    if ('answered' in caller) {
      this.#session = caller.session;
      this.#caller = caller.answered;
      this.#phase = 'answered';
    } else {
      this.#invite = caller;
      this.#session = new SwitchSession(deps, { callId: plan.start.callId, sipCallId: caller.request.callId, flowId: this.#flow.id });
    }
    this.#facts = this.#session.facts;
    this.#legs = this.#session.legs;
    const c = plan.caller;
    this.#caller ??= this.#legs.create({ role: 'caller', party: c.party, direction: c.direction ?? 'in', ...(c.user ? { user: c.user } : {}) });
    // Every line of the call, the walk's steps included, names the session, the flow and the caller's leg.
    this.log = this.#session.log.child({ callerLegId: this.#caller.legId });
    this.#gone = new Promise((r) => (this.#resolveGone = r));
    this.#onDigit = (e) => {
      if (e.endpointId !== this.#caller.endpointId || this.#phase !== 'answered') return;
      this.#facts.record({ type: 'dtmf', legId: this.#caller.legId, digit: e.digit, durationMs: e.durationMs, via: e.via });
      const waiter = this.#digitWaiter;
      this.#digitWaiter = undefined;
      if (waiter) waiter(e.digit);
      else this.#digits.push(e.digit);
    };
  }

  get sessionId(): string {
    return this.#session.sessionId;
  }

  get done(): Promise<void> {
    return this.#session.done;
  }

  get timezone(): string {
    return this.#account.timezone;
  }

  get over(): boolean {
    return this.#phase === 'ended';
  }

  now(): Date {
    return new Date(this.#deps.now());
  }

  /** Runs the call to its end. Never rejects. */
  run(): Promise<void> {
    return this.#session.run(
      'flow call',
      async () => {
        try {
          await this.#run();
        } finally {
          this.#deps.media.off('dtmf', this.#onDigit);
        }
      },
      () => this.#end(500, 'error'),
    );
  }

  /** Ringside is stopping: a ringing caller is refused 503, an answered call hung up (as a Call's). */
  abort(): void {
    if (this.#phase === 'unanswered') this.#end(503, 'error');
    else this.#end(undefined, 'normal');
  }

  /** The flow (or the console) ends the call: an unanswered caller is refused, an answered one gets BYE. */
  hangUp(): void {
    this.#end(undefined, 'normal');
  }

  /** Blind transfer out of the flow's bridge (the console); `unanswered` when nothing is bridged. */
  transfer(target: string): Promise<'moved' | 'nobody' | 'gone' | 'unanswered'> {
    if (this.#phase !== 'bridged' || !this.#conversation) return Promise.resolve('unanswered');
    return this.#conversation.transfer(target);
  }

  async #run(): Promise<void> {
    const { start } = this.#plan;
    this.log.info({ kind: start.kind, from: start.from.number, to: start.to.number, line: start.line?.id, flowId: this.#flow.id }, 'flow call started');
    this.#facts.record({ type: 'session.started', ...start });
    this.#legs.announce(this.#caller);
    await this.#takeInvite();
    if (this.over) return;
    await runFlow(this.#flow, this, { mediaDir: this.#deps.mediaDir });
    // Every way out of the walk ends the call; this is the safety net for one that did not.
    if (!this.over && this.#phase !== 'bridged' && this.#phase !== 'voicemail') this.hangUp();
  }

  /**
   * Walks the flow on the leg given answered (contact-callflow), inside the session it belongs to, which
   * recorded its start: resolves once the call is over and its end is recorded. Never rejects.
   */
  async continueAnswered(): Promise<void> {
    if (this.#invite) throw new Error('continueAnswered is for a leg answered already');
    this.log.info({ flowId: this.#flow.id }, 'flow takes over an answered leg');
    void this.#caller.session!.ended.then(() => this.#callerLeft());
    this.#deps.media.on('dtmf', this.#onDigit);
    try {
      await runFlow(this.#flow, this, { mediaDir: this.#deps.mediaDir });
      if (!this.over && this.#phase !== 'bridged' && this.#phase !== 'voicemail') this.hangUp();
    } catch (err) {
      this.log.error({ err }, 'flow on an answered leg failed');
      this.#end(undefined, 'error');
    } finally {
      this.#deps.media.off('dtmf', this.#onDigit);
    }
    // A bridge or voicemail records the end itself; wait for it.
    await this.#gone;
  }

  /** The caller's INVITE: its media endpoint and the SDP to answer it with (as Call does). */
  async #takeInvite(): Promise<void> {
    const invite = this.#invite!;
    invite.onCancel(() => this.#callerLeft());
    try {
      ({ sdp: this.#callerSdp, lateOffer: this.#lateOffer } = await openCallerMedia(this.#caller, invite));
    } catch (err) {
      this.#caller.log.warn({ err }, 'caller media refused');
      this.#end(sipStatusForMediaError(err) ?? 503, 'error');
    }
  }

  // The call's end.

  /** The caller cancelled (before the answer) or hung up (after it, outside a bridge or voicemail). */
  #callerLeft(): void {
    if (this.#phase !== 'unanswered' && this.#phase !== 'answered') return;
    const answered = this.#phase === 'answered';
    this.#phase = 'ended';
    this.log.info({ legId: this.#caller.legId, answered }, answered ? 'caller hung up' : 'caller cancelled');
    this.#ringing?.giveUp(CANCELLED, 'originator-cancel');
    if (answered) this.#stopPlayback();
    const cause: HangupCause = answered ? 'normal' : 'originator-cancel';
    this.#facts.record({ type: 'leg.ended', legId: this.#caller.legId, by: 'remote', cause });
    this.#facts.record({ type: 'session.ended', hangupBy: this.#caller.party, hangupLegId: this.#caller.legId, cause });
    this.#resolveGone('gone');
  }

  /**
   * Ringside ends the call. Unanswered: the INVITE is refused with `status` (undefined: what the dials so
   * far call for, dial-results.ts; 480 when nothing was dialled). Answered: BYE. In a bridge or voicemail,
   * those end it (and record it) themselves.
   */
  #end(status: number | undefined, cause: HangupCause): void {
    if (this.#phase === 'bridged') return void this.#conversation?.hangUp();
    if (this.#phase === 'voicemail') return this.#caller.hangUp();
    if (this.#phase === 'ended') return;
    const answered = this.#phase === 'answered';
    this.#phase = 'ended';
    this.#ringing?.giveUp(ABORTED, cause === 'normal' ? 'normal' : 'error');
    if (answered) {
      this.#stopPlayback();
      this.#caller.hangUp();
    } else {
      const refusal = this.#failures.length > 0 ? callerStatusWhenUnanswered(this.#failures, false) : { status: 480, cause };
      if (status === undefined) {
        status = refusal.status;
        cause = refusal.cause;
      }
      this.#invite?.refuse(status);
    }
    this.log.info({ legId: this.#caller.legId, answered, status, cause }, 'flow call: Ringside hangs up');
    this.#facts.record({ type: 'leg.ended', legId: this.#caller.legId, by: 'local', cause });
    this.#facts.record({ type: 'session.ended', hangupBy: this.#plan.localParty, cause });
    this.#resolveGone('gone');
  }

  #stopPlayback(): void {
    const ep = this.#caller.endpointId;
    if (ep) this.#deps.media.stopPlayback(ep).catch(() => undefined);
  }

  // FlowHost: answering, playing, keys.

  answer(): Promise<void | Gone> {
    return this.#answerCaller();
  }

  /** Answers the caller (200 with our SDP) unless already answered; `winner`: a dialled leg waiting to be
   *  bridged, hung up when the caller cannot be answered. */
  async #answerCaller(winner?: Leg): Promise<void | Gone> {
    if (this.#phase === 'answered') return;
    if (this.#phase !== 'unanswered') {
      // The call ended just as a leg won: that leg is not to be connected.
      if (winner && this.#phase === 'ended') this.#hangUpWinner(winner);
      return 'gone';
    }
    const caller = this.#caller;
    if (this.#invite?.state !== 'pending') {
      // The caller's transaction ended under us (transport error, the stack's ring guard).
      this.#phase = 'ended';
      if (winner) this.#hangUpWinner(winner);
      this.#facts.record({ type: 'leg.ended', legId: caller.legId, by: 'local', cause: 'error' });
      this.#facts.record({ type: 'session.ended', hangupBy: this.#plan.localParty, cause: 'error' });
      this.#resolveGone('gone');
      return 'gone';
    }
    const session = this.#invite.accept({ body: this.#callerSdp! });
    this.#phase = 'answered';
    this.log.debug({ legId: caller.legId, winner: winner?.legId }, 'caller answered');
    this.#facts.record({ type: 'leg.answered', legId: caller.legId, dialog: storedDialogOf(session) });
    caller.attach(session);
    if (this.#lateOffer && !(await this.#lateAnswer(session, winner))) return 'gone';
    this.#facts.record({ type: 'leg.media-ready', legId: caller.legId, ...codecOf(caller) });
    void session.ended.then(() => this.#callerLeft());
    this.#deps.media.on('dtmf', this.#onDigit);
    return this.over ? 'gone' : undefined;
  }

  /** RFC 3264 §5: our offer went in the 2xx; the caller's answer comes in the ACK. False when it never came. */
  async #lateAnswer(session: InviteSession, winner?: Leg): Promise<boolean> {
    const late = await takeLateAnswer(this.#caller, session, this.#plan.localParty);
    if (late.confirmed) return true;
    this.#phase = 'ended';
    this.#facts.record(late.legEnded);
    if (winner) this.#hangUpWinner(winner, 'normal');
    this.#facts.record(late.sessionEnded);
    this.#resolveGone('gone');
    return false;
  }

  async play(items: PlayItem[], opts: { stopOnDigit?: boolean } = {}): Promise<{ digit?: string } | Gone> {
    if (this.#phase !== 'answered') return 'gone';
    this.#digits.length = 0;
    let done: Promise<unknown> = Promise.resolve();
    try {
      done = (await this.#deps.media.play(this.#caller.endpointId!, items, { stopOnDigits: opts.stopOnDigit ?? false })).done;
    } catch (err) {
      this.log.warn({ err }, 'flow: the prompt could not be played; going on');
    }
    const outcome = await Promise.race([done, this.#gone]);
    if (outcome === 'gone' || this.over) return 'gone';
    if (outcome === 'error') this.log.warn('flow: the prompt could not be played (missing file, no TTS); going on');
    const digit = opts.stopOnDigit ? this.#digits.shift() : undefined;
    return digit !== undefined ? { digit } : {};
  }

  async digit(ms: number): Promise<string | undefined | Gone> {
    if (this.#phase !== 'answered') return 'gone';
    const queued = this.#digits.shift();
    if (queued !== undefined) return queued;
    let timer: NodeJS.Timeout | undefined;
    const got = await Promise.race([
      new Promise<string>((r) => (this.#digitWaiter = r)),
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms))),
      this.#gone,
    ]);
    clearTimeout(timer);
    this.#digitWaiter = undefined;
    return this.over ? 'gone' : got;
  }

  // FlowHost: dialling and bridging.

  async dial(node: DialNode, key: string): Promise<DialEnd | Gone> {
    const rounds = await dialRounds(this.#deps.routing, this.#deps.dialOrder, {
      account: this.#account,
      target: node.target,
      ...(node.strategy ? { strategy: node.strategy } : {}),
      timeoutMs: (node.timeoutSeconds ?? FLOW_DEFAULTS.dial.timeoutSeconds) * 1000,
      caller: this.#plan.caller.party,
      key,
    });
    const rung = await this.#ring(rounds, true);
    if (rung === 'gone') return 'gone';
    if ('failures' in rung) {
      const end = unansweredDialEnd(rung.failures);
      this.log.info({ end, legs: rung.failures.length }, 'flow dial: nobody answered');
      return end;
    }
    const userId = rung.winner.user?.id;
    // With an `answer` output the caller stays when the dialled party hangs up first, and the flow goes on.
    await this.#bridge(rung.winner, node.answer !== undefined);
    if (userId !== undefined) this.#deps.dialOrder.ended(Number(userId), this.#deps.now());
    return 'answer';
  }

  async forward(node: ForwardNode): Promise<void> {
    const caller = this.#plan.caller.party;
    // The forwarded party sees the original caller's number, as a forwarding line presents it.
    const trunk = await trunkOf(this.#deps.routing, this.#account);
    const target = trunkTarget(this.#deps.routing, node.number, caller.number, trunk, caller.name);
    const rung = await this.#ring([{ targets: [target], timeoutMs: this.#deps.routing.outgoingRingMs }], true);
    if (rung === 'gone') return;
    if ('failures' in rung) return this.hangUp();
    await this.#bridge(rung.winner);
  }

  /**
   * Rings the rounds in turn, with a Ringing of its own: the first answer wins. An unanswered caller gets
   * 180 on the first alert; an answered one hears ringback from Ringside (`ringback`) while it rings.
   */
  async #ring(rounds: RingRound[], ringback: boolean): Promise<{ winner: Leg } | { failures: DialOutcome[] } | Gone> {
    if (this.over) return 'gone';
    const answered = this.#phase === 'answered';
    const ringing = this.#session.ringing({ onAlerting: () => this.#alerting() });
    this.#ringing = ringing;
    if (answered && ringback && rounds.length > 0) {
      await this.#deps.media.play(this.#caller.endpointId!, { prompt: 'ringback' }, { loop: true }).catch((err: unknown) => this.log.warn({ err }, 'no ringback for the caller'));
    }
    try {
      for (const round of rounds) {
        if (this.over) return 'gone';
        const winner = await ringing.ring(round);
        if (this.over) {
          // The caller left just as a leg won: hang that leg up.
          if (winner) this.#hangUpWinner(winner);
          return 'gone';
        }
        if (winner) return { winner };
      }
    } finally {
      if (this.#ringing === ringing) this.#ringing = undefined;
      if (answered && ringback && !this.over) this.#stopPlayback();
    }
    const failures = ringing.failed.map((f) => f.outcome);
    this.#failures.push(...failures);
    return this.over ? 'gone' : { failures };
  }

  /** A target alerts: an unanswered caller hears ringback from its own phone, one 180 for the first. */
  #alerting(): void {
    if (this.#ringSent || this.#phase !== 'unanswered' || this.#invite?.state !== 'pending') return;
    this.#ringSent = true;
    this.#invite.progress(180);
  }

  /** Hangs up a leg that won but will not be connected (the caller is gone). */
  #hangUpWinner(leg: Leg, cause: HangupCause = 'originator-cancel'): void {
    leg.hangUp();
    this.#facts.record({ type: 'leg.ended', legId: leg.legId, by: 'local', cause });
    leg.releaseMedia();
  }

  /** The caller (answered now if it was not) and the leg that won talk until the conversation ends; that
   *  ends the call, unless `keepCaller` and the other party hung up first: then the caller is back in the
   *  flow (answered, out of any conversation). */
  async #bridge(winner: Leg, keepCaller = false): Promise<void> {
    if ((await this.#answerCaller(winner)) === 'gone') {
      // Answering the caller failed after the winner was taken: #answerCaller hung the winner up and recorded it.
      return;
    }
    this.#stopPlayback();
    this.#phase = 'bridged';
    const { start, localParty, record, timeLimitMs } = this.#plan;
    const conversation = this.#session.conversation({ start, localParty, ...(record ? { record } : {}), ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) });
    this.#conversation = conversation;
    await conversation.join(this.#caller, winner);
    const ended = keepCaller ? await conversation.runKeeping(this.#caller) : await conversation.run();
    this.#conversation = undefined;
    if (ended === 'kept') {
      this.log.info({ legId: winner.legId }, 'flow dial: the dialled party hung up; the flow goes on');
      winner.releaseMedia();
      this.#phase = 'answered';
      return;
    }
    this.#phase = 'ended';
    this.#facts.record(ended);
    this.#resolveGone('gone');
  }

  // FlowHost: voicemail and queues.

  async voicemail(node: VoicemailNode): Promise<void> {
    if ((await this.#answerCaller()) === 'gone') return;
    this.#stopPlayback();
    this.#phase = 'voicemail';
    const caller = this.#caller;
    const session = caller.session!;
    const box = { mailboxUserId: String(node.mailboxUser), maxMs: this.#plan.flow?.voicemailMaxMs ?? DEFAULT_VOICEMAIL_MS };
    const d = this.#deps;
    const end = await takeVoicemail({ media: d.media, facts: this.#facts, log: this.log, recordingUrl: d.recordingUrl }, { legId: caller.legId, endpointId: caller.endpointId!, session }, box);
    this.#phase = 'ended';
    const byCaller = end === 'caller' && (await session.ended) === 'remote-bye';
    caller.hangUp();
    this.#facts.record({ type: 'leg.ended', legId: caller.legId, by: byCaller ? 'remote' : 'local', cause: 'normal' });
    this.#facts.record({ type: 'session.ended', hangupBy: byCaller ? caller.party : this.#plan.localParty, ...(byCaller ? { hangupLegId: caller.legId } : {}), cause: 'normal' });
    this.#resolveGone('gone');
  }

  async queue(node: QueueNode & { strategy: DialStrategy; maxWaitSeconds: number; announceEverySeconds: number }, key: string): Promise<QueueEnd | Gone> {
    const queues = this.#deps.queues;
    if (!queues) {
      this.log.error({ key }, 'flow queue: no call queues in this switch; taking the timeout output');
      return 'timeout';
    }
    if ((await this.#answerCaller()) === 'gone') return 'gone';
    const candidates = await this.#queueAgents(node);
    this.#music = node.music ? [{ file: mediaFile(node.music.file, this.#deps.mediaDir) }] : DEFAULT_MUSIC;
    this.#playMusic();
    let bridged: Promise<void> | undefined;
    const outcome = await queues.wait({
      accountId: this.#account.id,
      queueKey: key,
      candidates,
      strategy: node.strategy,
      maxWaitMs: node.maxWaitSeconds * 1000,
      announceEveryMs: node.announceEverySeconds * 1000,
      announce: (position) => this.#announce(position),
      offer: async (lease) => {
        const started = this.#offer(lease);
        const result = await started.connected;
        if (result === 'connected') bridged = started.bridged;
        return result;
      },
      gone: this.#gone.then(() => undefined),
    });
    this.#music = undefined;
    this.log.info({ key, outcome }, 'flow queue: wait over');
    if (outcome === 'connected') {
      await bridged;
      return 'connected';
    }
    if (outcome === 'gone' || this.over) return 'gone';
    this.#stopPlayback();
    return 'timeout';
  }

  /** The user ids a queue offers, in order: its users, or its ring group's members (presence is the pool's). */
  async #queueAgents(node: QueueNode): Promise<number[]> {
    if ('users' in node.agents) return node.agents.users;
    const ringGroup = node.agents.ringGroup;
    const group = (await this.#deps.routing.store.listRingGroups(this.#account.id)).find((g) => g.id === ringGroup);
    return group?.members ?? [];
  }

  #playMusic(): void {
    const music = this.#music;
    if (!music || this.#phase !== 'answered') return;
    this.#deps.media.play(this.#caller.endpointId!, music, { loop: true }).catch((err: unknown) => this.log.warn({ err }, 'flow queue: no music on hold'));
  }

  /** The caller's place in the queue, spoken (TTS), then the music again. */
  #announce(position: number): void {
    if (this.#phase !== 'answered' || !this.#music) return;
    this.log.info({ position }, 'flow queue: announcing the position');
    void (async () => {
      try {
        const pb = await this.#deps.media.play(this.#caller.endpointId!, [{ silenceMs: 200 }, { speak: positionText(position) }]);
        if ((await pb.done) !== 'done') return;
      } catch (err) {
        this.log.warn({ err }, 'flow queue: the position could not be announced');
      }
      this.#playMusic();
    })();
  }

  /**
   * CallQueues offers an agent: its devices ring inside this session while the caller keeps its music.
   * `connected` once the agent answered (the bridge then runs in `bridged`, and the lease is released when
   * it ends); `failed` when the agent did not answer or the caller left.
   */
  #offer(lease: AgentLease): { connected: Promise<'connected' | 'failed'>; bridged: Promise<void> } {
    let resolveConnected!: (r: 'connected' | 'failed') => void;
    const connected = new Promise<'connected' | 'failed'>((r) => (resolveConnected = r));
    const bridged = (async () => {
      const user = await this.#deps.routing.store.getUser(lease.userId);
      if (!user || this.over) return resolveConnected('failed');
      const caller = this.#plan.caller.party;
      const rounds = await huntRounds(this.#deps.routing, [user], 'ring-all', QUEUE_OFFER_RING_MS, presenting(this.#deps.routing, caller.number, caller.name));
      this.log.info({ userId: lease.userId }, 'flow queue: offering the caller to an agent');
      const rung = await this.#ring(rounds, false);
      if (rung === 'gone' || 'failures' in rung) return resolveConnected('failed');
      this.#music = undefined;
      resolveConnected('connected');
      try {
        await this.#bridge(rung.winner);
      } finally {
        lease.release();
        this.#deps.dialOrder.ended(lease.userId, this.#deps.now());
      }
    })().catch((err: unknown) => {
      this.log.error({ err }, 'flow queue: offering an agent failed');
      resolveConnected('failed');
    });
    return { connected, bridged };
  }
}

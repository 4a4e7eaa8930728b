/**
 * One autodialer attempt (issue 14; spec teltel §5.7 and its "Other subtypes"): a session of kind `dialer`
 * that Ringside starts for one contact of a campaign. Both parties are dialled (ringing.ts), both are legs
 * of one Conversation (conversation.ts) once answered, so hold, DTMF, transfer and the hangup work as in
 * every call.
 *
 * - `predictive`: the contact is dialled first. Once it answers it joins the conversation alone (teltel
 *   JOIN P=1: it hears silence) and the free agents are rung together (`agents.next()`, at most
 *   MAX_PARALLEL_AGENTS; spec teltel §5.7 rings two): the first to answer takes the contact, the others are
 *   cancelled; when none answers they are let go and the next free ones rung, until one answers or
 *   `abandonAfterMs` has passed since the contact answered: then the contact is abandoned (a short
 *   apology, then Ringside hangs up).
 * - `operator-contact`: the agent the dialer reserved is rung first and joins alone (P=1); then the
 *   contact is dialled; if it does not answer, Ringside hangs up the agent.
 * - `contact-callflow`: the contact is dialled; once it answers (READY) the campaign's call flow runs on
 *   it in this session (flow-call.ts `continueAnswered`): no agent unless the flow dials one.
 *
 * The attempt's result (`outcome`) is what the dialer stores for the contact: `answered` (the contact
 * talked to an agent), `abandoned` (answered, no agent), `busy`, `no-answer`, `failed` (the contact's dial
 * result, spec teltel §4), or `not-dialled` (operator-contact: the agent never answered, so the contact
 * was not called and the attempt does not count).
 */
import type { AttemptResult } from '../store/store.js';
import type { DialResult, HangupCause } from '../events/model/facts.js';
import type { Logger } from '../log/logger.js';
import { ABORTED, CANCELLED } from './dial-results.js';
import type { SessionFacts } from './session-facts.js';
import type { Ringing } from './ringing.js';
import type { Conversation } from './conversation.js';
import { SwitchSession } from './switch-session.js';
import type { Leg } from './leg.js';
import type { AgentOffer, DialerPlan } from './dialer-plan.js';
import type { OriginateSide } from './originate-plan.js';
import type { SessionDeps } from './session-deps.js';
import { FlowCall, type FlowCallDeps } from './flow-call.js';

export type DialerOutcome = AttemptResult | 'not-dialled';

/** How an attempt ended, for the dialer: its result, and whether the number can never be reached. */
export interface AttemptEnd {
  result: DialerOutcome;
  /** The contact's number does not exist (404, 484, 410, 604: cause `unallocated`): retrying cannot help. */
  permanent?: boolean;
}

/** What the dialer is told while an attempt runs. */
export interface DialerHooks {
  /** The contact answered (predictive pacing counts it as waiting for an agent). */
  contactAnswered?(): void;
  /** The contact and an agent are connected. */
  connected?(): void;
  /** What a contact-callflow attempt's flow runs with (the switch's flow calls' deps). */
  flowDeps?: FlowCallDeps;
}

/** The longest an answered contact waits for an agent by default (the abandon bound). */
export const DEFAULT_ABANDON_AFTER_MS = 5000;
/** Free agents rung at once for one answered predictive contact (the first to answer takes it). Two, as
 *  spec teltel §5.7 shows: three abandoned 1.4 % of the 200-contact test's live calls, two 0.7 % (agents
 *  held by one contact are missing for the next). */
export const MAX_PARALLEL_AGENTS = 2;
/** How often a predictive attempt looks again for a free agent while its contact waits. */
const AGENT_POLL_MS = 200;
/** What an abandoned contact hears before Ringside hangs up (bounded: the apology may not be spoken). */
const APOLOGY = 'We are sorry, all our agents are busy. We will call you again.';
const APOLOGY_MAX_MS = 6000;

/** The contact's dial result as the campaign's retry rules see it. */
export function attemptResultOf(result: DialResult): AttemptResult {
  if (result === 'ANSWER') return 'answered';
  if (result === 'BUSY') return 'busy';
  if (result === 'NOANSWER' || result === 'CANCEL') return 'no-answer';
  return 'failed';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class DialerCall {
  readonly #session: SwitchSession;
  readonly #deps: SessionDeps;
  readonly #plan: DialerPlan;
  readonly #facts: SessionFacts;
  readonly #log: Logger;
  readonly #ringing: Ringing;
  #stopped = false;
  #conversation?: Conversation;
  #flowCall?: FlowCall;
  #outcome: DialerOutcome = 'failed';
  #permanent = false;
  /** Agents this attempt holds (released when it ends). */
  readonly #held = new Set<AgentOffer>();

  readonly #hooks: DialerHooks;

  constructor(deps: SessionDeps, plan: DialerPlan, hooks: DialerHooks = {}) {
    this.#deps = deps;
    this.#plan = plan;
    this.#hooks = hooks;
    this.#session = new SwitchSession(deps, { callId: plan.start.callId, campaignId: plan.start.dialer.campaignId, contactId: plan.start.dialer.contactId });
    this.#log = this.#session.log;
    this.#facts = this.#session.facts;
    this.#ringing = this.#session.ringing();
    if (plan.agent) this.#held.add(plan.agent);
  }

  get sessionId(): string {
    return this.#session.sessionId;
  }

  get done(): Promise<void> {
    return this.#session.done;
  }

  /** The attempt's result, once `run` resolved. */
  get outcome(): DialerOutcome {
    return this.#outcome;
  }

  /** How it ended, once `run` resolved. */
  get end(): AttemptEnd {
    return { result: this.#outcome, ...(this.#permanent ? { permanent: true } : {}) };
  }

  /** Runs the attempt to its end; resolves with its result. Never rejects. */
  async run(): Promise<DialerOutcome> {
    await this.#session.run('dialer call', () => this.#run());
    for (const a of this.#held) a.release();
    this.#held.clear();
    return this.#outcome;
  }

  /** Ringside is stopping: ringing legs are cancelled (ABORT), answered ones hung up. */
  abort(): void {
    this.#stopped = true;
    this.#ringing.giveUp(ABORTED, 'error');
    this.#conversation?.hangUp();
    this.#flowCall?.abort();
  }

  /** Ringside hangs the attempt up on request (the console). */
  hangUp(): void {
    this.#stopped = true;
    this.#ringing.giveUp(CANCELLED, 'normal');
    this.#conversation?.hangUp();
    this.#flowCall?.hangUp();
  }

  /** Blind transfer of the contact to `target` (Call.transfer), once it talks to an agent. */
  transfer(target: string): Promise<'moved' | 'nobody' | 'gone' | 'unanswered'> {
    const c = this.#conversation;
    return c && c.legs.length === 2 ? c.transfer(target) : Promise.resolve('unanswered');
  }

  #ring(side: OriginateSide): Promise<Leg | undefined> {
    return this.#ringing.ring({ targets: [side.target], timeoutMs: side.timeoutMs });
  }

  #lastFailure(): { result: DialResult; cause: HangupCause } {
    const f = this.#ringing.failed.at(-1)?.outcome;
    return f ? { result: f.result, cause: f.cause } : { result: 'CHANUNAVAIL', cause: 'temporary-failure' };
  }

  #endUnanswered(cause: HangupCause): void {
    this.#facts.record({ type: 'session.ended', hangupBy: this.#plan.localParty, cause: this.#stopped ? 'error' : cause });
  }

  async #run(): Promise<void> {
    const { mode } = this.#plan.start.dialer;
    this.#log.info({ mode, contact: this.#plan.contact.target.party.number }, 'dialer attempt started');
    this.#facts.record({ type: 'session.started', ...this.#plan.start });
    if (mode === 'operator-contact') return this.#operatorFirst();
    return this.#contactFirst();
  }

  /** A conversation of the session with `leg` in it alone (teltel JOIN P=1). */
  async #joinAlone(leg: Leg): Promise<Conversation> {
    const conversation = this.#session.conversation({ start: this.#plan.start, localParty: this.#plan.localParty });
    this.#conversation = conversation;
    await conversation.join(leg);
    return conversation;
  }

  /** The leg is gone before the conversation ran (its dialog ended): record its end and the session's. */
  #alreadyGone(conversation: Conversation): Promise<void> {
    // run() sees the ended dialog at once and records leave/end of every member.
    return conversation.run().then((ended) => this.#facts.record(ended));
  }

  async #operatorFirst(): Promise<void> {
    const agent = this.#plan.agent;
    if (!agent) throw new Error('operator-contact needs a reserved agent');
    const a = await this.#ring(agent.side);
    if (!a) {
      this.#outcome = 'not-dialled';
      return this.#endUnanswered(this.#lastFailure().cause);
    }
    const conversation = await this.#joinAlone(a);
    if (this.#stopped || a.session!.state !== 'confirmed') return this.#alreadyGone(conversation);
    // The agent may hang up while the contact rings: then the contact is cancelled.
    let agentLeft = false;
    void a.session!.ended.then(() => {
      agentLeft = true;
      if (this.#ringing.active) this.#ringing.giveUp(CANCELLED, 'originator-cancel');
    });
    const b = await this.#ring(this.#plan.contact);
    if (!b) {
      const failure = this.#lastFailure();
      this.#outcome = agentLeft || this.#stopped ? 'not-dialled' : attemptResultOf(failure.result);
      this.#permanent = this.#outcome === 'failed' && failure.cause === 'unallocated';
      if (!agentLeft) conversation.hangUp();
      const ended = await conversation.run();
      // Ringside hung up the agent because the contact failed: the session ends with the contact's cause.
      if (!agentLeft && ended.type === 'session.ended') ended.cause = this.#stopped ? 'error' : failure.cause;
      this.#facts.record(ended);
      return;
    }
    this.#outcome = 'answered';
    this.#hooks.contactAnswered?.();
    this.#hooks.connected?.();
    await conversation.join(b);
    if (this.#stopped) conversation.hangUp();
    this.#facts.record(await conversation.run());
  }

  async #contactFirst(): Promise<void> {
    const c = await this.#ring(this.#plan.contact);
    if (!c) {
      const failure = this.#lastFailure();
      this.#outcome = this.#stopped ? 'failed' : attemptResultOf(failure.result);
      this.#permanent = !this.#stopped && failure.cause === 'unallocated';
      return this.#endUnanswered(failure.cause);
    }
    this.#hooks.contactAnswered?.();
    if (this.#plan.start.dialer.mode === 'contact-callflow') return this.#runFlow(c);
    const answeredAt = Date.now();
    const conversation = await this.#joinAlone(c);
    if (this.#stopped || c.session!.state !== 'confirmed') {
      this.#outcome = 'abandoned';
      return this.#alreadyGone(conversation);
    }
    let contactLeft = false;
    const left = c.session!.ended.then(() => {
      contactLeft = true;
      if (this.#ringing.active) this.#ringing.giveUp(CANCELLED, 'originator-cancel');
    });
    const deadline = answeredAt + (this.#plan.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS);
    const agent = await this.#connectAgent(deadline, () => contactLeft || this.#stopped, left);
    if (!agent) {
      this.#outcome = 'abandoned';
      if (!contactLeft && !this.#stopped) await this.#apologise(c, left);
      if (!contactLeft) conversation.hangUp();
      this.#facts.record(await conversation.run());
      return;
    }
    this.#outcome = 'answered';
    this.#hooks.connected?.();
    await conversation.join(agent);
    if (this.#stopped || contactLeft) conversation.hangUp();
    this.#facts.record(await conversation.run());
  }

  /** contact-callflow: the answered contact is handed to the campaign's flow, in this session. */
  async #runFlow(contact: Leg): Promise<void> {
    const { flow } = this.#plan;
    const deps = this.#hooks.flowDeps;
    this.#outcome = 'answered';
    if (!flow || !deps) {
      this.#log.error({ flow: flow?.flow.id }, 'contact-callflow without a flow to run; hanging up');
      const conversation = await this.#joinAlone(contact);
      conversation.hangUp();
      this.#facts.record(await conversation.run());
      return;
    }
    const plan = {
      start: this.#plan.start,
      caller: { party: contact.party, direction: 'out' as const },
      rounds: [],
      localParty: this.#plan.localParty,
      passThrough: false,
      flow,
    };
    const call = new FlowCall(deps, { answered: contact, session: this.#session }, plan);
    this.#flowCall = call;
    if (this.#stopped) call.abort();
    await call.continueAnswered();
  }

  /** Rings free agents one after another until one answers; undefined past the deadline or once `gone`. */
  async #connectAgent(deadline: number, gone: () => boolean, left: Promise<void>): Promise<Leg | undefined> {
    const agents = this.#plan.agents;
    if (!agents) return undefined;
    // An agent who did not answer this contact is not rung again for it: the next free one is.
    const refused = new Set<string>();
    while (!gone() && Date.now() < deadline) {
      // Every free agent (up to MAX_PARALLEL_AGENTS) rings at once; the first to answer takes the contact
      // and the others are cancelled (spec teltel §5.7: parallel RINGs, tied by data.dial_id).
      const offers: AgentOffer[] = [];
      while (offers.length < MAX_PARALLEL_AGENTS) {
        const offer = await agents.next(refused);
        if (!offer) break;
        offers.push(offer);
        this.#held.add(offer);
      }
      if (offers.length === 0) {
        await Promise.race([sleep(Math.min(AGENT_POLL_MS, Math.max(0, deadline - Date.now()))), left]);
        continue;
      }
      if (gone()) break;
      // The agents ring at most until the deadline: a contact is not kept waiting past it.
      const timeoutMs = Math.max(1, Math.min(...offers.map((o) => o.side.timeoutMs), deadline - Date.now()));
      const leg = await this.#ringing.ring({ targets: offers.map((o) => o.side.target), timeoutMs });
      for (const offer of offers) {
        const userId = offer.side.target.party.userId;
        if (leg && userId !== undefined && leg.party.userId === userId) continue;
        if (!leg && userId !== undefined) refused.add(userId);
        offer.release();
        this.#held.delete(offer);
      }
      if (leg) return leg;
    }
    return undefined;
  }

  /** The abandoned contact hears a short apology (spoken when text to speech is there), bounded. */
  async #apologise(contact: Leg, left: Promise<void>): Promise<void> {
    try {
      const played = await this.#deps.media.play(contact.endpointId!, [{ silenceMs: 200 }, { speak: APOLOGY }]);
      await Promise.race([played.done, left, sleep(APOLOGY_MAX_MS)]);
    } catch (err) {
      this.#log.warn({ err }, 'the apology to an abandoned contact could not be played');
    }
  }
}

/**
 * Originate (click-to-call, spec realtime §5.3, teltel §7 "callback"): Ringside dials the first party;
 * when it answers it hears ringback while Ringside dials the second; when that one answers the two join a
 * Conversation — the same as every call's (conversation.ts): hold, DTMF, blind transfer, the hangup. Either
 * hang-up ends both (docs/switch.md, "Originate").
 *
 * Each side is one leg in the facts (role `operator` for a SIP device, `contact` for a phone, facts.ts
 * header), rung by ringing.ts: a user with several registered devices, or a ring group, is reached by
 * forking that leg's INVITE (first 2xx wins). Facts follow the originate sequence of
 * test/support/random-sessions.ts exactly.
 */
import type { SessionEndReason } from '../sip/index.js';
import type { PlayItem } from '../media/player.js';
import type { Logger } from '../log/logger.js';
import { ABORTED, CANCELLED, type DialOutcome } from './dial-results.js';
import type { SessionFacts } from './session-facts.js';
import type { Ringing } from './ringing.js';
import type { Conversation } from './conversation.js';
import { SwitchSession } from './switch-session.js';
import type { Leg } from './leg.js';
import type { OriginatePlan, OriginateSide } from './originate-plan.js';
import type { SessionDeps } from './session-deps.js';

/** What the first side hears while the second rings (a deployment may replace the prompt, prompts.ts). */
const RINGBACK: PlayItem = { prompt: 'ringback' };

/** A side whose media cannot be set up did not get as far as a SIP status. */
const MEDIA_FAILED: DialOutcome = { result: 'CONGESTION', cause: 'congestion', sipStatus: 503 };

export class Originate {
  readonly #session: SwitchSession;
  readonly #deps: SessionDeps;
  readonly #plan: OriginatePlan;
  readonly #facts: SessionFacts;
  readonly #log: Logger;
  readonly #ringing: Ringing;
  #aborted = false;
  #hungUp = false;
  #conversation?: Conversation;

  constructor(deps: SessionDeps, plan: OriginatePlan) {
    this.#deps = deps;
    this.#plan = plan;
    this.#session = new SwitchSession(deps, { callId: plan.start.callId });
    this.#log = this.#session.log;
    this.#facts = this.#session.facts;
    this.#ringing = this.#session.ringing({ mediaFailure: MEDIA_FAILED });
  }

  get sessionId(): string {
    return this.#session.sessionId;
  }

  /** Resolves when the originate is over and its facts are recorded. */
  get done(): Promise<void> {
    return this.#session.done;
  }

  /** Runs the originate to its end. Never rejects. */
  run(): Promise<void> {
    return this.#session.run('originate', () => this.#run());
  }

  /** Ends it now (Ringside is stopping): a ringing side is cancelled (ABORT), answered ones get a BYE. */
  abort(): void {
    this.#aborted = true;
    this.#ringing.giveUp(ABORTED, 'error');
    this.#conversation?.hangUp();
  }

  /** Ringside hangs it up on request (the console): a ringing side is cancelled, answered ones get a BYE. */
  hangUp(): void {
    this.#hungUp = true;
    this.#ringing.giveUp(CANCELLED, 'normal');
    this.#conversation?.hangUp();
  }

  /** Blind transfer of the contact's party to `target`, Ringside hanging up the other side (Call.transfer). */
  transfer(target: string): Promise<'moved' | 'nobody' | 'gone' | 'unanswered'> {
    return this.#conversation ? this.#conversation.transfer(target) : Promise.resolve('unanswered');
  }

  /** Rings one side: its leg, if it answered. */
  #ring(side: OriginateSide): Promise<Leg | undefined> {
    return this.#ringing.ring({ targets: [side.target], timeoutMs: side.timeoutMs });
  }

  /** Why the side just rung failed (each side is one leg). */
  #failure(): DialOutcome {
    return this.#ringing.failed.at(-1)!.outcome;
  }

  async #run(): Promise<void> {
    const { start, first, second, localParty } = this.#plan;
    this.#log.info({ from: first.target.party.number, to: second.target.party.number }, 'originate started');
    this.#facts.record({ type: 'session.started', ...start });
    const a = await this.#ring(first);
    if (!a) {
      // The first side never answered: nothing else is dialled.
      this.#facts.record({ type: 'session.ended', hangupBy: localParty, cause: this.#aborted ? 'error' : this.#failure().cause });
      return;
    }
    const aSession = a.session!;
    const media = this.#deps.media;
    if (aSession.state !== 'confirmed' && !this.#aborted) {
      // Gone already (hung up at once, or never ACKed our 2xx): nothing else is dialled.
      this.#facts.record({ type: 'leg.ended', legId: a.legId, by: 'remote', cause: 'normal' });
      this.#facts.record({ type: 'session.ended', hangupBy: a.party, hangupLegId: a.legId, cause: 'originator-cancel' });
      return;
    }
    try {
      const ringback = await media.play(a.endpointId!, RINGBACK, { loop: true });
      void ringback.done.then((outcome) => this.#log.debug({ legId: a.legId, outcome }, 'ringback over'));
    } catch (err) {
      this.#log.warn({ err }, 'ringback failed; the first side hears silence');
    }
    // The first side may hang up while the second rings: then the second is cancelled.
    let firstLeft: SessionEndReason | undefined;
    void aSession.ended.then((reason) => {
      if (!this.#ringing.active) return;
      firstLeft = reason;
      a.log.info({ reason }, 'the first side left while the second rang');
      this.#ringing.giveUp(CANCELLED, 'originator-cancel');
    });
    const b = await this.#ring(second);
    // The endpoint may be gone with the first side: then there is nothing to stop.
    await media.stopPlayback(a.endpointId!).catch(() => undefined);
    if (!b) {
      if (firstLeft !== undefined) {
        const byRemote = firstLeft === 'remote-bye';
        this.#facts.record({ type: 'leg.ended', legId: a.legId, by: byRemote ? 'remote' : 'local', cause: byRemote ? 'normal' : 'temporary-failure' });
        this.#facts.record({ type: 'session.ended', hangupBy: byRemote ? a.party : localParty, ...(byRemote ? { hangupLegId: a.legId } : {}), cause: 'originator-cancel' });
        return;
      }
      // The second side failed (or Ringside is stopping): Ringside hangs up the first.
      a.hangUp();
      this.#facts.record({ type: 'leg.ended', legId: a.legId, by: 'local', cause: 'normal' });
      this.#facts.record({ type: 'session.ended', hangupBy: localParty, cause: this.#aborted ? 'error' : this.#failure().cause });
      return;
    }
    const conversation = this.#session.conversation({ start, localParty });
    this.#conversation = conversation;
    await conversation.join(a, b);
    if (this.#aborted || this.#hungUp) conversation.hangUp();
    this.#facts.record(await conversation.run());
  }
}

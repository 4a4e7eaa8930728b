/**
 * Ringing: Ringside dials a session's targets, one round at a time (ring-plan.ts, docs/switch.md "Routing").
 * Every target of a round rings in parallel until one answers, all fail, the round's ring timeout passes
 * (the legs still ringing are cancelled: NOANSWER), or the session gives up. The first 2xx wins: the legs
 * still ringing are cancelled (RFC 3261 §9.1) and fail CANCEL; a 2xx that comes too late (it crossed our
 * CANCEL, or came after the timeout or after another leg won) is hung up.
 *
 * A target with several requests is one leg whose INVITE is forked, as a forking proxy would (RFC 3261
 * §16.7): the same offer to every device of a kind (fork-media.ts: browsers get a WebRTC offer, other
 * phones a plain one, each kind its own endpoint), the first 2xx among them wins, the leg keeps the
 * endpoint of its kind and the other forks are cancelled; when every fork fails, the leg fails with their
 * combined outcome (outcomeOfForks).
 * This serves an originate's sides, which are one leg each in the facts whatever they reach.
 *
 * With screening (a line's confirmation or agent PIN), an answered leg must accept the call or enter a PIN
 * first (leg-screen.ts); meanwhile the others ring on, and the ring timeout spares it.
 *
 * Facts, in facts.ts order: `leg.created` for every target of the round, then as things happen
 * `leg.ringing` (first alert), `leg.failed`, or `leg.answered` + `leg.media-ready` (and the screen's facts;
 * a screened leg that is not taken ends with `leg.ended`).
 */
import type { HangupCause } from '../events/model/facts.js';
import { storedDialogOf, type InviteSession, type OutgoingInvite, type SipResponse, type SipStack } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import { CANCELLED, NOT_REGISTERED, RING_TIMEOUT, UNREACHABLE, dialResultForInvite, outcomeOfForks, type DialOutcome } from './dial-results.js';
import { codecOf } from './negotiated-codec.js';
import { LegScreen, type ScreenOptions } from './leg-screen.js';
import { sipStatusForMediaError } from './media-sip-status.js';
import type { Leg } from './leg.js';
import type { RingRequest, RingRound, RingTarget } from './ring-plan.js';
import type { SessionFacts } from './session-facts.js';
import type { SessionLegs } from './session-legs.js';
import { isWebSocketRequest } from './webrtc-target.js';
import { ForkMedia } from './fork-media.js';

export interface RingingDeps {
  stack: SipStack;
  media: MediaControl;
  facts: SessionFacts;
  log: Logger;
  legs: SessionLegs;
}

export interface RingingOptions {
  /** An answered leg accepts the call or enters a PIN before it wins. */
  screen?: ScreenOptions;
  /** A leg alerts (180/183): the caller may hear ringback. */
  onAlerting?: () => void;
  /** A screened leg entered no valid PIN (it is hung up): spec realtime `voice.incoming.agentpin-timeout`
   *  says the call is dropped. */
  onNoPin?: () => void;
  /** What a leg fails with when its media endpoint or offer cannot be had (default: CHANUNAVAIL). */
  mediaFailure?: DialOutcome;
}

/** A dialled leg that failed, and why (what the caller is told depends on these, dial-results.ts). */
export interface RingFailure {
  leg: Leg;
  outcome: DialOutcome;
}

/** One INVITE of a leg (several when forked). */
interface Fork {
  /** It goes to a browser (its offer and endpoint are the WebRTC ones). */
  webrtc: boolean;
  invite?: OutgoingInvite;
  done: boolean;
  outcome?: DialOutcome;
}

interface RingingLeg {
  leg: Leg;
  target: RingTarget;
  /** As the facts see it: dialling until answered (then maybe screening) or failed; `ended`: answered and
   *  screened, but hung up before it won. */
  state: 'dialling' | 'screening' | 'answered' | 'failed' | 'ended';
  screen?: LegScreen;
  /** Ringside gave up on it: a late 2xx is hung up, the INVITE cancelled. */
  abandoned: boolean;
  alerted: boolean;
  forks: Fork[];
  /** Its endpoints, once opened. */
  media?: ForkMedia;
  /** The 2xx being applied (they are taken one at a time: the first may switch the leg's endpoint, and
   *  the next must see whether it won). */
  answering: Promise<unknown>;
}

interface Round {
  legs: RingingLeg[];
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve: (winner: Leg | undefined) => void;
}

export class Ringing {
  readonly #deps: RingingDeps;
  readonly #o: RingingOptions;
  readonly #failed: RingFailure[] = [];
  #round?: Round;
  /** Set once the session gave up: what legs not yet dialled fail with. */
  #gaveUp?: DialOutcome;

  constructor(deps: RingingDeps, options: RingingOptions = {}) {
    this.#deps = deps;
    this.#o = options;
  }

  /** Every leg that failed so far, in order, over all rounds. */
  get failed(): readonly RingFailure[] {
    return this.#failed;
  }

  /** A round is in progress. */
  get active(): boolean {
    return this.#round !== undefined;
  }

  /** Rings one round: resolves with the leg that won (answered, and accepted when screened), or undefined
   *  when none did. */
  ring(round: RingRound): Promise<Leg | undefined> {
    return new Promise((resolve) => {
      const r: Round = { legs: [], settled: false, resolve };
      this.#round = r;
      for (const target of round.targets) {
        const leg = this.#deps.legs.create({
          role: target.role ?? 'callee',
          party: target.party,
          direction: 'out',
          ...(target.user ? { user: target.user } : {}),
          ...(target.callerId !== undefined ? { callerId: target.callerId } : {}),
        }, target.legId);
        this.#deps.legs.announce(leg);
        r.legs.push({ leg, target, state: 'dialling', abandoned: false, alerted: false, forks: [], answering: Promise.resolve() });
      }
      for (const l of r.legs) {
        if (this.#gaveUp) this.#fail(l, this.#gaveUp);
        else if (l.target.requests.length === 0) this.#fail(l, NOT_REGISTERED);
        else void this.#dial(l);
      }
      if (!r.settled) r.timer = setTimeout(() => this.#ringTimeout(r), round.timeoutMs);
      this.#checkRound(r);
    });
  }

  /**
   * The session will not connect anyone (the caller left, Ringside refuses or stops): legs still ringing
   * fail with `ringing` (their INVITEs cancelled), legs being screened are hung up (ended with `screened`);
   * rounds rung after this fail at once with `ringing`.
   */
  giveUp(ringing: DialOutcome, screened: HangupCause): void {
    this.#gaveUp = ringing;
    const r = this.#round;
    if (!r) return;
    for (const l of r.legs) {
      if (l.state === 'screening') this.#dropScreened(l, 'hangup', screened);
      else if (l.state === 'dialling') {
        this.#abandon(l);
        this.#fail(l, ringing);
      }
    }
    this.#endRound(r, undefined);
  }

  #endRound(r: Round, winner: Leg | undefined): void {
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
    this.#deps.log.info({ legs: r.legs.filter((l) => l.state === 'dialling').map((l) => l.leg.legId) }, 'ring timeout: cancelling the legs still ringing');
    for (const l of r.legs) {
      if (l.state !== 'dialling') continue;
      this.#abandon(l);
      this.#fail(l, RING_TIMEOUT);
    }
  }

  /** The leg still wants its INVITEs answered. */
  #wanted(l: RingingLeg): boolean {
    return l.state === 'dialling' && !l.abandoned;
  }

  async #dial(l: RingingLeg): Promise<void> {
    let media: ForkMedia;
    try {
      media = await ForkMedia.open(l.leg, this.#deps.media, l.target.requests);
    } catch (err) {
      l.leg.log.warn({ err }, 'no media for the leg');
      this.#fail(l, this.#o.mediaFailure ?? UNREACHABLE);
      return;
    }
    l.media = media;
    // Cancelled while the port was being bound: nobody will use it.
    if (l.abandoned) return media.release();
    l.forks = l.target.requests.map((req) => ({ webrtc: isWebSocketRequest(req), done: false }));
    await Promise.all(l.target.requests.map((req, i) => this.#fork(l, l.forks[i]!, req, media.offerFor(req))));
  }

  /** Closes the leg's endpoints (the one it holds and, forks mixed, the other). */
  #releaseMedia(l: RingingLeg): void {
    if (l.media) l.media.release();
    else l.leg.releaseMedia();
  }

  async #fork(l: RingingLeg, f: Fork, req: RingRequest, offer: string): Promise<void> {
    try {
      const invite = await this.#deps.stack.invite({ ...req, body: offer, contentType: 'application/sdp' });
      f.invite = invite;
      this.#deps.log.debug({ legId: l.leg.legId, to: l.target.party.number, sipCallId: invite.callId }, 'dialling');
      if (!this.#wanted(l)) invite.cancel();
      invite.onProgress(() => this.#progress(l));
      const r = await invite.result;
      if (r.ok) {
        if (await this.#answered(l, f, r.session, r.response)) return;
      } else {
        l.leg.log.info({ status: r.response.status, reason: r.reason }, 'dialled leg failed');
        f.outcome = dialResultForInvite(r);
      }
    } catch (err) {
      l.leg.log.warn({ err }, 'dialling failed');
      f.outcome = UNREACHABLE;
    }
    f.done = true;
    this.#forkFailed(l);
  }

  #progress(l: RingingLeg): void {
    if (!this.#wanted(l)) return;
    if (!l.alerted) {
      l.alerted = true;
      this.#deps.facts.record({ type: 'leg.ringing', legId: l.leg.legId });
    }
    this.#o.onAlerting?.();
  }

  /** A fork got a 2xx. True when that settled it (the leg took the answer, or it came too late and was hung
   *  up); false when its answer is unusable (the fork failed, `f.outcome`). */
  async #answered(l: RingingLeg, f: Fork, session: InviteSession, response: SipResponse): Promise<boolean> {
    const before = l.answering;
    const taken = this.#takeAnswer(before, l, f, session, response);
    l.answering = taken.catch(() => undefined);
    return taken;
  }

  async #takeAnswer(before: Promise<unknown>, l: RingingLeg, f: Fork, session: InviteSession, response: SipResponse): Promise<boolean> {
    await before;
    if (this.#tooLate(l, session)) return true;
    try {
      l.media!.use(f.webrtc);
      await l.leg.applyAnswer(response.body.toString('utf8'));
    } catch (err) {
      l.leg.log.warn({ err }, 'answer SDP unusable; hanging up the leg');
      session.bye().catch(() => undefined);
      f.outcome = { result: 'CONGESTION', cause: 'error', sipStatus: sipStatusForMediaError(err) ?? 488 };
      return false;
    }
    // Things may have moved on while the media engine worked (another leg won, a timeout, a CANCEL).
    if (this.#tooLate(l, session)) return true;
    const round = this.#round!;
    l.state = 'answered';
    l.media!.settle();
    l.leg.attach(session);
    this.#deps.log.debug({ legId: l.leg.legId }, 'dialled leg answered');
    this.#deps.facts.record({ type: 'leg.answered', legId: l.leg.legId, dialog: storedDialogOf(session) });
    this.#deps.facts.record({ type: 'leg.media-ready', legId: l.leg.legId, ...codecOf(l.leg) });
    for (const other of l.forks) if (other !== f && !other.done) other.invite?.cancel();
    if (this.#o.screen) void this.#screen(l, round, this.#o.screen);
    else this.#win(l, round);
    return true;
  }

  /** RFC 3261 §9.1: a 2xx can cross our CANCEL (or arrive after the ring timeout, after another leg or fork
   *  won, after the session gave up): hang it up. */
  #tooLate(l: RingingLeg, session: InviteSession): boolean {
    if (this.#wanted(l) && this.#round?.legs.includes(l)) return false;
    l.leg.log.info('answered too late; hanging up');
    session.bye().catch(() => undefined);
    // Another fork of this leg may have won: its endpoint is in use then.
    if (l.state !== 'answered' && l.state !== 'screening') this.#releaseMedia(l);
    return true;
  }

  /** First to answer (and to accept, when screened) wins: every other leg still ringing is cancelled, every
   *  other leg still being screened is dropped. */
  #win(l: RingingLeg, round: Round): void {
    l.state = 'answered';
    for (const other of round.legs) {
      if (other === l) continue;
      if (other.state === 'dialling') {
        this.#abandon(other);
        this.#fail(other, CANCELLED);
      } else if (other.state === 'screening') this.#dropScreened(other, 'other-accepted', 'normal');
    }
    this.#endRound(round, l.leg);
  }

  /** The answered leg must accept the call or enter a PIN first (leg-screen.ts); the others ring on. */
  async #screen(l: RingingLeg, round: Round, options: ScreenOptions): Promise<void> {
    l.state = 'screening';
    const screen = new LegScreen(this.#deps.media, this.#deps.facts, { legId: l.leg.legId, endpointId: l.leg.endpointId! }, options, l.leg.log);
    l.screen = screen;
    void l.leg.session!.ended.then(() => {
      if (l.state !== 'screening') return;
      // The answering party hung up before accepting.
      screen.cancel('hangup');
      this.#endScreened(l, 'remote', 'normal');
    });
    const outcome = await screen.start();
    if (l.state !== 'screening') return;
    if (outcome.ok) return this.#win(l, round);
    if (outcome.reason === 'no-pin') {
      this.#dropScreened(l, undefined, 'normal');
      this.#o.onNoPin?.();
      return;
    }
    this.#dropScreened(l, undefined, 'rejected');
  }

  /** Ringside hangs up a leg that was being screened. */
  #dropScreened(l: RingingLeg, reason: 'hangup' | 'other-accepted' | undefined, cause: HangupCause): void {
    if (l.state !== 'screening') return;
    if (reason) l.screen?.cancel(reason);
    l.leg.hangUp();
    this.#endScreened(l, 'local', cause);
  }

  #endScreened(l: RingingLeg, by: 'remote' | 'local', cause: HangupCause): void {
    l.state = 'ended';
    l.leg.log.info({ by, cause }, 'screened leg ended');
    this.#deps.facts.record({ type: 'leg.ended', legId: l.leg.legId, by, cause });
    l.leg.releaseMedia();
    const r = this.#round;
    if (r?.legs.includes(l)) this.#checkRound(r);
  }

  #abandon(l: RingingLeg): void {
    l.abandoned = true;
    for (const f of l.forks) if (!f.done) f.invite?.cancel();
  }

  /** A fork failed: when it was the leg's last, the leg fails (or, given up already, lets its endpoint go). */
  #forkFailed(l: RingingLeg): void {
    if (!l.forks.every((f) => f.done)) return;
    this.#fail(l, outcomeOfForks(l.forks.map((f) => f.outcome!)));
    if (l.state === 'failed') this.#releaseMedia(l);
  }

  #fail(l: RingingLeg, outcome: DialOutcome): void {
    if (l.state !== 'dialling') return;
    l.state = 'failed';
    this.#failed.push({ leg: l.leg, outcome });
    l.leg.log.info({ result: outcome.result, sipStatus: outcome.sipStatus }, 'dialled leg failed');
    this.#deps.facts.record({ type: 'leg.failed', legId: l.leg.legId, result: outcome.result, cause: outcome.cause, ...(outcome.sipStatus !== undefined ? { sipStatus: outcome.sipStatus } : {}) });
    const r = this.#round;
    if (r?.legs.includes(l)) this.#checkRound(r);
  }
}

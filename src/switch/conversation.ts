/**
 * A conversation: legs exchanging audio (ARCHITECTURE.md, "The canonical model") — every answered call's
 * bridge, inbound, outgoing, internal or originated alike. Its members are legs (leg.ts); how they hear
 * each other is its ConversationAudio (two parties: the media relay; conversation-audio.ts says where a
 * conference mixer goes).
 *
 * While legs are joined:
 * - hold and resume: a member's re-INVITE is answered by its leg; `sendonly`/`inactive` from the party is
 *   hold, `sendrecv` again resume (RFC 3264 §8.4): each change is a `leg.held` fact. Hold is not relayed;
 * - digits pressed (RFC 4733, or SIP INFO, which the leg hands to the media engine) are `dtmf` facts;
 * - blind transfer (RFC 3515): a member's REFER moves the other member to a new session (TransferService);
 * - recording (two channels) and the time limit, when the session asked for them.
 * The conversation ends when a member's dialog ends (its BYE), the time limit passes, Ringside hangs up
 * (`hangUp`), or a transfer moves a member away: then every member leaves and ends, in the order facts.ts
 * guarantees, and `run` resolves with the `session.ended` its session records last.
 */
import type { HangupCause } from '../events/model/facts.js';
import type { IncomingRequest, SessionEndReason } from '../sip/index.js';
import type { MediaControl, MediaListener } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import { newPrefixedId } from '../util/ids.js';
import { RelayAudio, type ConversationAudio } from './conversation-audio.js';
import type { ConversationOptions, TransferService } from './conversation-types.js';
import type { Leg, LegHost } from './leg.js';
import type { FactDraft, SessionFacts } from './session-facts.js';

export interface ConversationDeps {
  media: MediaControl;
  facts: SessionFacts;
  log: Logger;
  /** The URL a recording is served at (`recording.finished.url`, teltel `audio_url`). */
  recordingUrl: (recordingId: string) => string;
  /** Blind transfer; without it, a REFER gets 603. */
  transfer?: TransferService;
}

interface Member {
  leg: Leg;
  /** On hold (its party's last re-INVITE left us only receiving, or nothing flowing). */
  held: boolean;
}

/** Why the conversation is over. */
type End =
  | { by: 'member'; leg: Leg; reason: SessionEndReason }
  | { by: 'ringside'; why: 'time-limit' | 'hang-up' }
  | { by: 'transfer'; transferor: Leg; local: boolean };

export class Conversation implements LegHost {
  readonly conversationId = newPrefixedId('conv');
  readonly #deps: ConversationDeps;
  readonly #o: ConversationOptions;
  #childLog?: Logger;
  readonly #audio: ConversationAudio;
  readonly #members: Member[] = [];
  readonly #onDigit: MediaListener<'dtmf'>;
  /** Settles when Ringside ends it (time limit, hangUp) or a transfer moved a member away. */
  readonly #interrupted: Promise<End>;
  #interrupt!: (end: End) => void;
  #recordingId?: string;
  #over = false;
  /** The join in progress (its media being connected), which a transfer waits for. */
  #joining: Promise<void> = Promise.resolve();

  /** Lines about this conversation (child logger made at the first line). */
  get #log(): Logger {
    return (this.#childLog ??= this.#deps.log.child({ conversationId: this.conversationId }));
  }

  /** `audio`: a two-party relay unless given (a conference would pass a mixer-backed one). */
  constructor(deps: ConversationDeps, options: ConversationOptions, audio: ConversationAudio = new RelayAudio(deps.media)) {
    this.#deps = deps;
    this.#o = options;
    this.#audio = audio;
    this.#interrupted = new Promise((resolve) => (this.#interrupt = resolve));
    // Digits pressed in the conversation are facts (the voice API's gather reads them; docs/switch.md).
    this.#onDigit = (e) => {
      const member = this.#members.find((m) => m.leg.endpointId === e.endpointId);
      if (member && !this.#over) this.#deps.facts.record({ type: 'dtmf', legId: member.leg.legId, digit: e.digit, durationMs: e.durationMs, via: e.via });
    };
  }

  get legs(): Leg[] {
    return this.#members.map((m) => m.leg);
  }

  /**
   * Legs join (answered, with media), in order: their audio is connected first, then each one's
   * `leg.joined`. Once two are in, the recording starts, when the session asked for one.
   */
  join(...legs: Leg[]): Promise<void> {
    const joined = this.#joining.then(() => this.#join(legs));
    this.#joining = joined.catch(() => undefined);
    return joined;
  }

  async #join(legs: Leg[]): Promise<void> {
    const media = this.#deps.media;
    try {
      await this.#audio.add(legs.map((l) => l.endpointId!));
    } catch (err) {
      this.#log.error({ err }, 'connecting the media failed');
    }
    if (this.#members.length === 0) media.on('dtmf', this.#onDigit);
    for (const leg of legs) {
      this.#deps.facts.record({ type: 'leg.joined', legId: leg.legId, conversationId: this.conversationId });
      this.#members.push({ leg, held: false });
      leg.setHost(this);
    }
    if (this.#o.record && this.#recordingId === undefined && this.#members.length >= 2) {
      try {
        // Two channels: the first leg that joined (a call's caller) left, the second right (docs/media.md "Recorder").
        const [left, right] = this.#members;
        this.#recordingId = (await media.startRecording({ endpointIds: [left!.leg.endpointId!, right!.leg.endpointId!] })).recordingId;
        this.#log.info({ recordingId: this.#recordingId }, 'recording the call');
      } catch (err) {
        this.#log.error({ err }, 'the call could not be recorded');
      }
    }
  }

  /** Ringside ends the conversation now (it is stopping): every member is hung up. */
  hangUp(): void {
    if (!this.#over) this.#interrupt({ by: 'ringside', why: 'hang-up' });
  }

  /**
   * Runs the conversation to its end (the time limit counts from here). Resolves, once every member has
   * left and ended and the recording is finished, with the `session.ended` for the session to record.
   */
  async run(): Promise<FactDraft> {
    return (await this.#run(undefined)) as FactDraft;
  }

  /**
   * As `run`, but when the other member of a two-party conversation hangs up (its BYE), `keep` stays up:
   * both leave, only the other ends, and `kept` tells the session to go on with `keep` (a call flow's
   * dial with an `answer` output, docs/call-centre.md "Call flows"). Any other end is as `run`'s.
   */
  runKeeping(keep: Leg): Promise<FactDraft | 'kept'> {
    return this.#run(keep);
  }

  async #run(keep: Leg | undefined): Promise<FactDraft | 'kept'> {
    let limit: NodeJS.Timeout | undefined;
    if (this.#o.timeLimitMs !== undefined) limit = setTimeout(() => this.#interrupt({ by: 'ringside', why: 'time-limit' }), this.#o.timeLimitMs);
    const ended = this.#members.map((m) => m.leg.session!.ended.then((reason): End => ({ by: 'member', leg: m.leg, reason })));
    const end = await Promise.race([...ended, this.#interrupted]);
    if (limit) clearTimeout(limit);
    this.#over = true;
    this.#deps.media.off('dtmf', this.#onDigit);
    for (const m of this.#members) m.leg.setHost(undefined);
    if (end.by === 'ringside' && end.why === 'time-limit') this.#log.info({ limitMs: this.#o.timeLimitMs }, 'call time limit reached; hanging up both sides');
    this.#audio.close();
    let sessionEnded: FactDraft;
    if (end.by === 'transfer') {
      // Blind transfer: the transferor leaves (Ringside hangs it up after the NOTIFY); the other party goes
      // on in the session the transfer started (spec teltel §5.8).
      sessionEnded = this.#end(end.transferor, end.local ? 'local-bye' : 'remote-bye', { hangUpOthers: false });
      end.transferor.hangUp();
    } else if (end.by === 'member' && keep && end.leg !== keep && end.reason === 'remote-bye' && this.#members.length === 2 && this.#members.some((m) => m.leg === keep)) {
      this.#log.info({ legId: end.leg.legId, kept: keep.legId }, 'hangup; the other party stays');
      for (const leg of [end.leg, keep]) this.#deps.facts.record({ type: 'leg.left', legId: leg.legId, conversationId: this.conversationId });
      this.#deps.facts.record({ type: 'leg.ended', legId: end.leg.legId, by: 'remote', cause: 'normal' });
      this.#members.length = 0;
      if (this.#recordingId !== undefined) await this.#finishRecording(this.#recordingId);
      return 'kept';
    } else sessionEnded = end.by === 'member' ? this.#end(end.leg, end.reason) : this.#end(undefined, 'local-bye');
    if (this.#recordingId !== undefined) await this.#finishRecording(this.#recordingId);
    return sessionEnded;
  }

  /**
   * The end of the conversation: `hanger`'s dialog ended, or Ringside ends it (`hanger` undefined: the time
   * limit, hangUp). Records every member's `leg.left` (the hanger first), BYEs whoever is still up (RFC 3261
   * §15.1.1; not the others when `hangUpOthers` is false: a transfer moved them), records every `leg.ended`,
   * and returns the `session.ended` to record once what must come before it (the recording) is done.
   */
  #end(hanger: Leg | undefined, reason: SessionEndReason, options: { hangUpOthers?: boolean } = {}): FactDraft {
    const facts = this.#deps.facts;
    const legs = this.legs;
    const first = hanger ?? legs[0]!;
    const others = legs.filter((l) => l !== first);
    const byRemote = hanger !== undefined && reason === 'remote-bye';
    this.#log.info({ legId: hanger?.legId, reason: hanger ? reason : 'ringside' }, 'hangup');
    for (const leg of [first, ...others]) facts.record({ type: 'leg.left', legId: leg.legId, conversationId: this.conversationId });
    const cause: HangupCause = !hanger || byRemote || reason === 'local-bye' || reason === 'stack-closed' ? 'normal' : 'temporary-failure';
    const toHangUp = hanger ? (options.hangUpOthers === false ? [] : others) : legs;
    for (const leg of toHangUp) leg.hangUp();
    facts.record({ type: 'leg.ended', legId: first.legId, by: byRemote ? 'remote' : 'local', cause });
    for (const leg of others) facts.record({ type: 'leg.ended', legId: leg.legId, by: 'local', cause: 'normal' });
    this.#members.length = 0;
    return { type: 'session.ended', hangupBy: byRemote ? first.party : this.#o.localParty, ...(byRemote ? { hangupLegId: first.legId } : {}), cause };
  }

  /** Stops the conversation's recording: `recording.finished` comes after its parties left (facts.ts). */
  async #finishRecording(recordingId: string): Promise<void> {
    try {
      const info = await this.#deps.media.stopRecording(recordingId);
      this.#log.info({ recordingId, durationMs: info.durationMs, status: info.status }, 'call recorded');
      this.#deps.facts.record({ type: 'recording.finished', recordingId, conversationId: this.conversationId, url: this.#deps.recordingUrl(recordingId), startedAt: info.startedAt, status: info.status, purpose: 'call' });
    } catch (err) {
      this.#log.error({ err, recordingId }, 'finishing the recording failed');
    }
  }

  /** LegHost: a member's party put us on hold or took us off it (RFC 3264 §8.4). */
  held(leg: Leg, held: boolean): void {
    const member = this.#members.find((m) => m.leg === leg);
    if (!member || this.#over || member.held === held) return;
    member.held = held;
    leg.log.info({ held }, held ? 'leg on hold' : 'leg resumed');
    this.#deps.facts.record({ type: 'leg.held', legId: leg.legId, held });
  }

  /**
   * LegHost: RFC 3515 REFER from a member: a blind transfer of the other member to the Refer-To target.
   * Ringside accepts it (202), reports success at once (NOTIFY with a 200 sipfrag, §2.4.5: completing it is
   * now Ringside's job), hangs up the transferor, and continues the call in a new session that dials the
   * target. Blind transfer moves "the other party": it needs a two-party conversation.
   */
  async refer(leg: Leg, req: IncomingRequest): Promise<void> {
    const transfer = this.#deps.transfer;
    const to = this.#members.length === 2 && this.#members.some((m) => m.leg === leg) ? this.#members.find((m) => m.leg !== leg)!.leg : undefined;
    if (!transfer || !to || this.#over) {
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
    const moved = await this.#moveOut(leg, to, dialled, () => {
      req.respond(202);
      leg.session!.notifyReferStatus('SIP/2.0 200 OK', true).catch((err: unknown) => leg.log.warn({ err }, 'NOTIFY of the transfer failed'));
    });
    if (moved === 'nobody') req.respond(404, { reason: 'Transfer Target Not Found' });
    else if (moved === 'gone') req.respond(481);
  }

  /**
   * Ringside itself transfers the call (the console, docs/console.md): the caller's party (the member that
   * is a `caller` or `contact` leg, else the first to join) goes to `target` as a REFER from the other
   * member would send it, and Ringside hangs up the other member.
   */
  async transfer(target: string): Promise<'moved' | 'nobody' | 'gone'> {
    // The console lists a call as answered once its legs answer; their media may still be connecting.
    await this.#joining;
    if (!this.#deps.transfer || this.#members.length !== 2 || this.#over) return 'gone';
    const legs = this.legs;
    const to = legs.find((l) => l.role === 'caller' || l.role === 'contact') ?? legs[0]!;
    return this.#moveOut(legs.find((l) => l !== to)!, to, target, undefined);
  }

  /** A blind transfer of `to` away from `transferor`: `accepted` runs once the target is known to be
   *  reachable and the transferee is still here (a REFER's 202 and NOTIFY); none when Ringside asked. */
  async #moveOut(transferor: Leg, to: Leg, target: string, accepted: (() => void) | undefined): Promise<'moved' | 'nobody' | 'gone'> {
    const start = await this.#deps.transfer!.prepare({ ...this.#o, target, transferee: { party: to.party, ...(to.user ? { user: to.user } : {}), direction: to.direction } });
    if (!start) {
      transferor.log.info({ target }, 'transfer to nobody refused');
      return 'nobody';
    }
    if (this.#over || !this.#members.some((m) => m.leg === to) || to.session?.state !== 'confirmed') return 'gone';
    accepted?.();
    this.#log.info({ transferor: transferor.legId, transferee: to.legId, target, by: accepted ? 'refer' : 'ringside' }, 'blind transfer');
    // The transferee's media endpoint moves to the new session (which closes it at its end).
    to.handOverMedia();
    this.#deps.media.disconnect(to.endpointId!).catch(() => undefined);
    this.#interrupt({ by: 'transfer', transferor, local: accepted === undefined });
    start({ session: to.session, endpointId: to.endpointId! });
    return 'moved';
  }
}

/**
 * One voice-API call (spec bandwidth §3): a session of kind `application` with one leg, named by the
 * call id (`c-…`), driven by the application over REST (voice-calls.ts) instead of a line's ring plan.
 *
 * - Inbound: a carrier call to a number linked to an application. The caller hears ringing while the
 *   application is told (`incomingcall`); with `autoAnswer` Ringside answers at once, else the application
 *   answers or rejects over REST within `answerTimeoutMs`, after which Ringside refuses the call (480,
 *   cause `no-answer`: docs/compatibility.md).
 * - Outbound: `POST /calls` dials `to` through the account's trunk for `callTimeout` seconds.
 *
 * Once active: audio (TTS or a fetched file), DTMF out, gather, recording on/off, bridge membership
 * (voice-bridges.ts connects the media). Every step is a fact (facts.ts order); the voice-API projection
 * turns them into the callbacks, and the store's VoiceCallRecord follows the call's state for REST reads.
 * On the end: a running gather completes `hung-up`, audio stops, the bridge is left, the leg ends, the
 * recording is saved (`recording.finished` may follow the hangup, spec bandwidth §4.1 step 4), then the
 * session ends.
 */
import type { HangupCause, Party } from '../../events/model/facts.js';
import { storedDialogOf, type IncomingInvite, type InviteSession, type SessionEndReason } from '../../sip/index.js';
import type { MediaListener } from '../../media/media-control.js';
import type { PlaybackOutcome } from '../../media/player.js';
import type { Store } from '../../store/store.js';
import type { VoiceCallRecord, VoiceGatherRecord, VoiceRecordingRecord } from '../../store/voice-records.js';
import type { Logger } from '../../log/logger.js';
import { newCallId, newPrefixedId } from '../../util/ids.js';
import { ABORTED, CANCELLED, type DialOutcome } from '../dial-results.js';
import { codecOf } from '../negotiated-codec.js';
import { sipStatusForMediaError } from '../media-sip-status.js';
import type { Leg } from '../leg.js';
import type { RingTarget } from '../ring-plan.js';
import type { Ringing } from '../ringing.js';
import type { SessionDeps } from '../session-deps.js';
import type { FactDraft, SessionFacts, SessionStart } from '../session-facts.js';
import { SwitchSession } from '../switch-session.js';
import { GatherCollector, type GatherResult } from './gather-collector.js';
import { sendDtmfString } from './dtmf-out.js';
import type { LoadedAudio, VoiceAudio } from './voice-audio.js';
import type { AudioRequest, GatherRequest, VoiceResult } from './voice-control.js';
import { refuse } from './voice-refusals.js';

export interface VoiceCallDeps {
  session: SessionDeps;
  store: Store;
  audio: VoiceAudio;
  /** How long an inbound call without `autoAnswer` waits for the application to answer or reject. */
  answerTimeoutMs: number;
  /** A recording of a call with `transcriptionEnabled` was saved (voice-transcriptions.ts). */
  transcribe?: (accountId: string, recordingId: string) => void;
}

/** The inbound half: the caller's INVITE and what the number's application says. */
export interface InboundCallPlan {
  start: SessionStart;
  caller: Party;
  record: VoiceCallRecord;
  autoAnswer: boolean;
}

/** The outbound half: who to ring for how long. */
export interface OutboundCallPlan {
  start: SessionStart;
  record: VoiceCallRecord;
  target: RingTarget;
  ringMs: number;
}

/** dB per step of the audio object's `volume` (−4…4: −12 dB … +12 dB). */
const VOLUME_STEP_DB = 3;

/** A media failure on an outbound call (no port, no codec) did not get as far as a SIP status. */
const MEDIA_FAILED: DialOutcome = { result: 'CONGESTION', cause: 'congestion', sipStatus: 503 };

interface ActiveAudio {
  playbackId: string;
  /** Resolves once its `playback.finished` is recorded. */
  finished: Promise<void>;
}

interface ActiveGather {
  record: VoiceGatherRecord;
  collector: GatherCollector;
  /** The prompt's playback, interrupted by the first digit. */
  prompt?: string;
}

export class VoiceCall {
  readonly #deps: VoiceCallDeps;
  readonly #session: SwitchSession;
  readonly #facts: SessionFacts;
  readonly #log: Logger;
  readonly #record: VoiceCallRecord;
  readonly #start: SessionStart;
  readonly #localParty: Party;
  #leg?: Leg;
  #invite?: IncomingInvite;
  #inbound?: InboundCallPlan;
  #outbound?: OutboundCallPlan;
  #ringing?: Ringing;
  #phase: 'waiting' | 'active' | 'ending' | 'ended' = 'waiting';
  #answerTimer?: NodeJS.Timeout;
  #callerSdp?: string;
  #audio?: ActiveAudio;
  #gather?: ActiveGather;
  #recording?: VoiceRecordingRecord;
  #dtmfOut: Promise<void> = Promise.resolve();
  readonly #dtmfAbort = new AbortController();
  /** The bridge or the conference the call is in (one at a time), and how to take it out again. */
  #conversation?: { kind: 'bridge' | 'conference'; id: string; leave: () => Promise<void> };
  #hungUpLocally = false;
  /** Settles the call's wait for its end: how an active call ended, or null when it was closed before
   *  it was ever active (refused, cancelled: its end facts are recorded already). */
  #settle?: (end: { by: 'remote' | 'local'; cause: HangupCause } | null) => void;
  readonly #onDigit: MediaListener<'dtmf'>;
  readonly #whenActive: (() => void)[] = [];
  readonly #whenOver: (() => void)[] = [];
  /** Ringback played to the call while a transfer target rings (no callbacks: it is not the app's audio). */
  #ringback = false;

  private constructor(deps: VoiceCallDeps, record: VoiceCallRecord, start: SessionStart, localParty: Party) {
    this.#deps = deps;
    this.#record = record;
    this.#start = start;
    this.#localParty = localParty;
    this.#session = new SwitchSession(deps.session, { callId: start.callId, voiceCallId: record.id });
    record.sessionId = this.#session.sessionId;
    this.#log = this.#session.log;
    this.#facts = this.#session.facts;
    this.#onDigit = (e) => {
      if (e.legId !== this.#record.id || this.#phase !== 'active') return;
      this.#facts.record({ type: 'dtmf', legId: e.legId, digit: e.digit, durationMs: e.durationMs, via: e.via });
      this.#gather?.collector.digit(e.digit);
    };
  }

  static inbound(deps: VoiceCallDeps, invite: IncomingInvite, plan: InboundCallPlan): VoiceCall {
    const call = new VoiceCall(deps, plan.record, plan.start, { kind: 'local', number: plan.record.to });
    call.#invite = invite;
    call.#inbound = plan;
    return call;
  }

  static outbound(deps: VoiceCallDeps, plan: OutboundCallPlan): VoiceCall {
    const call = new VoiceCall(deps, plan.record, plan.start, { kind: 'local', number: plan.record.from });
    call.#outbound = plan;
    return call;
  }

  /** A new call's session start, for the routing that plans one. */
  static sessionStart(fields: Omit<SessionStart, 'kind' | 'callId'>): SessionStart {
    return { ...fields, kind: 'application', callId: newCallId() };
  }

  get id(): string {
    return this.#record.id;
  }
  get accountId(): string {
    return this.#record.accountId;
  }
  get sessionId(): string {
    return this.#session.sessionId;
  }
  /** Answered and not yet ending: audio, DTMF, gather, recording and bridges apply. */
  get active(): boolean {
    return this.#phase === 'active';
  }
  get endpointId(): string | undefined {
    return this.#leg?.endpointId;
  }
  /** The bridge the call is in now (voice-bridges.ts), if any. */
  get bridgeId(): string | undefined {
    return this.#conversation?.kind === 'bridge' ? this.#conversation.id : undefined;
  }
  /** The conference the call is a member of now (voice-conferences.ts), if any. */
  get conferenceId(): string | undefined {
    return this.#conversation?.kind === 'conference' ? this.#conversation.id : undefined;
  }
  /** Resolves when the call is over and its facts are recorded. */
  get done(): Promise<void> {
    return this.#session.done;
  }

  /** Runs `fn` once the call is answered (a call created into a bridge joins it then). */
  onceActive(fn: () => void): void {
    if (this.#phase === 'active') fn();
    else this.#whenActive.push(fn);
  }

  /** Runs `fn` once the call is over (a transferred call hangs up its partner, spec bandwidth §4.8). */
  onceOver(fn: () => void): void {
    if (this.#phase === 'ended') fn();
    else this.#whenOver.push(fn);
  }

  /** The call is waiting for a transfer: its REST state, and ringback instead of silence. */
  async transferring(on: boolean): Promise<void> {
    if (!this.active) return;
    this.#record.state = on ? 'transferring' : 'active';
    await this.#save();
    const media = this.#deps.session.media;
    if (on && !this.#ringback) {
      await this.#stopAudio();
      this.#ringback = true;
      await media.play(this.endpointId!, { prompt: 'ringback' }, { loop: true }).catch((err: unknown) => this.#log.warn({ err }, 'no ringback during the transfer'));
    } else if (!on && this.#ringback) {
      this.#ringback = false;
      await media.stopPlayback(this.endpointId!).catch(() => undefined);
    }
  }

  /** Plays audio to the call and resolves once it has finished (a transfer's whisper, spec bandwidth §3.3). */
  async playAndWait(audio: AudioRequest): Promise<void> {
    const r = await this.playAudio(audio);
    if (r.ok) await this.#audio?.finished;
  }

  /** The state the REST resource shows. */
  get state(): VoiceCallRecord['state'] {
    return this.#record.state;
  }

  /** The call's `from` and where its callbacks go (a transfer's new call inherits them when not given). */
  get record(): Readonly<VoiceCallRecord> {
    return this.#record;
  }

  /** Runs the call to its end. Never rejects. */
  run(): Promise<void> {
    const ran = this.#session.run('voice call', () => this.#run(), () => {
      this.#invite?.refuse(500);
    });
    return ran.finally(() => {
      this.#phase = 'ended';
      for (const fn of this.#whenOver.splice(0)) fn();
    });
  }

  async #run(): Promise<void> {
    await this.#save();
    this.#facts.record({ type: 'session.started', ...this.#start });
    const ended = new Promise<{ by: 'remote' | 'local'; cause: HangupCause } | null>((resolve) => (this.#settle = resolve));
    if (this.#inbound) await this.#runInbound(this.#inbound);
    else await this.#runOutbound(this.#outbound!);
    if (this.#phase === 'ended') return;
    const end = await ended;
    if (end) await this.#finish(end.by, end.cause);
  }

  // ── inbound ──────────────────────────────────────────────────────────────────────────────────

  async #runInbound(plan: InboundCallPlan): Promise<void> {
    const invite = this.#invite!;
    const leg = this.#session.legs.create({ role: 'caller', party: plan.caller, direction: 'in' }, this.#record.id);
    this.#leg = leg;
    this.#session.legs.announce(leg);
    invite.onCancel(() => this.#cancelledByCaller());
    try {
      const offer = invite.offer.toString('utf8');
      // An INVITE without an offer would need ours in the 2xx and the answer in the ACK (RFC 3264 §5);
      // the carriers an application number serves send offers, so that case is refused (docs/voice-api.md).
      if (offer.trim() === '') throw Object.assign(new Error('no SDP offer'), { sipStatus: 488 });
      this.#callerSdp = await leg.openMedia(offer);
    } catch (err) {
      leg.log.warn({ err }, 'caller media refused');
      const status = (err as { sipStatus?: number }).sipStatus ?? sipStatusForMediaError(err) ?? 503;
      return this.#refuseCaller(status, 'error', 'error');
    }
    if (this.#phase !== 'waiting' || invite.state !== 'pending') return;
    invite.progress(180);
    if (plan.autoAnswer) return void this.#answerCaller();
    this.#answerTimer = setTimeout(() => {
      this.#log.info({ timeoutMs: this.#deps.answerTimeoutMs }, 'the application neither answered nor rejected the call in time');
      this.#refuseCaller(480, 'no-answer', 'rejected');
    }, this.#deps.answerTimeoutMs);
  }

  /** RFC 3261 §9.2: the caller gave up before the call was answered (the stack already sent 487). */
  #cancelledByCaller(): void {
    if (this.#phase !== 'waiting') return;
    clearTimeout(this.#answerTimer);
    this.#phase = 'ended';
    this.#facts.record({ type: 'leg.ended', legId: this.#record.id, by: 'remote', cause: 'originator-cancel' });
    this.#facts.record({ type: 'session.ended', hangupBy: this.#leg!.party, hangupLegId: this.#record.id, cause: 'originator-cancel' });
    void this.#saveEnd('completed', 'originator-cancel');
    this.#settle?.(null);
  }

  /** Ringside refuses the inbound call before it was answered (the app rejected it, or never decided). */
  #refuseCaller(status: number, cause: HangupCause, state: 'rejected' | 'completed' | 'error'): void {
    clearTimeout(this.#answerTimer);
    this.#phase = 'ended';
    this.#invite?.refuse(status);
    this.#facts.record({ type: 'leg.ended', legId: this.#record.id, by: 'local', cause });
    this.#facts.record({ type: 'session.ended', hangupBy: this.#localParty, cause });
    void this.#saveEnd(state, cause);
    this.#settle?.(null);
  }

  #answerCaller(): boolean {
    clearTimeout(this.#answerTimer);
    const invite = this.#invite!;
    if (this.#phase !== 'waiting' || invite.state !== 'pending') return false;
    const session = invite.accept({ body: this.#callerSdp! });
    const leg = this.#leg!;
    leg.attach(session);
    this.#facts.record({ type: 'leg.answered', legId: leg.legId, dialog: storedDialogOf(session) });
    this.#facts.record({ type: 'leg.media-ready', legId: leg.legId, ...codecOf(leg) });
    this.#activate(session);
    return true;
  }

  // ── outbound ─────────────────────────────────────────────────────────────────────────────────

  async #runOutbound(plan: OutboundCallPlan): Promise<void> {
    const ringing = this.#session.ringing({ mediaFailure: MEDIA_FAILED });
    this.#ringing = ringing;
    const leg = await ringing.ring({ targets: [plan.target], timeoutMs: plan.ringMs });
    this.#ringing = undefined;
    if (!leg) {
      // Busy, refused, unanswered (spec bandwidth §4.1, §4.2), or cancelled by the application.
      const cause = ringing.failed.at(-1)?.outcome.cause ?? 'error';
      this.#phase = 'ended';
      this.#facts.record({ type: 'session.ended', hangupBy: this.#localParty, cause });
      await this.#saveEnd('completed', cause);
      return;
    }
    this.#leg = leg;
    const session = leg.session!;
    if (session.state !== 'confirmed') {
      this.#phase = 'ended';
      this.#facts.record({ type: 'leg.ended', legId: leg.legId, by: 'remote', cause: 'normal' });
      this.#facts.record({ type: 'session.ended', hangupBy: leg.party, hangupLegId: leg.legId, cause: 'normal' });
      await this.#saveEnd('completed', 'normal');
      return;
    }
    this.#activate(session);
  }

  // ── active ───────────────────────────────────────────────────────────────────────────────────

  #activate(session: InviteSession): void {
    this.#phase = 'active';
    this.#record.state = 'active';
    this.#record.activeTime = Date.now();
    void this.#save();
    this.#deps.session.media.on('dtmf', this.#onDigit);
    void session.ended.then((reason: SessionEndReason) => {
      if (this.#hungUpLocally) return this.#settle?.({ by: 'local', cause: 'normal' });
      const byRemote = reason === 'remote-bye';
      this.#settle?.({ by: byRemote ? 'remote' : 'local', cause: byRemote ? 'normal' : 'temporary-failure' });
    });
    if (this.#record.recordingEnabled) void this.setRecording(true);
    for (const fn of this.#whenActive.splice(0)) fn();
  }

  /** spec bandwidth §3.3 `state`: active (answer), rejected, completed (hang up, or cancel a ringing call). */
  changeState(state: 'active' | 'rejected' | 'completed'): VoiceResult<void> {
    if (this.#phase === 'ended' || this.#phase === 'ending') return refuse.callState(this.id, `the call is already ${this.#record.state}`);
    const waitingInbound = this.#phase === 'waiting' && this.#inbound !== undefined;
    if (state === 'active') {
      if (this.#phase === 'active') return { ok: true, value: undefined };
      if (!waitingInbound || !this.#answerCaller()) return refuse.callState(this.id, 'only an incoming call that is not answered yet can be answered');
      return { ok: true, value: undefined };
    }
    if (state === 'rejected') {
      if (!waitingInbound) return refuse.callState(this.id, 'only an incoming call that is not answered yet can be rejected');
      // spec bandwidth §2.6 / §4.4: a reject is a hangup with CALL_REJECTED; SIP 603 Decline to the caller.
      this.#refuseCaller(603, 'rejected', 'rejected');
      return { ok: true, value: undefined };
    }
    if (this.#phase === 'waiting') {
      if (this.#ringing) {
        this.#ringing.giveUp(CANCELLED, 'originator-cancel');
        return { ok: true, value: undefined };
      }
      // An inbound call not answered yet: hanging it up is refusing it (spec bandwidth §3.3 Proposed).
      this.#refuseCaller(480, 'normal', 'completed');
      return { ok: true, value: undefined };
    }
    this.hangUp();
    return { ok: true, value: undefined };
  }

  /** Ringside hangs up the answered call (REST `completed`, or the switch stopping). */
  hangUp(): void {
    if (this.#phase !== 'active') return;
    this.#hungUpLocally = true;
    this.#leg?.hangUp();
    this.#settle?.({ by: 'local', cause: 'normal' });
  }

  /** Ringside is stopping: ringing is cancelled, waiting inbound calls refused, active ones hung up. */
  abort(): void {
    if (this.#ringing) this.#ringing.giveUp(ABORTED, 'error');
    else if (this.#phase === 'waiting' && this.#invite) this.#refuseCaller(503, 'error', 'error');
    else this.hangUp();
  }

  // ── audio ────────────────────────────────────────────────────────────────────────────────────

  /** spec bandwidth §3.4: speak or play (replacing what plays), or stop with an empty sentence/fileUrl. */
  async playAudio(audio: AudioRequest): Promise<VoiceResult<void>> {
    if (!this.active) return refuse.audioState(this.id);
    if (audio.sentence === '' || audio.fileUrl === '') {
      await this.#stopAudio();
      return { ok: true, value: undefined };
    }
    const loaded = await this.#deps.audio.load(audio);
    if (!loaded.ok) return loaded;
    const started = await this.#play(loaded.value, audio.loopEnabled === true, audio.tag, audio.volume);
    return started ? { ok: true, value: undefined } : refuse.audioState(this.id);
  }

  /** Plays one item: `playback.started` now, `playback.finished` when it ends. Undefined when the call is
   *  no longer active or the engine refused. */
  async #play(loaded: LoadedAudio, loop: boolean, tag: string | undefined, volume = 0): Promise<string | undefined> {
    await this.#stopAudio();
    if (!this.active) return undefined;
    let playback: { playbackId: string; done: Promise<PlaybackOutcome> };
    try {
      // spec bandwidth §3.4 `volume` −4…4: 3 dB a step (docs/voice-api.md).
      playback = await this.#deps.session.media.play(this.endpointId!, loaded.item, { loop, ...(volume ? { gainDb: volume * VOLUME_STEP_DB } : {}) });
    } catch (err) {
      this.#log.warn({ err }, 'playing audio failed');
      return undefined;
    }
    const legId = this.#record.id;
    const source = loaded.source;
    this.#facts.record({ type: 'playback.started', playbackId: playback.playbackId, target: { legId }, source, ...(tag !== undefined ? { tag } : {}) });
    const finished = playback.done.then(
      (outcome) => this.#facts.record({ type: 'playback.finished', playbackId: playback.playbackId, target: { legId }, source, outcome, ...(tag !== undefined ? { tag } : {}) }),
      () => this.#facts.record({ type: 'playback.finished', playbackId: playback.playbackId, target: { legId }, source, outcome: 'error', ...(tag !== undefined ? { tag } : {}) }),
    );
    const audio: ActiveAudio = { playbackId: playback.playbackId, finished };
    this.#audio = audio;
    void finished.then(() => {
      if (this.#audio === audio) this.#audio = undefined;
    });
    return playback.playbackId;
  }

  /** Stops what plays and waits for its `playback.finished`, so facts stay in order. */
  async #stopAudio(): Promise<void> {
    if (this.#ringback) {
      this.#ringback = false;
      await this.#deps.session.media.stopPlayback(this.endpointId!).catch(() => undefined);
    }
    const audio = this.#audio;
    if (!audio) return;
    await this.#deps.session.media.stopPlayback(this.endpointId!).catch(() => undefined);
    await audio.finished;
  }

  // ── DTMF out ─────────────────────────────────────────────────────────────────────────────────

  /** spec bandwidth §3.5 `dtmfOut`: sent as RFC 4733 events, after any digits still being sent. */
  sendDtmf(dtmfOut: string): VoiceResult<void> {
    if (!this.active) return refuse.callState(this.id, 'digits can only be sent on an active call');
    const media = this.#deps.session.media;
    const endpointId = this.endpointId!;
    const signal = this.#dtmfAbort.signal;
    this.#dtmfOut = this.#dtmfOut.then(() =>
      sendDtmfString(dtmfOut, { sendDigits: (d) => media.sendDigits(endpointId, d), signal }).then(
        () => undefined,
        (err: unknown) => {
          if (!signal.aborted) this.#log.warn({ err }, 'sending DTMF failed');
        },
      ),
    );
    return { ok: true, value: undefined };
  }

  // ── gather ───────────────────────────────────────────────────────────────────────────────────

  /** spec bandwidth §3.5: collect digits; the result is a `gather` callback. A gather still running is
   *  completed `cancelled` first (one gather at a time: docs/compatibility.md). */
  async startGather(req: GatherRequest): Promise<VoiceResult<VoiceGatherRecord>> {
    if (!this.active) return refuse.callState(this.id, 'a gather needs an active call');
    let prompt: VoiceResult<LoadedAudio> | undefined;
    if (req.prompt && (req.prompt.sentence || req.prompt.fileUrl)) {
      prompt = await this.#deps.audio.load(req.prompt);
      if (!prompt.ok) return prompt;
    }
    if (!this.active) return refuse.callState(this.id, 'a gather needs an active call');
    this.#gather?.collector.stop();
    const record: VoiceGatherRecord = {
      kind: 'gather',
      id: newPrefixedId('g'),
      accountId: this.accountId,
      callId: this.id,
      state: 'started',
      createdTime: Date.now(),
      ...(req.tag !== undefined ? { tag: req.tag } : {}),
    };
    await this.#deps.store.putVoiceResource(record);
    const gather: ActiveGather = {
      record,
      collector: new GatherCollector({
        ...(req.maxDigits !== undefined ? { maxDigits: req.maxDigits } : {}),
        interDigitTimeoutMs: req.interDigitTimeoutSeconds * 1000,
        terminatingDigits: req.terminatingDigits,
        // The inter-digit timer starts once the prompt has been heard or interrupted (gather-collector.ts).
        deferTimer: true,
        onFirstDigit: () => {
          if (gather.prompt !== undefined && this.#audio?.playbackId === gather.prompt) void this.#stopAudio();
        },
        onResult: (result) => this.#gatherDone(gather, result),
      }),
    };
    this.#gather = gather;
    if (prompt?.ok) {
      const playbackId = await this.#play(prompt.value, req.prompt?.loopEnabled === true, req.prompt?.tag ?? req.tag);
      if (playbackId !== undefined) {
        gather.prompt = playbackId;
        // The inter-digit timer runs once the prompt has been heard (or interrupted).
        void this.#audio?.finished.then(() => gather.collector.startTimer());
      } else gather.collector.startTimer();
    } else gather.collector.startTimer();
    return { ok: true, value: record };
  }

  /** `POST …/gather/{id}` `state: completed`: the gather ends `cancelled` (spec bandwidth §5 q5). */
  stopGather(gatherId: string): VoiceResult<void> {
    const gather = this.#gather;
    if (!gather || gather.record.id !== gatherId) return refuse.callState(this.id, `gather ${gatherId} is not running`);
    gather.collector.stop();
    return { ok: true, value: undefined };
  }

  #gatherDone(gather: ActiveGather, result: GatherResult): void {
    if (this.#gather === gather) this.#gather = undefined;
    this.#facts.record({
      type: 'gather.completed',
      legId: this.id,
      gatherId: gather.record.id,
      digits: result.digits,
      reason: result.reason,
      ...(result.terminatingDigit !== undefined ? { terminatingDigit: result.terminatingDigit } : {}),
      ...(gather.record.tag !== undefined ? { tag: gather.record.tag } : {}),
    });
    const done: VoiceGatherRecord = { ...gather.record, state: 'completed', reason: result.reason, digits: result.digits, completedTime: Date.now() };
    void this.#deps.store.putVoiceResource(done).catch((err: unknown) => this.#log.error({ err }, 'saving a gather failed'));
  }

  // ── recording ────────────────────────────────────────────────────────────────────────────────

  /** spec bandwidth §3.3 `recordingEnabled`: each on → off span is its own recording. */
  async setRecording(on: boolean): Promise<VoiceResult<void>> {
    if (!this.active) return refuse.callState(this.id, 'recording needs an active call');
    this.#record.recordingEnabled = on;
    await this.#save();
    if (on && !this.#recording) {
      const id = newPrefixedId('rec');
      const maxSeconds = this.#record.recordingMaxDurationSeconds;
      try {
        await this.#deps.session.media.startRecording({ endpointId: this.endpointId! }, { recordingId: id, ...(maxSeconds ? { maxDurationMs: maxSeconds * 1000 } : {}) });
      } catch (err) {
        this.#log.warn({ err }, 'starting a recording failed');
        return refuse.recordingState(this.id, 'the recording could not be started');
      }
      this.#recording = { kind: 'recording', id, accountId: this.accountId, callId: this.id, state: 'recording', startTime: Date.now() };
      await this.#deps.store.putVoiceResource(this.#recording);
    } else if (!on && this.#recording) await this.#stopRecording();
    return { ok: true, value: undefined };
  }

  async #stopRecording(): Promise<void> {
    const rec = this.#recording;
    if (!rec) return;
    this.#recording = undefined;
    await this.#deps.store.putVoiceResource({ ...rec, state: 'saving' });
    let status: 'complete' | 'error' = 'error';
    let startedAt = rec.startTime;
    try {
      const info = await this.#deps.session.media.stopRecording(rec.id);
      status = info.status;
      startedAt = info.startedAt;
    } catch (err) {
      this.#log.warn({ err, recordingId: rec.id }, 'saving a recording failed');
    }
    const endTime = Date.now();
    await this.#deps.store.putVoiceResource({ ...rec, state: status, endTime });
    this.#facts.record({ type: 'recording.finished', recordingId: rec.id, legId: this.id, url: this.#deps.session.recordingUrl(rec.id), startedAt, status, purpose: 'call' });
    // spec bandwidth §4.5 step 3: a call with transcriptionEnabled has each saved recording transcribed.
    if (status === 'complete' && this.#record.transcriptionEnabled === true) this.#deps.transcribe?.(this.accountId, rec.id);
  }

  /** A fact of the call's session from outside it (a transcription), while `session.ended` is not yet
   *  recorded; false after (voice-transcriptions.ts then records it late). */
  recordBeforeEnd(draft: FactDraft): boolean {
    if (this.#phase === 'ended') return false;
    this.#facts.record(draft);
    return true;
  }

  // ── bridges and conferences ──────────────────────────────────────────────────────────────────

  /** The call is now in a bridge (voice-bridges.ts relays its audio) or a conference (the mixer has it):
   *  `leg.joined`. `leave` takes it out again and is run when the call leaves or ends. */
  joined(kind: 'bridge' | 'conference', id: string, leave: () => Promise<void>): void {
    this.#conversation = { kind, id, leave };
    if (kind === 'bridge') {
      this.#record.bridgeId = id;
      void this.#save();
    }
    this.#facts.record({ type: 'leg.joined', legId: this.id, conversationId: id });
  }

  /** Leaves the bridge or conference it is in (`leg.left`); with `id`, only if it is in that one. */
  async leaveConversation(id?: string): Promise<void> {
    const c = this.#conversation;
    if (!c || (id !== undefined && c.id !== id)) return;
    this.#conversation = undefined;
    await c.leave().catch((err: unknown) => this.#log.warn({ err }, `leaving a ${c.kind} failed`));
    this.#facts.record({ type: 'leg.left', legId: this.id, conversationId: c.id });
  }

  // ── BXML (bxml/bxml-call.ts) ─────────────────────────────────────────────────────────────────

  /** Facts only a BXML document causes (spec bandwidth §2.16): `error` (leg.error), `redirect`, `transferComplete`. */
  note(fact: { type: 'leg.error'; message: string } | { type: 'leg.redirected' } | { type: 'transfer.completed'; targetLegId: string }): void {
    if (this.#phase === 'ended') return;
    this.#facts.record({ ...fact, legId: this.id });
  }

  /** Whether a BXML document drives the call (VoiceCallRecord.bxml: the webhook engine skips what the call sends itself). */
  async markBxml(mode: NonNullable<VoiceCallRecord['bxml']>): Promise<void> {
    this.#record.bxml = mode;
    await this.#save();
  }
  // ── the end ──────────────────────────────────────────────────────────────────────────────────

  async #finish(by: 'remote' | 'local', cause: HangupCause): Promise<void> {
    this.#phase = 'ending';
    this.#deps.session.media.off('dtmf', this.#onDigit);
    this.#dtmfAbort.abort();
    // spec bandwidth §4.3 (Proposed): the caller hanging up during a gather gives `gather` hung-up first.
    this.#gather?.collector.hangUp();
    await this.#stopAudio();
    await this.leaveConversation();
    const leg = this.#leg!;
    this.#facts.record({ type: 'leg.ended', legId: leg.legId, by, cause });
    await this.#stopRecording();
    this.#phase = 'ended';
    this.#facts.record({ type: 'session.ended', hangupBy: by === 'remote' ? leg.party : this.#localParty, ...(by === 'remote' ? { hangupLegId: leg.legId } : {}), cause });
    await this.#saveEnd('completed', cause);
  }

  /** The REST resource reads the final state only once the session's end is in the log: a client that
   *  sees `completed` finds the `hangup` in `GET /calls/{id}/events`. */
  async #saveEnd(state: VoiceCallRecord['state'], cause: HangupCause): Promise<void> {
    await this.#facts.flush();
    this.#record.state = state;
    this.#record.endTime = Date.now();
    this.#record.cause = cause;
    await this.#save();
  }

  async #save(): Promise<void> {
    try {
      await this.#deps.store.putVoiceResource({ ...this.#record });
    } catch (err) {
      this.#log.error({ err }, 'saving the voice call failed');
    }
  }
}

/**
 * Voice-API conferences (spec bandwidth §3.8, §4.6): the media engine's mixer (media/mixer.ts: each member
 * hears the sum of the others, not itself) with up to 20 calls of the account as members.
 *
 * - A conference is its own fact session, named by its id (facts.ts header, "Conference sessions"):
 *   `conference.created`, `conference.member` on every join / leave / mute / hold change, `playback.*`
 *   into `{ conferenceId }`, `conference.completed` last. Its callbacks go to its own `callbackUrl`.
 * - A member is any active call of the account (docs/voice-api.md, "Conferences": the spec's "created with
 *   this conferenceId" is not required; a call created for another conference is refused). A call joining
 *   leaves its bridge or other conference first, and reports `leg.joined`/`leg.left` in its own session.
 * - Conference audio is a mixer source: every member not held hears it. Join and leave tones are short
 *   tones played into the mix alongside it.
 * - The last member leaving, or `state: completed`, completes the conference; the members' calls are not
 *   hung up, only taken out (spec bandwidth §5 q9, docs/voice-api.md).
 * - `profile` is stored and shown; the `interpret_digits` keys (§3.8) are not acted on: digits always
 *   reach the application as `dtmf` events, as with `passthru_digits`.
 */
import type { MediaControl } from '../../media/media-control.js';
import type { PlaybackOutcome, PlayItem } from '../../media/player.js';
import type { FactSink } from '../../events/model/fact-sink.js';
import type { Store } from '../../store/store.js';
import type { VoiceConferenceRecord, VoiceMemberRecord } from '../../store/voice-records.js';
import type { Logger } from '../../log/logger.js';
import { newPrefixedId } from '../../util/ids.js';
import { SessionFacts } from '../session-facts.js';
import type { VoiceAudio } from './voice-audio.js';
import type { VoiceCall } from './voice-call.js';
import type { AddMemberRequest, AudioRequest, ConferenceUpdate, CreateConferenceRequest, MemberUpdate, VoiceConferenceControl, VoiceResult } from './voice-control.js';
import { refuseConference } from './conference-refusals.js';
import { refuse } from './voice-refusals.js';

/** spec bandwidth §3.8: at most 20 members (403 `conference-max-members`). */
export const MAX_MEMBERS = 20;

/** A member joining / leaving: a short beep into the mix (rising for a join, lower for a leave). */
const JOIN_TONE: PlayItem = { tone: { frequencies: [880], durationMs: 200, level: 0.2 } };
const LEAVE_TONE: PlayItem = { tone: { frequencies: [440], durationMs: 200, level: 0.2 } };

export interface VoiceConferencesDeps {
  media: MediaControl;
  store: Store;
  facts: FactSink;
  audio: VoiceAudio;
  log: Logger;
  /** A live call of the account by id (undefined: unknown, ended, or another account's). */
  call(accountId: string, callId: string): VoiceCall | undefined;
}

interface LiveMember {
  record: VoiceMemberRecord;
  call: VoiceCall;
  endpointId: string;
}

interface LiveConference {
  record: VoiceConferenceRecord;
  facts: SessionFacts;
  log: Logger;
  /** Active members by member id. */
  members: Map<string, LiveMember>;
  /** Changes to one conference run one after another. */
  queue: Promise<unknown>;
  /** Conference audio playing, and a promise of its `playback.finished`. */
  audio?: { playbackId: string; finished: Promise<void> };
}

const ok = <T>(value: T): VoiceResult<T> => ({ ok: true, value });

export class VoiceConferences implements VoiceConferenceControl {
  readonly #deps: VoiceConferencesDeps;
  readonly #live = new Map<string, LiveConference>();

  constructor(deps: VoiceConferencesDeps) {
    this.#deps = deps;
  }

  /** Conferences not completed yet. */
  get activeConferences(): number {
    return this.#live.size;
  }

  async createConference(req: CreateConferenceRequest): Promise<VoiceResult<VoiceConferenceRecord>> {
    const id = newPrefixedId('conf');
    const record: VoiceConferenceRecord = {
      kind: 'conference',
      id,
      accountId: req.accountId,
      userId: req.userId,
      state: 'created',
      from: req.from,
      profile: req.profile,
      hold: false,
      mute: false,
      activeMembers: 0,
      createdTime: Date.now(),
      ...(req.callback ? { callback: req.callback } : {}),
      ...(req.tag !== undefined ? { tag: req.tag } : {}),
    };
    try {
      await this.#deps.media.createConference(id);
    } catch (err) {
      this.#deps.log.warn({ err, conferenceId: id }, 'the media engine refused a conference');
      return refuse.unavailable('the conference could not be created');
    }
    const log = this.#deps.log.child({ conferenceId: id });
    // The conference's session is named by the conference (facts.ts header, "Conference sessions").
    const live: LiveConference = { record, facts: new SessionFacts(id, this.#deps.facts, log), log, members: new Map(), queue: Promise.resolve() };
    this.#live.set(id, live);
    // Stored before its first fact is logged, so its callbacks find their target (callback-router.ts).
    await this.#save(live);
    // The resource's createdTime is the callback's (spec bandwidth §2.13).
    record.createdTime = live.facts.recordAt({ type: 'conference.created', conferenceId: id, accountId: req.accountId, application: { userId: req.userId }, ...(req.tag !== undefined ? { tag: req.tag } : {}) });
    await this.#save(live);
    log.info({ from: req.from }, 'conference created');
    return ok({ ...record });
  }

  async updateConference(accountId: string, conferenceId: string, change: ConferenceUpdate): Promise<VoiceResult<VoiceConferenceRecord>> {
    const conf = this.#conf(accountId, conferenceId);
    if (!conf) return this.#gone(accountId, conferenceId, change.state === 'completed');
    return this.#run(conf, async () => {
      const r = conf.record;
      if (change.tag !== undefined) r.tag = change.tag;
      if (change.callback === null) delete r.callback;
      else if (change.callback !== undefined) r.callback = change.callback;
      // spec bandwidth §3.8: `hold` / `mute` apply to every member (each member's event reports it).
      if (change.mute !== undefined) r.mute = change.mute;
      if (change.hold !== undefined) r.hold = change.hold;
      if (change.mute !== undefined || change.hold !== undefined)
        for (const m of conf.members.values()) await this.#setFlags(conf, m, { ...(change.mute !== undefined ? { mute: change.mute } : {}), ...(change.hold !== undefined ? { hold: change.hold } : {}) });
      if (change.state === 'completed') await this.#complete(conf);
      else await this.#save(conf);
      return ok({ ...conf.record });
    });
  }

  /** spec bandwidth §3.8 / §2.15: audio into the whole conference; an empty sentence or fileUrl stops it. */
  async conferenceAudio(accountId: string, conferenceId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    const conf = this.#conf(accountId, conferenceId);
    if (!conf) return this.#gone(accountId, conferenceId);
    if (audio.sentence === '' || audio.fileUrl === '') {
      await this.#stopAudio(conf);
      return ok(undefined);
    }
    const loaded = await this.#deps.audio.load(audio);
    if (!loaded.ok) return loaded;
    return this.#run(conf, async () => {
      if (conf.record.state === 'completed') return refuseConference.state(conferenceId, 'the conference is completed');
      await this.#stopAudio(conf);
      let playback: { playbackId: string; done: Promise<PlaybackOutcome> };
      try {
        playback = await this.#deps.media.playToConference(conferenceId, loaded.value.item, { loop: audio.loopEnabled === true });
      } catch (err) {
        conf.log.warn({ err }, 'playing into the conference failed');
        return refuseConference.state(conferenceId, 'the audio could not be played');
      }
      const target = { conferenceId };
      const source = loaded.value.source;
      const tag = audio.tag !== undefined ? { tag: audio.tag } : {};
      conf.facts.record({ type: 'playback.started', playbackId: playback.playbackId, target, source, ...tag });
      const finished = playback.done.then(
        (outcome) => conf.facts.record({ type: 'playback.finished', playbackId: playback.playbackId, target, source, outcome, ...tag }),
        () => conf.facts.record({ type: 'playback.finished', playbackId: playback.playbackId, target, source, outcome: 'error', ...tag }),
      );
      const current = { playbackId: playback.playbackId, finished };
      conf.audio = current;
      void finished.then(() => {
        if (conf.audio === current) conf.audio = undefined;
      });
      return ok(undefined);
    });
  }

  async addMember(accountId: string, conferenceId: string, req: AddMemberRequest): Promise<VoiceResult<VoiceMemberRecord>> {
    const conf = this.#conf(accountId, conferenceId);
    if (!conf) return this.#gone(accountId, conferenceId);
    const call = this.#deps.call(accountId, req.callId);
    if (!call) {
      const stored = await this.#deps.store.getVoiceResource(accountId, 'call', req.callId);
      return stored ? refuse.callState(req.callId, 'the call is over') : refuse.callNotFound(req.callId);
    }
    const createdFor = call.record.conferenceId;
    if (createdFor !== undefined && createdFor !== conferenceId) return refuseConference.callConference(call.id, createdFor);
    return this.#run(conf, async () => {
      if (conf.record.state === 'completed') return refuseConference.state(conferenceId, 'the conference is completed');
      if (!call.active) return refuse.callState(call.id, 'only an active call can join a conference');
      if (call.conferenceId === conferenceId) return refuseConference.state(conferenceId, `call ${call.id} is a member already`);
      if (conf.members.size >= MAX_MEMBERS) return refuseConference.full(conferenceId, MAX_MEMBERS);
      // A call moves here from its bridge or its other conference.
      await call.leaveConversation();
      const endpointId = call.endpointId;
      if (!call.active || endpointId === undefined) return refuse.callState(call.id, 'only an active call can join a conference');
      try {
        await this.#deps.media.joinConference(conferenceId, endpointId, { muted: req.mute, held: req.hold });
      } catch (err) {
        conf.log.warn({ err, callId: call.id }, 'joining the conference failed');
        return refuseConference.state(conferenceId, `call ${call.id} could not join`);
      }
      const record: VoiceMemberRecord = {
        kind: 'member',
        id: newPrefixedId('member'),
        accountId,
        conferenceId,
        callId: call.id,
        state: 'active',
        mute: req.mute,
        hold: req.hold,
        joinTone: req.joinTone,
        leavingTone: req.leavingTone,
        addedTime: Date.now(),
      };
      const member: LiveMember = { record, call, endpointId };
      conf.members.set(record.id, member);
      conf.record.state = 'active';
      conf.record.activeMembers = conf.members.size;
      await this.#deps.store.putVoiceResource({ ...record });
      await this.#save(conf);
      call.joined('conference', conferenceId, () => this.#run(conf, () => this.#left(conf, member)));
      this.#memberFact(conf, member);
      if (req.joinTone) this.#tone(conf, JOIN_TONE);
      conf.log.info({ callId: call.id, memberId: record.id, activeMembers: conf.members.size }, 'member joined');
      return ok({ ...record });
    });
  }

  async updateMember(accountId: string, conferenceId: string, memberId: string, change: MemberUpdate): Promise<VoiceResult<VoiceMemberRecord>> {
    const stored = await this.#member(accountId, conferenceId, memberId);
    if (!stored) return refuseConference.memberNotFound(memberId);
    const conf = this.#conf(accountId, conferenceId);
    const member = conf?.members.get(memberId);
    if (!conf || !member) {
      // spec bandwidth §3.8: `completed` is final; removing it again changes nothing.
      if (change.state === 'completed' && change.mute === undefined && change.hold === undefined) return ok(stored);
      return refuseConference.state(conferenceId, `member ${memberId} is completed`);
    }
    if (change.state === 'completed') {
      // The call's leave runs #left in the conference's queue, and reports `leg.left` in its own session.
      await member.call.leaveConversation(conferenceId);
      return ok((await this.#member(accountId, conferenceId, memberId)) ?? { ...member.record });
    }
    return this.#run(conf, async () => {
      if (change.joinTone !== undefined) member.record.joinTone = change.joinTone;
      if (change.leavingTone !== undefined) member.record.leavingTone = change.leavingTone;
      const flags = { ...(change.mute !== undefined ? { mute: change.mute } : {}), ...(change.hold !== undefined ? { hold: change.hold } : {}) };
      if (flags.mute !== undefined || flags.hold !== undefined) await this.#setFlags(conf, member, flags);
      else await this.#deps.store.putVoiceResource({ ...member.record });
      return ok({ ...member.record });
    });
  }

  /** spec bandwidth §4.6 step 4: audio to one member is its call's audio (`speak`/`playback` of the call). */
  async memberAudio(accountId: string, conferenceId: string, memberId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    const stored = await this.#member(accountId, conferenceId, memberId);
    if (!stored) return refuseConference.memberNotFound(memberId);
    const member = this.#conf(accountId, conferenceId)?.members.get(memberId);
    if (!member) return refuseConference.state(conferenceId, `member ${memberId} is completed`);
    return member.call.playAudio(audio);
  }

  /** Ringside is stopping: every conference completes (its members' calls are being hung up anyway). */
  async close(): Promise<void> {
    await Promise.all([...this.#live.values()].map((c) => this.#run(c, () => this.#complete(c))));
  }

  // ── inside a conference's queue ──────────────────────────────────────────────────────────────

  /** A member's mute / hold changed: the mixer, the record, and a `conference-member` event. */
  async #setFlags(conf: LiveConference, m: LiveMember, flags: { mute?: boolean; hold?: boolean }): Promise<void> {
    const media = this.#deps.media;
    const id = conf.record.id;
    if (flags.mute !== undefined && flags.mute !== m.record.mute) {
      m.record.mute = flags.mute;
      await media.setMuted(id, m.endpointId, flags.mute).catch((err: unknown) => conf.log.warn({ err }, 'muting failed'));
    }
    if (flags.hold !== undefined && flags.hold !== m.record.hold) {
      m.record.hold = flags.hold;
      await media.setHeld(id, m.endpointId, flags.hold).catch((err: unknown) => conf.log.warn({ err }, 'holding failed'));
    }
    await this.#deps.store.putVoiceResource({ ...m.record });
    this.#memberFact(conf, m);
  }

  /** A member left (removed, hung up, moved to a bridge or another conference, or the conference ended). */
  async #left(conf: LiveConference, m: LiveMember): Promise<void> {
    if (!conf.members.delete(m.record.id)) return;
    await this.#deps.media.leaveConference(m.endpointId).catch(() => undefined);
    m.record.state = 'completed';
    m.record.removedTime = Date.now();
    conf.record.activeMembers = conf.members.size;
    await this.#deps.store.putVoiceResource({ ...m.record });
    // spec bandwidth §5 q9: `activeMembers` in the leave event counts those still in (docs/voice-api.md).
    this.#memberFact(conf, m);
    conf.log.info({ callId: m.call.id, memberId: m.record.id, activeMembers: conf.members.size }, 'member left');
    if (conf.members.size === 0 && conf.record.state !== 'completed') await this.#complete(conf);
    else {
      if (m.record.leavingTone) this.#tone(conf, LEAVE_TONE);
      await this.#save(conf);
    }
  }

  /** spec bandwidth §4.6 step 6: audio stops, every member is taken out (calls stay up), `completed`. */
  async #complete(conf: LiveConference): Promise<void> {
    if (conf.record.state === 'completed') return;
    conf.record.state = 'completed';
    await this.#stopAudio(conf);
    // Each member's call reports `leg.left`; its leave lands here (#left), already in the queue.
    for (const m of [...conf.members.values()]) {
      void m.call.leaveConversation(conf.record.id);
      await this.#left(conf, m);
    }
    await this.#deps.media.closeConference(conf.record.id).catch((err: unknown) => conf.log.warn({ err }, 'closing the mixer failed'));
    conf.record.activeMembers = 0;
    this.#live.delete(conf.record.id);
    conf.record.completedTime = conf.facts.recordAt({ type: 'conference.completed', conferenceId: conf.record.id, createdAt: conf.record.createdTime, ...(conf.record.tag !== undefined ? { tag: conf.record.tag } : {}) });
    await this.#save(conf);
    await conf.facts.flush();
    conf.log.info('conference completed');
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  #memberFact(conf: LiveConference, m: LiveMember): void {
    const r = m.record;
    conf.facts.record({ type: 'conference.member', conferenceId: conf.record.id, memberId: r.id, legId: r.callId, state: r.state, mute: r.mute, hold: r.hold, activeMembers: conf.members.size });
  }

  /** A join / leave tone into the mix; its playback reports nothing (it is not the application's audio). */
  #tone(conf: LiveConference, tone: PlayItem): void {
    void this.#deps.media.playToConference(conf.record.id, tone, { alongside: true }).catch((err: unknown) => conf.log.warn({ err }, 'a conference tone failed'));
  }

  /** Stops the conference audio and waits for its `playback.finished`, so facts stay in order. */
  async #stopAudio(conf: LiveConference): Promise<void> {
    const audio = conf.audio;
    if (!audio) return;
    await this.#deps.media.stopConferencePlayback(conf.record.id).catch(() => undefined);
    await audio.finished;
  }

  #run<T>(conf: LiveConference, step: () => Promise<T>): Promise<T> {
    const next = conf.queue.then(step);
    conf.queue = next.catch((err: unknown) => conf.log.warn({ err }, 'a conference change failed'));
    return next;
  }

  #conf(accountId: string, conferenceId: string): LiveConference | undefined {
    const conf = this.#live.get(conferenceId);
    return conf && conf.record.accountId === accountId ? conf : undefined;
  }

  async #member(accountId: string, conferenceId: string, memberId: string): Promise<VoiceMemberRecord | undefined> {
    const m = await this.#deps.store.getVoiceResource(accountId, 'member', memberId);
    return m && m.conferenceId === conferenceId ? m : undefined;
  }

  /** No live conference by that id: completed (403, or nothing to do when completing it again), or 404. */
  async #gone<T>(accountId: string, conferenceId: string, completing = false): Promise<VoiceResult<T>> {
    const stored = await this.#deps.store.getVoiceResource(accountId, 'conference', conferenceId);
    if (!stored) return refuseConference.notFound(conferenceId);
    if (completing) return ok(stored as T);
    return refuseConference.state(conferenceId, 'the conference is completed');
  }

  async #save(conf: LiveConference): Promise<void> {
    try {
      await this.#deps.store.putVoiceResource({ ...conf.record });
    } catch (err) {
      conf.log.error({ err }, 'saving the conference failed');
    }
  }
}

/**
 * The voice API's calls in this switch (spec bandwidth §3): the VoiceControl the REST family drives, and
 * the front door for carrier calls to numbers linked to an application. Keeps the live calls by id; what
 * is over is read from the store (voice-records.ts), which every call keeps current.
 */
import type { IncomingInvite } from '../../sip/index.js';
import type { MediaControl } from '../../media/media-control.js';
import type { RecordingResponse } from '../../media/recorder.js';
import { PocketsphinxTranscriber, type Transcriber } from '../../media/transcriber.js';
import type { AccountRecord, NumberRecord, Store } from '../../store/store.js';
import type { CallbackTarget, VoiceBridgeRecord, VoiceCallRecord, VoiceGatherRecord, VoiceTranscriptionRecord } from '../../store/voice-records.js';
import type { Logger } from '../../log/logger.js';
import type { Party } from '../../events/model/facts.js';
import { newPrefixedId } from '../../util/ids.js';
import { carrierNumber, uriUser } from '../dial-plan.js';
import type { RingTarget } from '../ring-plan.js';
import { presenting, trunkOf, trunkTarget } from '../routing/targets.js';
import type { SessionDeps } from '../session-deps.js';
import { FetchedVoiceAudio } from './voice-audio.js';
import { VoiceBridges } from './voice-bridges.js';
import { VoiceCall, type VoiceCallDeps } from './voice-call.js';
import type { AudioRequest, BridgeRequest, CallUpdate, CreateCallRequest, GatherRequest, TransferRequest, VoiceControl, VoiceResult } from './voice-control.js';
import type { AddMemberRequest, ConferenceUpdate, CreateConferenceRequest, MemberUpdate } from './voice-control.js';
import type { VoiceConferenceRecord, VoiceMemberRecord } from '../../store/voice-records.js';
import { VoiceConferences } from './voice-conferences.js';
import { refuse } from './voice-refusals.js';
import { BxmlCall } from './bxml/bxml-call.js';
import type { BxmlPort } from './bxml/bxml-port.js';
import { VoiceTranscriptions } from './voice-transcriptions.js';

export interface VoiceCallsOptions {
  session: SessionDeps;
  store: Store;
  /** The host in the From of the INVITEs Ringside sends (SipStack.publicHost). */
  publicHost: string;
  /** How long an inbound call without `autoAnswer` waits for the application (default 30 s). */
  answerTimeoutMs?: number;
  /** Speech to text for transcriptions (default: pocketsphinx, media/transcriber.ts). */
  transcriber?: Transcriber;
}

const ok = <T>(value: T): VoiceResult<T> => ({ ok: true, value });

export class VoiceCalls implements VoiceControl {
  readonly #o: VoiceCallsOptions;
  readonly #deps: VoiceCallDeps;
  readonly #media: MediaControl;
  readonly #log: Logger;
  readonly #live = new Map<string, VoiceCall>();
  readonly #bridges: VoiceBridges;
  readonly transcriptions: VoiceTranscriptions;
  readonly #conferences: VoiceConferences;
  #closed = false;
  #bxml?: BxmlPort;

  constructor(options: VoiceCallsOptions) {
    this.#o = options;
    this.#media = options.session.media;
    this.#log = options.session.logger;
    this.#deps = {
      session: options.session,
      store: options.store,
      audio: new FetchedVoiceAudio({ fetch: (url) => this.#media.fetchAudio(url) }),
      answerTimeoutMs: options.answerTimeoutMs ?? 30_000,
      transcribe: (accountId, recordingId) => this.transcriptions.auto(accountId, recordingId),
    };
    this.transcriptions = new VoiceTranscriptions({
      store: options.store,
      transcriber: options.transcriber ?? new PocketsphinxTranscriber({ logger: this.#log.child({ component: 'transcriber' }) }),
      media: this.#media,
      facts: options.session.facts,
      log: this.#log,
      liveCall: (accountId, callId) => this.#call(accountId, callId),
    });
    this.#bridges = new VoiceBridges({ media: this.#media, store: options.store, log: this.#log, call: (accountId, id) => this.#call(accountId, id) });
    this.#conferences = new VoiceConferences({
      media: this.#media,
      store: options.store,
      facts: options.session.facts,
      audio: this.#deps.audio,
      log: this.#log,
      call: (accountId, id) => this.#call(accountId, id),
    });
  }

  /** Voice-API calls in progress. */
  get activeCalls(): number {
    return this.#live.size;
  }

  /**
   * A carrier call to `number`: when the number is linked to an application that takes calls, the call
   * is that application's (returns true); otherwise the caller routes it to the number's line.
   */
  async takeInbound(invite: IncomingInvite, number: NumberRecord, account: AccountRecord): Promise<boolean> {
    if (number.application === undefined) return false;
    const app = await this.#o.store.getApplication(account.id, number.application);
    if (!app?.incomingCallUrl) return false;
    if (this.#closed) {
      invite.refuse(503);
      return true;
    }
    const req = invite.request;
    const fromUser = uriUser(req.from.uri.user);
    const caller: Party = { kind: 'phone', number: fromUser ? carrierNumber(fromUser) : 'anonymous' };
    if (req.from.displayName) caller.name = req.from.displayName;
    const userId = voiceUserOf(account);
    const callback: CallbackTarget = { url: app.incomingCallUrl, method: app.callbackHttpMethod, timeoutMs: app.callbackTimeoutMs };
    if (app.incomingCallFallbackUrl) callback.fallbackUrl = app.incomingCallFallbackUrl;
    const record: VoiceCallRecord = {
      kind: 'call',
      id: newPrefixedId('c'),
      accountId: account.id,
      userId,
      sessionId: '',
      direction: 'in',
      from: caller.number,
      to: number.number,
      state: 'started',
      applicationId: app.id,
      callback,
      recordingEnabled: false,
      startTime: Date.now(),
    };
    const start = VoiceCall.sessionStart({
      accountId: account.id,
      accountcode: account.accountcode,
      from: caller,
      to: { kind: 'phone', number: number.number },
      application: { id: app.id, userId },
    });
    // spec bandwidth §1.2: GET + autoAnswer is BXML mode, decided by the reply to `answer` (bxml-call.ts).
    const bxml = this.#bxml && app.autoAnswer && app.callbackHttpMethod === 'GET' ? this.#bxml : undefined;
    if (bxml) record.bxml = 'probing';
    const call = VoiceCall.inbound(this.#deps, invite, { start, caller, record, autoAnswer: app.autoAnswer });
    if (bxml) void new BxmlCall({ call, port: bxml, log: this.#log, transfer: (a, t, over) => this.#transfer(a, t, over) }).run();
    this.#run(call);
    return true;
  }

  async createCall(req: CreateCallRequest): Promise<VoiceResult<VoiceCallRecord>> {
    if (this.#closed) return refuse.unavailable('Ringside is stopping');
    const store = this.#o.store;
    const account = await store.getAccount(req.accountId);
    if (!account) return refuse.unavailable('the account is gone');
    if (!(await this.#ownsNumber(account, req.from))) return refuse.invalid(`from ${req.from} is not one of this account's numbers`);
    if (req.bridgeId !== undefined && !(await store.getVoiceResource(account.id, 'bridge', req.bridgeId))) return refuse.bridgeNotFound(req.bridgeId);
    const dialled = await this.#dial(account, req);
    if (!dialled.ok) return dialled;
    const call = dialled.value;
    if (req.bridgeId !== undefined) {
      const bridgeId = req.bridgeId;
      call.onceActive(() => void this.#bridges.join(account.id, bridgeId, call).then((r) => r.ok || this.#log.warn({ callId: call.id, bridgeId, error: r.message }, 'joining the bridge failed')));
    }
    return ok({ ...call.record });
  }

  async #ownsNumber(account: AccountRecord, number: string): Promise<boolean> {
    return (await this.#o.store.listNumbers(account.id)).some((n) => n.number === number);
  }

  /** Starts an outbound call (`POST /calls`, or a transfer's new call). */
  async #dial(account: AccountRecord, req: Omit<CreateCallRequest, 'accountId'> & { transferOf?: string }): Promise<VoiceResult<VoiceCall>> {
    const id = newPrefixedId('c');
    let target: RingTarget;
    if (/^sips?:/i.test(req.to)) {
      // spec bandwidth §3.2: `sip:user@host` is dialled as it is; SIPS is not supported.
      if (/^sips:/i.test(req.to)) return refuse.toNumber(req.to, 'SIPS addresses are not supported');
      target = { party: { kind: 'sip', number: req.to }, callerId: req.from, requests: [{ to: req.to, from: presenting(this.#o, req.from) }] };
    } else {
      const trunk = await trunkOf({ store: this.#o.store }, account);
      if (!trunk) return refuse.toNumber(req.to, 'the account has no trunk to call out through');
      target = trunkTarget(this.#o, req.to, req.from, trunk);
    }
    target.role = 'contact';
    target.legId = id;
    const record: VoiceCallRecord = {
      kind: 'call',
      id,
      accountId: account.id,
      userId: req.userId,
      sessionId: '',
      direction: 'out',
      from: req.from,
      to: req.to,
      state: 'started',
      callTimeoutSeconds: req.callTimeoutSeconds,
      recordingEnabled: req.recordingEnabled,
      startTime: Date.now(),
      ...(req.callback ? { callback: req.callback } : {}),
      ...(req.tag !== undefined ? { tag: req.tag } : {}),
      ...(req.recordingMaxDurationSeconds !== undefined ? { recordingMaxDurationSeconds: req.recordingMaxDurationSeconds } : {}),
      ...(req.bridgeId !== undefined ? { bridgeId: req.bridgeId } : {}),
      ...(req.conferenceId !== undefined ? { conferenceId: req.conferenceId } : {}),
      ...(req.transferOf !== undefined ? { transferOf: req.transferOf } : {}),
      ...(req.transcriptionEnabled === true ? { transcriptionEnabled: true } : {}),
    };
    const start = VoiceCall.sessionStart({
      accountId: account.id,
      accountcode: account.accountcode,
      from: { kind: 'local', number: req.from },
      to: target.party,
      application: { userId: req.userId, ...(req.tag !== undefined ? { tag: req.tag } : {}) },
    });
    const call = VoiceCall.outbound(this.#deps, { start, record, target, ringMs: req.callTimeoutSeconds * 1000 });
    this.#run(call);
    return ok(call);
  }

  /**
   * spec bandwidth §3.3 / §4.8: a new call to `transferTo`; the original hears ringing meanwhile. When the
   * new call answers, it hears the whisper, then the two are connected. Either hanging up ends both
   * (§4.8 Proposed); the new call failing hangs up the original.
   */
  async #transfer(a: VoiceCall, t: TransferRequest, onTargetOver?: (b: VoiceCall) => void): Promise<VoiceResult<{ newCallId?: string }>> {
    if (!a.active || a.state === 'transferring') return refuse.callState(a.id, 'only an active call can be transferred');
    const account = await this.#o.store.getAccount(a.accountId);
    if (!account) return refuse.unavailable('the account is gone');
    // Without transferCallerId the new call shows the original call's `from` (docs/voice-api.md).
    const callerId = t.transferCallerId ?? a.record.from;
    // spec bandwidth §3.3: `private`, the call's own `from` (incoming calls), or one of the account's numbers.
    const allowed = callerId === 'private' || (a.record.direction === 'in' && callerId === a.record.from) || (await this.#ownsNumber(account, callerId));
    if (!allowed) return refuse.invalid(`transferCallerId ${callerId} is not private, the call's own number or one of this account's numbers`);
    const callback = t.callback ?? a.record.callback;
    const dialled = await this.#dial(account, {
      userId: a.record.userId,
      from: callerId === 'private' ? 'anonymous' : callerId,
      to: t.transferTo,
      callTimeoutSeconds: t.callTimeoutSeconds ?? a.record.callTimeoutSeconds ?? 60,
      recordingEnabled: t.recordingEnabled ?? false,
      transferOf: a.id,
      ...(callback ? { callback } : {}),
    });
    if (!dialled.ok) return dialled;
    const b = dialled.value;
    await a.transferring(true);
    b.onceActive(() => {
      void (async () => {
        if (t.whisperAudio && (t.whisperAudio.sentence || t.whisperAudio.fileUrl)) await b.playAndWait(t.whisperAudio);
        if (!a.active || !b.active) return;
        await a.transferring(false);
        // Each leaves any bridge or conference it is in as the new bridge takes it (voice-bridges.ts).
        const r = await this.#bridges.create(a.accountId, { bridgeAudio: true, callIds: [a.id, b.id] });
        if (!r.ok) this.#log.warn({ callId: a.id, newCallId: b.id, error: r.message }, 'connecting a transfer failed');
      })();
    });
    // A BXML transfer decides itself what B's end means (`transferComplete`, the next number).
    b.onceOver(() => (onTargetOver ? onTargetOver(b) : a.hangUp()));
    a.onceOver(() => void b.changeState('completed'));
    return ok({ newCallId: b.id });
  }

  async updateCall(accountId: string, callId: string, change: CallUpdate): Promise<VoiceResult<{ newCallId?: string }>> {
    const call = this.#call(accountId, callId);
    const bxml = call && bxmlDriven(call);
    if (bxml) return bxml;
    if (!call) return this.#gone(accountId, callId);
    if (change.state === 'transferring') {
      if (!change.transfer) return refuse.invalid('a transfer needs transferTo');
      return this.#transfer(call, change.transfer);
    }
    if (change.state !== undefined) {
      const r = call.changeState(change.state);
      if (!r.ok) return r;
    }
    if (change.recordingEnabled !== undefined && call.active) {
      const r = await call.setRecording(change.recordingEnabled);
      if (!r.ok) return r;
    } else if (change.recordingEnabled !== undefined && change.state === undefined) return refuse.recordingState(callId, 'recording needs an active call');
    return ok({});
  }

  async playAudio(accountId: string, callId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    const call = this.#call(accountId, callId);
    const bxml = call && bxmlDriven(call);
    if (bxml) return bxml;
    if (!call) return this.#gone(accountId, callId, (id) => refuse.audioState(id));
    return call.playAudio(audio);
  }

  async sendDtmf(accountId: string, callId: string, dtmfOut: string): Promise<VoiceResult<void>> {
    const call = this.#call(accountId, callId);
    const bxml = call && bxmlDriven(call);
    if (bxml) return bxml;
    if (!call) return this.#gone(accountId, callId);
    return call.sendDtmf(dtmfOut);
  }

  async startGather(accountId: string, callId: string, req: GatherRequest): Promise<VoiceResult<VoiceGatherRecord>> {
    const call = this.#call(accountId, callId);
    const bxml = call && bxmlDriven(call);
    if (bxml) return bxml;
    if (!call) return this.#gone(accountId, callId);
    return call.startGather(req);
  }

  async stopGather(accountId: string, callId: string, gatherId: string): Promise<VoiceResult<void>> {
    const gather = await this.#o.store.getVoiceResource(accountId, 'gather', gatherId);
    if (!gather || gather.callId !== callId) return refuse.gatherNotFound(gatherId);
    if (gather.state === 'completed') return ok(undefined);
    const call = this.#call(accountId, callId);
    if (!call) return ok(undefined);
    return call.stopGather(gatherId);
  }

  createBridge(accountId: string, req: BridgeRequest): Promise<VoiceResult<VoiceBridgeRecord>> {
    return this.#bridges.create(accountId, req);
  }

  updateBridge(accountId: string, bridgeId: string, change: Partial<BridgeRequest>): Promise<VoiceResult<VoiceBridgeRecord>> {
    return this.#bridges.update(accountId, bridgeId, change);
  }

  bridgeAudio(accountId: string, bridgeId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#bridges.playAudio(accountId, bridgeId, audio);
  }

  async openRecording(accountId: string, recordingId: string, range?: string): Promise<VoiceResult<RecordingResponse>> {
    const rec = await this.#o.store.getVoiceResource(accountId, 'recording', recordingId);
    if (!rec || rec.state !== 'complete') return refuse.recordingNotFound(recordingId);
    return ok(await this.#media.openRecording(recordingId, range));
  }

  /** Enables BXML mode (spec bandwidth §1.2) for applications with GET + autoAnswer; without it their
   *  calls are REST-mode calls. app/ wires it (the port reads the event log and sends requests). */
  useBxml(port: BxmlPort): void {
    this.#bxml = port;
  }

  createTranscription(accountId: string, recordingId: string): Promise<VoiceResult<VoiceTranscriptionRecord>> {
    return this.transcriptions.start(accountId, recordingId);
  }

  /** Stops taking calls and ends the ones in progress, waiting up to 2 s; then every conference completes. */
  async close(): Promise<void> {
    this.#closed = true;
    const calls = [...this.#live.values()];
    for (const c of calls) c.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(calls.map((c) => c.done)), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await this.#conferences.close();
  }

  // ── conferences (voice-conferences.ts) ──

  /** Conferences not completed yet. */
  get activeConferences(): number {
    return this.#conferences.activeConferences;
  }

  async createConference(req: CreateConferenceRequest): Promise<VoiceResult<VoiceConferenceRecord>> {
    if (this.#closed) return refuse.unavailable('Ringside is stopping');
    const account = await this.#o.store.getAccount(req.accountId);
    if (!account) return refuse.unavailable('the account is gone');
    // spec bandwidth §3.8: `from` is the hosting number, one of the account's.
    if (!(await this.#ownsNumber(account, req.from))) return refuse.invalid(`from ${req.from} is not one of this account's numbers`);
    return this.#conferences.createConference(req);
  }

  updateConference(accountId: string, conferenceId: string, change: ConferenceUpdate): Promise<VoiceResult<VoiceConferenceRecord>> {
    return this.#conferences.updateConference(accountId, conferenceId, change);
  }

  conferenceAudio(accountId: string, conferenceId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#conferences.conferenceAudio(accountId, conferenceId, audio);
  }

  addMember(accountId: string, conferenceId: string, req: AddMemberRequest): Promise<VoiceResult<VoiceMemberRecord>> {
    return this.#conferences.addMember(accountId, conferenceId, req);
  }

  updateMember(accountId: string, conferenceId: string, memberId: string, change: MemberUpdate): Promise<VoiceResult<VoiceMemberRecord>> {
    return this.#conferences.updateMember(accountId, conferenceId, memberId, change);
  }

  memberAudio(accountId: string, conferenceId: string, memberId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#conferences.memberAudio(accountId, conferenceId, memberId, audio);
  }

  #run(call: VoiceCall): void {
    this.#live.set(call.id, call);
    void call.run().finally(() => this.#live.delete(call.id));
  }

  /** Hangs up the live call of that session as `POST /calls/{id}` `completed` would (the console); false
   *  when none is live here. */
  hangUpSession(accountId: string, sessionId: string): boolean {
    const call = [...this.#live.values()].find((c) => c.sessionId === sessionId && c.accountId === accountId);
    return call !== undefined && call.changeState('completed').ok;
  }

  #call(accountId: string, callId: string): VoiceCall | undefined {
    const call = this.#live.get(callId);
    return call && call.accountId === accountId ? call : undefined;
  }

  /** No live call by that id: over (403 `call-invalid-state`, spec bandwidth §3.3), or unknown (404). */
  async #gone<T>(accountId: string, callId: string, over = (id: string) => refuse.callState(id, 'the call is over')): Promise<VoiceResult<T>> {
    const stored = await this.#o.store.getVoiceResource(accountId, 'call', callId);
    return stored ? over(callId) : refuse.callNotFound(callId);
  }
}

/** spec bandwidth §1.2: REST and BXML cannot both drive one active call: a call a BXML document drives
 *  refuses REST call control (403 `call-invalid-state`). */
function bxmlDriven(call: VoiceCall): VoiceResult<never> | undefined {
  return call.record.bxml === 'active' ? refuse.callState(call.id, 'a BXML document drives this call; REST call control is refused (spec bandwidth §1.2)') : undefined;
}

/** The account's voice-API user id (URLs name it); an account without `voiceApi` uses its own id. */
export function voiceUserOf(account: AccountRecord): string {
  return account.voiceApi?.userId ?? account.id;
}

/**
 * Voice-API bridges (spec bandwidth §3.7): at most two calls whose audio the media engine relays to each
 * other while both are active and `bridgeAudio` is true (`false` holds both: neither hears the other).
 * Membership is replaced whole by an update; a call leaves its bridge when it hangs up or is put in another
 * bridge (it moves: `bridge-bridged-callId` is never answered, docs/compatibility.md); the other call stays
 * up (§4.7 Proposed). A bridge is `completed` once its last call is gone
 * (after it was ever used), and then takes no more calls. There are no bridge callbacks: the calls report
 * `leg.joined`/`leg.left` facts (the call-centre and realtime dialects show them; the voice API does not).
 */
import type { MediaControl } from '../../media/media-control.js';
import type { Store } from '../../store/store.js';
import type { VoiceBridgeRecord } from '../../store/voice-records.js';
import type { Logger } from '../../log/logger.js';
import { newPrefixedId } from '../../util/ids.js';
import type { VoiceCall } from './voice-call.js';
import type { AudioRequest, BridgeRequest, VoiceResult } from './voice-control.js';
import { refuse } from './voice-refusals.js';

interface LiveBridge {
  record: VoiceBridgeRecord;
  members: VoiceCall[];
  /** The two endpoints the engine relays, while it does. */
  connected?: [string, string];
  /** Changes to one bridge run one after another. */
  queue: Promise<unknown>;
  /** A call was ever in it: emptied again, it is completed (a bridge created without calls waits). */
  used: boolean;
}

export interface VoiceBridgesDeps {
  media: MediaControl;
  store: Store;
  log: Logger;
  /** A live call of the account by id (undefined: unknown, ended, or another account's). */
  call(accountId: string, callId: string): VoiceCall | undefined;
}

export class VoiceBridges {
  readonly #deps: VoiceBridgesDeps;
  readonly #live = new Map<string, LiveBridge>();

  constructor(deps: VoiceBridgesDeps) {
    this.#deps = deps;
  }

  async create(accountId: string, req: BridgeRequest): Promise<VoiceResult<VoiceBridgeRecord>> {
    const checked = this.#members(accountId, req.callIds);
    if (!checked.ok) return checked;
    const record: VoiceBridgeRecord = { kind: 'bridge', id: newPrefixedId('brg'), accountId, state: 'created', callIds: [], bridgeAudio: req.bridgeAudio, createdTime: Date.now() };
    const bridge: LiveBridge = { record, members: [], queue: Promise.resolve(), used: false };
    this.#live.set(record.id, bridge);
    await this.#deps.store.putVoiceResource(record);
    await this.#run(bridge, () => this.#setMembers(bridge, checked.value));
    return { ok: true, value: { ...bridge.record } };
  }

  async update(accountId: string, bridgeId: string, change: Partial<BridgeRequest>): Promise<VoiceResult<VoiceBridgeRecord>> {
    const bridge = this.#live.get(bridgeId);
    if (!bridge || bridge.record.accountId !== accountId) {
      const stored = await this.#deps.store.getVoiceResource(accountId, 'bridge', bridgeId);
      return stored ? refuse.bridgeState(bridgeId, 'the bridge is completed') : refuse.bridgeNotFound(bridgeId);
    }
    const checked = change.callIds ? this.#members(accountId, change.callIds) : ({ ok: true, value: bridge.members } as const);
    if (!checked.ok) return checked;
    await this.#run(bridge, async () => {
      if (change.bridgeAudio !== undefined) bridge.record.bridgeAudio = change.bridgeAudio;
      await this.#setMembers(bridge, checked.value);
    });
    return { ok: true, value: { ...bridge.record } };
  }

  /** spec bandwidth §3.2 `bridgeId`: a call created into a bridge joins it once answered. */
  async join(accountId: string, bridgeId: string, call: VoiceCall): Promise<VoiceResult<VoiceBridgeRecord>> {
    const bridge = this.#live.get(bridgeId);
    if (!bridge || bridge.record.accountId !== accountId) return refuse.bridgeNotFound(bridgeId);
    const ids = bridge.members.map((c) => c.id);
    return this.update(accountId, bridgeId, { callIds: ids.includes(call.id) ? ids : [...ids, call.id] });
  }

  /** spec bandwidth §3.7 `POST /bridges/{id}/audio`: played to every call in the bridge. */
  async playAudio(accountId: string, bridgeId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    const bridge = this.#live.get(bridgeId);
    if (!bridge || bridge.record.accountId !== accountId) return refuse.bridgeNotFound(bridgeId);
    const active = bridge.members.filter((c) => c.active);
    if (active.length === 0) return refuse.bridgeState(bridgeId, 'no active call is in the bridge');
    for (const call of active) {
      const r = await call.playAudio(audio);
      if (!r.ok) return r;
    }
    return { ok: true, value: undefined };
  }

  /** The calls for a new member list: at most two, live and active, the account's. */
  #members(accountId: string, callIds: readonly string[]): VoiceResult<VoiceCall[]> {
    if (callIds.length > 2) return refuse.bridgeOverflow();
    const calls: VoiceCall[] = [];
    for (const id of new Set(callIds)) {
      const call = this.#deps.call(accountId, id);
      if (!call) return refuse.callNotFound(id);
      if (!call.active) return refuse.callState(id, 'only an active call can be bridged');
      calls.push(call);
    }
    return { ok: true, value: calls };
  }

  #run<T>(bridge: LiveBridge, step: () => Promise<T>): Promise<T> {
    const next = bridge.queue.then(step);
    bridge.queue = next.catch((err: unknown) => this.#deps.log.warn({ err, bridgeId: bridge.record.id }, 'a bridge change failed'));
    return next;
  }

  async #setMembers(bridge: LiveBridge, calls: VoiceCall[]): Promise<void> {
    for (const gone of bridge.members.filter((c) => !calls.includes(c))) await gone.leaveConversation(bridge.record.id);
    for (const call of calls) {
      if (bridge.members.includes(call)) continue;
      // A call in another bridge or a conference moves here: it leaves that first (the engine relays or
      // mixes an endpoint, never both).
      await call.leaveConversation();
      bridge.members.push(call);
      bridge.used = true;
      call.joined('bridge', bridge.record.id, () => this.#run(bridge, () => this.#left(bridge, call)));
    }
    await this.#apply(bridge);
  }

  /** A member left (removed, hung up, or joined another bridge). */
  async #left(bridge: LiveBridge, call: VoiceCall): Promise<void> {
    bridge.members = bridge.members.filter((c) => c !== call);
    await this.#apply(bridge);
  }

  /** Relays audio when two active members and `bridgeAudio`; otherwise not. Saves the record. */
  async #apply(bridge: LiveBridge): Promise<void> {
    const media = this.#deps.media;
    const r = bridge.record;
    const [a, b] = bridge.members;
    const want = r.bridgeAudio && a?.active && b?.active ? ([a.endpointId!, b.endpointId!] as [string, string]) : undefined;
    const have = bridge.connected;
    if (have && (!want || have[0] !== want[0] || have[1] !== want[1])) {
      bridge.connected = undefined;
      await media.disconnect(have[0]).catch(() => undefined);
      await media.disconnect(have[1]).catch(() => undefined);
    }
    if (want && !bridge.connected) {
      await media.connect(want[0], want[1]);
      bridge.connected = want;
      r.activatedTime ??= Date.now();
    }
    r.callIds = bridge.members.map((c) => c.id);
    if (bridge.members.length === 0 && bridge.used) {
      r.state = 'completed';
      r.completedTime = Date.now();
      this.#live.delete(r.id);
    } else if (bridge.connected) r.state = 'active';
    else if (!r.bridgeAudio && bridge.members.length > 0) r.state = 'hold';
    await this.#deps.store.putVoiceResource({ ...r, callIds: [...r.callIds] });
  }
}

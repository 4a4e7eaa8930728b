/**
 * Test support for the voice API's REST tests: the family mounted on the real HTTP server (http-server.ts)
 * over a real socket, with a real SQLite store and event log in a temp dir.
 *
 * The switch is a recording test double (`RecordingVoice`): these are unit tests of the REST layer —
 * validation, defaults, status codes, headers, error shapes, views — and the double shows exactly what
 * the layer asked of the switch. The real switch (VoiceCalls) is tested end to end elsewhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHttpServer } from '../http-server.js';
import { parseConfig } from '../../config/load-config.js';
import { silentLogger } from '../../log/logger.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { SqliteEventLog } from '../../events/log/sqlite-event-log.js';
import type { VoiceBridgeRecord, VoiceCallRecord, VoiceConferenceRecord, VoiceMemberRecord, VoiceTranscriptionRecord } from '../../store/voice-records.js';
import type { AddMemberRequest, ConferenceUpdate, CreateConferenceRequest, MemberUpdate } from '../../switch/voice/voice-control.js';
import type { AudioRequest, BridgeRequest, CallUpdate, CreateCallRequest, GatherRequest, VoiceControl, VoiceRefusal, VoiceResult } from '../../switch/voice/voice-control.js';
import { voiceApi } from './voice-api.js';
import { checkRequestsAgainstDocument } from '../openapi/documented-requests.js';
import type { RateLimitOptions } from './voice-rate-limit.js';
import type { MessagingService } from '../../messaging/messaging-service.js';
import type { MmsMediaStore } from '../../messaging/mms-media-store.js';

/** What `openRecording` serves (media/recorder.ts's shape; api/ does not import media/). */
type RecordingResponse = Extract<Awaited<ReturnType<VoiceControl['openRecording']>>, { ok: true }>['value'];

export const CONFIG = (publicUrl?: string) => `
server:
  sipRealm: ringside
${publicUrl ? `  publicUrl: ${publicUrl}\n` : ''}
accounts:
  - id: acme
    name: Acme
    voiceApi: { userId: u-acme, apiToken: t-acme, apiSecret: s-acme-secret }
    users:
      - { id: 11, name: Ada, email: ada@acme.test, password: ada-pass-1, role: admin, pin: "1111" }
    numbers:
      - { number: "+15550100", name: Main, application: cfg-app }
      - { number: "+15550101", name: Sales }
      - { number: "+15550102" }
    applications:
      - { id: cfg-app, name: From the file, incomingCallUrl: "http://127.0.0.1:9/in" }
  - id: other
    name: Other
    voiceApi: { userId: u-other, apiToken: t-other, apiSecret: s-other-secret }
    numbers:
      - { number: "+15550200" }
`;

export const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
export const ACME = basic('t-acme', 's-acme-secret');
export const OTHER = basic('t-other', 's-other-secret');

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when empty. */
  json: unknown;
}

export type Op = { op: string; args: unknown[] };

/** The switch as the REST layer sees it: records every request, answers from the store it writes. */
export class RecordingVoice implements VoiceControl {
  readonly ops: Op[] = [];
  /** The next answer of an operation, instead of the default one. */
  readonly refuse = new Map<string, VoiceRefusal>();
  #n = 0;

  constructor(private readonly store: SqliteStore) {}

  #record(op: string, ...args: unknown[]): VoiceRefusal | undefined {
    this.ops.push({ op, args });
    const r = this.refuse.get(op);
    this.refuse.delete(op);
    return r;
  }
  last(op: string): unknown[] | undefined {
    return this.ops.filter((o) => o.op === op).at(-1)?.args;
  }

  async createCall(req: CreateCallRequest): Promise<VoiceResult<VoiceCallRecord>> {
    const no = this.#record('createCall', req);
    if (no) return no;
    const call: VoiceCallRecord = {
      kind: 'call', id: `c-test${++this.#n}`, accountId: req.accountId, userId: req.userId, sessionId: `s-test${this.#n}`, direction: 'out',
      from: req.from, to: req.to, state: 'started', recordingEnabled: req.recordingEnabled, callTimeoutSeconds: req.callTimeoutSeconds, startTime: Date.now(),
      ...(req.callback ? { callback: req.callback } : {}), ...(req.tag !== undefined ? { tag: req.tag } : {}),
    };
    await this.store.putVoiceResource(call);
    return { ok: true, value: call };
  }
  async updateCall(accountId: string, callId: string, change: CallUpdate): Promise<VoiceResult<{ newCallId?: string }>> {
    const no = this.#record('updateCall', accountId, callId, change);
    if (no) return no;
    return { ok: true, value: change.state === 'transferring' ? { newCallId: `c-transfer${++this.#n}` } : {} };
  }
  async playAudio(accountId: string, callId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#record('playAudio', accountId, callId, audio) ?? { ok: true, value: undefined };
  }
  async sendDtmf(accountId: string, callId: string, dtmfOut: string): Promise<VoiceResult<void>> {
    return this.#record('sendDtmf', accountId, callId, dtmfOut) ?? { ok: true, value: undefined };
  }
  async startGather(accountId: string, callId: string, req: GatherRequest) {
    const no = this.#record('startGather', accountId, callId, req);
    if (no) return no;
    const g = { kind: 'gather' as const, id: `g-test${++this.#n}`, accountId, callId, state: 'started' as const, createdTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6), ...(req.tag !== undefined ? { tag: req.tag } : {}) };
    await this.store.putVoiceResource(g);
    return { ok: true as const, value: g };
  }
  async stopGather(accountId: string, callId: string, gatherId: string): Promise<VoiceResult<void>> {
    return this.#record('stopGather', accountId, callId, gatherId) ?? { ok: true, value: undefined };
  }
  async createBridge(accountId: string, req: BridgeRequest): Promise<VoiceResult<VoiceBridgeRecord>> {
    const no = this.#record('createBridge', accountId, req);
    if (no) return no;
    const b: VoiceBridgeRecord = { kind: 'bridge', id: `brg-test${++this.#n}`, accountId, state: req.callIds.length === 2 ? 'active' : 'created', callIds: req.callIds, bridgeAudio: req.bridgeAudio, createdTime: Date.now() };
    await this.store.putVoiceResource(b);
    return { ok: true, value: b };
  }
  async updateBridge(accountId: string, bridgeId: string, change: Partial<BridgeRequest>): Promise<VoiceResult<VoiceBridgeRecord>> {
    const no = this.#record('updateBridge', accountId, bridgeId, change);
    if (no) return no;
    const b = (await this.store.getVoiceResource(accountId, 'bridge', bridgeId))!;
    return { ok: true, value: { ...b, ...change } };
  }
  async bridgeAudio(accountId: string, bridgeId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#record('bridgeAudio', accountId, bridgeId, audio) ?? { ok: true, value: undefined };
  }
  /** Serves `RIFFdata` for any recording, honouring `bytes=a-b`. */
  async openRecording(accountId: string, recordingId: string, range?: string): Promise<VoiceResult<RecordingResponse>> {
    const no = this.#record('openRecording', accountId, recordingId, range);
    if (no) return no;
    const data = Buffer.from('RIFFdata');
    const m = range ? /^bytes=(\d+)-(\d+)$/.exec(range) : null;
    if (m) {
      const part = data.subarray(Number(m[1]), Number(m[2]) + 1);
      return { ok: true, value: { status: 206, headers: { 'content-type': 'audio/wav', 'content-range': `bytes ${m[1]}-${m[2]}/${data.length}`, 'content-length': String(part.length) }, body: Readable.from([part]) } };
    }
    return { ok: true, value: { status: 200, headers: { 'content-type': 'audio/wav', 'content-length': String(data.length), 'accept-ranges': 'bytes' }, body: Readable.from([data]) } };
  }
  /** Stores a `transcribing` transcription of the recording (the test then writes its outcome). */
  async createTranscription(accountId: string, recordingId: string): Promise<VoiceResult<VoiceTranscriptionRecord>> {
    const no = this.#record('createTranscription', accountId, recordingId);
    if (no) return no;
    const rec = (await this.store.getVoiceResource(accountId, 'recording', recordingId))!;
    const t: VoiceTranscriptionRecord = { kind: 'transcription', id: `tr-test${++this.#n}`, accountId, recordingId, callId: rec.callId, state: 'transcribing', createdTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6) };
    await this.store.putVoiceResource(t);
    return { ok: true, value: t };
  }

  // ── conferences ──
  async createConference(req: CreateConferenceRequest): Promise<VoiceResult<VoiceConferenceRecord>> {
    const no = this.#record('createConference', req);
    if (no) return no;
    const r: VoiceConferenceRecord = {
      kind: 'conference', id: `conf-test${++this.#n}`, accountId: req.accountId, userId: req.userId, state: 'created', from: req.from, profile: req.profile,
      hold: false, mute: false, activeMembers: 0, createdTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6), ...(req.callback ? { callback: req.callback } : {}), ...(req.tag !== undefined ? { tag: req.tag } : {}),
    };
    await this.store.putVoiceResource(r);
    return { ok: true, value: r };
  }
  async updateConference(accountId: string, conferenceId: string, change: ConferenceUpdate): Promise<VoiceResult<VoiceConferenceRecord>> {
    const no = this.#record('updateConference', accountId, conferenceId, change);
    if (no) return no;
    return { ok: true, value: (await this.store.getVoiceResource(accountId, 'conference', conferenceId))! };
  }
  async conferenceAudio(accountId: string, conferenceId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#record('conferenceAudio', accountId, conferenceId, audio) ?? { ok: true, value: undefined };
  }
  async addMember(accountId: string, conferenceId: string, req: AddMemberRequest): Promise<VoiceResult<VoiceMemberRecord>> {
    const no = this.#record('addMember', accountId, conferenceId, req);
    if (no) return no;
    const m: VoiceMemberRecord = { kind: 'member', id: `member-test${++this.#n}`, accountId, conferenceId, state: 'active', addedTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6) + this.#n, ...req };
    await this.store.putVoiceResource(m);
    return { ok: true, value: m };
  }
  async updateMember(accountId: string, conferenceId: string, memberId: string, change: MemberUpdate): Promise<VoiceResult<VoiceMemberRecord>> {
    const no = this.#record('updateMember', accountId, conferenceId, memberId, change);
    if (no) return no;
    return { ok: true, value: (await this.store.getVoiceResource(accountId, 'member', memberId))! };
  }
  async memberAudio(accountId: string, conferenceId: string, memberId: string, audio: AudioRequest): Promise<VoiceResult<void>> {
    return this.#record('memberAudio', accountId, conferenceId, memberId, audio) ?? { ok: true, value: undefined };
  }
}

export interface Harness {
  store: SqliteStore;
  log: SqliteEventLog;
  voice: RecordingVoice;
  /** `http://127.0.0.1:port` */
  base: string;
  /** Sends a request; `body` as JSON unless it is a string (sent as is, with `contentType`). */
  call(method: string, path: string, opts?: { auth?: string | null; body?: unknown; contentType?: string; headers?: Record<string, string> }): Promise<Answer>;
  /** The accepted requests checked against the OpenAPI document, as `METHOD /path/{template}`. */
  documented: string[];
  /** `call` under `/v1/users/u-acme` with acme's credentials. */
  acme(method: string, path: string, body?: unknown): Promise<Answer>;
}

type T = { after(fn: () => unknown): void };

export async function harness(t: T, opts: { rateLimit?: RateLimitOptions; withoutVoice?: boolean; publicUrl?: string; messaging?: (store: SqliteStore, dir: string) => MessagingService; mmsMedia?: (dir: string) => Pick<MmsMediaStore, 'open'> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-voice-api-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG(opts.publicUrl)));
  const log = new SqliteEventLog(join(dir, 'events.db'));
  const voice = new RecordingVoice(store);
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(voiceApi, { store, events: log, ...(opts.withoutVoice ? {} : { voice }), ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}), ...(opts.messaging ? { messaging: opts.messaging(store, dir) } : {}), ...(opts.mmsMedia ? { mmsMedia: opts.mmsMedia(dir) } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // Every request the family accepts must be one the OpenAPI document describes (docs/api-reference.md).
  const { requests: documented } = await checkRequestsAgainstDocument(t, () => base);
  t.after(async () => {
    await app.close();
    await log.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call: Harness['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.auth !== null) headers.authorization = o.auth ?? ACME;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as unknown) : undefined };
  };
  return { store, log, voice, base, call, documented, acme: (method, path, body) => call(method, `/v1/users/u-acme${path}`, body === undefined ? {} : { body }) };
}

/** The provider's error body (spec bandwidth §0), checked for shape; returns it. */
export function providerError(a: Answer, status: number, code: string): { category: string; code: string; message: string; details: { name: string; value: string }[] } {
  if (a.status !== status) throw new Error(`expected ${status} ${code}, got ${a.status}: ${a.text}`);
  const e = a.json as { category: string; code: string; message: string; details: { name: string; value: string }[] };
  const keys = Object.keys(e ?? {}).sort().join(',');
  if (keys !== 'category,code,details,message') throw new Error(`not the provider's error shape: ${a.text}`);
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${a.text}`);
  if (!Array.isArray(e.details) || typeof e.message !== 'string' || typeof e.category !== 'string') throw new Error(`bad error body: ${a.text}`);
  return e;
}

export function callRecord(over: Partial<VoiceCallRecord> & { id: string }): VoiceCallRecord {
  return { kind: 'call', accountId: 'acme', userId: 'u-acme', sessionId: `s-${over.id}`, direction: 'in', from: '+15557770000', to: '+15550100', state: 'active', recordingEnabled: false, startTime: Date.UTC(2026, 0, 2, 3, 4, 5, 6), ...over };
}

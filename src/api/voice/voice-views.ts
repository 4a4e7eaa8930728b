/**
 * Voice-API resources as the provider writes them (spec bandwidth §3.1–§3.9): its field names, times as
 * ISO 8601 UTC with milliseconds (spec bandwidth §2.1 Proposed), URLs to related resources, and absent
 * fields omitted. Each view has the response schema fastify serializes it by; the schemas list every field
 * the renderer may write, in the order it writes them (only `id` is required, and it comes first).
 */
import type { ApplicationRecord, NumberRecord } from '../../store/store.js';
import type { VoiceBridgeRecord, VoiceCallRecord, VoiceGatherRecord, VoiceRecordingRecord } from '../../store/voice-records.js';
import type { LogEntry } from '../../events/log/event-log.js';
import { userUrl, type VoiceContext } from './voice-context.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const url = { type: 'string', description: 'URL' } as const;

export const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Drops undefined fields, so the serializer writes only what is there. */
function present<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

// ---- applications (spec bandwidth §3.1) ----

export const applicationSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: str,
    name: str,
    incomingCallUrl: url,
    incomingCallUrlCallbackTimeout: int,
    incomingCallFallbackUrl: url,
    incomingMessageUrl: url,
    incomingMessageUrlCallbackTimeout: int,
    incomingMessageFallbackUrl: url,
    callbackHttpMethod: { enum: ['GET', 'POST'] },
    autoAnswer: bool,
  },
} as const;

export function applicationView(a: ApplicationRecord): Record<string, unknown> {
  return present({
    id: a.id,
    name: a.name,
    incomingCallUrl: a.incomingCallUrl,
    incomingCallUrlCallbackTimeout: a.incomingCallUrl === undefined ? undefined : a.callbackTimeoutMs,
    incomingCallFallbackUrl: a.incomingCallFallbackUrl,
    incomingMessageUrl: a.incomingMessageUrl,
    incomingMessageUrlCallbackTimeout: a.incomingMessageUrl === undefined ? undefined : a.callbackTimeoutMs,
    incomingMessageFallbackUrl: a.incomingMessageFallbackUrl,
    callbackHttpMethod: a.callbackHttpMethod,
    autoAnswer: a.autoAnswer,
  });
}

// ---- phone numbers (spec bandwidth §3.1) ----

/** A number's id: `n-` and its E.164 digits (`+15551230001` → `n-15551230001`): stable, derived, and
 *  never another account's (numbers are unique across the server). */
export const numberId = (e164: string): string => `n-${e164.replace(/^\+/, '')}`;

/** The E.164 number a `{numberId}` names: an id, or the number itself (URL-decoded by the router). */
export function numberOfId(id: string): string | undefined {
  const m = /^n-(\d{2,15})$/.exec(id);
  if (m) return `+${m[1]}`;
  return /^\+\d{2,15}$/.test(id) ? id : undefined;
}

export const phoneNumberSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: str, number: str, name: str, applicationId: str, application: url, numberState: { enum: ['enabled'] } },
} as const;

export function phoneNumberView(c: VoiceContext, n: NumberRecord): Record<string, unknown> {
  return present({
    id: numberId(n.number),
    number: n.number,
    name: n.name,
    applicationId: n.application,
    application: n.application === undefined ? undefined : userUrl(c, 'applications', n.application),
    numberState: 'enabled',
  });
}

// ---- calls (spec bandwidth §3.2) ----

export const callSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: str,
    direction: { enum: ['in', 'out'] },
    from: str,
    to: str,
    state: str,
    startTime: time,
    activeTime: time,
    endTime: time,
    callTimeout: int,
    callbackUrl: url,
    callbackHttpMethod: { enum: ['GET', 'POST'] },
    callbackTimeout: int,
    fallbackUrl: url,
    chargeableDuration: { type: 'integer', description: 'whole seconds from answer to end, rounded up; 0 when never answered' },
    bridgeId: str,
    bridge: url,
    conferenceId: str,
    events: url,
    recordings: url,
    recordingEnabled: bool,
    tag: str,
    transcriptions: url,
    transcriptionEnabled: bool,
  },
} as const;

/** Billed seconds (spec bandwidth §3.2 `chargeableDuration`): from answer to end, rounded up to the whole
 *  second; 0 for a call that ended unanswered; absent while the call is up. */
export function chargeableSeconds(call: VoiceCallRecord): number | undefined {
  if (call.endTime === undefined) return undefined;
  if (call.activeTime === undefined) return 0;
  return Math.max(0, Math.ceil((call.endTime - call.activeTime) / 1000));
}

export function callView(c: VoiceContext, call: VoiceCallRecord): Record<string, unknown> {
  return present({
    id: call.id,
    direction: call.direction,
    from: call.from,
    to: call.to,
    state: call.state,
    startTime: iso(call.startTime),
    activeTime: iso(call.activeTime),
    endTime: iso(call.endTime),
    callTimeout: call.callTimeoutSeconds,
    callbackUrl: call.callback?.url,
    callbackHttpMethod: call.callback?.method,
    callbackTimeout: call.callback?.timeoutMs,
    fallbackUrl: call.callback?.fallbackUrl,
    chargeableDuration: chargeableSeconds(call),
    bridgeId: call.bridgeId,
    bridge: call.bridgeId === undefined ? undefined : userUrl(c, 'bridges', call.bridgeId),
    conferenceId: call.conferenceId,
    events: userUrl(c, 'calls', call.id, 'events'),
    recordings: userUrl(c, 'calls', call.id, 'recordings'),
    recordingEnabled: call.recordingEnabled,
    tag: call.tag,
    transcriptions: userUrl(c, 'calls', call.id, 'transcriptions'),
    transcriptionEnabled: call.transcriptionEnabled === true,
  });
}

// ---- call events (spec bandwidth §3.6) ----

export const callEventSchema = {
  type: 'object',
  required: ['id', 'time', 'name', 'data'],
  properties: {
    id: str,
    time: time,
    name: str,
    data: { type: 'object', additionalProperties: true, description: 'the callback event as sent' },
  },
} as const;

export function callEventView(e: LogEntry): Record<string, unknown> {
  const t = e.payload.time;
  return { id: e.id, time: typeof t === 'string' ? t : new Date(e.loggedAt).toISOString(), name: e.name, data: e.payload };
}

// ---- gathers (spec bandwidth §3.5) ----

export const gatherSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: str, state: { enum: ['started', 'completed'] }, reason: str, digits: str, call: url, createdTime: time, completedTime: time },
} as const;

export function gatherView(c: VoiceContext, g: VoiceGatherRecord): Record<string, unknown> {
  return present({
    id: g.id,
    state: g.state,
    reason: g.reason,
    digits: g.digits,
    call: userUrl(c, 'calls', g.callId),
    createdTime: iso(g.createdTime),
    completedTime: iso(g.completedTime),
  });
}

// ---- recordings (spec bandwidth §3.9) ----

export const recordingSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: str, startTime: time, endTime: time, call: url, media: url, state: { enum: ['recording', 'saving', 'complete', 'error'] } },
} as const;

/** The media name a recording is downloaded by (`GET /media/{name}`). */
export const mediaName = (recordingId: string): string => `${recordingId}.wav`;

export function recordingView(c: VoiceContext, r: VoiceRecordingRecord): Record<string, unknown> {
  return present({
    id: r.id,
    startTime: iso(r.startTime),
    endTime: iso(r.endTime),
    call: userUrl(c, 'calls', r.callId),
    media: userUrl(c, 'media', mediaName(r.id)),
    state: r.state,
  });
}

// ---- bridges (spec bandwidth §3.7) ----

export const bridgeSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: str,
    state: { enum: ['created', 'active', 'hold', 'completed', 'error'] },
    callIds: { type: 'array', items: str },
    calls: url,
    bridgeAudio: bool,
    createdTime: time,
    activatedTime: time,
    completedTime: time,
  },
} as const;

export function bridgeView(c: VoiceContext, b: VoiceBridgeRecord): Record<string, unknown> {
  return present({
    id: b.id,
    state: b.state,
    callIds: b.callIds,
    calls: userUrl(c, 'bridges', b.id, 'calls'),
    bridgeAudio: b.bridgeAudio,
    createdTime: iso(b.createdTime),
    activatedTime: iso(b.activatedTime),
    completedTime: iso(b.completedTime),
  });
}

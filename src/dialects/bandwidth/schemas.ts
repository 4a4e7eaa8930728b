/**
 * JSON Schemas (draft-07) of every voice-API callback payload, exactly as Ringside sends it
 * (spec bandwidth §2). Only fields Ringside emits are allowed (`additionalProperties: false`); enums carry
 * the values the spec documents.
 */
import { hangupCauses } from './hangup-cause.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const id = { type: 'string', minLength: 1 } as const;
const uri = { type: 'string', format: 'uri' } as const;
const time = { type: 'string', format: 'date-time' } as const;
/** E.164 number or SIP address (spec bandwidth §2.1). */
const address = { type: 'string', minLength: 1 } as const;
const tag = { type: 'string' } as const;
const audioStatus = { type: 'string', enum: ['started', 'done'] } as const;

/** Common call-event fields of spec bandwidth §2.1. */
const callFields = { callId: id, callUri: uri, from: address, to: address } as const;

const incomingcall = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'from', 'to', 'callState', 'applicationId', 'time'],
  properties: {
    eventType: { const: 'incomingcall' },
    ...callFields,
    callState: { const: 'active' },
    applicationId: id,
    time,
  },
};

const answer = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'from', 'to', 'callState', 'time'],
  properties: { eventType: { const: 'answer' }, ...callFields, callState: { const: 'active' }, tag, time },
};

const timeout = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'from', 'to', 'time'],
  properties: { eventType: { const: 'timeout' }, ...callFields, tag, time },
};

const hangup = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'from', 'to', 'callState', 'cause', 'time'],
  properties: {
    eventType: { const: 'hangup' },
    ...callFields,
    callState: { const: 'completed' },
    cause: { type: 'string', enum: [...hangupCauses] },
    tag,
    time,
  },
};

const playback = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'status', 'time'],
  properties: { eventType: { const: 'playback' }, callId: id, callUri: uri, status: audioStatus, tag, time },
};

const speak = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'status', 'state', 'time'],
  properties: {
    eventType: { const: 'speak' },
    callId: id,
    callUri: uri,
    status: audioStatus,
    state: { type: 'string', enum: ['PLAYBACK_START', 'PLAYBACK_STOP'] },
    tag,
    time,
  },
  // spec bandwidth §2.8: `state` is paired with `status`.
  if: { properties: { status: { const: 'started' } } },
  then: { properties: { state: { const: 'PLAYBACK_START' } } },
  else: { properties: { state: { const: 'PLAYBACK_STOP' } } },
};

const dtmf = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'dtmfDigit', 'dtmfDuration', 'time'],
  properties: {
    eventType: { const: 'dtmf' },
    callId: id,
    callUri: uri,
    dtmfDigit: { type: 'string', minLength: 1, maxLength: 1 },
    dtmfDuration: { type: 'string', pattern: '^[0-9]+$' },
    tag,
    time,
  },
};

const gather = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'state', 'reason', 'digits', 'callId', 'gatherId', 'time'],
  properties: {
    eventType: { const: 'gather' },
    state: { const: 'completed' },
    reason: { type: 'string', enum: ['max-digits', 'terminating-digit', 'inter-digit-timeout', 'hung-up', 'cancelled'] },
    digits: { type: 'string' },
    callId: id,
    gatherId: id,
    tag,
    time,
  },
};

const recording = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'recordingId', 'recordingUri', 'status', 'state', 'startTime', 'endTime'],
  properties: {
    eventType: { const: 'recording' },
    callId: id,
    recordingId: id,
    recordingUri: uri,
    status: { type: 'string', enum: ['complete', 'error'] },
    state: { type: 'string', enum: ['complete', 'error'] },
    startTime: time,
    endTime: time,
    tag,
  },
};

const transcriptionFields = {
  eventType: { const: 'transcription' },
  transcriptionId: id,
  recordingId: id,
} as const;

/** spec bandwidth §2.12: a completed transcription with its text, or an error with only the ids. */
const transcription = {
  $schema: DRAFT_07,
  type: 'object',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['eventType', 'transcriptionId', 'recordingId', 'state', 'status', 'textSize', 'text', 'textUrl', 'transcriptionUri'],
      properties: {
        ...transcriptionFields,
        state: { const: 'completed' },
        status: { const: 'completed' },
        textSize: { type: 'integer', minimum: 0 },
        text: { type: 'string', maxLength: 1026 },
        textUrl: uri,
        transcriptionUri: uri,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['eventType', 'transcriptionId', 'recordingId', 'state', 'status'],
      properties: { ...transcriptionFields, state: { const: 'error' }, status: { const: 'error' } },
    },
  ],
};

const conferenceFields = {
  eventType: { const: 'conference' },
  conferenceId: id,
  conferenceUri: uri,
  createdTime: time,
  tag,
} as const;

/** spec bandwidth §2.13: `completedTime` only when completed. */
const conference = {
  $schema: DRAFT_07,
  type: 'object',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['eventType', 'conferenceId', 'conferenceUri', 'status', 'createdTime'],
      properties: { ...conferenceFields, status: { const: 'created' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['eventType', 'conferenceId', 'conferenceUri', 'status', 'createdTime', 'completedTime'],
      properties: { ...conferenceFields, status: { const: 'completed' }, completedTime: time },
    },
  ],
};

const conferenceMember = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'activeMembers', 'conferenceId', 'callId', 'memberId', 'memberUri', 'state', 'hold', 'mute', 'time'],
  properties: {
    eventType: { const: 'conference-member' },
    activeMembers: { type: 'integer', minimum: 0 },
    conferenceId: id,
    callId: id,
    memberId: id,
    memberUri: uri,
    state: { type: 'string', enum: ['active', 'completed'] },
    hold: { type: 'boolean' },
    mute: { type: 'boolean' },
    tag,
    time,
  },
};

const conferenceAudio = (eventType: 'conference-playback' | 'conference-speak') => ({
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'conferenceId', 'conferenceUri', 'status', 'time'],
  properties: { eventType: { const: eventType }, conferenceId: id, conferenceUri: uri, status: audioStatus, tag, time },
});

/** `error`, `transferComplete`, `redirect` (spec bandwidth §2.16): common call fields with a fixed state. */
const callStateEvent = (eventType: 'error' | 'transferComplete' | 'redirect', callState: 'error' | 'active') => ({
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: ['eventType', 'callId', 'callUri', 'from', 'to', 'callState', 'time'],
  properties: { eventType: { const: eventType }, ...callFields, callState: { const: callState }, tag, time },
});

const messageFields = {
  direction: { type: 'string', enum: ['in', 'out'] },
  from: address,
  to: address,
  messageId: id,
  messageUri: uri,
  text: { type: 'string' },
  applicationId: id,
  time,
  state: { type: 'string', enum: ['received', 'queued', 'sending', 'sent', 'error'] },
  segmentCount: { type: 'integer', minimum: 1 },
  tag,
  // A text the carrier refused (state error).
  deliveryState: { type: 'string', enum: ['waiting', 'delivered', 'not-delivered'] },
  deliveryDescription: { type: 'string' },
} as const;
// `applicationId` is absent on a `POST /messages` text from a number linked to no application.
const messageRequired = ['eventType', 'direction', 'from', 'to', 'messageId', 'messageUri', 'text', 'time', 'state', 'segmentCount'];

const sms = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: messageRequired,
  properties: { eventType: { const: 'sms' }, ...messageFields },
};

const mms = {
  $schema: DRAFT_07,
  type: 'object',
  additionalProperties: false,
  required: [...messageRequired, 'media'],
  properties: { eventType: { const: 'mms' }, ...messageFields, media: { type: 'array', items: uri } },
};

export const bandwidthSchemas: Record<string, object> = {
  incomingcall,
  answer,
  timeout,
  hangup,
  playback,
  speak,
  dtmf,
  gather,
  recording,
  transcription,
  conference,
  'conference-member': conferenceMember,
  'conference-playback': conferenceAudio('conference-playback'),
  'conference-speak': conferenceAudio('conference-speak'),
  error: callStateEvent('error', 'error'),
  transferComplete: callStateEvent('transferComplete', 'active'),
  redirect: callStateEvent('redirect', 'active'),
  sms,
  mms,
};

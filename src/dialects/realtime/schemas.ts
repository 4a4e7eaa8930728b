/**
 * JSON Schemas (draft-07) of every realtime event payload, exactly what goes on the wire (spec realtime
 * §4.1 documented envelope, §4.2 proposed fields). The stored payload has no `type`; delivery adds
 * `userevent`/`accountevent` (§2.3), so each schema allows that one optional field and delivered frames
 * validate too.
 */
import { REALTIME_EVENT_NAMES, topicParts, type RealtimeEventName } from './event-names.js';

const text = { type: 'string' } as const;
const id = { type: 'string', minLength: 1 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const seconds = { type: 'integer', minimum: 0 } as const;
const no = { type: 'boolean', enum: [false] } as const;
const bool = { type: 'boolean' } as const;

/** `userData` (spec realtime §4.2): `id`, plus `pin`, `name`, `username` when known. */
const userData = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id, pin: id, name: text, username: text },
} as const;

interface Shape {
  required: string[];
  properties: Record<string, object>;
  dependencies?: Record<string, string[]>;
}

/** The envelope of §4.1 plus `accountId`/`userId`/`userData` of §4.2; `userId` and `userData` go together. */
function eventSchema(name: RealtimeEventName, shape: Shape): object {
  const { category, subCategory, eventName } = topicParts(name);
  return {
    type: 'object',
    additionalProperties: false,
    required: ['category', 'subCategory', 'eventName', 'eventTimestamp', 'accountId', ...shape.required],
    properties: {
      type: { type: 'string', enum: ['userevent', 'accountevent'] },
      category: { type: 'string', enum: [category] },
      subCategory: { type: 'string', enum: [subCategory] },
      eventName: { type: 'string', enum: [eventName] },
      eventTimestamp: timestamp,
      accountId: id,
      userId: id,
      userData,
      ...shape.properties,
    },
    dependencies: { userId: ['userData'], userData: ['userId'], ...shape.dependencies },
  };
}

const CALL_DIRECTIONS = ['incoming', 'outgoing', 'internal', 'originate'] as const;
const LINE_FIELDS = ['lineId', 'lineName', 'lineNumber', 'campaignId', 'campaignName'];

/** Voice fields (spec realtime §4.2): `trackingId` on all, `uniqueId` from `start` on, line/campaign when a line. */
function voiceSchema(
  name: RealtimeEventName,
  directions: readonly string[],
  options: { leg?: boolean; end?: boolean; extra?: Record<string, object>; extraRequired?: string[] } = {},
): object {
  const required = ['trackingId', 'uniqueId', 'callType', 'isCall', 'direction', 'from', 'to', 'destination', 'hasVoicemail', 'isMissedCall'];
  if (options.leg) required.push('legId');
  if (options.end) required.push('startTimestamp', 'endTimestamp', 'duration', 'billableSeconds', 'disposition');
  required.push(...(options.extraRequired ?? []));
  return eventSchema(name, {
    required,
    properties: {
      trackingId: id,
      uniqueId: id,
      callType: { type: 'string', enum: ['voicecall'] },
      isCall: { type: 'boolean', enum: [true] },
      direction: { type: 'string', enum: [...directions] },
      from: id,
      to: id,
      destination: id,
      // Meaningful on `end` only, `false` before it (§4.2).
      hasVoicemail: options.end ? bool : no,
      isMissedCall: options.end ? bool : no,
      lineId: id,
      lineName: text,
      lineNumber: id,
      campaignId: id,
      campaignName: text,
      ...(options.leg ? { legId: id } : {}),
      ...(options.end
        ? {
            startTimestamp: timestamp,
            answerTimestamp: timestamp,
            endTimestamp: timestamp,
            duration: seconds,
            billableSeconds: seconds,
            disposition: { type: 'string', enum: ['answered', 'missed', 'canceled', 'voicemail'] },
          }
        : {}),
      ...options.extra,
    },
    // The line and its campaign alias come as a whole (§1 Proposed).
    dependencies: Object.fromEntries(LINE_FIELDS.map((f) => [f, LINE_FIELDS.filter((g) => g !== f)])),
  });
}

/** Messaging fields (spec realtime §4.2): `uniqueId`, `direction`, `from`, `to`, line, `body`, MMS `components`. */
function messageSchema(name: RealtimeEventName): object {
  const { subCategory, eventName } = topicParts(name);
  const mms = eventName === 'mms';
  return eventSchema(name, {
    required: ['uniqueId', 'direction', 'from', 'to', 'body', ...(mms ? ['components'] : [])],
    properties: {
      uniqueId: id,
      direction: { type: 'string', enum: [subCategory] },
      from: id,
      to: id,
      lineId: id,
      lineNumber: id,
      body: text,
      ...(mms
        ? {
            components: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['filename', 'contentType', 'size'],
                properties: { filename: id, contentType: id, size: seconds },
              },
            },
          }
        : {}),
    },
    dependencies: { lineId: ['lineNumber'], lineNumber: ['lineId'] },
  });
}

function schemaFor(name: RealtimeEventName): object {
  const [, sub, event = ''] = name.split('.');
  if (name.startsWith('messaging.')) {
    if (name === 'messaging.update.opt-out')
      return eventSchema(name, {
        required: ['optOutNumber', 'to'],
        properties: { uniqueId: id, optOutNumber: id, to: id, lineId: id, lineNumber: id },
        dependencies: { lineId: ['lineNumber'], lineNumber: ['lineId'] },
      });
    return messageSchema(name);
  }
  if (sub === 'callconfirm') return voiceSchema(name, CALL_DIRECTIONS, { leg: true });
  if (event.startsWith('agentpin-'))
    return voiceSchema(name, ['incoming'], event === 'agentpin-valid' ? { leg: true, extra: { pinEntered: id }, extraRequired: ['pinEntered'] } : { leg: true });
  // incoming|outgoing|internal|originate × start|answer|end: the direction mirrors the subCategory (§4.2).
  return voiceSchema(name, [sub ?? ''], { leg: event === 'answer', end: event === 'end' });
}

export const realtimeSchemas: Record<string, object> = Object.fromEntries(REALTIME_EVENT_NAMES.map((n) => [n, schemaFor(n)]));

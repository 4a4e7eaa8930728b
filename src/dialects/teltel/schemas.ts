/**
 * JSON Schemas (draft-07 style) of every teltel webhook body, one per event name: exactly the keys that go on
 * the wire (spec teltel §2, §3), `additionalProperties: false` throughout, so a stray key fails validation.
 * The placement rules of spec teltel §6 rule 6 are written as if/then clauses where a schema can say them.
 */
import {
  CALL_TYPES,
  DIAL_STATES,
  DIRECTIONS,
  HANGED_BY,
  LEGS,
  PHASES,
  SUBJECT_TYPES,
  SUBTYPES,
  TELTEL_EVENT_NAMES,
  type TeltelEventName,
} from './wire-values.js';

/** spec teltel §2.4 [PROP]: user ids are integers; non-numeric ids are passed through as strings. */
const userId = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', minLength: 1 }] };

/** spec teltel §2.3 [DOC] `data.callback`: the five keys of the API request (`trace_id` when supplied). */
const callback = {
  type: 'object',
  additionalProperties: false,
  required: ['leg_1_phone_number', 'leg_1_caller_id', 'leg_2_phone_number', 'leg_2_caller_id'],
  properties: {
    leg_1_phone_number: { type: 'string' },
    leg_1_caller_id: { type: 'string' },
    leg_2_phone_number: { type: 'string' },
    leg_2_caller_id: { type: 'string' },
    trace_id: { type: 'string' },
  },
};

/** spec teltel §2.3 [PROP] extension: the party a RING/RINGRESULT dials. */
const target = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'number'],
  properties: {
    type: { type: 'string', enum: ['sip', 'phone'] },
    number: { type: 'string' },
    user: userId,
  },
};

function dataSchema(dial: boolean): object {
  const properties: Record<string, object> = {
    campaign_id: { type: 'integer' },
    contact_id: { type: 'integer' },
    callback,
  };
  if (dial) {
    properties.dial_id = { type: 'string', minLength: 1 };
    properties.target = target;
  }
  return { type: 'object', additionalProperties: false, ...(dial ? { required: ['dial_id', 'target'] } : {}), properties };
}

/** spec teltel §2.1: on every event. */
function commonProperties(name: TeltelEventName, dial: boolean): Record<string, object> {
  return {
    event: { type: 'string', const: name },
    id: { type: 'string', format: 'uuid' },
    timestamp: { type: 'string', format: 'date-time' },
    accountcode: { type: 'string' },
    session_id: { type: 'string', minLength: 1 },
    call_id: { type: 'string' },
    direction: { type: 'string', enum: [...DIRECTIONS] },
    type: { type: 'string', enum: [...CALL_TYPES] },
    subtype: { type: 'string', enum: [...SUBTYPES] },
    phase: { type: 'string', enum: [...PHASES] },
    leg: { type: 'string', enum: [...LEGS] },
    participants: { type: 'integer', minimum: 0 },
    data: dataSchema(dial),
  };
}

const COMMON_REQUIRED = ['event', 'id', 'timestamp', 'accountcode', 'session_id', 'call_id', 'direction', 'type', 'phase', 'participants'];

/** spec teltel §6 rule 6: subtype only for autodialer; leg only for callback/autodialer; data keys by type. */
const placementRules: object[] = [
  {
    if: { properties: { type: { const: 'autodialer' } } },
    then: {},
    else: { properties: { subtype: false, data: { type: 'object', properties: { campaign_id: false, contact_id: false } } } },
  },
  {
    if: { properties: { type: { enum: ['callback', 'autodialer'] } } },
    then: {},
    else: { properties: { leg: false } },
  },
  {
    if: { properties: { type: { const: 'callback' } } },
    then: {},
    else: { properties: { data: { type: 'object', properties: { callback: false } } } },
  },
];

function eventSchema(name: TeltelEventName, extra: Record<string, object>, required: string[], rules: object[] = []): object {
  const dial = name === 'RING' || name === 'RINGRESULT';
  return {
    $id: `https://ringside.invalid/schemas/teltel/${name}.json`,
    title: `teltel ${name}`,
    type: 'object',
    additionalProperties: false,
    required: [...COMMON_REQUIRED, ...required, ...(dial ? ['data'] : [])],
    properties: { ...commonProperties(name, dial), ...extra },
    allOf: [...placementRules, ...rules],
  };
}

/** spec teltel §2.4 [DOC]: READY, JOIN and LEAVE name their subject; subject_user only when it is a SIP device. */
const subject = {
  subject_type: { type: 'string', enum: [...SUBJECT_TYPES] },
  subject: { type: 'string' },
  subject_user: userId,
};
const subjectRule = { if: { properties: { subject_type: { const: 'phone' } } }, then: { properties: { subject_user: false } } };

export const teltelSchemas: Record<string, object> = {
  // spec teltel §3: START is the first event of every session.
  START: eventSchema('START', {}, []),
  // spec teltel §3: RING, one per dialled peer; data.dial_id/target extension (§2.3 [PROP]).
  RING: eventSchema('RING', {}, []),
  // spec teltel §2.4, §4: RINGRESULT always carries the dial outcome in `state`.
  RINGRESULT: eventSchema('RINGRESULT', { state: { type: 'string', enum: [...DIAL_STATES] } }, ['state']),
  READY: eventSchema('READY', subject, ['subject_type', 'subject'], [subjectRule]),
  JOIN: eventSchema('JOIN', subject, ['subject_type', 'subject'], [subjectRule]),
  LEAVE: eventSchema('LEAVE', subject, ['subject_type', 'subject'], [subjectRule]),
  // spec teltel §2.4, §6 rules 5, 7, 8: COMPLETED says who hung up, whether answered, and the recording.
  COMPLETED: eventSchema(
    'COMPLETED',
    {
      participants: { type: 'integer', const: 0 },
      hanged_by: { type: 'string', enum: [...HANGED_BY] },
      hanged_value: { type: 'string' },
      hanged_user: userId,
      is_answered: { type: 'boolean' },
      audio_url: { type: 'string', format: 'uri' },
    },
    ['hanged_by', 'hanged_value', 'is_answered'],
    [
      { if: { properties: { hanged_by: { const: 'sip' } } }, then: {}, else: { properties: { hanged_user: false } } },
      { if: { properties: { is_answered: { const: false } } }, then: { properties: { audio_url: false } } },
    ],
  ),
};

// Every event name has a schema (checked once at load, so a new name without a schema fails fast in tests).
for (const name of TELTEL_EVENT_NAMES) if (!(name in teltelSchemas)) throw new Error(`teltel schema missing for ${name}`);

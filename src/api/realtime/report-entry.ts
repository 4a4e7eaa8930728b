/**
 * A report entry on the wire (spec realtime §5.6): a text (docs/messaging.md, "Reports") or a call
 * (docs/realtime-api.md, "Call report entries"). Each view and its schema list the fields in the same order,
 * the order on the wire; the schemas stay open (`additionalProperties`) so that a field a view gains is
 * never dropped by the serializer before its schema is updated.
 */
import type { CallRecord, MessageRecord, ReportEntry } from '../../store/store.js';

export const REPORT_ENTRY_SCHEMA_ID = 'report-entry';
export const MESSAGE_COMPONENT_SCHEMA_ID = 'message-component';

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const intOrNull = { type: ['integer', 'null'] } as const;
const wireTimeSchema = { type: 'string', description: 'YYYY-MM-DDTHH:MM:SS+00:00' } as const;
const wireTimeOrNull = { type: ['string', 'null'], description: 'YYYY-MM-DDTHH:MM:SS+00:00' } as const;

/** One media part of an MMS (`GET /mms/component/{call_id}/{filename}` serves it). */
export const messageComponentSchema = {
  $id: MESSAGE_COMPONENT_SCHEMA_ID,
  type: 'object',
  required: ['filename', 'contentType', 'size'],
  properties: { filename: str, contentType: str, size: { type: 'integer' } },
  additionalProperties: true,
} as const;

/** The fields every report entry starts with, in wire order (the serializer keeps schema order). */
const entryHead = (types: readonly string[], directions: readonly string[]) =>
  ({
    call_id: { type: 'string', description: "the events' uniqueId" },
    type: { type: 'string', enum: types },
    direction: { type: 'string', enum: directions },
    from: str,
    to: str,
    date: wireTimeSchema,
  }) as const;

const messageEntry = {
  type: 'object',
  required: ['call_id', 'type'],
  properties: {
    ...entryHead(['sms', 'mms'], ['incoming', 'outgoing']),
    message: str,
    status: { type: 'string', enum: ['received', 'sent', 'failed'] },
    error: { type: 'string', description: 'why a send failed' },
    line_id: strOrNull,
    user_id: intOrNull,
    components: { type: 'array', items: { $ref: `${MESSAGE_COMPONENT_SCHEMA_ID}#` } },
  },
  additionalProperties: true,
} as const;

const callEntry = {
  type: 'object',
  required: ['call_id', 'type'],
  properties: {
    ...entryHead(['voicecall'], ['incoming', 'outgoing', 'internal', 'originate']),
    tracking_id: str,
    parent_call_id: { type: 'string', description: "the callee call of an originate: the originate's call_id" },
    line_id: strOrNull,
    line_name: strOrNull,
    line_number: strOrNull,
    campaign_id: strOrNull,
    campaign_name: strOrNull,
    user_id: intOrNull,
    answered_by_user_id: intOrNull,
    user_ids: { type: 'array', items: { type: 'integer' } },
    start_time: wireTimeSchema,
    answer_time: wireTimeOrNull,
    end_time: wireTimeSchema,
    duration: { type: 'integer' },
    billable_seconds: { type: 'integer' },
    disposition: { type: 'string', enum: ['answered', 'missed', 'canceled', 'voicemail'] },
    is_missed_call: { type: 'boolean' },
    has_voicemail: { type: 'boolean' },
    voicemail_url: strOrNull,
    recording_url: strOrNull,
    hangup_by: { type: 'object', properties: { kind: str, number: str, user_id: intOrNull }, additionalProperties: true },
    hangup_cause: str,
    callback: {
      type: 'object',
      description: 'originate only: the request echoed',
      properties: { leg_1_phone_number: str, leg_1_caller_id: str, leg_2_phone_number: str, leg_2_caller_id: str, trace_id: strOrNull },
      additionalProperties: true,
    },
    legs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          leg_id: str,
          role: str,
          direction: str,
          party_type: str,
          number: str,
          name: strOrNull,
          user_id: intOrNull,
          caller_id: strOrNull,
          result: strOrNull,
          sip_status: intOrNull,
          cause: strOrNull,
          ended_by: strOrNull,
          start_time: wireTimeSchema,
          answer_time: wireTimeOrNull,
          end_time: wireTimeOrNull,
        },
        additionalProperties: true,
      },
    },
  },
  additionalProperties: true,
} as const;

/** A call (`type: voicecall`) or else a text. Only `type` decides (the serializer checks nothing else). */
export const reportEntrySchema = {
  $id: REPORT_ENTRY_SCHEMA_ID,
  type: 'object',
  if: { type: 'object', required: ['type'], properties: { type: { const: 'voicecall' } } },
  then: callEntry,
  else: messageEntry,
} as const;

/** The wire shape of a report entry. */
export function reportView(e: ReportEntry): Record<string, unknown> {
  return e.kind === 'message' ? messageView(e.message) : callView(e.call);
}

const wireTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + '+00:00';

function messageView(m: MessageRecord): Record<string, unknown> {
  return {
    call_id: m.id,
    type: m.medium,
    direction: m.direction,
    from: m.from,
    to: m.to,
    date: wireTime(m.createdAt),
    message: m.body,
    status: m.status,
    ...(m.error ? { error: m.error } : {}),
    line_id: m.lineId ?? null,
    user_id: m.userId ?? null,
    components: m.components,
  };
}

function callView(c: CallRecord): Record<string, unknown> {
  return {
    call_id: c.id,
    type: 'voicecall',
    direction: c.direction,
    from: c.from,
    to: c.to,
    date: wireTime(c.startedAt),
    tracking_id: c.sessionId,
    ...(c.parentId !== undefined ? { parent_call_id: c.parentId } : {}),
    line_id: c.lineId ?? null,
    line_name: c.lineName ?? null,
    line_number: c.lineNumber ?? null,
    campaign_id: c.lineId ?? null,
    campaign_name: c.lineName !== undefined && c.lineNumber !== undefined ? `${c.lineName} ${c.lineNumber}` : null,
    user_id: c.userId ?? null,
    answered_by_user_id: c.answeredByUserId ?? null,
    user_ids: c.userIds,
    start_time: wireTime(c.startedAt),
    answer_time: c.answeredAt !== undefined ? wireTime(c.answeredAt) : null,
    end_time: wireTime(c.endedAt),
    duration: c.duration,
    billable_seconds: c.billableSeconds,
    disposition: c.disposition,
    is_missed_call: c.answeredAt === undefined,
    has_voicemail: c.hasVoicemail,
    voicemail_url: c.voicemailUrl ?? null,
    recording_url: c.recordingUrl ?? null,
    hangup_by: { kind: c.hangupBy.kind, number: c.hangupBy.number, user_id: c.hangupBy.userId ?? null },
    hangup_cause: c.cause,
    ...(c.callback
      ? {
          callback: {
            leg_1_phone_number: c.callback.leg1Number,
            leg_1_caller_id: c.callback.leg1CallerId,
            leg_2_phone_number: c.callback.leg2Number,
            leg_2_caller_id: c.callback.leg2CallerId,
            trace_id: c.callback.traceId ?? null,
          },
        }
      : {}),
    legs: c.legs.map((l) => ({
      leg_id: l.legId,
      role: l.role,
      direction: l.direction,
      party_type: l.partyKind,
      number: l.number,
      name: l.name ?? null,
      user_id: l.userId ?? null,
      caller_id: l.callerId ?? null,
      result: l.result ?? null,
      sip_status: l.sipStatus ?? null,
      cause: l.cause ?? null,
      ended_by: l.endedBy ?? null,
      start_time: wireTime(l.createdAt),
      answer_time: l.answeredAt !== undefined ? wireTime(l.answeredAt) : null,
      end_time: l.endedAt !== undefined ? wireTime(l.endedAt) : null,
    })),
  };
}

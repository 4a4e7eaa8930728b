/**
 * A dead letter as REST shows it (docs/webhooks.md, "Retries, fallback and dead letters"): the event,
 * payload included, and why it gave up. View and schema in the same field order, the order on the wire.
 */
import type { WebhookEngine } from '../../delivery/webhooks/webhook-engine.js';

/** What the delivery engine keeps of a dead letter (an outbox row). */
type DeadLetterRow = Awaited<ReturnType<WebhookEngine['listDeadLetters']>>[number];

export const DEAD_LETTER_SCHEMA_ID = 'dead-letter';

const isoTimeOrNull = { type: ['string', 'null'], description: 'ISO 8601' } as const;

export const deadLetterViewSchema = {
  $id: DEAD_LETTER_SCHEMA_ID,
  type: 'object',
  required: ['id', 'webhookId', 'eventId', 'event', 'dialect', 'sessionId', 'position', 'attempts', 'firstAttemptAt', 'deadAt', 'lastStatus', 'lastError', 'payload'],
  properties: {
    id: { type: 'integer', description: 'the dead letter (replay or discard it by this id)' },
    webhookId: { type: 'string' },
    eventId: { type: 'string' },
    event: { type: 'string', description: 'the event name' },
    dialect: { type: 'string' },
    sessionId: { type: 'string' },
    position: { type: 'integer', description: 'the event log position' },
    attempts: { type: 'integer' },
    firstAttemptAt: isoTimeOrNull,
    deadAt: isoTimeOrNull,
    lastStatus: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    payload: { description: 'the event exactly as it was to be sent' },
  },
} as const;

export function deadLetterView(r: DeadLetterRow) {
  return {
    id: r.id,
    webhookId: r.webhookId,
    eventId: r.eventId,
    event: r.name,
    dialect: r.dialect,
    sessionId: r.sessionId,
    position: r.position,
    attempts: r.attempts,
    firstAttemptAt: r.firstAttemptAt === undefined ? null : new Date(r.firstAttemptAt).toISOString(),
    deadAt: r.deadAt === undefined ? null : new Date(r.deadAt).toISOString(),
    lastStatus: r.lastStatus ?? null,
    lastError: r.lastError ?? null,
    payload: JSON.parse(r.payload) as unknown,
  };
}

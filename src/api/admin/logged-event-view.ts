/**
 * A wire event from the log as event history shows it (docs/webhooks.md, "Event history"): its cursor and
 * identity, and the payload exactly as the dialect wrote it (open: every dialect's fields pass).
 */
import type { LogEntry } from '../../events/log/event-log.js';

export const LOGGED_EVENT_SCHEMA_ID = 'logged-event';

export const loggedEventViewSchema = {
  $id: LOGGED_EVENT_SCHEMA_ID,
  type: 'object',
  required: ['position', 'id', 'dialect', 'name', 'sessionId', 'loggedAt', 'payload'],
  properties: {
    position: { type: 'integer', description: 'the cursor: increasing and gap-free' },
    id: { type: 'string', description: 'the event id, stable across redelivery' },
    dialect: { type: 'string' },
    name: { type: 'string', description: "the dialect's event name" },
    sessionId: { type: 'string' },
    loggedAt: { type: 'string', description: 'ISO 8601' },
    payload: { type: 'object', additionalProperties: true, description: 'the wire event as sent' },
  },
} as const;

export function loggedEventView(e: LogEntry) {
  return { position: e.position, id: e.id, dialect: e.dialect, name: e.name, sessionId: e.sessionId, loggedAt: new Date(e.loggedAt).toISOString(), payload: e.payload };
}

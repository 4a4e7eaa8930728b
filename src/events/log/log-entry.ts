/**
 * A log entry as readers get it: the payload travels as the JSON text that was logged (`payloadJson`: what
 * webhooks, SSE and the RealTime socket send), and is parsed only when a reader looks at `payload`.
 */
import type { LogEntry } from './event-log.js';

export type EntryFields = Omit<LogEntry, 'payload'>;

export function logEntry(fields: EntryFields): LogEntry {
  let parsed: Record<string, unknown> | undefined;
  // An own enumerable getter: spreads, JSON and deep equality see `payload` as a plain field.
  return Object.defineProperty(fields, 'payload', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= JSON.parse(fields.payloadJson) as Record<string, unknown>),
  }) as LogEntry;
}

/**
 * A log entry as readers get it: the payload travels as the JSON text that was logged (`payloadJson`: what
 * webhooks, SSE and the RealTime socket send), and is parsed only when a reader looks at `payload`. A
 * class, not a plain object with its own getter: defining an accessor on each object cost about as much
 * as the parse it saves. `payload` is therefore no own property: a spread leaves it out (payloadJson is
 * there), and JSON.stringify includes it through toJSON.
 */
import type { LogEntry } from './event-log.js';

export type EntryFields = Omit<LogEntry, 'payload'>;

class Entry implements LogEntry {
  position: number;
  id: string;
  dialect: string;
  name: string;
  sessionId: string;
  accountId: string;
  userIds: string[];
  route?: LogEntry['route'];
  loggedAt: number;
  payloadJson: string;
  #payload: Record<string, unknown> | undefined;

  constructor(f: EntryFields) {
    this.position = f.position;
    this.id = f.id;
    this.dialect = f.dialect;
    this.name = f.name;
    this.sessionId = f.sessionId;
    this.accountId = f.accountId;
    this.userIds = f.userIds;
    if (f.route) this.route = f.route;
    this.loggedAt = f.loggedAt;
    this.payloadJson = f.payloadJson;
  }

  get payload(): Record<string, unknown> {
    return (this.#payload ??= JSON.parse(this.payloadJson) as Record<string, unknown>);
  }

  toJSON(): LogEntry {
    return { ...this, payload: this.payload };
  }
}

export function logEntry(fields: EntryFields): LogEntry {
  return new Entry(fields);
}

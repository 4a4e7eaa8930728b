/**
 * A wire event as a JetStream message: one line of JSON with what readers filter and route on, a newline,
 * then the payload exactly as logged. Readers get `payloadJson` as a slice of the message, never a
 * re-serialisation (log-entry.ts parses it only when asked). The position is the message's stream sequence.
 */
import type { LoggedEvent, LogEntry } from './event-log.js';
import { logEntry } from './log-entry.js';

interface Meta {
  i: string;
  d: string;
  n: string;
  s: string;
  a: string;
  u: string[];
  r?: LoggedEvent['route'];
  t: number;
}

const decoder = new TextDecoder();

export function encodeEvent(e: LoggedEvent, payloadJson: string, loggedAt: number): string {
  const meta: Meta = { i: e.id, d: e.dialect, n: e.name, s: e.sessionId, a: e.accountId, u: e.userIds, t: loggedAt };
  if (e.route) meta.r = e.route;
  return `${JSON.stringify(meta)}\n${payloadJson}`;
}

export function decodeEvent(position: number, data: Uint8Array): LogEntry {
  const text = decoder.decode(data);
  const nl = text.indexOf('\n');
  const m = JSON.parse(text.slice(0, nl)) as Meta;
  const fields = { position, id: m.i, dialect: m.d, name: m.n, sessionId: m.s, accountId: m.a, userIds: m.u, loggedAt: m.t, payloadJson: text.slice(nl + 1) };
  return logEntry(m.r ? { ...fields, route: m.r } : fields);
}

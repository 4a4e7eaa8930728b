/**
 * Where the JetStream event log (nats-event-log.ts) puts things. Wire events follow the dotted topic
 * names: `<prefix>.<account>.<dialect>.<session>.<event name>`; a session's facts and its lifecycle
 * markers live in subjects of three tokens (`<prefix>.fact|open|ended.<session>`), so the events stream
 * (five tokens) and the facts stream never claim each other's subjects and can be two streams: event
 * positions (the events stream's sequence) stay gap-free.
 *
 * Ids are free text: a token must not hold `.`, `*`, `>` or white space (NATS subject syntax), and a KV key
 * only `[-/_=.A-Za-z0-9]`. Every character outside `[A-Za-z0-9_-]` is written `=XX` (its UTF-8 bytes in
 * hex), the empty string `=`: readable for UUIDs and numbers, reversible, and valid in both places.
 */

const SAFE = /^[A-Za-z0-9_-]+$/;

export function encodeToken(s: string): string {
  if (s === '') return '=';
  if (SAFE.test(s)) return s;
  let out = '';
  for (const ch of s) {
    if (/[A-Za-z0-9_-]/.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeToken(t: string): string {
  if (t === '=') return '';
  if (!t.includes('=')) return t;
  const bytes: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=') {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(t.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One log's names: its streams, its id bucket and its subjects. */
export class LogSubjects {
  readonly prefix: string;
  /** Wire events; its sequence is the log's position. */
  readonly eventsStream: string;
  /** Facts and session markers. */
  readonly factsStream: string;
  /** Event id → position (KV bucket). */
  readonly idBucket: string;

  /** `stream`: base name of the streams (`RINGSIDE` → `RINGSIDE_EVENTS`, `RINGSIDE_FACTS`, KV `RINGSIDE_IDS`). */
  constructor(stream: string, prefix: string) {
    if (!/^[A-Za-z0-9_-]+$/.test(stream)) throw new Error(`stream name '${stream}' must match [A-Za-z0-9_-]+`);
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) throw new Error(`subject prefix '${prefix}' must be dotted tokens of [A-Za-z0-9_-]`);
    this.prefix = prefix;
    this.eventsStream = `${stream}_EVENTS`;
    this.factsStream = `${stream}_FACTS`;
    this.idBucket = `${stream}_IDS`;
  }

  get eventSubjects(): string[] {
    return [`${this.prefix}.*.*.*.*`];
  }

  get factSubjects(): string[] {
    return [`${this.prefix}.fact.*`, `${this.prefix}.open.*`, `${this.prefix}.ended.*`];
  }

  event(accountId: string, dialect: string, sessionId: string, name: string): string {
    return `${this.prefix}.${encodeToken(accountId)}.${encodeToken(dialect)}.${encodeToken(sessionId)}.${encodeToken(name)}`;
  }

  /** The narrowest single subject filter for these criteria (JetStream 2.9: one filter per consumer);
   *  undefined when it would be every event. */
  eventFilter(f: { accountId?: string; dialects?: readonly string[]; sessionId?: string; names?: readonly string[] }): string | undefined {
    const one = (xs: readonly string[] | undefined) => (xs?.length === 1 ? encodeToken(xs[0]!) : '*');
    const acc = f.accountId !== undefined ? encodeToken(f.accountId) : '*';
    const ses = f.sessionId !== undefined ? encodeToken(f.sessionId) : '*';
    const subject = `${this.prefix}.${acc}.${one(f.dialects)}.${ses}.${one(f.names)}`;
    return subject === this.eventSubjects[0] ? undefined : subject;
  }

  fact(sessionId: string): string {
    return `${this.prefix}.fact.${encodeToken(sessionId)}`;
  }

  /** Present while the session is open: written with its start, purged after its end is logged. */
  open(sessionId?: string): string {
    return `${this.prefix}.open.${sessionId === undefined ? '*' : encodeToken(sessionId)}`;
  }

  ended(sessionId?: string): string {
    return `${this.prefix}.ended.${sessionId === undefined ? '*' : encodeToken(sessionId)}`;
  }

  /** The session a fact/open/ended subject names. */
  sessionOf(subject: string): string {
    return decodeToken(subject.slice(subject.lastIndexOf('.') + 1));
  }
}

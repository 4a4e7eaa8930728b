/**
 * Every dialect's projection of the facts appended to the log, with one projector per session and dialect
 * (dialect.ts): what the log's writer thread runs (writer-projection.ts). A session's projectors are made
 * at its first fact and dropped at its end; a fact of a session with no projectors that is not its start
 * (after a restart, or the opt-out that follows a text) first replays the session's facts from the log, so
 * ids and payloads continue exactly where they were. A projector that throws loses no fact: the failure is
 * reported and the other dialects go on.
 */
import type { Fact } from '../events/model/facts.js';
import type { FactHistory, Projection, ProjectionResult } from '../events/log/projection.js';
import type { Dialect, DialectOptions, SessionProjector, WireEvent } from './dialect.js';

export class DialectProjection implements Projection {
  readonly #dialects: readonly Dialect[];
  readonly #sessions = new Map<string, SessionProjector[]>();
  #options: DialectOptions;

  constructor(dialects: readonly Dialect[], options: DialectOptions = { publicUrl: '' }) {
    this.#dialects = dialects;
    this.#options = options;
  }

  configure(options: unknown): void {
    this.#options = options as DialectOptions;
  }

  needsHistory(f: Fact): boolean {
    return f.type !== 'session.started' && !this.#sessions.has(f.sessionId);
  }

  /** Sessions with projector state (for tests). */
  get openSessions(): number {
    return this.#sessions.size;
  }

  project(facts: readonly Fact[], history: FactHistory): ProjectionResult {
    const out: ProjectionResult = { events: [], errors: [] };
    for (const f of facts) {
      let projectors = this.#sessions.get(f.sessionId);
      if (!projectors) {
        projectors = this.#dialects.map((d) => d.createProjector(this.#options));
        this.#sessions.set(f.sessionId, projectors);
        if (f.type !== 'session.started') for (const earlier of history(f.sessionId)) for (const p of projectors) this.#apply(p, earlier, out);
      }
      for (const p of projectors) out.events.push(...this.#apply(p, f, out));
      if (endsSession(f)) this.#sessions.delete(f.sessionId);
    }
    return out;
  }

  #apply(p: SessionProjector, f: Fact, out: ProjectionResult): WireEvent[] {
    try {
      return p.apply(f);
    } catch (err) {
      out.errors.push({ sessionId: f.sessionId, fact: f.type, message: (err as Error).message });
      return [];
    }
  }
}

/** The last fact of a session: its state can go (texts and opt-outs are sessions of one fact; a conference
 *  session, named by its conference, ends with that conference's completion: facts.ts header). */
export function endsSession(f: Fact): boolean {
  return (
    f.type === 'session.ended' ||
    f.type.startsWith('message.') ||
    f.type.startsWith('number.') ||
    (f.type === 'transcription.finished' && f.afterEnd === true) ||
    (f.type === 'conference.completed' && f.sessionId === f.conferenceId)
  );
}

/**
 * The event log's writes, as its writer thread runs them (log-writer-worker.ts): one SQLite connection
 * that projects and inserts groups of append batches, one transaction per group, and commits with
 * `synchronous=FULL` (the WAL is fsynced before the commit returns). Facts arrive as objects (the thread
 * boundary's structured clone) and are serialised here; the projection (projection.ts), when the log has
 * one, turns them into wire events here too, so the events come back serialised once, with their
 * positions. The schema is created by the log's own connection (sqlite-event-log.ts) before the writer opens.
 */
import Database from 'better-sqlite3';
import type { Fact } from '../model/facts.js';
import type { LoggedEvent } from './event-log.js';
import type { Projection, ProjectionResult } from './projection.js';

/** One append: its facts, and events projected before they were appended (if any). */
export interface WireBatch {
  facts: readonly Fact[];
  events: readonly LoggedEvent[];
}

export interface WriteRequest {
  seq: number;
  batches: WireBatch[];
  /** New options for the projection (sent once, with the first request after they change). */
  projectionOptions?: unknown;
}

/** An event as logged: [position, id, dialect, name, sessionId, accountId, userIds, route, payload JSON]. */
export type WireEntry = [position: number, id: string, dialect: string, name: string, sessionId: string, accountId: string, userIds: string[], route: LoggedEvent['route'] | null, payloadJson: string];

/** Per batch: its events now logged (those whose id was already there are left out); or why it failed. */
export type BatchResult = { entries: WireEntry[] } | { error: string };

export interface WriteReply {
  seq: number;
  loggedAt: number;
  results: BatchResult[];
  /** What the projection survived, for the log's owner to log. */
  projectionErrors?: ProjectionResult['errors'];
}

export interface LogWriterOptions {
  file: string;
  /** `FULL`: every commit is fsynced before it returns; `NORMAL`: no fsync (tests, benchmarks). */
  synchronous: 'FULL' | 'NORMAL';
}

export class LogWriter {
  readonly #db: Database.Database;
  readonly #insertFact: Database.Statement;
  readonly #insertEvent: Database.Statement;
  readonly #startSession: Database.Statement;
  readonly #endSession: Database.Statement;
  readonly #sessionFacts: Database.Statement;
  readonly #projection: Projection | undefined;

  constructor(options: LogWriterOptions, projection?: Projection) {
    this.#db = new Database(options.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma(`synchronous = ${options.synchronous}`);
    this.#db.pragma('busy_timeout = 5000');
    this.#insertFact = this.#db.prepare('INSERT INTO facts (session_id, type, at, body) VALUES (?, ?, ?, ?)');
    this.#insertEvent = this.#db.prepare(
      'INSERT OR IGNORE INTO events (id, dialect, name, session_id, account_id, user_ids, route, logged_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#startSession = this.#db.prepare('INSERT OR IGNORE INTO sessions (session_id, started_at) VALUES (?, ?)');
    this.#endSession = this.#db.prepare('UPDATE sessions SET ended_at = ? WHERE session_id = ?');
    this.#sessionFacts = this.#db.prepare('SELECT body FROM facts WHERE session_id = ? ORDER BY position');
    this.#projection = projection;
  }

  /**
   * Projects each batch (once, in order: a session's state moves on exactly once per fact), then writes the
   * group in one transaction; if that fails, each batch alone, so one bad batch fails only itself.
   */
  write(req: WriteRequest): WriteReply {
    if (req.projectionOptions !== undefined) this.#projection?.configure(req.projectionOptions);
    const loggedAt = Date.now();
    const errors: ProjectionResult['errors'] = [];
    const groupFacts = new Map<string, Fact[]>();
    const events = req.batches.map((b) => {
      if (!this.#projection) return b.events;
      // A session rebuilt from history also needs the facts of earlier batches of this group (not yet in the table).
      const projected = this.#projection.project(b.facts, (sessionId) => [...this.#history(sessionId), ...(groupFacts.get(sessionId) ?? [])]);
      for (const f of b.facts) {
        const list = groupFacts.get(f.sessionId);
        if (list) list.push(f);
        else groupFacts.set(f.sessionId, [f]);
      }
      errors.push(...projected.errors);
      return b.events.length > 0 ? [...b.events, ...projected.events] : projected.events;
    });
    const reply = (results: BatchResult[]): WriteReply => (errors.length > 0 ? { seq: req.seq, loggedAt, results, projectionErrors: errors } : { seq: req.seq, loggedAt, results });
    try {
      return reply(this.#db.transaction(() => req.batches.map((b, i) => this.#insert(b.facts, events[i]!, loggedAt)))());
    } catch {
      return reply(
        req.batches.map((b, i): BatchResult => {
          try {
            return this.#db.transaction(() => this.#insert(b.facts, events[i]!, loggedAt))();
          } catch (err) {
            return { error: (err as Error).message };
          }
        }),
      );
    }
  }

  #history(sessionId: string): Fact[] {
    return (this.#sessionFacts.all(sessionId) as { body: string }[]).map((r) => JSON.parse(r.body) as Fact);
  }

  #insert(facts: readonly Fact[], events: readonly LoggedEvent[], loggedAt: number): BatchResult {
    for (const f of facts) {
      this.#insertFact.run(f.sessionId, f.type, f.at, JSON.stringify(f));
      if (f.type === 'session.started') this.#startSession.run(f.sessionId, f.at);
      else if (f.type === 'session.ended') this.#endSession.run(f.at, f.sessionId);
    }
    const entries: WireEntry[] = [];
    for (const e of events) {
      const payload = JSON.stringify(e.payload);
      const r = this.#insertEvent.run(e.id, e.dialect, e.name, e.sessionId, e.accountId, JSON.stringify(e.userIds), e.route ? JSON.stringify(e.route) : null, loggedAt, payload);
      if (r.changes === 1) entries.push([Number(r.lastInsertRowid), e.id, e.dialect, e.name, e.sessionId, e.accountId, e.userIds, e.route ?? null, payload]);
    }
    return { entries };
  }

  close(): void {
    this.#db.close();
  }
}

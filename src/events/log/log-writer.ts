/**
 * The event log's writes, as its writer thread runs them (log-writer-worker.ts): one SQLite connection
 * that inserts groups of append batches, one transaction per group, and commits with
 * `synchronous=FULL` (the WAL is fsynced before the commit returns). Batches arrive already serialised
 * (strings and numbers: cheap to pass between threads); the schema is created by the log's own
 * connection (sqlite-event-log.ts) before the writer opens.
 */
import Database from 'better-sqlite3';

/** One append, serialised: facts as [sessionId, type, at, body] and events as their columns. */
export interface WireBatch {
  facts: [sessionId: string, type: string, at: number, body: string][];
  events: [id: string, dialect: string, name: string, sessionId: string, accountId: string, userIds: string, route: string | null, payload: string][];
}

export interface WriteRequest {
  seq: number;
  batches: WireBatch[];
}

/** Per batch: each event's position, 0 where its id was already logged; or why the batch failed. */
export type BatchResult = { positions: number[] } | { error: string };

export interface WriteReply {
  seq: number;
  loggedAt: number;
  results: BatchResult[];
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

  constructor(options: LogWriterOptions) {
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
  }

  /** Writes the group in one transaction; if that fails, each batch alone, so one bad batch fails only itself. */
  write(req: WriteRequest): WriteReply {
    const loggedAt = Date.now();
    try {
      return { seq: req.seq, loggedAt, results: this.#db.transaction(() => req.batches.map((b) => this.#insert(b, loggedAt)))() };
    } catch {
      const results = req.batches.map((b): BatchResult => {
        try {
          return this.#db.transaction(() => this.#insert(b, loggedAt))();
        } catch (err) {
          return { error: (err as Error).message };
        }
      });
      return { seq: req.seq, loggedAt, results };
    }
  }

  #insert(b: WireBatch, loggedAt: number): BatchResult {
    for (const [sessionId, type, at, body] of b.facts) {
      this.#insertFact.run(sessionId, type, at, body);
      if (type === 'session.started') this.#startSession.run(sessionId, at);
      else if (type === 'session.ended') this.#endSession.run(at, sessionId);
    }
    const positions: number[] = [];
    for (const [id, dialect, name, sessionId, accountId, userIds, route, payload] of b.events) {
      const r = this.#insertEvent.run(id, dialect, name, sessionId, accountId, userIds, route, loggedAt, payload);
      positions.push(r.changes === 1 ? Number(r.lastInsertRowid) : 0);
    }
    return { positions };
  }

  close(): void {
    this.#db.close();
  }
}

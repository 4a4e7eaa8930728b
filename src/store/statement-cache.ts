/**
 * Prepared statements of one better-sqlite3 connection, prepared once per SQL text and reused: the
 * stores run the same few statements all day, and `prepare()` per call was a tenth of a call's CPU.
 */
import type Database from 'better-sqlite3';

export class StatementCache {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }
}

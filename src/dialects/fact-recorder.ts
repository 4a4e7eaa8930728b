/**
 * Where facts enter the log: each fact is projected by every dialect (one projector per session and
 * dialect), and the fact and its wire events are appended together, durably, before anyone is told.
 * Then the observers (fact-observer.ts: the report writer) get the fact, in the same order.
 * Facts of one session are recorded strictly in call order, pipelined: a fact is projected and handed to
 * the log as record() is called, without waiting for the previous fact to be durable (the log keeps
 * append order, and its appends resolve in that order, so observers and callers hear in order too).
 * After a restart a session's projectors and observers are rebuilt by replaying its facts from the log,
 * so ids and payloads continue exactly where they were; records made meanwhile wait for that, in order.
 */
import type { EventLog, LogEntry } from '../events/log/event-log.js';
import type { Fact } from '../events/model/facts.js';
import type { Logger } from '../log/logger.js';
import type { Dialect, DialectOptions, SessionProjector, WireEvent } from './dialect.js';
import type { FactObserver, SessionObserver } from './fact-observer.js';

interface SessionState {
  projectors: SessionProjector[];
  observers: SessionObserver[];
  /** Records waiting for the replay of the session's earlier facts (#restore), appended in order once it is
   *  done (never rejects); `queued` counts them, the replay's own first record included. */
  queue: Promise<void>;
  queued: number;
  /** Appends made for this session: the state is dropped at its end only if no later one came. */
  appends: number;
}

export interface FactRecorderOptions {
  /** Where facts and their wire events are appended. */
  events: EventLog;
  dialects: readonly Dialect[];
  /** Read when a session's projectors are created (the public URL is fixed once the server listens). */
  dialectOptions: DialectOptions;
  logger?: Logger;
  /** Told each fact once it is durable (the report writer). */
  observers?: readonly FactObserver[];
}

export class FactRecorder {
  readonly #sessions = new Map<string, SessionState>();
  readonly #events: EventLog;
  readonly #dialects: readonly Dialect[];
  readonly #dialectOptions: DialectOptions;
  readonly #logger?: Logger;
  readonly #observers: readonly FactObserver[];

  constructor(options: FactRecorderOptions) {
    this.#events = options.events;
    this.#dialects = options.dialects;
    this.#dialectOptions = options.dialectOptions;
    if (options.logger) this.#logger = options.logger;
    this.#observers = options.observers ?? [];
  }

  /** Records facts (all of one session, in order) and resolves with the logged wire events. */
  record(...facts: Fact[]): Promise<LogEntry[]> {
    const first = facts[0];
    if (!first) return Promise.resolve([]);
    const sessionId = first.sessionId;
    if (facts.some((f) => f.sessionId !== sessionId)) return Promise.reject(new Error('record() takes facts of one session'));
    let state = this.#sessions.get(sessionId);
    if (!state) {
      state = {
        projectors: this.#dialects.map((d) => d.createProjector(this.#dialectOptions)),
        observers: this.#observers.map((o) => o.open(sessionId)),
        queue: Promise.resolve(),
        queued: 0,
        appends: 0,
      };
      this.#sessions.set(sessionId, state);
      if (first.type !== 'session.started') return this.#afterRestore(state, sessionId, facts);
    }
    if (state.queued === 0) return this.#append(state, sessionId, facts);
    return this.#enqueue(state, sessionId, facts);
  }

  /** Number of sessions with live projector state (for health and tests). */
  get openSessions(): number {
    return this.#sessions.size;
  }

  /** The first record of a session we hold no state for: replay the log's facts of it, then append.
   *  A failed replay fails this record; later ones go on (with whatever state the replay built). */
  #afterRestore(s: SessionState, sessionId: string, facts: Fact[]): Promise<LogEntry[]> {
    s.queued++;
    let appended!: Promise<LogEntry[]>;
    const replayed = this.#restore(s, sessionId);
    const done = () => void s.queued--;
    // Registered first on `replayed`, so `appended` is set before the caller's continuation reads it.
    s.queue = replayed.then(() => {
      done();
      appended = this.#append(s, sessionId, facts);
    }, done);
    return replayed.then(() => appended);
  }

  /** A record made while earlier ones wait for the replay: it goes after them. */
  #enqueue(s: SessionState, sessionId: string, facts: Fact[]): Promise<LogEntry[]> {
    s.queued++;
    let appended!: Promise<LogEntry[]>;
    s.queue = s.queue.then(() => {
      s.queued--;
      appended = this.#append(s, sessionId, facts);
    });
    return s.queue.then(() => appended);
  }

  /** Projects now (in call order) and appends; observers hear once durable (appends resolve in order). */
  #append(s: SessionState, sessionId: string, facts: Fact[]): Promise<LogEntry[]> {
    const events: WireEvent[] = [];
    for (const f of facts) for (const p of s.projectors) events.push(...this.#project(p, f));
    const seq = ++s.appends;
    let appended: Promise<LogEntry[]>;
    try {
      appended = this.#events.append({ facts, events });
    } catch (err) {
      appended = Promise.reject(err as Error);
    }
    return appended.then((entries) => {
      // Observers see only what is durable, in the session's order.
      for (const f of facts) this.#observe(s, f, 'recorded');
      if (facts.some(endsSession) && s.appends === seq && this.#sessions.get(sessionId) === s) this.#sessions.delete(sessionId);
      return entries;
    });
  }

  async #restore(state: SessionState, sessionId: string): Promise<void> {
    // A session we hold no state for: replay what the log has of it (after a restart, or the opt-out
    // that follows its text in a messaging session).
    const earlier = await this.#events.sessionFacts(sessionId);
    for (const f of earlier) {
      for (const p of state.projectors) this.#project(p, f);
      this.#observe(state, f, 'replay');
    }
  }

  #project(p: SessionProjector, f: Fact): WireEvent[] {
    try {
      return p.apply(f);
    } catch (err) {
      // A projection bug must never lose the fact or crash the process: log it and keep going.
      this.#logger?.error({ err, sessionId: f.sessionId, fact: f.type }, 'projection failed');
      return [];
    }
  }

  #observe(state: SessionState, f: Fact, how: keyof SessionObserver): void {
    for (const o of state.observers) {
      try {
        o[how](f);
      } catch (err) {
        // An observer breaking its contract must not fail a fact that is already logged.
        this.#logger?.error({ err, sessionId: f.sessionId, fact: f.type }, 'fact observer failed');
      }
    }
  }
}

function endsSession(f: Fact): boolean {
  return f.type === 'session.ended' || f.type.startsWith('message.') || f.type.startsWith('number.');
}

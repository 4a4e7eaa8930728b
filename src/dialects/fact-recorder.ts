/**
 * Where facts enter the log: the fact and its wire events are appended together, durably, before anyone
 * is told. The log projects them into every dialect where it writes them (dialect-projection.ts, run by
 * the log's writer thread: off the SIP loop). Then the observers (fact-observer.ts: the report writer)
 * get the fact, in the same order.
 * Facts of one session are recorded strictly in call order, pipelined: a fact is handed to the log as
 * record() is called, without waiting for the previous fact to be durable (the log keeps append order, and
 * its appends resolve in that order, so observers and callers hear in order too).
 * After a restart a session's observers are rebuilt by replaying its facts from the log (the log does the
 * same for its projectors); records made meanwhile wait for that, in order.
 */
import type { EventLog, LogEntry } from '../events/log/event-log.js';
import type { Fact } from '../events/model/facts.js';
import type { Logger } from '../log/logger.js';
import type { FactObserver, SessionObserver } from './fact-observer.js';
import { endsSession } from './dialect-projection.js';

interface SessionState {
  observers: SessionObserver[];
  /** Records waiting for the replay of the session's earlier facts (#restore), appended in order once it is
   *  done (never rejects); `queued` counts them, the replay's own first record included. */
  queue: Promise<void>;
  queued: number;
  /** Appends made for this session: the state is dropped at its end only if no later one came. */
  appends: number;
}

export interface FactRecorderOptions {
  /** Where facts are appended (and projected: a log made with the dialects' projection). */
  events: EventLog;
  logger?: Logger;
  /** Told each fact once it is durable (the report writer). */
  observers?: readonly FactObserver[];
  /** Told how long each append took until durable, in seconds (the metrics' latency histogram). */
  appended?: (seconds: number) => void;
}

export class FactRecorder {
  readonly #sessions = new Map<string, SessionState>();
  readonly #events: EventLog;
  readonly #logger?: Logger;
  readonly #observers: readonly FactObserver[];
  readonly #appended: ((seconds: number) => void) | undefined;

  constructor(options: FactRecorderOptions) {
    this.#events = options.events;
    if (options.logger) this.#logger = options.logger;
    this.#observers = options.observers ?? [];
    this.#appended = options.appended;
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

  /** Number of sessions with live observer state (for health and tests). */
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

  /** Appends now (in call order); observers hear once durable (appends resolve in order). */
  #append(s: SessionState, sessionId: string, facts: Fact[]): Promise<LogEntry[]> {
    const seq = ++s.appends;
    let appended: Promise<LogEntry[]>;
    const t0 = this.#appended ? performance.now() : 0;
    try {
      appended = this.#events.append({ facts });
    } catch (err) {
      appended = Promise.reject(err as Error);
    }
    return appended.then((entries) => {
      this.#appended?.((performance.now() - t0) / 1000);
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
    for (const f of earlier) this.#observe(state, f, 'replay');
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

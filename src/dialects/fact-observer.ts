/**
 * What the fact recorder feeds besides the dialects: a projection whose output is a side effect rather
 * than wire events (the report entries, reports/report-writer.ts). Like a dialect it holds state per
 * session, which the recorder opens at the session's first fact, rebuilds after a restart by replaying the
 * session's facts from the log, and drops when the session ends (fact-recorder.ts).
 */
import type { Fact } from '../events/model/facts.js';

/** One session's share of an observer: that session's facts, in order. */
export interface SessionObserver {
  /** A fact the log already held (replayed after a restart): rebuild state, cause no side effect. */
  replay(fact: Fact): void;
  /** A fact now durable in the log. Must not throw; side effects it starts run on their own. */
  recorded(fact: Fact): void;
}

export interface FactObserver {
  open(sessionId: string): SessionObserver;
}

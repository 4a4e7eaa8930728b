/**
 * What the log's writer thread runs on the facts it is given: the dialects' projection (dialects/
 * writer-projection.ts), loaded there by module URL so the log knows no dialect (ARCHITECTURE.md: the log
 * sits below the dialects). Projecting where the events are written keeps their payloads — built,
 * identified and serialised once — off the SIP loop; only the serialised events come back.
 */
import type { Fact } from '../model/facts.js';
import type { LoggedEvent } from './event-log.js';

/** A session's facts already in the log, oldest first (to rebuild a session's state after a restart). */
export type FactHistory = (sessionId: string) => Fact[];

export interface ProjectionResult {
  events: LoggedEvent[];
  /** Failures the projection survived (a bug in a dialect): logged by the log's owner, facts kept. */
  errors: { sessionId: string; fact: string; message: string }[];
}

/** Per-session projector state over every fact appended, in append order. */
export interface Projection {
  project(facts: readonly Fact[], history: FactHistory): ProjectionResult;
  /** Options for sessions started from now on (the public URL is known once the HTTP server listens). */
  configure(options: unknown): void;
  /** Whether projecting this fact now would read its session's history: a log whose history is remote
   *  (nats-event-log.ts) fetches it first. Absent: the log fetches for any session not starting here. */
  needsHistory?(fact: Fact): boolean;
}

/** The module the writer thread imports: `createProjection()` gives its Projection. */
export interface ProjectionModule {
  createProjection(): Projection;
}

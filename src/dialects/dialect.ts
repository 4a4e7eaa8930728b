/**
 * The contract every dialect projection satisfies: a reducer over one session's facts, in order,
 * that emits that dialect's wire events. Projections are pure: the same facts give the same events,
 * ids included, so replay and redelivery reproduce identical payloads (ARCHITECTURE.md, "The log").
 */
import type { Fact } from '../events/model/facts.js';
import type { LoggedEvent } from '../events/log/event-log.js';

export type DialectName = 'realtime' | 'teltel' | 'bandwidth';

/** A projected event: the log's event shape (events/log/event-log.ts) with the dialect named exactly. */
export interface WireEvent extends LoggedEvent {
  dialect: DialectName;
}

/** A projector holds one session's state. Feed it that session's facts in order. */
export interface SessionProjector {
  apply(fact: Fact): WireEvent[];
}

export interface DialectOptions {
  /** Public base URL of this Ringside, for URLs inside payloads (voice-API `callUri`, …). */
  publicUrl: string;
}

export interface Dialect {
  name: DialectName;
  /** Every event name this dialect can emit, for schema coverage and filters. */
  eventNames: readonly string[];
  createProjector(options: DialectOptions): SessionProjector;
}

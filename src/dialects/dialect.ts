/**
 * The contract every dialect projection satisfies: a reducer over one session's facts, in order,
 * that emits that dialect's wire events. Projections are pure: the same facts give the same events,
 * ids included, so replay and redelivery reproduce identical payloads (ARCHITECTURE.md, "The log").
 */
import type { Fact } from '../events/facts.js';

export type DialectName = 'realtime' | 'teltel' | 'bandwidth';

export interface WireEvent {
  dialect: DialectName;
  /** The dialect's own event name: `voice.incoming.start`, `START`, `incomingcall`. */
  name: string;
  /** Stable event id (see eventId()). */
  id: string;
  sessionId: string;
  accountId: string;
  /** Users whose user stream may carry this event (realtime user streams; empty = account only). */
  userIds: string[];
  /** Voice-API routing: the call (leg) or conference whose callback URL receives it. */
  route?: { callId?: string; conferenceId?: string; applicationId?: string; messageId?: string };
  /** The wire payload exactly as sent (realtime: without the stream's `type`, added at delivery). */
  payload: Record<string, unknown>;
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

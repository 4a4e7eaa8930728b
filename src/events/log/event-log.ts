/**
 * The durable event log: facts and the wire events projected from them, appended together and made
 * durable before anyone is told (ARCHITECTURE.md, "The log"). Every wire event has a stable id and a
 * position; readers resume from a position (cursor) and tail live. SQLite implements it for the embedded
 * default (sqlite-event-log.ts); NATS JetStream is the scale-out implementation of the same interface.
 */
import type { Fact } from '../model/facts.js';

/** A projected wire event as the log keeps it (the shape dialects produce; see dialects/dialect.ts). */
export interface LoggedEvent {
  dialect: string;
  /** The dialect's own event name: `voice.incoming.start`, `START`, `incomingcall`. */
  name: string;
  /** Stable event id: the same facts always give the same id (dialects/event-id.ts). */
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

export interface LogEntry extends LoggedEvent {
  /** Monotonically increasing, gap-free within one log; the cursor. */
  position: number;
  /** When it was appended (ms since the epoch). */
  loggedAt: number;
  /** `payload` as logged, JSON text: what is sent on the wire (log-entry.ts parses `payload` from it). */
  payloadJson: string;
}

export interface EventFilter {
  accountId?: string;
  /** Only events whose audience includes this user (realtime user streams). */
  userId?: string;
  dialects?: readonly string[];
  names?: readonly string[];
  sessionId?: string;
}

/** Facts, and events already projected (tests, tools). A log with a projection (projection.ts) adds the
 *  facts' own events after the given ones. */
export interface AppendBatch {
  facts: readonly Fact[];
  events?: readonly LoggedEvent[];
}

export interface Subscription {
  close(): void;
}

export interface SubscribeOptions {
  filter: EventFilter;
  /** Deliver entries after this position (0 = from the beginning); omitted = live only. */
  after?: number;
  onEntry(entry: LogEntry): void;
  /** Called once the backlog before going live has been delivered. */
  onLive?(): void;
}

export interface EventLog {
  /** Appends facts and events durably (and the events the log's projection makes of the facts); resolves
   *  with the events' entries once committed. Events whose id is already in the log are skipped (replaying
   *  the same facts is idempotent). */
  append(batch: AppendBatch): Promise<LogEntry[]>;
  read(after: number, filter: EventFilter, limit: number): Promise<LogEntry[]>;
  /** Position of the event with this id, for clients resuming by event id. */
  positionOf(eventId: string): Promise<number | undefined>;
  /** All facts of a session, in order (to rebuild projector state after a restart). */
  sessionFacts(sessionId: string): Promise<Fact[]>;
  /** Sessions with a start and no end yet. */
  openSessions(): Promise<string[]>;
  /** Sessions that ended at or after this time (ms since the epoch), oldest first: the startup sweep
   *  finds among them those whose end was logged but whose effects (the call report) may be missing. */
  endedSessions(sinceMs: number): Promise<string[]>;
  lastPosition(): Promise<number>;
  /** Appends accepted but not yet durable: the queue overload shedding watches (sip/overload-guard.ts). */
  readonly backlog: number;
  /** Options for the log's projection (projection.ts), for sessions started from now on; none: ignored. */
  configureProjection(options: unknown): void;
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

export function matches(filter: EventFilter, e: LoggedEvent): boolean {
  if (filter.accountId !== undefined && e.accountId !== filter.accountId) return false;
  if (filter.sessionId !== undefined && e.sessionId !== filter.sessionId) return false;
  if (filter.userId !== undefined && !e.userIds.includes(filter.userId)) return false;
  if (filter.dialects !== undefined && !filter.dialects.includes(e.dialect)) return false;
  if (filter.names !== undefined && !filter.names.includes(e.name)) return false;
  return true;
}

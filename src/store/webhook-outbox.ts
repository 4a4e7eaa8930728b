/**
 * The contract of the webhook outbox the delivery engine (delivery/webhooks/webhook-engine.ts) writes
 * through: one row per (event, subscription) still to be delivered, the dead-letter list, and the event-log
 * position the outbox has been fed up to (docs/webhooks.md, "Durability"). SqliteOutbox (one node) and
 * PostgresOutbox (a cluster) implement it; every method is async for the latter. outbox-contract.ts tests both.
 *
 * What an implementation must guarantee: `feed` stores its rows and the new position atomically (so a
 * restart neither feeds twice nor skips); a write has resolved only once it is durable (`acknowledge`
 * above all: an acknowledged event is never sent again); a session's rows come back in insertion (`id`)
 * order. After `close()` every write rejects with OutboxClosedError.
 */

export type OutboxState = 'pending' | 'dead';

export interface NewOutboxRow {
  accountId: string;
  webhookId: string;
  sessionId: string;
  eventId: string;
  /** Log position of the event (for operators; ordering uses the row id). */
  position: number;
  dialect: string;
  name: string;
  /** The payload exactly as logged (JSON text): the request body. */
  payload: string;
}

export interface OutboxRow extends NewOutboxRow {
  /** Increasing in insertion order; a session's rows are delivered in this order. */
  id: number;
  state: OutboxState;
  attempts: number;
  /** When the row may be attempted next (ms since the epoch). */
  nextAttemptAt: number;
  createdAt: number;
  firstAttemptAt?: number;
  lastAttemptAt?: number;
  lastStatus?: number;
  lastError?: string;
  deadAt?: number;
}

export interface AttemptRecord {
  attempts: number;
  nextAttemptAt: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  lastStatus?: number;
  lastError?: string;
}

export interface DeadLetterQuery {
  webhookId?: string;
  /** Rows with an id greater than this (paging). */
  after?: number;
  limit: number;
}

export interface WebhookOutbox {
  /** The log position fed so far; undefined before the first feed. */
  feedPosition(): Promise<number | undefined>;
  /** Inserts rows and records the fed position, atomically. Returns the rows as stored (PostgresOutbox:
   *  only those it inserted; rows another node already fed are left out). */
  feed(rows: readonly NewOutboxRow[], position: number): Promise<OutboxRow[]>;
  /** Pending rows of one subscription with id > after, in id order (optionally one session's, up to `upTo`). */
  pending(accountId: string, webhookId: string, after: number, limit: number, session?: { sessionId: string; upTo: number }): Promise<OutboxRow[]>;
  /** Subscriptions that have pending rows (to resume after a restart). */
  pendingSubscriptions(): Promise<{ accountId: string; webhookId: string }[]>;
  /** Acknowledged: the row is removed, durably. */
  acknowledge(id: number): Promise<void>;
  recordAttempt(id: number, attempt: AttemptRecord): Promise<void>;
  deadLetter(id: number, attempt: AttemptRecord): Promise<void>;
  listDeadLetters(accountId: string, query: DeadLetterQuery): Promise<OutboxRow[]>;
  getDeadLetter(accountId: string, id: number): Promise<OutboxRow | undefined>;
  /** Moves dead letters back to pending as new rows (new ids: they go after the session's queued
   *  events). Returns the new rows. */
  replay(accountId: string, ids: readonly number[]): Promise<OutboxRow[]>;
  /** Every dead letter of the account (optionally one subscription's), up to `limit`, replayed. */
  replayAll(accountId: string, webhookId: string | undefined, limit: number): Promise<OutboxRow[]>;
  discardDeadLetter(accountId: string, id: number): Promise<boolean>;
  /** Removes every row (pending and dead) of a subscription that was deleted. */
  purgeSubscription(accountId: string, webhookId: string): Promise<number>;
  counts(): Promise<{ pending: number; dead: number }>;
  close(): Promise<void>;
}

/** A write was attempted after `close()`. */
export class OutboxClosedError extends Error {
  override readonly name = 'OutboxClosedError';
  constructor() {
    super('the webhook outbox is closed');
  }
}

/** `replayAll` in terms of the rest of the interface, the same for every implementation: the account's dead
 *  letters (optionally one subscription's), up to `limit`, replayed as new rows. */
export async function replayAllDeadLetters(outbox: Pick<WebhookOutbox, 'listDeadLetters' | 'replay'>, accountId: string, webhookId: string | undefined, limit: number): Promise<OutboxRow[]> {
  const dead = await outbox.listDeadLetters(accountId, webhookId === undefined ? { limit } : { webhookId, limit });
  return outbox.replay(
    accountId,
    dead.map((d) => d.id),
  );
}

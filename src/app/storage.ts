/**
 * Opens where Ringside keeps its state, as the settings say (docs/scale-out.md): the embedded SQLite store
 * and outbox in the data directory, or one PostgreSQL database that several nodes share — the store, the
 * webhook outbox and the lease that picks the one node delivering webhooks, on one pool.
 */
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Settings } from './settings.js';
import type { Store } from '../store/store.js';
import type { WebhookOutbox } from '../store/webhook-outbox.js';
import type { DeliveryLease } from '../delivery/webhooks/webhook-engine.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { PgDatabase } from '../store/pg-database.js';
import { PostgresStore } from '../store/postgres-store.js';
import { PostgresOutbox } from '../store/postgres-outbox.js';
import { PostgresLease } from '../store/postgres-lease.js';

/** How long a delivering node's webhook lease lasts without renewal: a survivor takes over after it. */
export const WEBHOOK_LEASE_MS = 15_000;

export interface Storage {
  store: Store;
  outbox: WebhookOutbox;
  /** PostgreSQL only: the lease the webhook engine holds while it delivers. */
  webhookLease?: DeliveryLease;
  /** PostgreSQL only: the leases of the cluster (node liveness, takeover: session-takeover.ts). */
  leases?: PostgresLease;
  /** This process as a lease holder: node id, pid, random (a restarted node is a new holder). */
  holder: string;
  /** Closes what `open` opened that the store and outbox do not close themselves (the shared pool). */
  close(): Promise<void>;
}

export async function openStorage(settings: Pick<Settings, 'store' | 'nodeId'>, dataDir: string): Promise<Storage> {
  // A holder names one process: a node restarted under the same id is a new holder, so it cannot
  // mistake the dead process's lease for its own.
  const holder = `${settings.nodeId}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (settings.store.kind === 'sqlite') {
    const file = join(dataDir, 'ringside.db');
    return { store: new SqliteStore(file), outbox: new SqliteOutbox(file), holder, close: async () => undefined };
  }
  const db = new PgDatabase(settings.store.url);
  try {
    const store = await PostgresStore.open(db);
    const outbox = await PostgresOutbox.open(db);
    const leases = await PostgresLease.open(db);
    return { store, outbox, webhookLease: leases.handle('webhooks', holder, WEBHOOK_LEASE_MS), leases, holder, close: () => db.close() };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

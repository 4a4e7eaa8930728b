/**
 * Opens where Ringside keeps its state, as the settings say (docs/scale-out.md): the embedded SQLite store
 * and outbox in the data directory, or one PostgreSQL database that several nodes share — the store, the
 * webhook outbox and the lease that picks the one node delivering webhooks, on one pool.
 */
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { ProvisioningConfig } from '../config/config-types.js';
import type { Settings } from './settings.js';
import type { ProvisioningCounts, Store } from '../store/store.js';
import type { WebhookOutbox } from '../store/webhook-outbox.js';
import type { DeliveryLease } from '../delivery/webhooks/webhook-engine.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { PgDatabase } from '../store/pg-database.js';
import { PostgresStore } from '../store/postgres-store.js';
import { PostgresOutbox } from '../store/postgres-outbox.js';
import { PostgresLease } from '../store/postgres-lease.js';
import { seedCampaigns } from './campaign-seeds.js';

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

/** What `seedProvisioning` did: `kept` the store's provisioning (the file is the one it last seeded),
 *  `seeded` a store that had no seed yet, or `replaced` what the last seed and REST edits since made. */
export type SeedOutcome = 'kept' | 'seeded' | 'replaced';

/**
 * The config file seeds the store's provisioning; it does not own it (docs/compatibility.md, "Provisioning:
 * the file is a seed"). REST edits (api/provisioning/) live in the store, so a restart with the same file
 * keeps them; the file replaces the store's provisioning only when its content differs from the one it
 * last seeded, which the store remembers as a hash, in the transaction that seeds it.
 */
export async function seedProvisioning(store: Store, config: ProvisioningConfig): Promise<{ outcome: SeedOutcome; counts: ProvisioningCounts }> {
  const hash = provisioningHash(config);
  const last = await store.provisioningSeed();
  if (last === hash) return { outcome: 'kept', counts: await store.counts() };
  const counts = await store.replaceProvisioning(config, hash);
  await seedCampaigns(store, config);
  return { outcome: last === undefined ? 'seeded' : 'replaced', counts };
}

/** SHA-256 of the provisioning as canonical JSON (keys sorted): the same content hashes the same whatever
 *  the file's key order or format. */
export function provisioningHash(config: ProvisioningConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * Provisioning as read by one node of a cluster, kept in memory and dropped whenever any node changes it.
 * Every provisioning write ends its transaction with `pg_notify` on the installation's channel, which
 * PostgreSQL delivers to every listener at commit (and never for a rolled-back write); each node keeps one
 * dedicated connection LISTENing and clears its cache on each notification. The writer also clears its
 * own at once, so a node always reads its own writes; another node serves the old rows only until the
 * notification reaches it (p50 0.17 ms, p99 under 4 ms on one busy host: bench/store.bench.ts).
 *
 * Why: a lookup through pg costs 0.07–0.12 ms and 35–50 µs of the main thread's CPU, against ~2 µs from
 * memory, and a call makes several (docs/performance.md: the main thread is what limits the call rate).
 * As in SQLite's ReadCache, what is not found is not kept (an unknown number asks the database each time).
 *
 * Safe against the races of a cache filled by async reads: a read started before a notification (or own
 * write) is not kept when its rows arrive after it (the epoch moved). While the listener is down nothing
 * is cached (a notification could be missed); on reconnect the cache starts empty.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { PgDatabase } from './pg-database.js';
import { ReadCache } from './read-cache.js';

const RECONNECT_MS = 1000;
/** A listener whose connection died silently (no FIN: a cut link) hears nothing: a heartbeat query every
 *  HEARTBEAT_MS, failing after HEARTBEAT_TIMEOUT_MS, finds it, so such a node serves stale provisioning
 *  for at most ~8 s. A closed or reset connection is noticed at once. */
const HEARTBEAT_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 3000;

export class PgProvisioningCache {
  readonly channel: string;
  readonly #db: PgDatabase;
  readonly #cache = new ReadCache();
  /** Moves on every invalidation: a read only fills the cache if none happened while it ran. */
  #epoch = 0;
  /** Names this node's notifications: its own writes were invalidated at commit (`invalidate`), so its
   *  own notification, arriving later, would only drop what was read since — fresh already. */
  readonly #instance = randomUUID();
  #listener: pg.Client | undefined;
  #live = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(db: PgDatabase) {
    this.#db = db;
    // Per installation (schema): NOTIFY channels are database-wide. Hashed: a channel name is at most 63 bytes.
    this.channel = `rs_provisioning_${createHash('sha256').update(db.schema).digest('hex').slice(0, 16)}`;
  }

  /** Connects the listener; rejects when it cannot (the store's open() fails with it). */
  async start(): Promise<void> {
    await this.#listen();
  }

  /** The value under `key`: from memory, else from `load` (kept, frozen, when nothing changed meanwhile). */
  async get<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.#cache.get<T>(key, () => undefined);
    if (hit !== undefined) return hit;
    const epoch = this.#epoch;
    const value = await load();
    if (value !== undefined && this.#live && epoch === this.#epoch) return this.#cache.get(key, () => value);
    return value;
  }

  /** Inside a provisioning write's transaction: every node drops its cache when it commits. */
  async notify(client: pg.PoolClient): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [this.channel, this.#instance]);
  }

  /** After this node's own write committed (its own notification follows, but a read may come first). */
  invalidate(): void {
    this.#epoch++;
    this.#cache.clear();
  }

  get live(): boolean {
    return this.#live;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ ...this.#db.pool.options, application_name: `ringside-store-listener:${this.#db.schema}`, keepAlive: true, query_timeout: HEARTBEAT_TIMEOUT_MS });
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== this.#instance) this.invalidate();
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listener = client;
    // Whatever changed while no one listened is unknown: start empty.
    this.invalidate();
    this.#live = true;
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => void client.query('SELECT 1').catch(() => this.#lost(client)), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** The listener's connection broke: stop caching until a new one listens. */
  #lost(client: pg.Client): void {
    if (this.#listener !== client) return;
    this.#listener = undefined;
    clearInterval(this.#heartbeat);
    this.#live = false;
    this.invalidate();
    void client.end().catch(() => undefined);
    if (!this.#closed) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#retry = setTimeout(() => {
      this.#listen().catch(() => {
        if (!this.#closed) this.#scheduleReconnect();
      });
    }, RECONNECT_MS);
    this.#retry.unref();
  }
}

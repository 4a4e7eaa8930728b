/**
 * The Store contract (store-contract.ts) on every backend: SQLite in a temp dir, PostgreSQL in a throw-away
 * schema of the test server (skipped loudly when none answers; CI runs one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './store-contract.js';
import { SqliteStore } from './sqlite-store.js';
import { PostgresStore } from './postgres-store.js';
import { PgDatabase } from './pg-database.js';
import type { Store } from './store.js';
import { pgUnavailable, testSchemaUrl } from '../../test/support/pg-test-database.js';

storeContract({
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'ringside-store-'));
    const file = join(dir, 'ringside.db');
    let store: Store = new SqliteStore(file);
    return {
      store,
      async reopen() {
        await store.close();
        return (store = new SqliteStore(file));
      },
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

/** PostgreSQL twice: with the per-node provisioning cache (the default) and without it (every lookup a query). */
for (const cache of [true, false]) {
  storeContract({
    name: cache ? 'PostgreSQL' : 'PostgreSQL, cache: false',
    skip: await pgUnavailable(),
    async open() {
      const url = testSchemaUrl();
      let store: Store = await PostgresStore.open(url, { poolSize: 4, cache });
      return {
        store,
        async reopen() {
          await store.close();
          return (store = await PostgresStore.open(url, { poolSize: 4, cache }));
        },
        async cleanup() {
          await store.close();
          const db = new PgDatabase(url, { max: 1 });
          await db.dropSchema();
          await db.close();
        },
      };
    },
  });
}

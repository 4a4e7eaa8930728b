/**
 * The WebhookOutbox contract (outbox-contract.ts) against every implementation: SQLite in a temp directory,
 * PostgreSQL in a throw-away schema (skipped loudly when no server answers; CI runs one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgUnavailable, testSchemaUrl } from '../../test/support/pg-test-database.js';
import { outboxContract } from './outbox-contract.js';
import { PgDatabase } from './pg-database.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import type { WebhookOutbox } from './webhook-outbox.js';

outboxContract({
  name: 'SQLite',
  backend: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringside-outbox-'));
    const opened: WebhookOutbox[] = [];
    return {
      open: async () => {
        const o = new SqliteOutbox(join(dir, 'ringside.db'));
        opened.push(o);
        return o;
      },
      dispose: async () => {
        for (const o of opened) await o.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

outboxContract({
  name: 'PostgreSQL',
  skip: await pgUnavailable(),
  backend: async () => {
    const url = testSchemaUrl();
    const opened: { db: PgDatabase; outbox: WebhookOutbox }[] = [];
    return {
      // A new pool each time: reopening is what a restarted node does.
      open: async () => {
        const db = new PgDatabase(url, { max: 4 });
        const outbox = await PostgresOutbox.open(db);
        opened.push({ db, outbox });
        return outbox;
      },
      dispose: async () => {
        for (const o of opened) await o.outbox.close();
        await opened[0]?.db.dropSchema();
        for (const o of opened) await o.db.close();
      },
    };
  },
});

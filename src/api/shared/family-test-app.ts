/**
 * Test support for a REST family's route tests: the family mounted on Ringside's own HTTP server over a
 * fresh SQLite store provisioned from a config text, torn down after the test. Only tests import it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseConfig } from '../../config/load-config.js';
import { createHttpServer } from '../http-server.js';
import { silentLogger } from '../../log/logger.js';

export interface FamilyTestApp {
  app: FastifyInstance;
  store: SqliteStore;
  /** A bearer session of the user (as `POST /auth/login` would make), as an Authorization value. */
  bearer(userId: number, accountId: string): Promise<string>;
}

export async function familyTestApp(t: { after: (fn: () => Promise<void>) => void }, config: string, mount: (app: FastifyInstance, store: SqliteStore) => PromiseLike<unknown>): Promise<FamilyTestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-family-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(config));
  const app = createHttpServer({ logger: silentLogger() });
  await mount(app, store);
  await app.ready();
  t.after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, store, bearer: async (userId, accountId) => `Bearer ${(await store.createAuthSession(userId, accountId, 3600, 86400)).token}` };
}

/**
 * The event log contract (event-log-contract.ts) against every implementation: SQLite (a temporary file)
 * and NATS JetStream (nats://127.0.0.1:4222 or RINGSIDE_TEST_NATS; each test its own streams and subject
 * prefix, deleted after; skipped loudly when no server answers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog } from './sqlite-event-log.js';
import { eventLogContract } from './event-log-contract.js';
import { natsLogFactory } from './nats-test-support.js';
import { ECHO_PROJECTION } from '../../../test/support/echo-projection.js';

eventLogContract(
  {
    name: 'SQLite',
    async open(options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'ringside-log-'));
      const file = join(dir, 'events.db');
      let log = new SqliteEventLog(file, options);
      return {
        log,
        async reopen() {
          await log.close();
          return (log = new SqliteEventLog(file, options));
        },
        async cleanup() {
          await log.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  ECHO_PROJECTION,
);

eventLogContract(natsLogFactory(), ECHO_PROJECTION);

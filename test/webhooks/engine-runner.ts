/**
 * Runs the webhook engine alone in a child process (for the crash test): log, store and outbox from the
 * data dir given as the first argument, feeding from the log's beginning. Prints "running" once started;
 * is meant to be killed with SIGKILL.
 */
import { join } from 'node:path';
import { SqliteEventLog } from '../../src/events/log/sqlite-event-log.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { WebhookEngine } from '../../src/delivery/webhooks/webhook-engine.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: engine-runner.ts DATA_DIR');
const log = new SqliteEventLog(join(dir, 'events.db'));
const store = new SqliteStore(join(dir, 'ringside.db'));
const outbox = new SqliteOutbox(join(dir, 'ringside.db'));
const engine = new WebhookEngine({ events: log, store, outbox, startAt: 'beginning', initialDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 2000, maxConcurrentPerOrigin: 4 });
await engine.start();
process.stdout.write('running\n');
process.on('SIGTERM', () => {
  void engine.stop().then(async () => {
    await outbox.close();
    await log.close();
    await store.close();
    process.exit(0);
  });
});

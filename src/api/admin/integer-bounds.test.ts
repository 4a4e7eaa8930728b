/**
 * Integer query and path parameters of the admin family are bounded: ajv's `integer` accepts `1e309`
 * (Infinity), which reached SQLite and answered 500 (found by test/fuzz: `GET /events?after=1e309`).
 * Validation runs before the handler; without the auth plugin a request that passes validation reaches
 * the handler and gets 401 from `principalOf`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpServer } from '../http-server.js';
import { silentLogger } from '../../log/logger.js';
import { strictValidator } from './strict-validation.js';
import { eventHistoryRoutes } from './event-history-routes.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { deadLetterViewSchema } from './dead-letter-view.js';
import { loggedEventViewSchema } from './logged-event-view.js';
import type { EventLog } from '../../events/log/event-log.js';
import type { WebhookEngine } from '../../delivery/webhooks/webhook-engine.js';

function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_t, key) => {
      throw new Error(`${name}.${String(key)} used`);
    },
  });
}

test('after=1e309, huge ids and counts are 400 bad_request, not 500', async (t) => {
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(async (admin) => {
    for (const schema of [deadLetterViewSchema, loggedEventViewSchema]) admin.addSchema(schema);
    admin.setValidatorCompiler(strictValidator);
    // Only `read` exists: a request that passes validation reaches `principalOf` (401) with it.
    await admin.register(eventHistoryRoutes, { events: { read: async () => [] } as unknown as EventLog });
    await admin.register(deadLetterRoutes, { engine: untouchable<WebhookEngine>('engine') });
  });
  await app.ready();
  t.after(() => app.close());
  for (const url of ['/events?after=1e309', '/events?after=9007199254740993', '/events/stream?after=1e309', '/webhooks/dead-letters?after=1e309']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
    assert.equal(res.json().error, 'bad_request', url);
  }
  for (const [method, url] of [['DELETE', '/webhooks/dead-letters/1e309'], ['POST', '/webhooks/dead-letters/1e309/replay']] as const) {
    const res = await app.inject({ method, url });
    assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
  }
  // In range, validation passes and the handler runs (no principal here: 401).
  assert.equal((await app.inject({ method: 'GET', url: '/events?after=5' })).statusCode, 401);
});

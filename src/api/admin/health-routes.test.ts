import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpServer } from '../http-server.js';
import { silentLogger } from '../../log/logger.js';
import { healthRoutes, type HealthRouteOptions } from './health-routes.js';
import type { Store } from '../../store/store.js';
import type { EventLog } from '../../events/log/event-log.js';

const store = { counts: async () => ({ accounts: 1 }), countSipBindings: async () => 2 } as unknown as Store;
const events = { lastPosition: async () => 7 } as unknown as EventLog;

interface Health {
  log: unknown;
  media?: unknown;
  overload?: unknown;
  process: { rssBytes: number; heapUsedBytes: number; openFds: number | null; eventLoopDelayMs: { p50: number; p99: number; max: number; windowSeconds: number } };
}

async function mounted(extra: Partial<HealthRouteOptions> = {}) {
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(healthRoutes, { store, events, recorder: { openSessions: 3 }, ...extra });
  await app.ready();
  return app;
}

test('health carries the process gauges and the RTP pool, through its response schema', async (t) => {
  const overload = { shedding: false, loopDelayMs: 3, utilization: 0.42, queueDepth: 0, lateInvites: 0, socketDelayMs: 0, shed: 5 };
  const app = await mounted({ mediaPorts: async () => ({ free: 4990, total: 5000 }), overload: () => overload });
  t.after(() => app.close());
  const body = (await app.inject('/health')).json() as Health;
  assert.deepEqual(body.overload, overload);
  assert.deepEqual(body.log, { lastPosition: 7, openSessions: 3 });
  assert.deepEqual(body.media, { rtpPortPairsFree: 4990, rtpPortPairsTotal: 5000 });
  assert.ok(body.process.rssBytes > 1e6 && body.process.heapUsedBytes > 1e5, JSON.stringify(body.process));
  if (process.platform === 'linux') assert.ok(Number.isInteger(body.process.openFds) && (body.process.openFds ?? 0) > 2, `openFds ${body.process.openFds}`);
  assert.deepEqual(Object.keys(body.process.eventLoopDelayMs), ['p50', 'p99', 'max', 'windowSeconds']);
});

test('the event-loop delay window resets at each read and sees a blocked loop', async (t) => {
  const app = await mounted();
  t.after(() => app.close());
  await app.inject('/health');
  await new Promise((r) => setTimeout(r, 50));
  const until = Date.now() + 120;
  while (Date.now() < until); // block the loop ~120 ms
  await new Promise((r) => setTimeout(r, 30));
  const blocked = (await app.inject('/health')).json() as Health;
  assert.ok(blocked.process.eventLoopDelayMs.max >= 80, `max ${blocked.process.eventLoopDelayMs.max} ms`);
  assert.ok(blocked.process.eventLoopDelayMs.windowSeconds >= 0.15 && blocked.process.eventLoopDelayMs.windowSeconds < 5);
  await new Promise((r) => setTimeout(r, 50));
  const next = (await app.inject('/health')).json() as Health;
  assert.ok(next.process.eventLoopDelayMs.max < 80, `the block is out of the new window: max ${next.process.eventLoopDelayMs.max} ms`);
  assert.ok(next.process.eventLoopDelayMs.windowSeconds < 1);
  assert.equal(next.media, undefined, 'no pool given: no media section');
});

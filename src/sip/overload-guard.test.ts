import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverloadGuard } from './overload-guard.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a blocked event loop trips the guard for a window; an idle one clears it', async (t) => {
  const guard = new OverloadGuard({ maxLoopDelayMs: 50, retryAfterSeconds: 1 });
  t.after(() => guard.close());
  await sleep(250);
  assert.equal(guard.shouldShed(), undefined, 'idle loop: no shedding');
  // A 300 ms block: the guard's tick fires ~280 ms late.
  const until = Date.now() + 300;
  while (Date.now() < until);
  await sleep(5);
  const reason = guard.shouldShed();
  assert.match(reason ?? '', /event-loop delay \d+ ms > 50 ms/);
  assert.equal(guard.status.shed, 1);
  await sleep(600);
  assert.equal(guard.shouldShed(), undefined, 'cleared once the loop is idle again');
});

test('a loop kept busy in short slices (timers on time, but saturated) trips the utilisation bound', async (t) => {
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxUtilization: 0.6, retryAfterSeconds: 1 });
  t.after(() => guard.close());
  // ~90 % busy for 1.2 s in 9 ms slices: never late by much, yet almost never idle.
  const end = Date.now() + 1200;
  while (Date.now() < end) {
    const until = Date.now() + 9;
    while (Date.now() < until);
    await sleep(1);
  }
  assert.equal(guard.shouldShed(10), undefined, 'a busy loop with hardly any SIP traffic is not overload');
  assert.match(guard.shouldShed(5000) ?? '', /event loop \d+ % busy > 60 %/);
  await sleep(1100);
  assert.equal(guard.shouldShed(), undefined, 'an idle window clears it');
});

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

test('INVITEs arriving a third time unanswered shed new calls for about a second; a few do not', async (t) => {
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxLateInvitesPerSecond: 10, retryAfterSeconds: 1, minTransactions: Infinity });
  t.after(() => guard.close());
  // A little loss: five late INVITEs are within the bound.
  for (let i = 0; i < 5; i++) guard.noteLateInvite();
  assert.equal(guard.shouldShed(0), undefined);
  for (let i = 0; i < 6; i++) guard.noteLateInvite();
  assert.match(guard.shouldShed(0) ?? '', /^11 INVITEs arrived a third time unanswered in the last second \(> 10\)/);
  assert.equal(guard.status.lateInvites, 11);
  assert.equal(guard.status.shedding, true);
  // No new late INVITEs: the window empties and calls are taken again.
  await new Promise((r) => setTimeout(r, 1300));
  assert.equal(guard.shouldShed(0), undefined);
  assert.equal(guard.status.lateInvites, 0);
});

test('the late-INVITE bound is off at 0', (t) => {
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxLateInvitesPerSecond: 0, retryAfterSeconds: 1, minTransactions: Infinity });
  t.after(() => guard.close());
  for (let i = 0; i < 1000; i++) guard.noteLateInvite();
  assert.equal(guard.shouldShed(0), undefined);
});

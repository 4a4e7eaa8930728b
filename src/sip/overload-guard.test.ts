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

test('datagrams waiting in the SIP socket past the bound shed a share of new calls growing with the excess, at any traffic', (t) => {
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxSocketDelayMs: 200, retryAfterSeconds: 1, minTransactions: Infinity });
  t.after(() => guard.close());
  const socket = { delayMs: 150 };
  guard.watchSocket(socket);
  const refused = (n: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (guard.shouldShed(0)) k++;
    return k;
  };
  assert.equal(refused(100), 0, 'within the bound');
  assert.equal(guard.status.shedding, false);
  socket.delayMs = 250; // a quarter over
  assert.equal(refused(100), 25);
  assert.equal(guard.status.shedding, true);
  assert.equal(guard.status.socketDelayMs, 250);
  socket.delayMs = 300; // half over
  assert.equal(refused(100), 50);
  socket.delayMs = 400; // twice the bound: all
  assert.match(guard.shouldShed(0) ?? '', /^datagrams wait 400 ms unread in the SIP socket > 200 ms: 100 % of new calls refused$/);
  assert.equal(refused(50), 50);
  socket.delayMs = 0;
  assert.equal(refused(100), 0, 'drained: every call is taken again');
  assert.equal(guard.status.shed, 25 + 50 + 1 + 50);
});

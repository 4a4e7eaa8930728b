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

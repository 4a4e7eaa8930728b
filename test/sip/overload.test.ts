/**
 * Overload shedding over real UDP: while the guard's queue is past its bound, a new INVITE gets 503 with
 * Retry-After at once (RFC 3261 §21.5.4) and never reaches the application; once the queue drains, the
 * next INVITE is answered. In-dialog requests of a call already up are never shed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipStack } from '../../src/sip/sip-stack.js';
import { OverloadGuard } from '../../src/sip/overload-guard.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

test('a new INVITE is refused 503 + Retry-After while overloaded, taken again after; calls up are untouched', async (t) => {
  let depth = 0;
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, retryAfterSeconds: 7, queue: { depth: () => depth, max: 100 } });
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 }, overload: guard });
  t.after(async () => {
    guard.close();
    await a.close();
    await b.close();
  });
  let offered = 0;
  b.onInvite((inv) => {
    offered++;
    const s = inv.accept({ body: SDP });
    s.onRequest((r) => void r.respond(200));
  });
  const to = `sip:b@127.0.0.1:${b.port}`;

  const up = await (await a.invite({ to, body: SDP })).result;
  assert.ok(up.ok, 'first call answered');

  depth = 101;
  const shed = await (await a.invite({ to, body: SDP })).result;
  assert.equal(shed.ok, false);
  assert.equal(shed.response.status, 503);
  assert.equal(shed.response.headers.get('retry-after'), '7');
  assert.equal(offered, 1, 'the shed INVITE never reached the application');
  assert.equal(guard.status.shed, 1);
  assert.equal(guard.status.shedding, true);
  // The call already up still takes in-dialog requests.
  assert.equal((await up.session.info('Signal=1\r\nDuration=100\r\n', 'application/dtmf-relay')).status, 200);

  depth = 0;
  const again = await (await a.invite({ to, body: SDP })).result;
  assert.ok(again.ok, 'taken again once the queue drained');
  assert.equal(offered, 2);
});

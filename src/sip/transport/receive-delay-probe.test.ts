import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { ReceiveDelayProbe, PROBE_BYTES } from './receive-delay-probe.js';
import { UdpTransport } from './udp-transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sender in another process, so its datagrams keep coming while this loop is busy. */
function sendFromChild(port: number, perSecond: number, seconds: number) {
  const code =
    `const s=require('dgram').createSocket('udp4');let n=0;const total=${perSecond * seconds};const b=Buffer.alloc(200);` +
    `const t=setInterval(()=>{for(let i=0;i<${perSecond / 100}&&n<total;i++,n++)s.send(b,${port},'127.0.0.1');if(n>=total){clearInterval(t);setTimeout(()=>s.close(),50);}},10);`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

test('a receiver slower than its sender: the probe reads the growing wait, then ~0 once the queue drains', async (t) => {
  const probe = new ReceiveDelayProbe();
  let maxMs = 0;
  let sip = 0;
  const udp = await UdpTransport.bind(
    '0.0.0.0',
    0,
    (data) => {
      assert.notEqual(data.length, PROBE_BYTES, 'probes never reach SIP');
      sip++;
      // 2 ms per datagram: 500 a second at most, against 1,500 a second sent.
      const until = performance.now() + 2;
      while (performance.now() < until);
      maxMs = Math.max(maxMs, probe.delayMs);
    },
    4 * 1024 * 1024,
    probe,
  );
  t.after(() => udp.close());
  await sleep(100);
  assert.ok(probe.delayMs < 20, `idle: ${probe.delayMs.toFixed(1)} ms`);
  const child = sendFromChild(udp.port, 1500, 1);
  await once(child, 'exit');
  assert.ok(maxMs > 400, `the wait grew to ${maxMs.toFixed(0)} ms (> 400 ms expected: ~1,000 datagrams × 2 ms queued)`);
  const until = Date.now() + 8000;
  while (sip < 1500 && Date.now() < until) await sleep(50);
  await sleep(100);
  assert.equal(sip, 1500, 'every datagram reached SIP');
  assert.ok(probe.delayMs < 20, `drained: ${probe.delayMs.toFixed(1)} ms`);
});

test('a datagram shaped like a probe but from elsewhere (another nonce) is SIP input, not a delay reading', async (t) => {
  const probe = new ReceiveDelayProbe();
  const got: Buffer[] = [];
  const udp = await UdpTransport.bind('127.0.0.1', 0, (data) => got.push(data), undefined, probe);
  t.after(() => udp.close());
  const forged = Buffer.alloc(PROBE_BYTES);
  Buffer.from([0, 0x52, 0x53, 0x44, 0x50, 0x52, 0x42, 0]).copy(forged, 0);
  forged.writeDoubleBE(performance.now() - 60_000, 16);
  const sender = createSocket('udp4');
  t.after(() => sender.close());
  sender.send(forged, udp.port, '127.0.0.1');
  const until = Date.now() + 2000;
  while (got.length === 0 && Date.now() < until) await sleep(10);
  assert.equal(got.length, 1, 'passed on to SIP (whose parser refuses it)');
  assert.ok(probe.delayMs < 1000, `a forged send time is no reading: ${probe.delayMs.toFixed(0)} ms`);
});

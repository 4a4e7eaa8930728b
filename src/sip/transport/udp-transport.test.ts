import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { UdpTransport } from './udp-transport.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('datagrams both ways through the socket thread: from the bound port, in order, and a send to nowhere fails', async (t) => {
  const got: string[] = [];
  const udp = await UdpTransport.bind('127.0.0.1', 0, (data, host, port) => got.push(`${data.toString()}@${host}:${port}`));
  t.after(() => udp.close());
  const peer = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
  t.after(() => peer.close());
  const seen: { text: string; port: number }[] = [];
  peer.on('message', (d, rinfo) => seen.push({ text: d.toString(), port: rinfo.port }));
  await Promise.all(Array.from({ length: 50 }, (_, i) => udp.send(Buffer.from(`out ${i}`), '127.0.0.1', peer.address().port)));
  for (let i = 0; i < 50; i++) peer.send(`in ${i}`, udp.port, '127.0.0.1');
  const until = Date.now() + 3000;
  while ((seen.length < 50 || got.length < 50) && Date.now() < until) await sleep(10);
  assert.deepEqual(seen.map((s) => s.text), Array.from({ length: 50 }, (_, i) => `out ${i}`));
  assert.ok(seen.every((s) => s.port === udp.port), 'sent from the SIP port (responses must come from where requests went)');
  assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => `in ${i}@127.0.0.1:${peer.address().port}`));
  await assert.rejects(udp.send(Buffer.alloc(70_000), '127.0.0.1', peer.address().port), /UDP send to 127\.0\.0\.1:\d+ failed/, 'too big for a datagram');
  await udp.close();
  await assert.rejects(udp.send(Buffer.from('late'), '127.0.0.1', peer.address().port), /closed/);
});

test('a loop that does not read: the thread keeps a receive buffer\'s worth, drops the rest and counts it', async (t) => {
  let dropped = 0;
  let received = 0;
  const udp = await UdpTransport.bind('127.0.0.1', 0, () => received++, 64 * 1024, undefined, (n) => (dropped += n));
  t.after(() => udp.close());
  const limit = udp.receiveBufferBytes;
  // 3,000 datagrams of 500 bytes (1.5 MB) from another process while this loop is blocked for 1.5 s.
  const code = `const s=require('dgram').createSocket('udp4');const b=Buffer.alloc(500);let n=0;const t=setInterval(()=>{for(let i=0;i<100&&n<3000;i++,n++)s.send(b,${udp.port},'127.0.0.1');if(n>=3000){clearInterval(t);setTimeout(()=>s.close(),50);}},10);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  await sleep(50);
  const until = performance.now() + 1500;
  while (performance.now() < until);
  await once(child, 'exit');
  const settle = Date.now() + 3000;
  while (Date.now() < settle && received + dropped < 3000) await sleep(50);
  assert.ok(dropped > 0, `dropped ${dropped}`);
  assert.ok(received * 500 <= limit + 500 * 100 + 65_536, `kept ${received} datagrams, about a receive buffer (${limit} bytes) while blocked`);
  assert.ok(received > 0);
});

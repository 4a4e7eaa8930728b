import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TORTURE } from './fixtures/rfc4475-messages.js';
import { parseMessage } from '../../src/sip/message/parser.js';
import { serializeMessage } from '../../src/sip/message/serializer.js';
import { SipParseError } from '../../src/sip/errors.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { seededRandom } from '../../src/util/seeded-random.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from the printed seed. */
const rng = seededRandom;

const VALID_OPTIONS = Buffer.from(
  'OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKfuzz\r\nFrom: <sip:f@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: fuzz\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
);
const SEEDS = [...TORTURE.map((m) => m.data), VALID_OPTIONS];
const NASTY = ['\r\n', '\r\n\r\n', ':', ';', ',', '<', '>', '"', '\\', '%', '%0', '@', ' ', '\t', '\x00', 'Content-Length: 99999\r\n', 'Via: SIP/2.0/UDP ;;\r\n', 'l: -1\r\n', '\r\n '];

/** One mutated message: byte flips, splices of nasty tokens, truncation, line duplication, or pure noise. */
function mutate(r: () => number): Buffer {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const kind = r();
  if (kind < 0.1) return randomBytes(Math.floor(r() * 2000));
  let buf = Buffer.from(pick(SEEDS));
  const ops = 1 + Math.floor(r() * 6);
  for (let i = 0; i < ops; i++) {
    const pos = Math.floor(r() * (buf.length + 1));
    const op = r();
    if (op < 0.3 && buf.length > 0) buf[Math.min(pos, buf.length - 1)] = Math.floor(r() * 256);
    else if (op < 0.6) buf = Buffer.concat([buf.subarray(0, pos), Buffer.from(pick(NASTY)), buf.subarray(pos)]);
    else if (op < 0.75) buf = buf.subarray(0, pos);
    else if (op < 0.9) {
      const lines = buf.toString('latin1').split('\r\n');
      const l = Math.floor(r() * lines.length);
      lines.splice(l, 0, ...Array.from({ length: 1 + Math.floor(r() * 50) }, () => lines[l] ?? ''));
      buf = Buffer.from(lines.join('\r\n'), 'latin1');
    } else buf = Buffer.concat([buf.subarray(0, pos), Buffer.alloc(Math.floor(r() * 70_000), 'A'), buf.subarray(pos)]);
  }
  return buf;
}

test('parser fuzz: random and mutated messages only ever parse or throw SipParseError (2 s)', () => {
  const seed = Date.now() & 0xffff;
  const r = rng(seed);
  const deadline = Date.now() + 2000;
  let n = 0;
  let parsed = 0;
  while (Date.now() < deadline) {
    const data = mutate(r);
    n++;
    try {
      const msg = parseMessage(data);
      parsed++;
      // Whatever parses must serialize and parse again.
      parseMessage(serializeMessage(msg));
      void msg.callId;
    } catch (err) {
      if (!(err instanceof SipParseError)) assert.fail(`seed ${seed}, message ${n}: ${(err as Error).stack}\n${data.toString('latin1').slice(0, 500)}`);
    }
  }
  assert.ok(n > 1000, `only ${n} messages tried`);
  assert.ok(parsed > 0);
});

test('live listener fuzz over UDP and TCP (3 s): no crash, bounded heap, still answers OPTIONS', async (t) => {
  const stack = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 50 } });
  const probe = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const udp = createSocket('udp4');
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', () => res()));
  t.after(async () => {
    await new Promise<void>((res) => udp.close(() => res()));
    await probe.close();
    await stack.close();
  });
  stack.onInvite((inv) => inv.reject(486));
  const seed = (Date.now() >> 8) & 0xffff;
  const r = rng(seed);
  const heapStart = process.memoryUsage().heapUsed;
  let heapMax = heapStart;
  const deadline = Date.now() + 3000;
  let datagrams = 0;
  let tcpWrites = 0;
  const tcpLoop = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const sock = connect(stack.port, '127.0.0.1');
      sock.on('error', () => {});
      await new Promise<void>((res) => sock.once('connect', () => res()).once('error', () => res()));
      for (let i = 0; i < 20 && !sock.destroyed; i++) {
        const m = mutate(r);
        // Split writes at random points: partial and pipelined reads.
        const cut = Math.floor(r() * m.length);
        sock.write(m.subarray(0, cut));
        sock.write(m.subarray(cut));
        tcpWrites++;
        await new Promise((res) => setImmediate(res));
      }
      sock.destroy();
    }
  };
  const udpLoop = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const m = mutate(r);
      if (m.length < 65_000) {
        udp.send(m, stack.port, '127.0.0.1');
        datagrams++;
      }
      if (datagrams % 50 === 0) {
        heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
        await new Promise((res) => setTimeout(res, 1));
      }
    }
  };
  await Promise.all([udpLoop(), tcpLoop()]);
  await new Promise((res) => setTimeout(res, 200));
  heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  const c = stack.counters.transport;
  assert.ok(datagrams > 500, `sent ${datagrams} datagrams`);
  assert.ok(tcpWrites > 50, `sent ${tcpWrites} TCP messages`);
  assert.ok(c.malformed > 0, 'malformed input was counted');
  assert.ok(heapMax - heapStart < 150 * 2 ** 20, `heap grew by ${((heapMax - heapStart) / 2 ** 20).toFixed(1)} MiB (seed ${seed})`);
  for (const transport of ['udp', 'tcp'] as const) {
    const res = await probe.request('OPTIONS', { to: `sip:x@127.0.0.1:${stack.port}`, transport });
    assert.equal(res.status, 200, `valid OPTIONS over ${transport} after the fuzzing`);
  }
});

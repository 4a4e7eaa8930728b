/**
 * SIP transaction throughput through a loopback pair of stacks in one process (both ends share the CPU):
 * non-INVITE (OPTIONS) transactions and whole calls (INVITE → 200 → ACK → BYE → 200) per second. Then the
 * memory finished UDP calls hold while their transactions and sessions linger 64*T1 (RFC 3261 §17).
 * Run: node --import tsx bench/sip-transactions.bench.ts
 */
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SipStack } from '../src/sip/sip-stack.js';
import type { TransportProtocol } from '../src/sip/transport/transport-types.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
const DURATION_MS = 3000;

async function run(concurrency: number, once: () => Promise<boolean>): Promise<{ rate: number; failures: number }> {
  const end = Date.now() + DURATION_MS;
  let done = 0;
  let failures = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if (await once()) done++;
        else failures++;
      }
    }),
  );
  return { rate: done / ((Date.now() - start) / 1000), failures };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; ${DURATION_MS / 1000} s per row, both stacks in one process\n`);
console.log('| workload | transport | concurrency | per second | failures |');
console.log('|---|---|---:|---:|---:|');
for (const transport of ['udp', 'tcp'] as TransportProtocol[]) {
  const a = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0 });
  b.onInvite((inv) => {
    inv.accept({ body: SDP });
  });
  const target = `sip:bench@127.0.0.1:${b.port}`;
  for (const concurrency of [1, 50]) {
    const r = await run(concurrency, async () => (await a.request('OPTIONS', { to: target, transport })).status === 200);
    console.log(`| OPTIONS transaction | ${transport.toUpperCase()} | ${concurrency} | ${fmt(r.rate)} | ${r.failures} |`);
  }
  for (const concurrency of [1, 50]) {
    const r = await run(concurrency, async () => {
      const res = await (await a.invite({ to: target, body: SDP, transport })).result;
      if (!res.ok) return false;
      return (await res.session.bye()).status === 200;
    });
    console.log(`| call: INVITE/200/ACK + BYE/200 | ${transport.toUpperCase()} | ${concurrency} | ${fmt(r.rate)} | ${r.failures} |`);
  }
  await a.close();
  await b.close();
}

// Lingering: heap and ArrayBuffer memory after a full GC while LINGER_CALLS finished UDP calls are still
// held (Timers J, L, M and ended sessions: 32 s), per call, over the same measure before the calls.
const LINGER_CALLS = 2000;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const memory = (): NodeJS.MemoryUsage => {
  gc();
  gc();
  return process.memoryUsage();
};
{
  const a = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0 });
  b.onInvite((inv) => {
    inv.accept({ body: SDP });
  });
  const target = `sip:bench@127.0.0.1:${b.port}`;
  const before = memory();
  let started = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (started < LINGER_CALLS) {
        started++;
        const res = await (await a.invite({ to: target, body: SDP })).result;
        if (res.ok) await res.session.bye();
      }
    }),
  );
  const after = memory();
  const kib = (x: number): string => (x / 1024 / LINGER_CALLS).toFixed(1);
  console.log(`\n| ${LINGER_CALLS} finished UDP calls, lingering | heap KiB a call | ArrayBuffer KiB a call |`);
  console.log('|---|---:|---:|');
  console.log(`| both ends | ${kib(after.heapUsed - before.heapUsed)} | ${kib(after.arrayBuffers - before.arrayBuffers)} |`);
  await a.close();
  await b.close();
}

/**
 * Fan-out of the RealTime WebSocket API: C real WebSocket clients on the account stream (each in this
 * process, over loopback), E events recorded through Ringside's fact recorder; measures events delivered
 * per second across all clients and the latency from `record()` to each client receiving the event.
 * Run: npm run bench -- realtime-fanout
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Ringside } from '../src/app/ringside.js';
import { resolveSettings } from '../src/app/settings.js';
import { silentLogger } from '../src/log/logger.js';
import { CallScript, phone, sip } from '../test/support/call-script.js';
import { quantile } from './support/quantile.js';

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-fanout-'));
writeFileSync(
  join(dir, 'config.yaml'),
  `accounts:\n  - id: demo\n    name: Demo\n    users: [{ id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, pin: "1101" }]\n`,
);
const r = await Ringside.start(resolveSettings({ config: join(dir, 'config.yaml'), data: join(dir, 'data'), host: '127.0.0.1', httpPort: '0', sipPort: '0' }, {}), silentLogger());
const { token } = (await (await fetch(`http://127.0.0.1:${r.httpPort}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice@demo.test', password: 'alice-pass' }) })).json()) as { token: string };

const rows: string[] = [];
let roundNo = 0;
const sentAt = new Map<string, number>();

async function round(clients: number, calls: number, concurrent = true): Promise<void> {
  roundNo++;
  const latencies: number[] = [];
  let received = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < clients; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${r.httpPort}/`);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; success?: boolean; trackingId?: string; eventName?: string };
        if (m.type === 'authresponse') ws.send(JSON.stringify({ type: 'startaccounteventrequest' }));
        else if (m.type === 'startaccounteventresponse') resolve();
        else if (m.type === 'accountevent') {
          received++;
          const t0 = sentAt.get(`${m.trackingId}:${m.eventName}`);
          if (t0 !== undefined) latencies.push(performance.now() - t0);
        }
      });
      ws.once('open', () => ws.send(JSON.stringify({ type: 'authrequest', token })));
    });
    sockets.push(ws);
  }
  // Each call: start, answer, end on the realtime stream (plus the other dialects' events in the log).
  const t0 = performance.now();
  const one = async (i: number) => {
      const id = `bench-${roundNo}-${i}`;
      const s = new CallScript(id, Date.now(), 1);
      s.start({ accountId: 'demo', accountcode: 'demo', kind: 'inbound', callId: `1.${i}`, from: phone('+15557654321'), to: phone('+15550100'), userIds: ['501'] });
      s.leg('c', 'caller', phone('+15557654321')).leg('a', 'callee', sip('101', '501')).up('a').up('c').joined('c').joined('a');
      s.left('c').left('a').ended('c', 'remote').ended('a', 'local').end(phone('+15557654321'), 'normal', 'c');
      for (const f of s.facts) {
        const name = f.type === 'session.started' ? 'start' : f.type === 'leg.joined' && f.legId === 'a' ? 'answer' : f.type === 'session.ended' ? 'end' : undefined;
        if (name) sentAt.set(`${id}:${name}`, performance.now());
        await r.recorder.record(f);
      }
    };
  if (concurrent) await Promise.all(Array.from({ length: calls }, (_, i) => one(i)));
  else for (let i = 0; i < calls; i++) await one(i);
  const expected = calls * 3 * clients;
  const deadline = Date.now() + 60_000;
  while (received < expected && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => quantile(latencies, p).toFixed(1);
  rows.push(`| ${clients} | ${calls} ${concurrent ? 'at once' : 'one after another'} | ${received}/${expected} | ${Math.round(received / seconds).toLocaleString('en-US')} | ${q(0.5)} ms | ${q(0.99)} ms |`);
  for (const ws of sockets) ws.close();
}

await round(1, 200, false);
await round(1, 500);
await round(50, 200);
await round(500, 40);
await r.stop();
rmSync(dir, { recursive: true, force: true });

console.log('Calls recorded concurrently through the fact recorder (3 realtime events per call, 14 facts, all three dialects logged).\n');
console.log('| clients | calls | delivered | deliveries/s | latency p50 | latency p99 |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);

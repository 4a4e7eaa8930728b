/**
 * Calls through the switch: sipp as the carrier (built-in `uac` scenario from 127.0.0.2, 1 s calls) into
 * a ring-all line whose one user's phone is sipp (built-in `uas`, registered first from the same port).
 * Reports calls per second completed with zero failures, and the time from the SIP event (the fact's
 * time, taken when the switch saw the INVITE / the answer / the BYE) to a WebSocket client on the account
 * stream receiving the matching realtime event.
 * Run: npm run bench -- switch-calls (RATES=200,300 for other steps)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { Ringside } from '../src/app/ringside.js';
import { resolveSettings } from '../src/app/settings.js';
import { silentLogger } from '../src/log/logger.js';
import { freePort, runTool } from '../test/sip/support/sipp.js';
import { quantile } from './support/quantile.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-switch-'));
const carrierPort = await freePort();
writeFileSync(
  join(dir, 'config.yaml'),
  `trunks: [{ name: carrier, host: 127.0.0.2, port: ${carrierPort} }]
accounts:
  - id: demo
    name: Demo
    trunk: carrier
    numbers: [{ number: "+15550100" }]
    users: [{ id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: alice-sip-101 } }]
    lines: [{ id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 10, fallback: hangup } }]
`,
);
const r = await Ringside.start(resolveSettings({ config: join(dir, 'config.yaml'), data: join(dir, 'data'), host: '127.0.0.1', httpPort: '0', sipPort: '0', rtpPorts: '30000-40000' }, {}), silentLogger());
const target = `127.0.0.1:${r.sip.port}`;

// The phone: register from a fixed port, then answer every call on it (sipp's built-in uas).
const phonePort = await freePort();
const reg = await runTool('sipp', ['-nostdin', '-i', '127.0.0.1', '-p', String(phonePort), '-sf', join(here, '../test/switch/scenarios/register.xml'), '-m', '1', '-s', '101', '-au', '101', '-ap', 'alice-sip-101', '-timeout', '10s', '-timeout_error', target], { timeoutMs: 20_000, cwd: dir });
if (reg.code !== 0) throw new Error(`phone did not register: ${reg.stdout.slice(-1000)}`);
const phone = spawn('sipp', ['-nostdin', '-i', '127.0.0.1', '-p', String(phonePort), '-sn', 'uas'], { cwd: dir, stdio: 'ignore' });

const { token } = (await (await fetch(`http://127.0.0.1:${r.httpPort}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice@demo.test', password: 'alice-pass' }) })).json()) as { token: string };
const received = new Map<string, number>(); // `${trackingId}:${eventName}` → arrival (ms since epoch)
const ws = new WebSocket(`ws://127.0.0.1:${r.httpPort}/`);
await new Promise<void>((resolve) => {
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { type: string; trackingId?: string; eventName?: string };
    if (m.type === 'authresponse') ws.send(JSON.stringify({ type: 'startaccounteventrequest' }));
    else if (m.type === 'startaccounteventresponse') resolve();
    else if (m.type === 'accountevent') received.set(`${m.trackingId}:${m.eventName}`, performance.timeOrigin + performance.now());
  });
  ws.once('open', () => ws.send(JSON.stringify({ type: 'authrequest', token })));
});

const rows: string[] = [];
async function round(rate: number, calls: number): Promise<void> {
  received.clear();
  const before = await r.events.lastPosition();
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const run = await runTool('sipp', ['-nostdin', '-i', '127.0.0.2', '-sn', 'uac', '-s', '+15550100', '-r', String(rate), '-m', String(calls), '-d', '1000', '-timeout', '120s', '-timeout_error', target], { timeoutMs: 180_000, cwd: dir });
  const seconds = (Date.now() - t0) / 1000;
  const ok = /Successful call\s+\|\s+\d+\s+\|\s+(\d+)/.exec(run.stdout)?.[1];
  const failed = /Failed call\s+\|\s+\d+\s+\|\s+(\d+)/.exec(run.stdout)?.[1];
  const cpu = process.cpuUsage(cpu0);
  const cpuPerCall = (cpu.user + cpu.system) / 1000 / Math.max(1, Number(ok ?? 0));
  await new Promise((res) => setTimeout(res, 1500));
  // Latency: each session's start/answer/end fact time → arrival of its realtime event.
  const lat: number[] = [];
  const entries = await r.events.read(before, { dialects: ['realtime'] }, 1_000_000);
  for (const sessionId of new Set(entries.map((e) => e.sessionId))) {
    const facts = await r.events.sessionFacts(sessionId);
    const start = facts.find((f) => f.type === 'session.started');
    const joined = facts.filter((f) => f.type === 'leg.joined')[1];
    const end = facts.find((f) => f.type === 'session.ended');
    for (const [fact, name] of [[start, 'start'], [joined, 'answer'], [end, 'end']] as const) {
      const at = received.get(`${sessionId}:${name}`);
      if (fact && at !== undefined) lat.push(at - fact.at);
    }
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => quantile(lat, p).toFixed(1);
  rows.push(`| ${rate} | ${calls} | ${ok ?? '?'} | ${failed ?? '?'} | ${(Number(ok ?? 0) / seconds).toFixed(1)} | ${cpuPerCall.toFixed(2)} ms | ${lat.length} | ${q(0.5)} ms | ${q(0.99)} ms |`);
}

// RATES=200,300 (calls/s, 10 s each) overrides the default steps.
const steps = process.env.RATES ? process.env.RATES.split(',').map((x) => [Number(x), Number(x) * 10] as const) : ([[5, 50], [20, 200], [40, 400], [80, 800], [120, 1200]] as const);
for (const [rate, calls] of steps) await round(rate, calls);
ws.close();
phone.kill('SIGKILL');
await r.stop();
rmSync(dir, { recursive: true, force: true });

console.log('sipp carrier (built-in uac, 1 s calls, no RTP) → ring-all line → sipp phone (built-in uas). Latency: fact time of the SIP event → realtime event at a WebSocket client.\n');
console.log('| offered calls/s | calls | successful | failed | completed calls/s (incl. ramp-down) | CPU per call (Ringside process, all threads) | events timed | SIP→WS p50 | SIP→WS p99 |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);

/**
 * Soak: Ringside (a child process) under steady load for an hour — 5 calls/s of ~19 s each with RTP both ways
 * (~100 calls in progress), every call recorded, and WebSocket clients connecting and disconnecting all the
 * time. Each minute it prints RSS, the event-loop delay (the window since the previous /health read: the
 * minute), open descriptors, UDP/TCP sockets of the process and the RTP port pool's free pairs; at the end a
 * table and the checks: growth under 5 % from the end of the warm-up (minute 5) to the last minute, the RTP
 * pool back to full once the load stops, no failed call → PASS/FAIL.
 *
 * The carrier is sipp from 127.0.0.2 (bench/support/scenarios/soak-carrier.xml: g711a.pcap four times); the
 * phone is sipp's built-in uas with -rtp_echo, so the phone's leg sends back what it gets and both channels
 * of the recording carry audio. Finished recordings older than a minute are deleted each minute (an
 * operator's retention: an hour writes ~11 GB otherwise); KEEP_RECORDINGS=1 keeps them.
 *
 * Run: npm run bench -- soak   (SOAK_MINUTES=58, RATE=5, WS_CLIENTS=20, WS_RECONNECT_MS=2000-5000, WARMUP_MINUTES=5,
 *      KEEP_RECORDINGS=1, KEEP_DIR=1 keeps the temp dir, RINGSIDE_DIR=/other/checkout runs that Ringside)
 */
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type WebSocket from 'ws';
import { freePort } from '../test/sip/support/sipp.js';
import { spawnChild } from './support/children.js';
import { descriptors, rssBytes, mb } from './support/proc-stats.js';
import { readSippOutcome, describeFailures } from './support/sipp-stats.js';
import { REPO, accountStream, benchConfig, startPhone, startRingsideChild } from './support/ringside-child.js';

if (spawnSync('which', ['sipp']).status !== 0) {
  console.log('SKIPPED: sipp is not installed');
  process.exit(0);
}

const env = process.env;
// 58: the phone's registration (3600 s, the registrar's maximum) must outlive the load phase and the idle check.
const MINUTES = Number(env.SOAK_MINUTES ?? 58);
if (MINUTES > 58) throw new Error('SOAK_MINUTES above 58 would outlive the phone\'s one-hour registration (the uas cannot refresh it)');
const RATE = Number(env.RATE ?? 5);
const WARMUP_MINUTES = Number(env.WARMUP_MINUTES ?? 5);
const WS_CLIENTS = Number(env.WS_CLIENTS ?? 20);
const [RECONNECT_MIN, RECONNECT_MAX] = (env.WS_RECONNECT_MS ?? '2000-5000').split('-').map(Number) as [number, number];
const SAMPLE_MS = 5000;
const RTP_PORTS = '20000-29999'; // 5,000 pairs for ~100 calls × 2 legs

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-soak-'));
// KEEP_DIR=1 keeps the temp dir (sipp's error logs, Ringside's data) for a look afterwards.
if (env.KEEP_DIR !== '1') process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const carrierPort = await freePort();
const r = await startRingsideChild({ dir, config: benchConfig(carrierPort, { record: true }), rtpPorts: RTP_PORTS });
const target = `127.0.0.1:${r.sipPort}`;
// The phone's binding must outlive the run: 3600 s is the registrar's maximum, so the load phase is capped
// below an hour of wall time from the registration (SOAK_MINUTES ≤ 58).
const phone = await startPhone({ dir, target, phonePort: await freePort(), hour: true, extraArgs: ['-rtp_echo', '-mp', String(await freePort())] });

interface HealthBody {
  process: { rssBytes: number; heapUsedBytes: number; eventLoopDelayMs: { p50: number; p99: number; max: number; windowSeconds: number }; openFds: number | null };
  media: { rtpPortPairsFree: number; rtpPortPairsTotal: number };
  log: { openSessions: number };
}
const health = async (): Promise<HealthBody> => (await (await fetch(r.url('/health'))).json()) as HealthBody;
await health(); // starts the first event-loop window at the load's start

// WebSocket clients: each connects to the account stream, stays 2–5 s, leaves, and comes back.
let running = true;
const ws = { connects: 0, errors: 0, events: 0, open: new Set<WebSocket>() };
const clients = Array.from({ length: WS_CLIENTS }, async (_, i) => {
  await sleep((i * RECONNECT_MIN) / WS_CLIENTS);
  while (running) {
    try {
      const socket = await accountStream(r.httpPort, () => ws.events++);
      ws.connects++;
      ws.open.add(socket);
      await sleep(RECONNECT_MIN + Math.random() * (RECONNECT_MAX - RECONNECT_MIN));
      socket.close();
      ws.open.delete(socket);
    } catch {
      ws.errors++;
      await sleep(1000);
    }
  }
});

// The carrier: RATE calls/s for MINUTES minutes.
const statFile = join(dir, 'carrier-stat.csv');
const carrier = spawnChild('sipp', ['-nostdin', '-i', '127.0.0.2', '-p', String(carrierPort), '-sf', join(REPO, 'bench/support/scenarios/soak-carrier.xml'), '-s', '+15550100', '-key', 'from', '+15557654321', '-r', String(RATE), '-m', String(RATE * 60 * MINUTES), '-mp', String(await freePort()), '-recv_timeout', '30000', '-trace_stat', '-stf', statFile, '-fd', '10', '-trace_err', '-timeout', `${MINUTES * 60 + 120}s`, target], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

interface Minute {
  minute: number;
  rss: number;
  heap: number;
  eld: HealthBody['process']['eventLoopDelayMs'];
  fds: number;
  udp: number;
  tcp: number;
  free: number;
  total: number;
  openSessions: number;
  ok: number;
  failed: number;
  recordings: number;
}
const minutes: Minute[] = [];
let recordingsSeen = 0;
const recordingsDir = join(r.child.proc.spawnargs[r.child.proc.spawnargs.indexOf('--data') + 1]!, 'recordings');

/** Deletes recordings finished over a minute ago; returns how many there were. */
function retention(): number {
  let n = 0;
  try {
    for (const f of readdirSync(recordingsDir)) {
      const p = join(recordingsDir, f);
      if (Date.now() - statSync(p).mtimeMs < 60_000) continue;
      n++;
      if (env.KEEP_RECORDINGS !== '1') unlinkSync(p);
    }
  } catch {
    // none yet
  }
  return n;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const t0 = Date.now();
console.error(`# soak: ${MINUTES} min, ${RATE} calls/s of ~19 s with RTP and recording, ${WS_CLIENTS} WebSocket clients reconnecting every ${RECONNECT_MIN}-${RECONNECT_MAX} ms; Ringside pid ${r.pid}`);
try {
  for (let m = 1; m <= MINUTES; m++) {
    const samples: { rss: number; fds: number; udp: number; tcp: number }[] = [];
    while (Date.now() < t0 + m * 60_000) {
      await sleep(Math.min(SAMPLE_MS, t0 + m * 60_000 - Date.now()));
      const d = descriptors(r.pid);
      samples.push({ rss: rssBytes(r.pid), fds: d.fds, udp: d.udp, tcp: d.tcp });
      if (carrier.proc.exitCode !== null && m < MINUTES) throw new Error(`the carrier sipp stopped early (${carrier.proc.exitCode}): ${carrier.stderr().slice(-2000)}`);
      if (r.child.proc.exitCode !== null) throw new Error(`ringside exited (${r.child.proc.exitCode}):\n${r.child.stderr().slice(-2000)}`);
    }
    const h = await health();
    const calls = readSippOutcome(statFile, dir);
    if (env.KEEP_RECORDINGS !== '1') recordingsSeen += retention();
    const row: Minute = {
      minute: m,
      rss: mean(samples.map((s) => s.rss)),
      heap: h.process.heapUsedBytes,
      eld: h.process.eventLoopDelayMs,
      fds: mean(samples.map((s) => s.fds)),
      udp: mean(samples.map((s) => s.udp)),
      tcp: mean(samples.map((s) => s.tcp)),
      free: h.media.rtpPortPairsFree,
      total: h.media.rtpPortPairsTotal,
      openSessions: h.log.openSessions,
      ok: calls.successful,
      failed: calls.failed,
      recordings: recordingsSeen,
    };
    minutes.push(row);
    console.error(`# min ${m}: RSS ${mb(row.rss)} MB (heap ${mb(row.heap)} MB), loop delay p50 ${row.eld.p50} p99 ${row.eld.p99} max ${row.eld.max} ms, fds ${row.fds.toFixed(0)} (UDP ${row.udp.toFixed(0)}, TCP ${row.tcp.toFixed(0)}), RTP pairs free ${row.free}/${row.total}, open sessions ${row.openSessions}, calls ok ${row.ok} failed ${row.failed}, ws connects ${ws.connects} errors ${ws.errors}`);
  }
} finally {
  running = false;
}

// The load stops: the last calls end (~20 s), the clients leave; then the pool must be whole again.
await Promise.race([carrier.exited, sleep(90_000)]);
await carrier.stop('SIGKILL', 0);
await Promise.all(clients);
for (const s of ws.open) s.close();
const calls = readSippOutcome(statFile, dir);
let after = await health();
const until = Date.now() + 60_000;
while ((after.media.rtpPortPairsFree !== after.media.rtpPortPairsTotal || after.log.openSessions > 0) && Date.now() < until) {
  await sleep(1000);
  after = await health();
}
await sleep(10_000);
const idleRss = rssBytes(r.pid);
const idleFds = descriptors(r.pid);
recordingsSeen += env.KEEP_RECORDINGS === '1' ? retention() : 0;
const warnings = r.warnings.length;
await phone.stop('SIGKILL', 0);
await r.stop();

// ---- report ----
console.log(`Soak: ${MINUTES} min, sipp carrier from 127.0.0.2 at ${RATE} calls/s (~19 s calls, g711a.pcap ×4, the phone echoing: RTP both ways), every call recorded (two channels), ${WS_CLIENTS} WebSocket clients reconnecting every ${RECONNECT_MIN / 1000}–${RECONNECT_MAX / 1000} s. RSS, fds and sockets: the mean of 5-s samples of /proc over each minute; loop delay: Ringside's own monitorEventLoopDelay over the minute (GET /health); RTP pairs free at the minute's end.\n`);
console.log('| minute | RSS MB | heap MB | loop delay p50 / p99 / max ms | fds | UDP sockets | TCP sockets | RTP pairs free | open sessions | calls ok | calls failed |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const m of minutes) console.log(`| ${m.minute} | ${mb(m.rss)} | ${mb(m.heap)} | ${m.eld.p50} / ${m.eld.p99} / ${m.eld.max} | ${m.fds.toFixed(0)} | ${m.udp.toFixed(0)} | ${m.tcp.toFixed(0)} | ${m.free}/${m.total} | ${m.openSessions} | ${m.ok} | ${m.failed} |`);
console.log(`| idle (load stopped) | ${mb(idleRss)} | ${mb(after.process.heapUsedBytes)} | ${after.process.eventLoopDelayMs.p50} / ${after.process.eventLoopDelayMs.p99} / ${after.process.eventLoopDelayMs.max} | ${idleFds.fds} | ${idleFds.udp} | ${idleFds.tcp} | ${after.media.rtpPortPairsFree}/${after.media.rtpPortPairsTotal} | ${after.log.openSessions} | ${calls.successful} | ${calls.failed} |`);

const checks: [string, boolean, string][] = [];
// Growth is judged from the end of the warm-up (WARMUP_MINUTES, 5): in the runs of 12-03 and 12-04 RSS climbed
// for the first 4 minutes (JIT, V8's heap sizing, SQLite's page caches, the RTP sockets) and then stayed
// within 1 %. Growth from minute 2 is printed too, as information.
const first = minutes.find((m) => m.minute === WARMUP_MINUTES) ?? minutes[1] ?? minutes[0];
const early = minutes[1];
const last = minutes[minutes.length - 1];
const growth = (a: number, b: number) => (a ? (100 * (b - a)) / a : 0);
if (first && last && first !== last) {
  for (const [name, a, b] of [['RSS', first.rss, last.rss], ['open fds', first.fds, last.fds], ['UDP sockets', first.udp, last.udp], ['TCP sockets', first.tcp, last.tcp]] as const) {
    const g = growth(a, b);
    checks.push([`${name} growth, minute ${first.minute} → ${last.minute} < 5 %`, g < 5, `${g.toFixed(1)} % (${name === 'RSS' ? `${mb(a)} → ${mb(b)} MB` : `${a.toFixed(0)} → ${b.toFixed(0)}`})`]);
  }
  if (early && early !== first) console.log(`\nRSS from minute ${early.minute} (inside the warm-up): ${mb(early.rss)} → ${mb(last.rss)} MB, ${growth(early.rss, last.rss).toFixed(1)} %.`);
} else checks.push(['growth (needs ≥ 2 minutes)', false, 'too short to compare']);
checks.push(['RTP port pool back to full after the load', after.media.rtpPortPairsFree === after.media.rtpPortPairsTotal, `${after.media.rtpPortPairsFree}/${after.media.rtpPortPairsTotal} pairs free, ${after.log.openSessions} sessions open`]);
checks.push(['no failed call', calls.failed === 0 && calls.successful > 0, `${calls.successful} ok, ${calls.failed} failed (${describeFailures(calls)})`]);
console.log(`\nWebSocket: ${ws.connects} connections made, ${ws.errors} failed, ${ws.events} account events received. Recordings written: ${recordingsSeen}. Log lines at warn or above: ${warnings}.\n`);
console.log('| check | result | figure |');
console.log('|---|---|---|');
for (const [name, ok, figure] of checks) console.log(`| ${name} | ${ok ? 'PASS' : 'FAIL'} | ${figure} |`);
const pass = checks.every((c) => c[1]);
console.log(`\nSoak: ${pass ? 'PASS' : 'FAIL'}`);
if (warnings) console.error(`# first warn lines:\n${r.warnings.slice(0, 5).join('\n')}`);
process.exitCode = pass ? 0 : 1;

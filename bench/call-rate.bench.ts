/**
 * The call rate through three targets, back to back in one run on the same machine: sipp's built-in uac
 * straight to sipp's uas (what sipp itself holds), through Kamailio as a stateful record-routing proxy
 * (bench/kamailio/kamailio.cfg, 2 children), and through Ringside (a child process: anchored media, the
 * durable log, a WebSocket client on the account stream; the uac is the carrier from 127.0.0.2 and the uas
 * is the ring-all line's phone, registered first from its port). Each target steps the offered rate (1 s
 * calls, no RTP, 10 s per step) and stops after its first step with a failed call. The uac is sipp's
 * built-in scenario as a file (bench/support/scenarios/uac.xml) that also accepts a 180 after the 200.
 * Per step: completed and failed calls (by kind: timeouts vs 503 …, from sipp's -trace_stat and
 * -trace_err), CPU time of the box in the middle per call (/proc utime+stime; Kamailio summed over its
 * processes, Ringside over its threads), kernel UDP receive-buffer drops, and for Ringside its RSS
 * before/after, then after an idle pause, and its SIP → WebSocket event latency (fact times from its event
 * log file → arrival at the bench's WebSocket client, a separate process from Ringside).
 *
 * Run: npm run bench -- call-rate
 * Env: STEPS=100,200,… (calls/s), TARGETS=direct,kamailio,ringside, STEP_SECONDS=10, PAUSE_SECONDS=5 (between
 *      steps), IDLE_SECONDS=40 (Ringside's idle pause at the end: longer than the 32 s UDP transaction linger),
 *      LOG_LEVEL=info (Ringside's).
 *      SCRAPE_MS=1000 scrapes Ringside's GET /metrics that often during each step (SCRAPE_ALTERNATE=1: every other step).
 *      PAST_LIMIT=1 keeps stepping after a failed step (how a box fails past its limit: 503s or timeouts, and
 *      what it still completes).
 *      HEALTH_MS=100 reads Ringside's overload figures from GET /health that often and prints them after each
 *      step (receive-buffer wait, loop delay and utilisation, INVITEs shed so far).
 *      PROFILE=1 PROFILE_RATE=200: Ringside only, one step under `--cpu-prof`, then the top self-time functions.
 *      PROFILE_DIR=/some/dir keeps the profiles there.
 *      KEEP_DIR=1 keeps sipp's stats and error logs; RINGSIDE_DIR=/other/checkout runs that Ringside.
 *      HEAP_SNAPSHOT_DIR=/some/dir keeps the heap snapshot taken after the idle pause (its full GC gives the
 *      heap Ringside retains).
 *      NODE_ARGS="--trace-gc …" adds flags to Ringside's node; TRACE_FILE=/some/file keeps what it prints that
 *      is no log line (V8's traces). LATENCY_FILE=/some/file.csv keeps each timed event: step, fact time, type,
 *      latency, and its two parts: fact → logged by the writer, logged → at the client.
 */
import { appendFileSync, mkdtempSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { freePort } from '../test/sip/support/sipp.js';
import { spawnChild, type Child } from './support/children.js';
import { cpuSeconds, treeCpuSeconds, rssBytes, udpCounters, udpPortDrops, mb } from './support/proc-stats.js';
import { describeFailures, type SippOutcome } from './support/sipp-stats.js';
import { failedOutcome, runUacStep } from './support/uac-step.js';
import { summariseProfile } from './support/cpuprofile.js';
import { REPO, accountStream, benchConfig, startPhone, startRingsideChild, startUas, type RingsideChild } from './support/ringside-child.js';
import { quantile } from './support/quantile.js';

type Target = 'direct' | 'kamailio' | 'ringside';

const env = process.env;
const PROFILE = env.PROFILE === '1';
const STEPS = (PROFILE ? env.PROFILE_RATE ?? '200' : env.STEPS ?? '100,200,300,400,600,800,1000,1500,2000').split(',').map(Number).filter((n) => n > 0);
const TARGETS = (PROFILE ? ['ringside'] : (env.TARGETS ?? 'direct,kamailio,ringside').split(',')) as Target[];
const STEP_SECONDS = Number(env.STEP_SECONDS ?? 10);
const PAUSE_SECONDS = Number(env.PAUSE_SECONDS ?? 5);
const IDLE_SECONDS = Number(env.IDLE_SECONDS ?? 40);
const SCRAPE_MS = Number(env.SCRAPE_MS ?? 0);
const HEALTH_MS = Number(env.HEALTH_MS ?? 0);
let stepIndex = 0;
// 20,000 pairs: at 2,000 calls/s, ~3,000 calls in progress hold 2 legs × 1 pair each, with room to spare.
const RTP_PORTS = '20000-59999';

for (const tool of ['sipp', ...(TARGETS.includes('kamailio') ? ['kamailio'] : [])]) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.log(`SKIPPED: ${tool} is not installed`);
    process.exit(0);
  }
}

interface Step {
  rate: number;
  offered: number;
  outcome: SippOutcome;
  seconds: number;
  cpuMsPerCall: number;
  cpuPercent: number;
  rcvbufDrops: number;
  /** Drops at the box's SIP socket and at the uac's. */
  boxDrops: number;
  uacDrops: number;
  rssBefore?: number;
  rssAfter?: number;
  warnings?: number;
  /** SIP → WebSocket: fact time of a call's start, answer and end → its realtime event at the client (ms). */
  latency?: { events: number; p50: number; p99: number };
  /** Ringside with SCRAPE_MS: GET /metrics during the step (count, mean ms at the bench's client). */
  scrapes?: { count: number; meanMs: number };
  load: string;
}

interface Box {
  /** Where the uac sends. */
  target: string;
  /** The SIP port the box receives on (its socket's drops are counted). */
  port: number;
  /** The process whose CPU is counted, and how. */
  pid: number;
  cpu: () => number;
  label: string;
  ringside?: RingsideChild;
  /** Ringside: arrival time (epoch ms) of each realtime event at the WebSocket client, by `${trackingId}:${eventName}`. */
  arrivals?: Map<string, number>;
  /** Ringside: its event log (the child's data dir), read after each step for the facts' times. */
  eventLogFile?: string;
  stop(): Promise<void>;
}

const root = mkdtempSync(join(tmpdir(), 'ringside-bench-rate-'));
// KEEP_DIR=1 keeps the temp dir (sipp's error logs, Ringside's data) for a look afterwards.
if (env.KEEP_DIR !== '1') process.on('exit', () => rmSync(root, { recursive: true, force: true }));

async function startBox(target: Target, dir: string, carrierPort: number, profileDir?: string): Promise<Box> {
  if (target === 'direct') {
    const port = await freePort();
    const uas = startUas({ dir, port });
    await sleep(500);
    return { target: `127.0.0.1:${port}`, port, pid: uas.pid, cpu: () => cpuSeconds(uas.pid), label: 'sipp uas', stop: async () => void (await uas.stop('SIGKILL', 0)) };
  }
  if (target === 'kamailio') {
    const uasPort = await freePort();
    const uas = startUas({ dir, port: uasPort });
    const port = await freePort();
    const kam = spawnChild('kamailio', ['-DD', '-E', '-f', join(REPO, 'bench/kamailio/kamailio.cfg'), '-A', `UAS_URI="sip:127.0.0.1:${uasPort}"`, '-l', `udp:127.0.0.1:${port}`, '-m', '256', '-M', '16', '-Y', dir, '-P', join(dir, 'kamailio.pid')], { cwd: dir, keepBytes: 1 << 16 });
    await waitFor(() => kam.stderr().includes('Listening on') || kam.proc.exitCode !== null, 10_000);
    await sleep(1000);
    if (kam.proc.exitCode !== null) throw new Error(`kamailio did not start:\n${kam.stderr().slice(-2000)}`);
    return {
      target: `127.0.0.1:${port}`,
      port,
      pid: kam.pid,
      cpu: () => treeCpuSeconds(kam.pid),
      label: 'kamailio (all processes)',
      stop: async () => {
        await kam.stop('SIGTERM', 5000);
        await uas.stop('SIGKILL', 0);
      },
    };
  }
  // SIGUSR2 writes a heap snapshot into the diagnostic dir: a full GC first, so the heap read after it is what is retained.
  const nodeArgs = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${join(dir, 'heap')}`, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(env.NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])];
  mkdirSync(join(dir, 'heap'));
  const r = await startRingsideChild({ dir, config: benchConfig(carrierPort), rtpPorts: RTP_PORTS, logLevel: env.LOG_LEVEL ?? 'info', nodeArgs, ...(env.TRACE_FILE ? { traceFile: env.TRACE_FILE } : {}) });
  let phone: Child | undefined;
  try {
    const target = `127.0.0.1:${r.sipPort}`;
    phone = await startPhone({ dir, target, phonePort: await freePort() });
    const arrivals = new Map<string, number>();
    const ws = await accountStream(r.httpPort, (m) => void arrivals.set(`${m.trackingId}:${m.eventName}`, performance.timeOrigin + performance.now()));
    return {
      target,
      port: r.sipPort,
      pid: r.pid,
      cpu: () => cpuSeconds(r.pid),
      label: 'ringside (all threads)',
      ringside: r,
      arrivals,
      eventLogFile: join(dir, 'data', 'events.db'),
      stop: async () => {
        ws.close();
        await phone?.stop('SIGKILL', 0);
        await r.stop();
      },
    };
  } catch (err) {
    await phone?.stop('SIGKILL', 0);
    await r.stop(0);
    throw err;
  }
}

async function step(box: Box, rate: number, dir: string, carrierPort: number): Promise<Step> {
  const stepDir = join(dir, `step-${rate}`);
  mkdirSync(stepDir);
  const offered = rate * STEP_SECONDS;
  const load = loadavg()[0]!.toFixed(2);
  const warnBefore = box.ringside?.warnings.length ?? 0;
  const rssBefore = box.ringside ? rssBytes(box.pid) : undefined;
  const udp0 = udpCounters();
  const drops0 = [udpPortDrops(box.port), udpPortDrops(carrierPort)];
  const cpu0 = box.cpu();
  const t0 = performance.now();
  const t0Epoch = Date.now();
  box.arrivals?.clear();
  // SCRAPE_MS: a Prometheus-like scraper on Ringside's /metrics during the step (every other step with
  // SCRAPE_ALTERNATE=1, so steps with and without it sit side by side in one run).
  const scraping = box.ringside !== undefined && SCRAPE_MS > 0 && (env.SCRAPE_ALTERNATE !== '1' || stepIndex++ % 2 === 0);
  const scrapeTimes: number[] = [];
  const scraper = scraping
    ? setInterval(() => {
        const at = performance.now();
        fetch(`http://127.0.0.1:${box.ringside!.httpPort}/metrics`)
          .then((r) => r.text())
          .then(() => scrapeTimes.push(performance.now() - at), () => undefined);
      }, SCRAPE_MS)
    : undefined;
  const health: string[] = [];
  const healthReader =
    box.ringside !== undefined && HEALTH_MS > 0
      ? setInterval(() => {
          const at = ((performance.now() - t0) / 1000).toFixed(1);
          fetch(`http://127.0.0.1:${box.ringside!.httpPort}/health`)
            .then((r) => r.json() as Promise<{ overload?: { socketDelayMs: number; loopDelayMs: number; utilization: number; shed: number } }>)
            .then((h) => {
              const o = h.overload;
              if (o) health.push(`${at} s: wait ${o.socketDelayMs} ms, loop ${o.loopDelayMs} ms, busy ${o.utilization}, shed ${o.shed}`);
            }, () => undefined);
        }, HEALTH_MS)
      : undefined;
  const { outcome } = await runUacStep({ target: box.target, carrierPort, rate, seconds: STEP_SECONDS, stepDir });
  if (healthReader) {
    clearInterval(healthReader);
    console.error(`# ringside ${rate}/s overload figures every ${HEALTH_MS} ms:\n${health.join('\n')}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = box.cpu() - cpu0;
  if (scraper) clearInterval(scraper);
  const udp1 = udpCounters();
  const drops1 = [udpPortDrops(box.port), udpPortDrops(carrierPort)];
  const s: Step = {
    rate,
    offered,
    outcome,
    seconds,
    cpuMsPerCall: (1000 * cpu) / Math.max(1, outcome.created),
    cpuPercent: (100 * cpu) / seconds,
    rcvbufDrops: udp1.rcvbufErrors - udp0.rcvbufErrors,
    boxDrops: drops1[0]! - drops0[0]!,
    uacDrops: drops1[1]! - drops0[1]!,
    load,
  };
  if (scraping) s.scrapes = { count: scrapeTimes.length, meanMs: scrapeTimes.reduce((a, b) => a + b, 0) / Math.max(1, scrapeTimes.length) };
  if (box.ringside) {
    s.rssBefore = rssBefore;
    s.rssAfter = rssBytes(box.pid);
    s.warnings = box.ringside.warnings.length - warnBefore;
    await sleep(1500); // the step's last events reach the client
    s.latency = eventLatency(box, t0Epoch, rate);
  }
  if (env.KEEP_DIR !== '1') rmSync(stepDir, { recursive: true, force: true });
  return s;
}

const failedStep = (s: Step) => failedOutcome(s.outcome, s.offered);

/** Ringside's RSS and V8 heap in use (its /health) at start, after the last step and after the idle pause. */
interface Idle {
  start: number;
  end: number;
  idle: number;
  heapStart: number;
  heapEnd: number;
  heapIdle: number;
  /** Heap in use and RSS right after the snapshot's full GC: what the process retains. */
  heapRetained: number;
  rssRetained: number;
}

const results = new Map<Target, { steps: Step[]; label: string; idle?: Idle }>();
let profileDir: string | undefined;
if (PROFILE) {
  // PROFILE_DIR keeps the .cpuprofile files (for DevTools or an inclusive-time reading) after the run.
  profileDir = env.PROFILE_DIR ?? join(root, 'profile');
  mkdirSync(profileDir, { recursive: true });
}

for (const target of TARGETS) {
  const dir = join(root, target);
  mkdirSync(dir);
  const carrierPort = await freePort();
  console.error(`# ${target}: starting`);
  const box = await startBox(target, dir, carrierPort, profileDir);
  const steps: Step[] = [];
  const rssStart = box.ringside ? rssBytes(box.pid) : 0;
  const heapStart = box.ringside ? await heapUsed(box.ringside) : 0;
  try {
    for (const rate of STEPS) {
      const s = await step(box, rate, dir, carrierPort);
      steps.push(s);
      console.error(`# ${target} ${rate}/s: ${s.outcome.successful}/${s.offered} ok, failed ${s.outcome.failed} (${describeFailures(s.outcome)}), ${s.cpuMsPerCall.toFixed(3)} ms CPU/call${s.rssAfter ? `, RSS ${mb(s.rssAfter)} MB` : ''}, load ${s.load}`);
      if (failedStep(s) && env.PAST_LIMIT !== '1') break;
      await sleep(PAUSE_SECONDS * 1000);
    }
    const entry: { steps: Step[]; label: string; idle?: Idle } = { steps, label: box.label };
    if (box.ringside) {
      const end = rssBytes(box.pid);
      const heapEnd = await heapUsed(box.ringside);
      await sleep(IDLE_SECONDS * 1000);
      const idle = rssBytes(box.pid);
      const heapIdle = await heapUsed(box.ringside);
      const heapRetained = await heapAfterFullGc(box.pid, box.ringside, join(dir, 'heap'));
      entry.idle = { start: rssStart, end, idle, heapStart, heapEnd, heapIdle, heapRetained, rssRetained: rssBytes(box.pid) };
      const warnings = box.ringside.warnings;
      if (warnings.length) console.error(`# ringside logged ${warnings.length} lines at warn or above; first:\n${warnings.slice(0, 5).join('\n')}`);
    }
    results.set(target, entry);
  } finally {
    await box.stop();
  }
}

// ---- report ----
const rows = (t: Target) => results.get(t)?.steps ?? [];
console.log(`Offered rate stepped per target (1 s calls, no RTP, ${STEP_SECONDS} s per step, sipp's built-in uac (a 180 after the 200 accepted: scenarios/uac.xml) from 127.0.0.2 → X → sipp built-in uas); a target stops after its first step with a failed call. CPU: the box in the middle, /proc utime+stime over the step ÷ calls created. UDP drops: datagrams the kernel dropped during the step for a full receive buffer, at the box's SIP socket, at the uac's, and on the whole machine (other work included). Load: 1-min load average at the step's start (2 cores, shared).\n`);
for (const [t, r] of results) {
  console.log(`### ${t} — CPU of ${r.label}\n`);
  const rs = t === 'ringside';
  console.log(`| offered calls/s | calls | completed | failed | failures by kind | box CPU ms/call | box CPU % | UDP drops: box / uac / machine |${rs ? ' RSS before → after | warn lines | SIP→WS p50 / p99 (events) |' : ''} load |`);
  console.log(`|---|---|---|---|---|---|---|---|${rs ? '---|---|---|' : ''}---|`);
  for (const s of r.steps) {
    console.log(`| ${s.rate} | ${s.offered} | ${s.outcome.successful} | ${s.outcome.failed} | ${describeFailures(s.outcome)} | ${s.cpuMsPerCall.toFixed(3)} | ${s.cpuPercent.toFixed(0)} | ${s.boxDrops} / ${s.uacDrops} / ${s.rcvbufDrops} |${rs ? ` ${mb(s.rssBefore ?? 0)} → ${mb(s.rssAfter ?? 0)} MB | ${s.warnings ?? 0} | ${s.latency ? `${s.latency.p50.toFixed(1)} / ${s.latency.p99.toFixed(1)} ms (${s.latency.events})` : '-'} |` : ''} ${s.load} |${s.scrapes ? ` scraped ×${s.scrapes.count} (${s.scrapes.meanMs.toFixed(1)} ms each)` : ''}`);
  }
  if (r.idle) console.log(`\nRingside RSS: ${mb(r.idle.start)} MB at start, ${mb(r.idle.end)} MB after the last step, ${mb(r.idle.idle)} MB after ${IDLE_SECONDS} s idle; V8 heap in use: ${mb(r.idle.heapStart)} → ${mb(r.idle.heapEnd)} → ${mb(r.idle.heapIdle)} MB, ${mb(r.idle.heapRetained)} MB after a full GC (heap snapshot; RSS then ${mb(r.idle.rssRetained)} MB).`);
  console.log('');
}

function best(t: Target): { rate: number; step?: Step; capped: boolean } {
  const steps = rows(t);
  let rate = 0;
  let at: Step | undefined;
  for (const s of steps) if (!failedStep(s)) {
    rate = s.rate;
    at = s;
  }
  return { rate, step: at, capped: steps.length === STEPS.length && !steps.some(failedStep) };
}

if (!PROFILE) {
  console.log('### Summary\n');
  console.log(`| target | highest rate with 0 failed calls | box CPU ms/call there | box CPU ms/call at ${STEPS[0]} calls/s |`);
  console.log('|---|---|---|---|');
  for (const t of results.keys()) {
    const b = best(t);
    console.log(`| ${t} | ${b.capped ? '≥ ' : ''}${b.rate} calls/s | ${b.step ? b.step.cpuMsPerCall.toFixed(3) : '-'} | ${rows(t)[0]?.cpuMsPerCall.toFixed(3) ?? '-'} |`);
  }
  const rg = best('ringside');
  for (const other of ['kamailio', 'direct'] as const) {
    if (!results.has(other) || !results.has('ringside')) continue;
    const o = best(other);
    if (!o.rate) {
      console.log(`\nRingside/${other}: n/a (${other} passed no step)`);
      continue;
    }
    const ratio = rg.rate / o.rate;
    // A capped reference (passed every step) makes the ratio an upper bound.
    console.log(`\nRingside/${other}: ${o.capped ? '≤ ' : ''}${ratio.toFixed(2)} (${rg.rate} vs ${o.capped ? '≥ ' : ''}${o.rate} calls/s)`);
  }
  const rk = best('kamailio').step;
  if (rg.step && rk) console.log(`CPU per call, Ringside/Kamailio at their highest passing rates: ${(rg.step.cpuMsPerCall / rk.cpuMsPerCall).toFixed(1)}×`);
}

if (PROFILE && profileDir) {
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const thread = (f: string) => Number(f.split('.')[4]);
  files.sort((a, b) => thread(a) - thread(b) || statSync(join(profileDir!, b)).size - statSync(join(profileDir!, a)).size);
  for (const f of files) {
    const p = summariseProfile(join(profileDir, f), thread(f) === 0 ? 25 : 10);
    console.log(`\n### --cpu-prof at ${STEPS[0]} calls/s: ${thread(f) === 0 ? 'main thread' : `thread ${thread(f)}`} (${f}): ${p.seconds.toFixed(0)} s profiled, ${p.totalSamples} samples, ${(100 - p.idlePercent).toFixed(1)} % not idle (whole profile: start, the step, stop)\n`);
    console.log('| self % | samples | function | where |');
    console.log('|---|---|---|---|');
    for (const e of p.entries) console.log(`| ${e.percent.toFixed(1)} | ${e.samples} | ${e.name} | ${e.where} |`);
    if (thread(f) === 0) {
      console.log('\n| self % by file | samples | file |');
      console.log('|---|---|---|');
      for (const e of p.files) console.log(`| ${e.percent.toFixed(1)} | ${e.samples} | ${e.name} |`);
    }
  }
  if (!files.length) console.log('no .cpuprofile was written (did Ringside stop cleanly?)');
}

/**
 * SIP → WebSocket latency of one step: for each session the step started, the fact times (taken when the
 * switch saw the INVITE, the answer, the BYE; read from the child's event log file, WAL mode allows a
 * second reader) → when this process's WebSocket client received the realtime `start`, `answer`, `end`.
 */
function eventLatency(box: Box, sinceEpochMs: number, rate: number): Step['latency'] {
  if (!box.eventLogFile || !box.arrivals) return undefined;
  const db = new Database(box.eventLogFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT session_id AS s, type, at FROM facts WHERE at >= ? AND type IN ('session.started', 'leg.joined', 'session.ended') ORDER BY position`).all(sinceEpochMs) as { s: string; type: string; at: number }[];
    // When the writer logged each realtime event: the latency splits into fact → logged and logged → client.
    const logged = new Map<string, number>();
    for (const e of db.prepare(`SELECT session_id AS s, name, logged_at AS l FROM events WHERE dialect = 'realtime' AND logged_at >= ?`).iterate(sinceEpochMs) as Iterable<{ s: string; name: string; l: number }>)
      logged.set(`${e.s}:${e.name.slice(e.name.lastIndexOf('.') + 1)}`, e.l);
    const joins = new Map<string, number>();
    const lat: number[] = [];
    for (const r of rows) {
      // The second leg.joined of a session is the answer (the caller's leg joins first).
      const name = r.type === 'session.started' ? 'start' : r.type === 'session.ended' ? 'end' : (joins.set(r.s, (joins.get(r.s) ?? 0) + 1), joins.get(r.s) === 2 ? 'answer' : undefined);
      const at = name && box.arrivals.get(`${r.s}:${name}`);
      if (!at) continue;
      lat.push(at - r.at);
      const l = logged.get(`${r.s}:${name}`);
      if (env.LATENCY_FILE) appendFileSync(env.LATENCY_FILE, `${rate},${r.at},${name},${(at - r.at).toFixed(1)},${l === undefined ? '' : l - r.at},${l === undefined ? '' : (at - l).toFixed(1)}\n`);
    }
    lat.sort((a, b) => a - b);
    return { events: lat.length, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
  } finally {
    db.close();
  }
}

/** Signals the heap snapshot (its full GC runs first), waits until the file is complete, then reads the heap.
 *  HEAP_SNAPSHOT_DIR keeps the snapshot (for DevTools' retainers view); otherwise it is deleted. */
async function heapAfterFullGc(pid: number, r: RingsideChild, dir: string): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  for (let last = -1, i = 0; i < 600; i++) {
    await sleep(500);
    file ??= readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    if (size > 0 && size === last) break;
    last = size;
  }
  const heap = await heapUsed(r); // answered only once the snapshot, written on the main thread, is done
  if (file) {
    if (env.HEAP_SNAPSHOT_DIR) {
      mkdirSync(env.HEAP_SNAPSHOT_DIR, { recursive: true });
      renameSync(join(dir, file), join(env.HEAP_SNAPSHOT_DIR, file));
    } else rmSync(join(dir, file));
  }
  return heap;
}

async function heapUsed(r: RingsideChild): Promise<number> {
  const h = (await (await fetch(r.url('/health'))).json()) as { process: { heapUsedBytes: number } };
  return h.process.heapUsedBytes;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond() && Date.now() < until) await sleep(50);
}

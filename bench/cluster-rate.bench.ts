/**
 * Issue 17: the call rate of one Ringside node vs two behind Kamailio, back to back on this machine; the
 * ratio two/one is the figure. Configurations (CONFIGS, in this order):
 * - `sqlite`: one node with the embedded SQLite store and log (the default), for reference;
 * - `one`: one node on the PostgreSQL store and the NATS JetStream log;
 * - `two`: two nodes (127.0.0.11, 127.0.0.12) on one PostgreSQL store and one JetStream log.
 * Each behind Kamailio with the deploy config (deploy/kamailio/kamailio.cfg: outside socket for the carrier,
 * inside socket facing the nodes, round-robin dispatch, record-routing) on 127.0.0.10. The PostgreSQL
 * configurations get a fresh schema and fresh stream names/subject prefix, dropped/deleted after.
 * The carrier is sipp's built-in uac from 127.0.0.2 (bench/support/scenarios/uac-routed.xml: its ACK and BYE
 * follow the Record-Route) → Kamailio → a node
 * → the phone: sipp's built-in uas on 127.0.0.1, registered with node A (in `two`, node B finds the binding
 * in the shared store). Each configuration steps the offered rate (1 s calls, no RTP) and stops after its
 * first step with a failed call. Per step: completed and failed calls, how Kamailio spread the INVITEs, and
 * CPU time per call (/proc utime+stime over the step ÷ calls created) of Kamailio (all its processes), each
 * node (all threads), the PostgreSQL and NATS servers (every postgres and nats-server process on the
 * machine: other work included) and all of them together.
 *
 * MODE=relay: relayed calls instead of call setup. The carrier is bench/support/scenarios/soak-carrier.xml
 * (~19.2 s calls playing sipp's g711a.pcap four times, ACK and BYE along the Record-Route), the phone's uas
 * echoes the RTP (-rtp_echo), so every call is relayed by its node both ways. A step offers N concurrent calls
 * (N calls per 19.2 s: -r N -rp 19200) for STEP_SECONDS; CPU is per relayed call (~19 s of G.711 each way).
 * The nodes' RTP packets relayed and lost over the step come from their GET /metrics
 * (ringside_rtp_packets_total); bench/media-relay.bench.ts measures the relay itself in detail.
 *
 * Two nodes on one machine share its cores (2 here): the ratio measures what the cluster costs, not what
 * scaling out gains; on separate machines each node has its own cores. The bench prints this caveat.
 *
 * Run: npm run bench -- cluster-rate
 * Env: MODE=cps|relay, STEPS=50,100,… (calls/s; MODE=relay: concurrent calls), STEP_SECONDS=10 (relay: 40),
 *      PAUSE_SECONDS=5 (between steps), CONFIGS=sqlite,one,two,
 *      LOG_LEVEL=info (the nodes'), RINGSIDE_TEST_PG (default postgres://postgres@127.0.0.1:5432/test),
 *      RINGSIDE_TEST_NATS (default nats://127.0.0.1:4222), KEEP_DIR=1 keeps sipp's stats and error logs.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../test/sip/support/sipp.js';
import { pgUnavailable, testSchemaUrl } from '../test/support/pg-test-database.js';
import { natsUnavailable, deleteTestStreams, testNames, TEST_NATS } from '../src/events/log/nats-test-support.js';
import { parsePgUrl } from '../src/store/pg-database.js';
import type { Child } from './support/children.js';
import { cpuSeconds } from './support/proc-stats.js';
import { describeFailures, type SippOutcome } from './support/sipp-stats.js';
import { benchConfig, startPhone, startRingsideChild, type RingsideChild } from './support/ringside-child.js';
import { startDispatcher, type Dispatcher } from './support/kamailio-dispatcher.js';
import { failedOutcome, runUacStep } from './support/uac-step.js';

type Config = 'sqlite' | 'one' | 'two';

const env = process.env;
const RELAY = env.MODE === 'relay';
const STEPS = (env.STEPS ?? (RELAY ? '50,100,200,300,400,500,600,800' : '50,100,150,200,300,400,500,600,800,1000')).split(',').map(Number).filter((n) => n > 0);
const CONFIGS = (env.CONFIGS ?? 'sqlite,one,two').split(',') as Config[];
const STEP_SECONDS = Number(env.STEP_SECONDS ?? (RELAY ? 40 : 10));
/** MODE=relay: the carrier's call length (soak-carrier.xml: 4 × 4.8 s of g711a.pcap). */
const RELAY_CALL_MS = 19_200;
const UNIT = RELAY ? 'concurrent calls' : 'calls/s';
const PAUSE_SECONDS = Number(env.PAUSE_SECONDS ?? 5);
const KAMAILIO = '127.0.0.10';
const NODES = ['127.0.0.11', '127.0.0.12'];
// Each node its own half of the range: at 1,000 calls/s ~1,500 calls in progress hold 2 pairs each.
const RTP_PORTS = ['20000-39999', '40000-59999'];

for (const tool of ['sipp', 'kamailio']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.log(`*** SKIPPED: ${tool} is not installed ***`);
    process.exit(0);
  }
}
if (CONFIGS.some((c) => c !== 'sqlite')) {
  const why = (await pgUnavailable()) || (await natsUnavailable());
  if (why) {
    console.log(`*** SKIPPED: ${why} ***`);
    process.exit(0);
  }
}

interface Step {
  rate: number;
  offered: number;
  outcome: SippOutcome;
  /** INVITEs Kamailio dispatched to each node. */
  dispatched: number[];
  /** CPU ms per call created. */
  kamailio: number;
  nodes: number[];
  /** PostgreSQL's and NATS's servers. */
  pg: number;
  nats: number;
  all: number;
  load: string;
  /** MODE=relay: RTP packets the nodes relayed leg to leg and counted lost over the step (all nodes). */
  rtp?: { relayed: number; lost: number };
}

interface Cluster {
  kam: Dispatcher;
  nodes: RingsideChild[];
  /** Dispatch log lines so far, per node. */
  dispatched(): number[];
  carrierPort: number;
  stop(): Promise<void>;
}

const root = mkdtempSync(join(tmpdir(), 'ringside-bench-cluster-'));
if (env.KEEP_DIR !== '1') process.on('exit', () => rmSync(root, { recursive: true, force: true }));

/** CPU seconds of each PostgreSQL and NATS server process on the machine (shared with other work), by pid. */
function serverCpu(): Map<number, { comm: string; sec: number }> {
  const by = new Map<number, { comm: string; sec: number }>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'postgres' || comm === 'nats-server') by.set(Number(p), { comm, sec: cpuSeconds(Number(p)) });
  }
  return by;
}

/** CPU the servers' processes alive at the end used since `before` (a process that started during the step
 *  counts whole; one that ended is lost: the nodes' pooled connections live throughout, others' may not). */
function serverCpuSince(before: Map<number, { sec: number }>): { pg: number; nats: number } {
  const s = { pg: 0, nats: 0 };
  for (const [pid, { comm, sec }] of serverCpu()) s[comm === 'postgres' ? 'pg' : 'nats'] += Math.max(0, sec - (before.get(pid)?.sec ?? 0));
  return s;
}

async function startCluster(config: Config, dir: string, shared: { pgUrl: string; natsUrl: string } | undefined): Promise<Cluster> {
  const carrierPort = await freePort();
  const count = config === 'two' ? 2 : 1;
  const started: RingsideChild[] = [];
  let phone: Child | undefined;
  let kam: Dispatcher | undefined;
  const stop = async () => {
    await kam?.stop();
    await phone?.stop('SIGKILL', 0);
    for (const n of started) await n.stop();
  };
  try {
    // One after the other: the first applies the schema's migrations.
    for (let i = 0; i < count; i++) {
      const nodeDir = join(dir, `node-${i}`);
      mkdirSync(nodeDir);
      const serveArgs = shared ? ['--store', shared.pgUrl, '--log', shared.natsUrl, '--node-id', `bench-${i}`] : [];
      started.push(await startRingsideChild({ dir: nodeDir, config: benchConfig(carrierPort, {}, [KAMAILIO]), rtpPorts: RTP_PORTS[i]!, host: NODES[i]!, serveArgs, logLevel: env.LOG_LEVEL ?? 'info' }));
    }
    const a = started[0]!;
    // MODE=relay: the phone sends back the RTP it gets, so each call is relayed both ways.
    phone = await startPhone({ dir, target: `${NODES[0]}:${a.sipPort}`, phonePort: await freePort(), extraArgs: RELAY ? ['-rtp_echo', '-mp', String(await freePort())] : [] });
    kam = await startDispatcher({ dir, host: KAMAILIO, port: await freePort(), internalPort: await freePort(), nodes: started.map((n, i) => `${NODES[i]}:${n.sipPort}`) });
    const k = kam;
    // "dispatch INVITE <call-id> to sip:host:port" (kamailio.cfg's route TO_NODE), counted per node.
    const dispatched = () => started.map((n, i) => k.dispatches(`sip:${NODES[i]}:${n.sipPort}`));
    return { kam, nodes: started, dispatched, carrierPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function step(c: Cluster, rate: number, dir: string): Promise<Step> {
  const stepDir = join(dir, `step-${rate}`);
  mkdirSync(stepDir);
  const offered = RELAY ? Math.round((rate * STEP_SECONDS * 1000) / RELAY_CALL_MS) : rate * STEP_SECONDS;
  const load = loadavg()[0]!.toFixed(2);
  const d0 = c.dispatched();
  const k0 = c.kam.cpu();
  const n0 = c.nodes.map((n) => cpuSeconds(n.pid));
  const s0 = serverCpu();
  const rtp0 = RELAY ? await rtpPackets(c.nodes) : undefined;
  const { outcome } = RELAY
    ? await runUacStep({ target: c.kam.target, carrierPort: c.carrierPort, rate, seconds: STEP_SECONDS, stepDir, scenario: 'soak-carrier.xml', calls: offered, extraArgs: ['-rp', String(RELAY_CALL_MS), '-key', 'from', '+15557654321', '-mp', String(await freePort())] })
    : await runUacStep({ target: c.kam.target, carrierPort: c.carrierPort, rate, seconds: STEP_SECONDS, stepDir, scenario: 'uac-routed.xml' });
  const k = c.kam.cpu() - k0;
  const n = c.nodes.map((x, i) => cpuSeconds(x.pid) - n0[i]!);
  const s = serverCpuSince(s0);
  const d1 = c.dispatched();
  const rtp1 = RELAY ? await rtpPackets(c.nodes) : undefined;
  const perCall = (sec: number) => (1000 * sec) / Math.max(1, outcome.created);
  if (env.KEEP_DIR !== '1') rmSync(stepDir, { recursive: true, force: true });
  return {
    rate,
    offered,
    outcome,
    dispatched: d1.map((x, i) => x - d0[i]!),
    kamailio: perCall(k),
    nodes: n.map(perCall),
    pg: perCall(s.pg),
    nats: perCall(s.nats),
    all: perCall(k + n.reduce((a, b) => a + b, 0) + s.pg + s.nats),
    load,
    ...(rtp0 && rtp1 ? { rtp: { relayed: rtp1.relayed - rtp0.relayed, lost: rtp1.lost - rtp0.lost } } : {}),
  };
}

const results = new Map<Config, Step[]>();
for (const config of CONFIGS) {
  const dir = join(root, config);
  mkdirSync(dir);
  const names = testNames();
  const shared = config === 'sqlite' ? undefined : { pgUrl: testSchemaUrl('rs_bench'), natsUrl: `${TEST_NATS}?stream=${names.stream}&prefix=${names.prefix}` };
  console.error(`# ${config}: starting`);
  const steps: Step[] = [];
  results.set(config, steps);
  try {
    const c = await startCluster(config, dir, shared);
    try {
      for (const rate of STEPS) {
        const s = await step(c, rate, dir);
        steps.push(s);
        console.error(`# ${config} ${rate} ${UNIT}: ${s.outcome.successful}/${s.offered} ok, failed ${s.outcome.failed} (${describeFailures(s.outcome)}), dispatched ${s.dispatched.join('/')}, CPU ms/call: kamailio ${s.kamailio.toFixed(3)}, nodes ${s.nodes.map((x) => x.toFixed(3)).join(' + ')}, PostgreSQL ${s.pg.toFixed(3)}, NATS ${s.nats.toFixed(3)}, all ${s.all.toFixed(3)}${s.rtp ? `; RTP relayed ${s.rtp.relayed}, lost ${s.rtp.lost}` : ''}; load ${s.load}`);
        if (failedOutcome(s.outcome, s.offered)) break;
        await sleep(PAUSE_SECONDS * 1000);
      }
      const warnings = c.nodes.flatMap((n) => n.warnings);
      if (warnings.length) console.error(`# ${config}: the nodes logged ${warnings.length} lines at warn or above; first:\n${warnings.slice(0, 5).join('\n')}`);
    } finally {
      await c.stop();
    }
  } finally {
    if (shared) await dropShared(shared.pgUrl, names);
  }
}

// ---- report ----
const LABEL: Record<Config, string> = {
  sqlite: 'one node, SQLite store + SQLite log (the default)',
  one: 'one node, PostgreSQL store + JetStream log',
  two: 'two nodes, one PostgreSQL store + one JetStream log',
};
console.log(`${RELAY ? `Relayed calls: offered concurrent calls stepped per configuration (~19.2 s calls of G.711 from sipp's g711a.pcap, echoed by the phone: relayed both ways; N calls per 19.2 s for ${STEP_SECONDS} s per step): sipp (scenarios/soak-carrier.xml)` : `Offered rate stepped per configuration (1 s calls, no RTP, ${STEP_SECONDS} s per step): sipp's built-in uac (scenarios/uac-routed.xml)`} from 127.0.0.2 → Kamailio (deploy/kamailio/kamailio.cfg, 127.0.0.10) → Ringside node(s) (127.0.0.11, .12; compiled dist/) → sipp's built-in uas registered with node A; a configuration stops after its first step with a failed call. CPU: /proc utime+stime over the step ÷ calls created; "PostgreSQL" and "NATS" sum every postgres and nats-server process on the machine (other work included); "all" is Kamailio + nodes + PostgreSQL + NATS. Load: 1-min load average at the step's start.`);
console.log(`\n**Caveat:** this machine has ${cpus().length} cores and every process of a configuration shares them (Kamailio, the nodes, PostgreSQL, NATS, sipp): two nodes here do not get twice the CPU, so the two/one ratio measures the cluster's overhead (shared store and log, the second node's own work), not the gain of scaling out onto separate machines.\n`);
for (const [config, steps] of results) {
  const two = config === 'two';
  console.log(`### ${config}: ${LABEL[config]}\n`);
  console.log(`| offered ${UNIT} | calls | completed | failed | failures by kind |${two ? ' INVITEs to A / B |' : ''} CPU ms/call: Kamailio |${two ? ' node A | node B |' : ' node |'} PostgreSQL | NATS | all |${RELAY ? ' RTP relayed / lost |' : ''} load |`);
  console.log(`|---|---|---|---|---|${two ? '---|' : ''}---|${two ? '---|---|' : '---|'}---|---|---|${RELAY ? '---|' : ''}---|`);
  for (const s of steps) {
    console.log(`| ${s.rate} | ${s.offered} | ${s.outcome.successful} | ${s.outcome.failed} | ${describeFailures(s.outcome)} |${two ? ` ${s.dispatched.join(' / ')} |` : ''} ${s.kamailio.toFixed(3)} | ${s.nodes.map((x) => x.toFixed(3)).join(' | ')} | ${s.pg.toFixed(3)} | ${s.nats.toFixed(3)} | ${s.all.toFixed(3)} |${s.rtp ? ` ${s.rtp.relayed} / ${s.rtp.lost} |` : ''} ${s.load} |`);
  }
  console.log('');
}

function best(config: Config): { rate: number; step?: Step; capped: boolean } {
  const steps = results.get(config) ?? [];
  let rate = 0;
  let at: Step | undefined;
  for (const s of steps) if (!failedOutcome(s.outcome, s.offered)) {
    rate = s.rate;
    at = s;
  }
  return { rate, step: at, capped: steps.length === STEPS.length && at === steps[steps.length - 1] && at !== undefined };
}

console.log('### Summary\n');
console.log(`| configuration | highest ${UNIT} with 0 failed calls | all CPU ms/call there | all CPU ms/call at ${STEPS[0]} ${UNIT} |`);
console.log('|---|---|---|---|');
for (const config of results.keys()) {
  const b = best(config);
  console.log(`| ${config}: ${LABEL[config]} | ${b.capped ? '≥ ' : ''}${b.rate} ${UNIT} | ${b.step ? b.step.all.toFixed(3) : '-'} | ${results.get(config)![0]?.all.toFixed(3) ?? '-'} |`);
}
const ratio = (num: Config, den: Config, what: string) => {
  if (!results.has(num) || !results.has(den)) return;
  const n = best(num);
  const d = best(den);
  if (!d.rate) return console.log(`\n${what}: n/a (${den} passed no step)`);
  // A capped configuration (passed every step) only bounds its side of the ratio.
  const bound = n.capped && !d.capped ? '≥ ' : d.capped && !n.capped ? '≤ ' : n.capped && d.capped ? '(both capped by STEPS) ' : '';
  console.log(`\n${what}: ${bound}${(n.rate / d.rate).toFixed(2)} (${n.capped ? '≥ ' : ''}${n.rate} vs ${d.capped ? '≥ ' : ''}${d.rate} ${UNIT})`);
};
ratio('two', 'one', `**Two nodes / one node** (highest ${RELAY ? 'concurrent calls' : 'rate'} with 0 failed calls; ${cpus().length} cores shared, see the caveat)`);
ratio('one', 'sqlite', 'One node on PostgreSQL + JetStream / one node on SQLite');
const b1 = best('one').step;
const b2 = best('two').step;
if (b1 && b2) console.log(`All CPU per call, two nodes / one node at their highest passing rates: ${(b2.all / b1.all).toFixed(2)}×`);

/** The nodes' ringside_rtp_packets_total{event="relayed"|"lost"}, summed. */
async function rtpPackets(nodes: RingsideChild[]): Promise<{ relayed: number; lost: number }> {
  const sum = { relayed: 0, lost: 0 };
  for (const n of nodes) {
    const text = await (await fetch(n.url('/metrics'))).text();
    for (const event of ['relayed', 'lost'] as const) {
      const m = new RegExp(`^ringside_rtp_packets_total\\{event="${event}"\\} (\\S+)$`, 'm').exec(text);
      sum[event] += Number(m?.[1] ?? 0);
    }
  }
  return sum;
}

async function dropShared(pgUrl: string, names: { stream: string; prefix: string }): Promise<void> {
  await deleteTestStreams(names).catch((err: Error) => console.error(`# could not delete streams ${names.stream}: ${err.message}`));
  const { url, schema } = parsePgUrl(pgUrl);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

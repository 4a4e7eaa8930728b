/**
 * The cluster proof of issue 17, under load: Kamailio (deploy/kamailio/kamailio.cfg) on 127.0.0.10 in front
 * of two `ringside serve` child processes, node A on 127.0.0.11 and node B on 127.0.0.12, sharing one
 * PostgreSQL schema (store, registrar, outbox, leases) and one NATS JetStream stream (event log).
 * A phone (sipp) registers through Kamailio and answers every call; the carrier (sipp on 127.0.0.2) sends
 * calls through Kamailio to the line that rings it. A RealTime WebSocket client on node A and a teltel
 * webhook receiver watch everything. In the middle of the load node B is killed with SIGKILL; later it
 * starts again under its id.
 *
 * Which node carried a session: its "call started" log line (`sessionId`, bound by switch-session.ts) in
 * that node's own log; the RealTime `trackingId` and the teltel `session_id` are that session id.
 *
 * Proven from outside:
 * 1. every session on A's account stream has one start and one end, start < answer < end, no event id twice;
 *    node B's sessions are among them;
 * 2. the webhook receiver got each teltel event once, one START and one COMPLETED per session, same sessions;
 * 3. the sessions B had open at the kill got their end from node A within lease + scan interval + the
 *    recovery BYE's timeout + a margin;
 * 4. once Kamailio has marked B down, no new call is dispatched to it;
 * 5. B restarted under its id is probed up again and takes calls, which succeed.
 * Node A starts first, so it holds the `webhooks` lease throughout: delivery is at least once across a
 * deliverer's death (docs/scale-out.md), and this test proves exactly once while the deliverer survives.
 *
 * A carrier call may fail at the SIP level only if it was in progress on B at the kill: its carrier hung up
 * into the dead node before A's BYE came (Kamailio answers that BYE 408), or it was never answered. Each
 * such session still ends exactly once (closed by A). Measured on the 2-core machine (10 calls/s, 8 s
 * talk, kill after 9 s; ~60 s in all): 45 calls on B before the kill, 40 in progress, closed by A 2.9-4.6 s
 * after the kill; 14-18 carrier calls failed that way, the other 22-26 got A's BYE; 5 INVITEs sent to the
 * dead B failed over to A; none after the probe marked it down; 5 of 10 calls after the rejoin on B.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import type { RunningRingside } from '../support/ringside-process.js';
import { ALICE } from '../support/call-config.js';
import { CARRIER_IP, ok, register, sipp, sleep, type Sipp } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';
import { pgUnavailable } from '../support/pg-test-database.js';
import { natsUnavailable } from '../../src/events/log/nats-test-support.js';
import { TestSocket } from '../support/ws-client.js';
import { Receiver } from '../webhooks/support.js';
import { KAMAILIO, NODE_A, NODE_B, PROXY, SIP_PORT, startKamailio, until } from './support/kamailio.js';
import { nodeUrl, sessionsOn, startClusterNode } from './support/cluster-node.js';
import { sharedBackends } from './support/shared-backends.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const skip = missingTool('kamailio', 'kamailio') || missingTool('sipp', 'sip-tester') || (await pgUnavailable()) || (await natsUnavailable()) || false;

const LEASE_MS = 3000;
/** Takeover: lease expiry + one scan (a third of the lease) + the recovery BYE's 2 s timeout + margin. */
const TAKEOVER_BOUND_MS = LEASE_MS + LEASE_MS / 3 + 2000 + 2500;
const PING_INTERVAL_S = 1;
const FR_TIMER_MS = 1000;
const CALLS = 200;
const RATE = 10;
/** Node B is killed this long after the load starts: about half the calls sent, ~40 in progress. */
const KILL_AFTER_MS = 9000;
const REJOIN_CALLS = 10;

type Frame = Record<string, unknown>;
const topic = (e: Frame) => `${String(e.category)}.${String(e.subCategory)}.${String(e.eventName)}`;

function config(carrierPort: number, hook: string): string {
  return `
trunks:
  - { name: carrier, host: ${CARRIER_IP}, port: ${carrierPort}, inboundAddresses: ["${KAMAILIO}", "${CARRIER_IP}"] }
accounts:
  - id: demo
    accountcode: demo
    name: Demo
    trunk: carrier
    defaultCallerId: "+15550100"
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 20, fallback: hangup } }
    webhooks:
      - { id: crm, url: "${hook}", dialect: teltel, secret: "s3cret-s3cret" }
`;
}

/** Carrier calls through Kamailio: `count` at `rate`/s, up to `count` at once. */
function carrier(t: { after(fn: () => unknown): void }, count: number, rate: number): Promise<Sipp> {
  return sipp(t, 'carrier-load.xml', PROXY, {
    dir: SCENARIOS,
    from: CARRIER_IP,
    service: '+15550100',
    // -recv_timeout: a call whose node died before answering fails here rather than hanging the run.
    extra: ['-m', String(count), '-r', String(rate), '-l', String(count), '-recv_timeout', '12000'],
    timeoutSec: Math.ceil(count / rate) + 40,
  });
}

/** sipp's final counters: calls, and the message table rows this test reads (the last screen). */
function counts(run: Sipp): { ok: number; failed: number; byesReceived: number; byeAnswersUnexpected: number } {
  const out = run.run.stdout;
  const last = (name: string) => Number([...out.matchAll(new RegExp(`${name}\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)`, 'g'))].at(-1)?.[1] ?? NaN);
  const screen = out.slice(out.lastIndexOf('Messages  Retrans'));
  // Rows: "BYE <----  n  retrans  timeout  unexpected"; the last "200 <----" row answers the carrier's BYE.
  const row = (re: RegExp) => [...screen.matchAll(re)].at(-1)?.slice(1).map(Number) ?? [];
  const byeIn = row(/BYE <-+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/g);
  const okIn = row(/200 <-+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/g);
  return { ok: last('Successful call'), failed: last('Failed call'), byesReceived: byeIn[0] ?? NaN, byeAnswersUnexpected: okIn[3] ?? NaN };
}

test('cluster under load: Kamailio, two nodes on PostgreSQL + NATS, node B killed mid-load and rejoining; every event once, in order', { skip, timeout: 150_000 }, async (t) => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ringside-cluster-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shared = sharedBackends(t, 'rs_load');
  const receiver = await Receiver.start(t);
  const file = join(dir, 'ringside.yaml');
  writeFileSync(file, config(await freePort(), receiver.url('/teltel')));
  const env = { ...process.env, RINGSIDE_NODE_LEASE_MS: String(LEASE_MS) };
  const node = (host: string, id: string, rtpPorts: string) => ({ config: file, host, rtpPorts, env, args: ['--store', shared.store, '--log', shared.log, '--node-id', id] });
  const nodeB = node(NODE_B, 'node-b', '31000-31999');
  // A first: it takes the `webhooks` lease and keeps it (see above).
  const a = await startClusterNode(t, node(NODE_A, 'node-a', '30000-30999'));
  let b = await startClusterNode(t, nodeB);
  const kam = await startKamailio(t, dir, { nodes: [NODE_A, NODE_B], pingIntervalS: PING_INTERVAL_S, frTimerMs: FR_TIMER_MS });
  await sleep(1500); // the first probes mark both nodes active

  // A RealTime client on node A follows the whole account; each frame with its arrival time.
  const ws = await TestSocket.open(a.httpPort, {}, NODE_A);
  t.after(() => ws.close());
  const arrived: number[] = [];
  ws.ws.on('message', () => arrived.push(Date.now()));
  const login = await fetch(nodeUrl(a, NODE_A, '/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice@demo.test', password: 'alice-pass' }) });
  const { token } = (await login.json()) as { token: string };
  await ws.request({ type: 'authrequest', token }, 'authresponse');
  await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse');

  // Alice's phone registers through Kamailio (digest, Path) and answers every call sent along its Path.
  const phonePort = await freePort();
  await register(t, PROXY, phonePort, '101', 'alice-sip-101');
  // In the background until the test ends (t.after kills it).
  void sipp(t, 'phone-answers-waits-bye.xml', '', { dir: SCENARIOS, port: phonePort, extra: ['-m', '100000'], timeoutSec: 140 });
  await sleep(300);

  // The load; node B dies in the middle of it.
  const load = carrier(t, CALLS, RATE);
  await sleep(KILL_AFTER_MS);
  const kamAtKill = kam.stderr().length;
  const killedAt = Date.now();
  await b.stop('SIGKILL');
  const firstB = b;
  const bSessions = sessionsOn(b);
  const aAtKill = sessionsOn(a).length;
  const run = await load;
  const loadCounts = counts(run);

  // Every session started so far ends (the takeover included) and every teltel event is delivered.
  const startedSessions = () => new Set(ws.events('accountevent').filter((e) => topic(e) === 'voice.incoming.start').map((e) => String(e.trackingId)));
  const endedSessions = () => new Set(ws.events('accountevent').filter((e) => topic(e) === 'voice.incoming.end').map((e) => String(e.trackingId)));
  await until(() => endedSessions().size >= startedSessions().size && a.logs.some((l) => l.msg === 'closed the calls of a node that stopped renewing its lease'), 20_000);

  // (4) From the moment Kamailio marked B down (a failed probe or a call that timed out on it), no new
  //     request is dispatched to B.
  const afterKill = kam.stderr().slice(kamAtKill);
  const bUri = `sip:${NODE_B}:${SIP_PORT}`;
  const downAt = Math.min(...[`ringside node down: ${bUri}`, `ringside node ${bUri} failed`].map((s) => afterKill.indexOf(s)).filter((i) => i >= 0));
  assert.ok(Number.isFinite(downAt), `Kamailio noticed node B is down:\n${afterKill.slice(-3000)}`);
  const toB = (text: string) => [...text.matchAll(new RegExp(`dispatch INVITE (\\S+) to ${bUri.replace(/\./g, '\\.')}`, 'g'))].map((m) => m[1]!);
  assert.deepEqual(toB(afterKill.slice(downAt)), [], 'no INVITE dispatched to B once marked down');
  // Before that, each INVITE sent to the dead B fails over to A (FR_TIMER).
  const failedOverIds = new Set([...afterKill.matchAll(/INVITE (\S+): failing over to/g)].map((m) => m[1]!));
  const failedOver = failedOverIds.size;
  assert.deepEqual(toB(afterKill).filter((id) => !failedOverIds.has(id)), [], 'every INVITE sent to the dead B failed over');
  const aAfterKill = sessionsOn(a).length - aAtKill;

  // (5) B rejoins under its id: Kamailio's probe marks it up, and new calls reach it and succeed.
  const kamBeforeRejoin = kam.stderr().length;
  b = await startClusterNode(t, nodeB);
  await until(() => kam.stderr().slice(kamBeforeRejoin).includes(`ringside node up: ${bUri}`), 10_000);
  assert.ok(kam.stderr().slice(kamBeforeRejoin).includes(`ringside node up: ${bUri}`), `Kamailio's probe marked B up again:\n${kam.stderr().slice(-3000)}`);
  const rejoin = await carrier(t, REJOIN_CALLS, REJOIN_CALLS);
  ok(rejoin, 'calls after B rejoined');
  const bRejoined = sessionsOn(b);
  assert.ok(bRejoined.length >= 2, `calls reached the rejoined B (${bRejoined.length} of ${REJOIN_CALLS})`);
  assert.equal(b.logs.some((l) => l.msg === 'recovered from an unclean stop'), false, 'B found nothing of its own to close: A had');

  // Settle: every session ended on the stream, every COMPLETED delivered.
  const completed = () => new Set(receiver.acked.map((q) => JSON.parse(q.body) as { event: string; session_id: string }).filter((e) => e.event === 'COMPLETED').map((e) => e.session_id));
  await until(() => endedSessions().size >= startedSessions().size && completed().size >= startedSessions().size, 20_000);
  await sleep(1000); // anything duplicated would arrive now

  // (1) The RealTime stream on A: one start, one end per session, in order, no event id twice.
  const frames = ws.frames;
  const events = frames.filter((f) => f.type === 'accountevent');
  const ids = events.map((e) => String(e.eventId));
  const duplicated = ids.length - new Set(ids).size;
  assert.equal(duplicated, 0, 'no RealTime event twice');
  const bySession = new Map<string, string[]>();
  for (const e of events) {
    const n = topic(e);
    if (!n.startsWith('voice.incoming.')) continue;
    bySession.set(String(e.trackingId), [...(bySession.get(String(e.trackingId)) ?? []), n]);
  }
  const problems: string[] = [];
  for (const [s, seq] of bySession) {
    const count = (x: string) => seq.filter((n) => n === `voice.incoming.${x}`).length;
    if (count('start') !== 1 || count('end') !== 1) problems.push(`${s}: ${seq.join(' ')}`);
    else if (seq[0] !== 'voice.incoming.start' || seq.at(-1) !== 'voice.incoming.end') problems.push(`${s} out of order: ${seq.join(' ')}`);
    else if (count('answer') > 1) problems.push(`${s} answered twice: ${seq.join(' ')}`);
  }
  assert.deepEqual(problems, [], 'one start and one end per session, start first, end last');
  const sessions = new Set(bySession.keys());
  const allNodeSessions = [...sessionsOn(a), ...bSessions, ...bRejoined];
  const unclosed = allNodeSessions.filter((s) => !sessions.has(s));
  assert.deepEqual(unclosed, [], 'every call a node took is on the stream');
  assert.equal(sessions.size, allNodeSessions.length, 'every session on the stream was taken by one node');
  assert.ok(bSessions.length > 0 && bSessions.every((s) => sessions.has(s)), 'node B\'s sessions are seen on node A');

  // (2) The teltel webhook receiver: each event once, one START and one COMPLETED per session, same sessions.
  const hooks = receiver.acked.map((q) => ({ id: q.headers['x-teltel-event-id'] as string, seen: q.seen, body: JSON.parse(q.body) as { id: string; event: string; session_id: string } }));
  assert.ok(hooks.every((h) => h.id === h.body.id), 'X-Teltel-Event-Id is the body id');
  const hookDuplicates = receiver.requests.filter((q) => q.seen > 0).length;
  assert.equal(hookDuplicates, 0, 'no webhook event delivered twice');
  assert.equal(new Set(hooks.map((h) => h.id)).size, hooks.length, 'every teltel event id once');
  const hookSessions = new Map<string, string[]>();
  for (const h of hooks) hookSessions.set(h.body.session_id, [...(hookSessions.get(h.body.session_id) ?? []), h.body.event]);
  const hookProblems = [...hookSessions].filter(([, seq]) => seq[0] !== 'START' || seq.at(-1) !== 'COMPLETED' || seq.filter((e) => e === 'START').length !== 1 || seq.filter((e) => e === 'COMPLETED').length !== 1);
  assert.deepEqual(hookProblems, [], 'one START first and one COMPLETED last per session');
  assert.deepEqual([...hookSessions.keys()].sort(), [...sessions].sort(), 'the webhook saw the same sessions');

  // (3) B's sessions open at the kill were closed by node A (its recovery log names each), within the
  //     bound. Open at the kill: no end seen on A's stream by then (plus 2 s for the stream's own lag).
  const endAt = new Map<string, number>();
  const answerAt = new Map<string, number>();
  frames.forEach((f, i) => {
    if (f.type === 'accountevent' && topic(f) === 'voice.incoming.end') endAt.set(String(f.trackingId), arrived[i]!);
    if (f.type === 'accountevent' && topic(f) === 'voice.incoming.answer') answerAt.set(String(f.trackingId), arrived[i]!);
  });
  const openAtKill = a.logs.filter((l) => l.msg === 'session cut by a restart closed').map((l) => String(l.sessionId));
  assert.ok(openAtKill.length > 0, 'node B had calls in progress at the kill');
  assert.deepEqual(openAtKill.filter((s) => !bSessions.includes(s)), [], 'node A closed only B\'s sessions');
  const endedLate = bSessions.filter((s) => (endAt.get(s) ?? Infinity) > killedAt + 2000);
  assert.deepEqual(endedLate.filter((s) => !openAtKill.includes(s)), [], 'every B session still open at the kill was closed by A');
  const closeMs = openAtKill.map((s) => (endAt.get(s) ?? Infinity) - killedAt);
  const slowest = Math.max(...closeMs);
  assert.ok(slowest <= TAKEOVER_BOUND_MS, `B's open sessions closed by A within ${TAKEOVER_BOUND_MS} ms of the kill (slowest ${slowest} ms)`);

  const deliverers = [['A', a], ['B', firstB], ['B again', b]].filter(([, n]) => (n as RunningRingside).logs.some((l) => l.msg === 'webhook delivery started: this node holds the lease')).map(([name]) => name);
  assert.deepEqual(deliverers, ['A'], 'node A delivered the webhooks throughout');
  const figures = {
    offered: CALLS + REJOIN_CALLS,
    load: loadCounts,
    rejoin: counts(rejoin),
    sessions: sessions.size,
    answered: [...bySession.values()].filter((seq) => seq.includes('voice.incoming.answer')).length,
    onA: sessionsOn(a).length,
    onBBeforeKill: bSessions.length,
    onBAfterRejoin: bRejoined.length,
    openOnBAtKill: openAtKill.length,
    answeredOfThose: openAtKill.filter((s) => (answerAt.get(s) ?? Infinity) < killedAt).length,
    takeoverMs: { fastest: Math.min(...closeMs), slowest },
    afterKill: { toA: aAfterKill, toBThenFailedOver: failedOver, toBOnceMarkedDown: 0 },
    realtimeEvents: events.length,
    webhookEvents: hooks.length,
    lost: 0,
    duplicated,
    unclosed: unclosed.length,
    totalS: Number(((Date.now() - started) / 1000).toFixed(1)),
  };
  t.diagnostic(JSON.stringify(figures));
  // CLUSTER_LOAD_DEBUG=1: the carrier's last screen and the nodes' warnings and errors, to read a run.
  if (process.env.CLUSTER_LOAD_DEBUG) {
    const bad = (n: RunningRingside, name: string) => n.logs.filter((l) => Number(l.level) >= 40).map((l) => `${name} ${JSON.stringify(l).slice(0, 400)}`);
    const kamLines = kam.stderr().split('\n').filter((l) => /failed|failing|node up|node down|no node/.test(l));
    const unanswered = [...bySession].filter(([, seq]) => !seq.includes('voice.incoming.answer')).map(([s, seq]) => `unanswered ${s} on ${sessionsOn(a).includes(s) ? 'A' : bSessions.includes(s) ? 'B' : 'B again'}: ${seq.join(' ')}`);
    process.stderr.write([run.run.stdout.slice(-2500), rejoin.run.stdout.slice(-2500), ...bad(a, 'A'), ...bad(firstB, 'B1'), ...bad(b, 'B2'), ...kamLines, ...unanswered].join('\n') + '\n');
  }
  // Calls that failed at the SIP level: only B's calls in progress at the kill (each session still closed
  // once, by A). Each of those either got A's BYE (the carrier never hangs up first on a node's BYE), or
  // its carrier hung up first, into the dead node (Kamailio answers its BYE 408), or was never answered.
  assert.equal(loadCounts.byesReceived + loadCounts.failed, openAtKill.length, `B's open calls: A's BYE reached ${loadCounts.byesReceived}, ${loadCounts.failed} failed:\n${run.run.stdout.slice(-2500)}`);
  assert.equal(loadCounts.ok + loadCounts.failed, CALLS, 'every call of the load ended');
});

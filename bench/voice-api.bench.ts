/**
 * The voice API as an application drives it (spec bandwidth §3, docs/voice-api.md): API-driven outbound
 * calls per second with zero failures, and how long the callbacks take from the SIP event to the receiver.
 *
 * Ringside runs as a child (compiled, bench/support/ringside-child.ts) with a carrier trunk to sipp's
 * built-in `uas` on 127.0.0.2 (answers every INVITE, answers the BYE). This process is the application:
 * a node:http receiver (keep-alive) is every call's `callbackUrl`, and for each call it
 *   POST /v1/users/{u}/calls {from, to, callbackUrl, tag}        → 201 + Location
 *   on `answer`:      POST /calls/{id}/audio {sentence: "Hello"} (espeak-ng renders once, then cached)
 *   on `speak` done:  POST /calls/{id} {state: completed}
 *   on `hangup`:      the call is complete (cause NORMAL_CLEARING, after the app asked for it).
 * Calls are offered at a fixed rate per step, at most MAX_CALLS in progress. A call fails on any REST
 * answer other than the expected one (429 included: the bench does not retry), a callback it did not
 * expect (a hangup before it asked, a timeout), or not being complete 30 s after its POST /calls.
 *
 * Per step: offered, completed, failed by kind, completed calls/s (completed ÷ first POST → last hangup
 * callback), Ringside's CPU per completed call (/proc, all threads), and latency p50/p99 of
 *   (a) POST /calls sent → `answer` callback received,
 *   (b) `answer` fact time (the callback's `time`: when the switch saw the 200 OK) → callback received,
 *   (c) `hangup` fact time → callback received,
 * plus the legs of (a): POST /calls → 201, and POST /calls → the answer's fact time. Fact times are ISO
 * strings with milliseconds, so (b) and (c) are whole-ms resolution. A step can have no failed call and still
 * not keep up (calls queue, every latency grows): the "last hangup after last POST" column says by how much,
 * and the summary names the highest step kept up with (0 failed, the last call done within 3 s of the last
 * POST). A step with a failed call ends the run.
 *
 * Run: npm run bench -- voice-api
 * Env: STEPS=5,10,20,40 (calls/s), STEP_SECONDS=10, PAUSE_SECONDS=2, MAX_CALLS=400 (in progress at once),
 *      ACCOUNTS=1: spread the calls round-robin over this many accounts, each with its own voice user (the
 *      API's rate limit is per account: 50 requests/s, bursts of 100, and a call here is 3 requests),
 *      RTP_ECHO=1: sipp echoes the RTP it receives (the spoken "Hello") back to Ringside,
 *      ALL_STEPS=1: go on after a failed step, LOG_LEVEL=info (Ringside's), KEEP_DIR=1 keeps the temp dir,
 *      NODE_ARGS="--cpu-prof --cpu-prof-dir=/some/dir" adds flags to Ringside's node,
 *      CALLS_FILE=/some/file.csv keeps one line per call (step, outcome, its times).
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { freePort } from '../test/sip/support/sipp.js';
import { spawnChild, type Child } from './support/children.js';
import { cpuSeconds } from './support/proc-stats.js';
import { startRingsideChild, type RingsideChild } from './support/ringside-child.js';
import { quantile } from './support/quantile.js';

const env = process.env;
const STEPS = (env.STEPS ?? '5,10,20,40').split(',').map(Number).filter((n) => n > 0);
const STEP_SECONDS = Number(env.STEP_SECONDS ?? 10);
const PAUSE_SECONDS = Number(env.PAUSE_SECONDS ?? 2);
const MAX_CALLS = Number(env.MAX_CALLS ?? 400);
const ACCOUNTS = Math.max(1, Number(env.ACCOUNTS ?? 1));
const RTP_ECHO = env.RTP_ECHO === '1';
const CALL_DEADLINE_MS = 30_000;
const KEPT_UP_SECONDS = 3;
const SENTENCE = 'Hello';

for (const tool of ['sipp', 'espeak-ng']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.log(`SKIPPED: ${tool} is not installed`);
    process.exit(0);
  }
}

/** Epoch ms with sub-ms precision, comparable with the fact times Ringside (same machine) puts in callbacks. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- accounts ----

interface Account {
  id: string;
  userId: string;
  auth: string;
  number: string;
}

const accounts: Account[] = Array.from({ length: ACCOUNTS }, (_, k) => {
  const s = k === 0 ? '' : String(k + 1);
  return { id: `demo${s}`, userId: `u-demo${s}`, auth: 'Basic ' + Buffer.from(`t-demo${s}:s-demo${s}`).toString('base64'), number: k === 0 ? '+15550104' : `+155502${String(k + 1).padStart(2, '0')}` };
});

function config(carrierPort: number): string {
  return `trunks: [{ name: carrier, host: 127.0.0.2, port: ${carrierPort} }]
accounts:
${accounts.map((a) => `  - id: ${a.id}
    name: Bench ${a.id}
    trunk: carrier
    voiceApi: { userId: ${a.userId}, apiToken: t-${a.userId.slice(2)}, apiSecret: s-${a.userId.slice(2)} }
    numbers: [{ number: "${a.number}" }]
`).join('')}`;
}

// ---- the REST client (keep-alive, as an application's HTTP client pool) ----

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let apiPort = 0;

function post(a: Account, path: string, body: unknown): Promise<{ status: number; location?: string; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: apiPort, method: 'POST', path: `/v1/users/${a.userId}/${path}`, agent, headers: { authorization: a.auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), body: text }));
        res.on('error', () => resolve({ status: 0, body: 'response error' }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: `network error: ${err.code ?? err.message}` }));
    req.end(data);
  });
}

/** A REST failure as a kind: status and the provider's error code (`429 too-many-requests`). */
function restFailure(what: string, r: { status: number; body: string }): string {
  let code = '';
  try {
    code = (JSON.parse(r.body) as { code?: string }).code ?? '';
  } catch {
    code = r.body.slice(0, 40);
  }
  return `${what} → ${r.status}${code ? ` ${code}` : ''}`;
}

// ---- one call ----

interface CallRun {
  step: number;
  n: number;
  account: Account;
  postAt: number;
  id?: string;
  createdAt?: number;
  answerFact?: number;
  answerAt?: number;
  speakDoneAt?: number;
  hangupAsked?: boolean;
  hangupFact?: number;
  hangupAt?: number;
  failure?: string;
  completed?: boolean;
  finish: () => void;
  done: Promise<void>;
  timer?: NodeJS.Timeout;
}

const calls = new Map<number, CallRun>();
let nextCall = 0;

function fail(c: CallRun, kind: string): void {
  if (c.completed || c.failure) return;
  c.failure = kind;
  end(c);
  // A call left up would hold the carrier's uas and Ringside's media through the next steps.
  const id = c.id;
  if (id && c.hangupFact === undefined) void hangUpLater(c.account, id);
}

async function hangUpLater(a: Account, id: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await post(a, `calls/${id}`, { state: 'completed' });
    if (r.status !== 429) return;
    await sleep(500);
  }
}

function end(c: CallRun): void {
  clearTimeout(c.timer);
  c.finish();
}

async function startCall(step: number, account: Account, receiverPort: number): Promise<CallRun> {
  const n = nextCall++;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const c: CallRun = { step, n, account, postAt: now(), finish, done };
  calls.set(n, c);
  c.timer = setTimeout(() => fail(c, `not complete in ${CALL_DEADLINE_MS / 1000} s (${stage(c)})`), CALL_DEADLINE_MS);
  const r = await post(account, 'calls', { from: account.number, to: `+1555777${String(n % 10_000).padStart(4, '0')}`, callbackUrl: `http://127.0.0.1:${receiverPort}/cb/${n}`, tag: `bench-${n}` });
  c.createdAt = now();
  if (r.status !== 201 || !r.location) fail(c, restFailure('POST /calls', r));
  else c.id ??= r.location.split('/').pop();
  return c;
}

function stage(c: CallRun): string {
  if (c.createdAt === undefined) return 'no 201';
  if (c.answerAt === undefined) return 'no answer';
  if (c.speakDoneAt === undefined) return 'no speak done';
  return 'no hangup';
}

/** The application's reaction to one callback of call `c` (after the receiver has answered 200). */
async function onCallback(c: CallRun, e: Record<string, unknown>, at: number): Promise<void> {
  const type = String(e.eventType);
  if (typeof e.callId === 'string') c.id ??= e.callId;
  if (c.completed || c.failure) return;
  if (type === 'answer') {
    c.answerAt = at;
    c.answerFact = Date.parse(String(e.time));
    const r = await post(c.account, `calls/${c.id}/audio`, { sentence: SENTENCE });
    if (r.status !== 200) fail(c, restFailure('POST /audio', r));
  } else if (type === 'speak') {
    if (e.status !== 'done') return;
    c.speakDoneAt = at;
    c.hangupAsked = true;
    const r = await post(c.account, `calls/${c.id}`, { state: 'completed' });
    if (r.status !== 200) fail(c, restFailure('POST {state: completed}', r));
  } else if (type === 'hangup') {
    c.hangupAt = at;
    c.hangupFact = Date.parse(String(e.time));
    if (!c.hangupAsked || e.cause !== 'NORMAL_CLEARING') fail(c, `hangup ${String(e.cause)} at ${stage(c)}`);
    else {
      c.completed = true;
      end(c);
    }
  } else fail(c, `callback ${type}`);
}

// ---- the receiver: every call's callbackUrl ----

let strayCallbacks = 0;

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (d: Buffer) => chunks.push(d));
  req.on('end', () => {
    const at = now();
    res.writeHead(200, { 'content-length': '0' }).end();
    const c = calls.get(Number(/^\/cb\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1));
    let e: Record<string, unknown> | undefined;
    try {
      e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      // counted below
    }
    if (!c || !e) return void strayCallbacks++;
    void onCallback(c, e, at);
  });
}

// ---- a step ----

interface Step {
  rate: number;
  offered: number;
  completed: number;
  failures: Map<string, number>;
  /** First POST /calls → last completion, s. */
  seconds: number;
  /** Last POST /calls → last hangup callback, s: how far behind the offered rate the calls finished. */
  lagSeconds: number;
  ringsideCpuMs: number;
  benchCpuMs: number;
  sippCpuMs: number;
  warnings: number;
  load: string;
  created: number[];
  answered: number[];
  toAnswerFact: number[];
  answerCallback: number[];
  hangupCallback: number[];
  /** POST {state: completed} sent (the speak `done` received) → hangup callback received. */
  hangupRoundTrip: number[];
}

async function step(rate: number, r: RingsideChild, sipp: Child, receiverPort: number): Promise<Step> {
  const offered = Math.round(rate * STEP_SECONDS);
  const load = loadavg()[0]!.toFixed(2);
  const warn0 = r.warnings.length;
  const cpu0 = cpuSeconds(r.pid);
  const sipp0 = cpuSeconds(sipp.pid);
  const bench0 = process.cpuUsage();
  const started: Promise<CallRun>[] = [];
  const failures = new Map<string, number>();
  const t0 = now();
  for (let i = 0; i < offered; i++) {
    const wait = t0 + (i * 1000) / rate - now();
    if (wait > 0) await sleep(wait);
    const inProgress = [...calls.values()].filter((c) => !c.completed && !c.failure).length;
    if (inProgress >= MAX_CALLS) {
      failures.set(`not offered: ${MAX_CALLS} calls in progress`, (failures.get(`not offered: ${MAX_CALLS} calls in progress`) ?? 0) + 1);
      continue;
    }
    started.push(startCall(rate, accounts[i % accounts.length]!, receiverPort));
  }
  const runs = await Promise.all(started);
  await Promise.all(runs.map((c) => c.done));
  const last = Math.max(t0, ...runs.map((c) => c.hangupAt ?? 0));
  const lastPost = Math.max(t0, ...runs.map((c) => c.postAt));
  const bench = process.cpuUsage(bench0);
  const s: Step = {
    rate,
    offered,
    completed: runs.filter((c) => c.completed).length,
    failures,
    seconds: (last - t0) / 1000,
    lagSeconds: (last - lastPost) / 1000,
    ringsideCpuMs: 1000 * (cpuSeconds(r.pid) - cpu0),
    benchCpuMs: (bench.user + bench.system) / 1000,
    sippCpuMs: 1000 * (cpuSeconds(sipp.pid) - sipp0),
    warnings: r.warnings.length - warn0,
    load,
    created: [],
    answered: [],
    toAnswerFact: [],
    answerCallback: [],
    hangupCallback: [],
    hangupRoundTrip: [],
  };
  for (const c of runs) {
    if (c.failure) failures.set(c.failure, (failures.get(c.failure) ?? 0) + 1);
    if (c.createdAt !== undefined && c.id) s.created.push(c.createdAt - c.postAt);
    if (c.answerAt !== undefined) s.answered.push(c.answerAt - c.postAt);
    if (c.answerFact !== undefined) s.toAnswerFact.push(c.answerFact - c.postAt);
    if (c.answerAt !== undefined && c.answerFact !== undefined) s.answerCallback.push(c.answerAt - c.answerFact);
    if (c.hangupAt !== undefined && c.hangupFact !== undefined) s.hangupCallback.push(c.hangupAt - c.hangupFact);
    if (c.hangupAt !== undefined && c.speakDoneAt !== undefined) s.hangupRoundTrip.push(c.hangupAt - c.speakDoneAt);
    if (env.CALLS_FILE) appendFileSync(env.CALLS_FILE, [rate, c.n, c.completed ? 'completed' : JSON.stringify(c.failure ?? ''), c.postAt.toFixed(1), ...[c.createdAt, c.answerFact, c.answerAt, c.speakDoneAt, c.hangupFact, c.hangupAt].map((x) => (x === undefined ? '' : (x - c.postAt).toFixed(1)))].join(',') + '\n');
  }
  for (const a of [s.created, s.answered, s.toAnswerFact, s.answerCallback, s.hangupCallback, s.hangupRoundTrip]) a.sort((x, y) => x - y);
  return s;
}

const failedCount = (s: Step) => s.offered - s.completed;
/** Kept up: no failed call, and the last call done within KEPT_UP_SECONDS of the last POST (a call itself
 *  takes about a second: the 201, the answer, "Hello" spoken, the BYE). */
const keptUp = (s: Step) => failedCount(s) === 0 && s.lagSeconds <= KEPT_UP_SECONDS;

// ---- run ----

const root = mkdtempSync(join(tmpdir(), 'ringside-bench-voice-'));
if (env.KEEP_DIR !== '1') process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const carrierPort = await freePort();
const sipp = spawnChild('sipp', ['-nostdin', '-i', '127.0.0.2', '-p', String(carrierPort), '-mp', String(await freePort()), '-sn', 'uas', ...(RTP_ECHO ? ['-rtp_echo'] : [])], { cwd: root, stdio: 'ignore' });
const receiver = createServer({ keepAliveTimeout: 60_000 }, onRequest);
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverPort = (receiver.address() as { port: number }).port;
console.error('# voice-api: building and starting Ringside');
const r = await startRingsideChild({ dir: root, config: config(carrierPort), rtpPorts: '20000-29999', logLevel: env.LOG_LEVEL ?? 'info', nodeArgs: env.NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [] });
apiPort = r.httpPort;
const steps: Step[] = [];
try {
  for (const rate of STEPS) {
    const s = await step(rate, r, sipp, receiverPort);
    steps.push(s);
    console.error(`# ${rate}/s: ${s.completed}/${s.offered} completed, ${failedCount(s)} failed${s.failures.size ? ` (${kinds(s)})` : ''}, Ringside ${(s.ringsideCpuMs / Math.max(1, s.completed)).toFixed(2)} ms CPU/call, load ${s.load}`);
    if (failedCount(s) > 0 && env.ALL_STEPS !== '1') break;
    await sleep(PAUSE_SECONDS * 1000);
  }
} finally {
  await r.stop();
  await sipp.stop('SIGKILL', 0);
  agent.destroy();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
}
if (r.warnings.length) console.error(`# ringside logged ${r.warnings.length} lines at warn or above; first:\n${r.warnings.slice(0, 5).join('\n')}`);

function kinds(s: Step): string {
  return [...s.failures].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join('; ');
}

const pq = (a: number[]) => (a.length ? `${quantile(a, 0.5).toFixed(1)} / ${quantile(a, 0.99).toFixed(1)}` : '-');
console.log(
  `Outbound calls driven over the voice API (POST /calls → answer callback → POST /audio "${SENTENCE}" → speak done → POST {state: completed} → hangup callback) to sipp's built-in uas on 127.0.0.2 as the carrier${RTP_ECHO ? ' (echoing RTP)' : ''}; ${STEP_SECONDS} s per step, ${ACCOUNTS} account${ACCOUNTS > 1 ? 's (calls round-robin)' : ''}, at most ${MAX_CALLS} calls in progress; a call fails on any unexpected REST answer or callback, or when not complete ${CALL_DEADLINE_MS / 1000} s after its POST. Latencies in ms, p50 / p99; "fact" is the callback's \`time\` (when the switch saw the SIP event).\n`,
);
console.log('| offered calls/s | calls | completed | failed | failures by kind | completed calls/s (first POST → last hangup) | last hangup after last POST (s) | Ringside CPU ms/call | POST /calls → 201 | POST /calls → answer fact | (a) POST /calls → answer callback | (b) answer fact → callback | (c) hangup fact → callback | speak done → hangup callback | warn lines | load |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const s of steps) {
  console.log(`| ${s.rate} | ${s.offered} | ${s.completed} | ${failedCount(s)} | ${kinds(s) || '-'} | ${(s.completed / Math.max(0.001, s.seconds)).toFixed(1)} | ${s.lagSeconds.toFixed(1)} | ${(s.ringsideCpuMs / Math.max(1, s.completed)).toFixed(2)} | ${pq(s.created)} | ${pq(s.toAnswerFact)} | ${pq(s.answered)} | ${pq(s.answerCallback)} | ${pq(s.hangupCallback)} | ${pq(s.hangupRoundTrip)} | ${s.warnings} | ${s.load} |`);
}
const best = steps.filter((s) => failedCount(s) === 0).at(-1);
const held = steps.filter(keptUp).at(-1);
console.log(`\nHighest step with 0 failed calls: ${best ? `${best.rate} calls/s offered` : 'none'}. Highest step kept up with (0 failed, the last call done within ${KEPT_UP_SECONDS} s of the last POST): ${held ? `${held.rate} calls/s${held === steps.at(-1) && steps.length === STEPS.length ? ' (the last step: the ceiling is higher)' : ''}` : 'none'}.`);
console.log(`CPU per completed call over the steps: Ringside ${steps.map((s) => (s.ringsideCpuMs / Math.max(1, s.completed)).toFixed(2)).join(' / ')} ms; this process (client + receiver) ${steps.map((s) => (s.benchCpuMs / Math.max(1, s.completed)).toFixed(2)).join(' / ')} ms; sipp ${steps.map((s) => (s.sippCpuMs / Math.max(1, s.completed)).toFixed(2)).join(' / ')} ms.`);
if (strayCallbacks) console.log(`Callbacks that named no call of this run or were not JSON: ${strayCallbacks}.`);

/**
 * One fuzz campaign against a live Ringside (docs/fuzzing.md): `ringside serve` as a child process (a
 * crash is an exit) with an account, two users, a line ringing user 101 (the real calls' phone), one
 * ringing user 102 (where the fuzzed texts and calls go: a text to 101 would reach the real phone as a
 * SIP MESSAGE its sipp scenario does not expect), voice-API credentials and a
 * small RTP range; a real call first (sipp carrier on 127.0.0.2 → the line → a registered sipp phone),
 * whose traced messages join the SIP seeds; then every target at once until the time is up, with a real
 * call now and then while they run; then, the fuzzing stopped, a last real call that must be answered
 * (200, BYE ok) and a clean SIGTERM shutdown. Ringside's stderr is read throughout: any fatal line, any
 * unhandled rejection, any error-level line is reported. RSS is sampled from /proc at start, every
 * progress line, and end.
 */
import { appendFileSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRingside, type RunningRingside } from '../../support/ringside-process.js';
import { freePort } from '../../sip/support/sipp.js';
import { CARRIER_IP, phoneAnswering, register, sipp } from '../../support/sipp-calls.js';
import { callConfig, ALICE, BOB } from '../../support/call-config.js';
import { Prng } from './prng.js';
import { messagesOfSippTrace, rfc4475Seeds, servedRequests } from './sip-corpus.js';
import { SipTcpTarget, SipUdpTarget } from './sip-target.js';
import { apiRoutes } from './api-routes.js';
import { HttpTarget } from './http-target.js';
import { WsTarget } from './ws-target.js';
import { SseTarget } from './sse-target.js';
import { MediaParserTarget, RtpSprayTarget } from './media-target.js';
import { sleep, type Finding, type FuzzTarget, type TargetStats } from './target.js';

export const TARGET_NAMES = ['sip-udp', 'sip-tcp', 'http', 'websocket', 'sse', 'sdp-rtp-parsers', 'rtp-live'] as const;

export interface CampaignOptions {
  seconds: number;
  seed: number;
  /** Only these targets (FUZZ_TARGETS); all by default. */
  targets?: readonly string[];
  /** Interval of progress lines and RSS samples. */
  progressEveryMs: number;
  /** A real call while the targets run, every this many seconds (the first at half this). */
  callEverySeconds: number;
  log: (line: string) => void;
}

export interface CallResult {
  ok: boolean;
  detail: string;
}

export interface CampaignResult {
  seed: number;
  seconds: number;
  targets: TargetStats[];
  rssMb: { start: number; end: number; max: number; samples: number[] };
  warmup: CallResult;
  callsUnderFire: CallResult[];
  final: CallResult;
  crashed?: string;
  fatal: string[];
  unhandled: string[];
  /** Distinct error-level log lines (message: count). */
  errors: Map<string, number>;
  /** stderr lines that are not JSON log lines (warnings, stack traces). */
  nonJson: string[];
  stopExit: number | null;
  findings: Finding[];
  replay: string;
}

/** `t.after` for the bench, which has no test context: run in reverse at the end. */
export class Cleanup {
  readonly #fns: (() => unknown)[] = [];
  after(fn: () => unknown): void {
    this.#fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.#fns.reverse()) {
      try {
        await fn();
      } catch {
        // best effort: every cleanup runs
      }
    }
  }
}

type T = { after(fn: () => unknown): void };

/** A traced message aimed at the fuzzer's line and user (+15550101, 102) instead of the real calls' (+15550100,
 *  101): a fuzzed INVITE must not ring the real phone mid-call, and failed digests lock out their username. */
const asUser102 = (m: Buffer): Buffer => Buffer.from(m.toString('latin1').replace(/username="101"/g, 'username="102"').replace(/sip:101@/g, 'sip:102@').replace(/\+15550100/g, '+15550101'), 'latin1');

const FUZZ_IP = '127.0.0.3';
/** What the real calls need and valid REST writes could take away (provisioning, presence): the HTTP
 *  target sends no write there, as the SIP targets aim at user 102 and line +15550101 instead. */
const REAL_CALL_PATHS = [/^\/provisioning\/users\/501(?:\/|$)/, /^\/provisioning\/lines\/main(?:\/|$)/, /^\/provisioning\/numbers\/(?:%2B|\+)15550100(?:\/|$)/i, /^\/provisioning\/trunks(?:\/|$)/, /^\/agents\/501\//];
const CREDENTIALS = { token: 'fuzz-api-token', secret: 'fuzz-api-secret' };
/** The voice API's user of the fuzzed account: most voice-API paths name it, so fuzzing reaches the routes. */
const VOICE_USER = 'u-fuzz';

function config(carrierPort: number): string {
  return callConfig(
    carrierPort,
    `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    users:
      - ${ALICE}
      - ${BOB}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 5, fallback: hangup } }
      - { id: texts, name: Texts, number: "+15550101", ring: { strategy: ring-all, users: [502], timeoutSeconds: 5, fallback: hangup } }
    voiceApi: { userId: ${VOICE_USER}, apiToken: ${CREDENTIALS.token}, apiSecret: ${CREDENTIALS.secret} }
`,
  );
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function login(r: RunningRingside, username: string, password: string): Promise<string> {
  const res = await fetch(r.url('/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login failed for ${username}: ${JSON.stringify(body)}`);
  return body.token;
}

/** A real call: the phone registers from a fresh port and answers there; the carrier calls the line and hangs up. */
async function realCall(t: T, target: string, traces?: Buffer[]): Promise<CallResult> {
  try {
    // Fresh ports for both sipps: Ringside may still be retransmitting final answers to fuzzed INVITEs
    // (Timer G, RFC 3261 17.2.1) to addresses the fuzzer copied from earlier calls' traces.
    const phonePort = await freePort();
    await register(t, target, phonePort, '101', 'alice-sip-101');
    const phone = await phoneAnswering(t, 'uas-answers.xml', phonePort, 9);
    const carrier = await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, port: await freePort(), service: '+15550100', keys: { from: '+15557654321' }, extra: ['-mp', String(await freePort())] });
    const answered = await phone.done;
    traces?.push(...[...messagesOfSippTrace(carrier.messages), ...messagesOfSippTrace(answered.messages)].map(asUser102));
    const ok = carrier.run.code === 0 && answered.run.code === 0;
    const firstLines = (log: string) => messagesOfSippTrace(log).map((m) => m.toString('latin1').split('\r\n')[0]).join(' / ');
    const detail = ok ? '200 OK, BYE 200' : `carrier sipp exit ${carrier.run.code} (${firstLines(carrier.messages)}), phone sipp exit ${answered.run.code} (${firstLines(answered.messages)}) ${carrier.run.stderr.slice(-300)}`;
    return { ok, detail };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.slice(0, 600) };
  }
}

export async function runCampaign(o: CampaignOptions, t: T): Promise<CampaignResult> {
  const work = mkdtempSync(join(tmpdir(), 'ringside-fuzz-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const carrierPort = await freePort();
  writeFileSync(join(work, 'config.yaml'), config(carrierPort));
  const rtpBase = 42000 + Math.floor(Math.random() * 50) * 200;
  const rtpPorts = { min: rtpBase, max: rtpBase + 199 };
  const r = await startRingside(t, ['--config', join(work, 'config.yaml'), '--rtp-ports', `${rtpPorts.min}-${rtpPorts.max}`], { timeoutMs: 60_000 });
  const started = r.logs.find((l) => l.msg === 'ringside started') as { sip?: { port: number } } | undefined;
  const sipPort = started!.sip!.port;
  const target = `127.0.0.1:${sipPort}`;
  const pid = r.proc.pid;

  // Ringside's log, read as it comes (and dropped once read: minutes of info lines add up).
  const fatal: string[] = [];
  const unhandled: string[] = [];
  const errors = new Map<string, number>();
  const nonJson: string[] = [];
  // FUZZ_LOG=<file>: Ringside's whole stderr, for reading a finding's context.
  const keep = process.env.FUZZ_LOG;
  const scan = () => {
    if (keep && r.stderr.length) appendFileSync(keep, r.stderr.map((s) => `${s}\n`).join(''));
    for (const l of r.logs.splice(0)) {
      const level = Number(l.level ?? 0);
      const msg = String(l.msg ?? '');
      const err = (l.err ?? {}) as { message?: string; type?: string };
      const line = `${msg}${err.message ? `: ${err.type ?? 'Error'}: ${err.message}` : ''}`.slice(0, 300);
      if (/unhandled rejection|uncaught/i.test(msg)) unhandled.push(line);
      if (level >= 60) fatal.push(line);
      else if (level >= 50) errors.set(line, (errors.get(line) ?? 0) + 1);
    }
    for (const s of r.stderr.splice(0)) {
      if (!s.startsWith('{') && nonJson.length < 50) nonJson.push(s.slice(0, 300));
      tail.push(s.slice(0, 400));
      if (tail.length > 30) tail.shift();
    }
  };
  const tail: string[] = [];

  const traces: Buffer[] = [];
  const warmup = await realCall(t, target, traces);
  if (!warmup.ok) throw new Error(`the first real call failed before any fuzzing: ${warmup.detail}`);
  const adminToken = await login(r, 'alice@demo.test', 'alice-pass');
  const userToken = await login(r, 'bob@demo.test', 'bob-pass');
  const routes = await apiRoutes();
  const seeds = [...rfc4475Seeds(), ...servedRequests()];
  const corpus = () => (traces.length ? [...seeds, ...traces] : seeds);
  const rng = (name: string) => Prng.forTarget(o.seed, name);
  // The fuzzer's phone side is 127.0.0.3 and its digest attempts name user 102: failed digests lock out
  // their source and username for a while (src/sip/auth/digest-guard.ts), and the real calls register
  // user 101 from 127.0.0.1.
  const from = [FUZZ_IP, CARRIER_IP];
  const all: Record<(typeof TARGET_NAMES)[number], () => FuzzTarget> = {
    'sip-udp': () => new SipUdpTarget({ host: '127.0.0.1', port: sipPort, from, seeds: corpus, r: rng('sip-udp'), rate: 300 }),
    'sip-tcp': () => new SipTcpTarget({ host: '127.0.0.1', port: sipPort, from, seeds: corpus, r: rng('sip-tcp'), rate: 100 }),
    http: () => new HttpTarget({ host: '127.0.0.1', port: r.httpPort, routes, credentials: { adminToken, userToken, api: `${CREDENTIALS.token}:${CREDENTIALS.secret}`, login: 'bob@demo.test:bob-pass', voiceUser: VOICE_USER }, from, rngs: [rng('http-0'), rng('http-1'), rng('http-2')], protectedPaths: REAL_CALL_PATHS }),
    websocket: () => new WsTarget({ host: '127.0.0.1', port: r.httpPort, adminToken, userToken, r: rng('websocket') }),
    sse: () => new SseTarget({ host: '127.0.0.1', port: r.httpPort, adminToken, userToken, r: rng('sse') }),
    'sdp-rtp-parsers': () => new MediaParserTarget(rng('sdp-rtp-parsers')),
    'rtp-live': () => new RtpSprayTarget({ host: '127.0.0.1', ports: rtpPorts, from, r: rng('rtp-live'), rate: 400 }),
  };
  const chosen = TARGET_NAMES.filter((n) => !o.targets?.length || o.targets.includes(n));
  const targets = chosen.map((n) => all[n]());

  scan();
  const rss = { start: rssMb(pid), end: 0, max: 0, samples: [] as number[] };
  rss.max = rss.start;
  const begin = Date.now();
  let end = begin + o.seconds * 1000;
  let crashed: string | undefined;
  let stopping = false;
  r.proc.once('exit', (code, signal) => {
    if (stopping) return;
    end = Date.now();
    // The stderr lines may still be in the pipe: read them a moment later.
    setTimeout(() => {
      scan();
      crashed = `ringside exited during the campaign (code ${code}, signal ${signal}); its last stderr lines:\n${tail.join('\n')}`;
    }, 300);
    crashed = `ringside exited during the campaign (code ${code}, signal ${signal})`;
  });
  const deadline = () => end;
  o.log(`fuzz seed ${o.seed}: ${o.seconds} s against ${chosen.join(', ')} (ringside pid ${pid}, http ${r.httpPort}, sip ${sipPort}, rtp ${rtpPorts.min}-${rtpPorts.max}); replay with FUZZ_SEED=${o.seed}`);
  const progress = setInterval(() => {
    scan();
    const now = rssMb(pid);
    rss.samples.push(now);
    rss.max = Math.max(rss.max, now);
    const parts = targets.map((x) => `${x.stats.name} ${x.stats.sent}${x.stats.findingCount ? ` (${x.stats.findingCount} findings)` : ''}`);
    o.log(`[fuzz ${Math.round((Date.now() - begin) / 1000)} s] ${parts.join(' | ')} | rss ${now} MB | errors logged ${[...errors.values()].reduce((a, b) => a + b, 0)}`);
  }, o.progressEveryMs);
  // Real calls while everything is under fire: their RTP ports are what rtp-live hits.
  const callsUnderFire: CallResult[] = [];
  const caller = (async () => {
    let next = begin + (o.callEverySeconds * 1000) / 2;
    while (next + 8000 < end) {
      await sleep(Math.max(0, next - Date.now()));
      if (Date.now() + 8000 >= end) break;
      callsUnderFire.push(await realCall(t, target, traces.length < 200 ? traces : undefined));
      next += o.callEverySeconds * 1000;
    }
  })();
  try {
    await Promise.all([...targets.map((x) => x.run(deadline)), caller]);
  } finally {
    clearInterval(progress);
  }
  await sleep(1500);
  scan();
  rss.end = rssMb(pid);
  rss.max = Math.max(rss.max, rss.end);
  const final = crashed ? { ok: false, detail: 'no call: ringside had exited' } : await realCall(t, target);
  scan();
  let stopExit: number | null = null;
  if (!crashed) {
    stopping = true;
    stopExit = await r.stop('SIGTERM');
  }
  scan();
  const findings = targets.flatMap((x) => x.stats.findings);
  const only = chosen.length === TARGET_NAMES.length ? '' : ` FUZZ_TARGETS=${chosen.join(',')}`;
  return {
    seed: o.seed,
    seconds: o.seconds,
    targets: targets.map((x) => x.stats),
    rssMb: rss,
    warmup,
    callsUnderFire,
    final,
    ...(crashed ? { crashed } : {}),
    fatal,
    unhandled,
    errors,
    nonJson,
    stopExit,
    findings,
    replay: `FUZZ_SEED=${o.seed} FUZZ_SECONDS=${o.seconds}${only} npm run bench -- fuzz`,
  };
}

/** What makes a campaign fail (the CI test asserts this is empty). */
export function problems(res: CampaignResult): string[] {
  const out: string[] = [];
  if (res.crashed) out.push(res.crashed);
  for (const f of res.fatal) out.push(`fatal log line: ${f}`);
  for (const u of res.unhandled) out.push(`unhandled: ${u}`);
  for (const [line, n] of res.errors) out.push(`error logged ${n}×: ${line}`);
  for (const f of res.findings) out.push(`${f.target} ${f.kind}: ${f.detail} (input #${f.index}: ${f.input})`);
  if (!res.final.ok) out.push(`final call failed: ${res.final.detail}`);
  if (res.stopExit !== 0 && !res.crashed) out.push(`SIGTERM exit code ${res.stopExit}`);
  if (out.length) out.push(`replay: ${res.replay}`);
  return out;
}

/** The Markdown report: per target, inputs, answers by class, findings; then the process's figures. */
export function markdown(res: CampaignResult): string {
  const lines = [
    `Seed ${res.seed}, ${res.seconds} s. Replay: \`${res.replay}\``,
    '',
    '| target | inputs | answers by class | findings |',
    '|---|---:|---|---:|',
  ];
  for (const s of res.targets) {
    const classes = [...s.responses.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`| ${s.name} | ${s.sent} | ${classes || '—'} | ${s.findingCount} |`);
  }
  const errorCount = [...res.errors.values()].reduce((a, b) => a + b, 0);
  lines.push(
    '',
    '| check | result |',
    '|---|---|',
    `| crashes (process exits) | ${res.crashed ? `1: ${res.crashed}` : 0} |`,
    `| unhandled rejections / uncaught exceptions logged | ${res.unhandled.length} |`,
    `| fatal log lines | ${res.fatal.length} |`,
    `| error-level log lines | ${errorCount} |`,
    `| RSS start → end (max) | ${res.rssMb.start} MB → ${res.rssMb.end} MB (${res.rssMb.max} MB) |`,
    `| real calls under fire | ${res.callsUnderFire.filter((c) => c.ok).length} of ${res.callsUnderFire.length} answered |`,
    `| final real call | ${res.final.ok ? 'answered' : 'FAILED'}: ${res.final.detail.replace(/\|/g, '/').replace(/\n/g, ' ').slice(0, 200)} |`,
    `| SIGTERM shutdown exit code | ${res.crashed ? '—' : res.stopExit} |`,
  );
  const failedCalls = res.callsUnderFire.filter((c) => !c.ok);
  if (failedCalls.length) lines.push('', 'Real calls under fire that failed:', '', ...failedCalls.map((c) => `- ${c.detail.replace(/\n/g, ' ').slice(0, 1500)}`));
  if (res.findings.length) {
    lines.push('', 'Findings:', '');
    for (const f of res.findings) lines.push(`- ${f.target} ${f.kind}: ${f.detail} — input #${f.index}: ${f.input.slice(0, 300)}`);
  }
  if (res.errors.size) {
    lines.push('', 'Error-level log lines:', '');
    for (const [l, n] of res.errors) lines.push(`- ${n}× ${l}`);
  }
  if (res.nonJson.length) lines.push('', 'Non-JSON stderr lines:', '', ...res.nonJson.slice(0, 10).map((l) => `- ${l}`));
  return lines.join('\n');
}

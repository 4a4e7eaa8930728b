/**
 * Ringside as a child process (`ringside serve`, compiled as `npm start` runs it; RINGSIDE_FROM=src runs the
 * sources through tsx), so a bench can read its CPU
 * and memory from /proc and profile it with `--cpu-prof`; plus the two things every switch bench needs:
 * the phone (sipp's built-in uas, registered first from the same port) and a WebSocket client on the
 * account stream.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { spawnSync } from 'node:child_process';
import { spawnChild, runChild, type Child } from './children.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The Ringside sources to run: this checkout, or RINGSIDE_DIR (another checkout: compare before/after). */
export const RINGSIDE_DIR = process.env.RINGSIDE_DIR ?? REPO;
/** `dist` (default): the compiled build, as `npm start` runs it (built once per bench run); `src`: the
 *  sources through tsx, whose transform names every function it emits and costs CPU the build does not. */
const RINGSIDE_FROM = process.env.RINGSIDE_FROM === 'src' ? 'src' : 'dist';
let built = false;

/** The node arguments that start Ringside's CLI, building dist/ first when it is what runs. */
function cliEntry(): string[] {
  if (RINGSIDE_FROM === 'src') return ['--import', 'tsx', join(RINGSIDE_DIR, 'src/cli/main.ts')];
  if (!built) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: RINGSIDE_DIR, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed in ${RINGSIDE_DIR}:\n${r.stdout}${r.stderr}`);
    built = true;
  }
  return [join(RINGSIDE_DIR, 'dist/src/cli/main.js')];
}

export interface RingsideChild {
  child: Child;
  pid: number;
  httpPort: number;
  sipPort: number;
  /** Log lines at warn or above so far. */
  warnings: string[];
  url(path: string): string;
  /** SIGTERM (a clean stop writes the --cpu-prof profile), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Provisioning of the switch benches: a carrier trunk from 127.0.0.2 and one ring-all line to user 501.
 *  `inboundAddresses`: more addresses the carrier's calls come from (a proxy in front, e.g. Kamailio). */
export function benchConfig(carrierPort: number, line: { record?: boolean } = {}, inboundAddresses: string[] = []): string {
  const inbound = inboundAddresses.length ? `, inboundAddresses: [${['127.0.0.2', ...inboundAddresses].map((a) => `"${a}"`).join(', ')}]` : '';
  return `trunks: [{ name: carrier, host: 127.0.0.2, port: ${carrierPort}${inbound} }]
accounts:
  - id: demo
    name: Demo
    trunk: carrier
    numbers: [{ number: "+15550100" }]
    users: [{ id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: alice-sip-101 } }]
    lines: [{ id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 10, fallback: hangup }${line.record ? ', record: true' : ''} }]
`;
}

/** `traceFile`: what the child prints that is no JSON log line (V8's `--trace-gc`, say) is appended there.
 *  `host` (default 127.0.0.1): the address it binds (SIP, HTTP, RTP); `serveArgs`: more `serve` flags
 *  (`--store`, `--log`, `--node-id` of a cluster node). */
export async function startRingsideChild(o: { dir: string; config: string; rtpPorts: string; nodeArgs?: string[]; logLevel?: string; timeoutMs?: number; traceFile?: string; host?: string; serveArgs?: string[] }): Promise<RingsideChild> {
  const host = o.host ?? '127.0.0.1';
  const configFile = join(o.dir, 'config.yaml');
  writeFileSync(configFile, o.config);
  const warnings: string[] = [];
  let started: { http: number; sip: number } | undefined;
  const child = spawnChild(
    process.execPath,
    [...(o.nodeArgs ?? []), ...cliEntry(), 'serve', '--config', configFile, '--data', join(o.dir, 'data'), '--host', host, '--http-port', '0', '--sip-port', '0', '--rtp-ports', o.rtpPorts, '--log-level', o.logLevel ?? 'info', ...(o.serveArgs ?? [])],
    {
      cwd: RINGSIDE_DIR,
      keepBytes: 1 << 16,
      onLine: (line) => {
        if (o.traceFile && !line.startsWith('{')) appendFileSync(o.traceFile, `${line}\n`);
        // pino levels: 40 warn, 50 error, 60 fatal. Cheap test first: most lines are info.
        if (/"level":(4|5|6)0/.test(line)) warnings.push(line.slice(0, 2000));
        if (!started && line.includes('"ringside started"')) {
          const m = JSON.parse(line) as { http: { port: number }; sip: { port: number } };
          started = { http: m.http.port, sip: m.sip.port };
        }
      },
    },
  );
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  while (!started) {
    if (child.proc.exitCode !== null || Date.now() > deadline) {
      await child.stop('SIGKILL', 0);
      throw new Error(`ringside did not start:\n${child.stderr().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const { http, sip } = started;
  return {
    child,
    pid: child.pid,
    httpPort: http,
    sipPort: sip,
    warnings,
    url: (path) => `http://${host}:${http}${path}`,
    stop: (graceMs = 30_000) => child.stop('SIGTERM', graceMs),
  };
}

/** Registers user 101 from `phonePort`, then answers every call there with sipp's built-in uas. The uas
 *  holds the port and cannot refresh the binding: `hour` registers for 3600 s (the registrar's maximum)
 *  instead of 300 s, for runs longer than five minutes (the soak). */
export async function startPhone(o: { dir: string; target: string; phonePort: number; extraArgs?: string[]; hour?: boolean }): Promise<Child> {
  const scenario = o.hour ? join(REPO, 'bench/support/scenarios/register-hour.xml') : join(REPO, 'test/switch/scenarios/register.xml');
  const reg = await runChild('sipp', ['-nostdin', '-i', '127.0.0.1', '-p', String(o.phonePort), '-sf', scenario, '-m', '1', '-s', '101', '-au', '101', '-ap', 'alice-sip-101', '-timeout', '10s', '-timeout_error', o.target], { timeoutMs: 20_000, cwd: o.dir });
  if (reg.code !== 0) throw new Error(`phone did not register: ${reg.stdout.slice(-1000)}`);
  return startUas({ dir: o.dir, port: o.phonePort, extraArgs: o.extraArgs ?? [] });
}

/** sipp's built-in uas on 127.0.0.1:port (output discarded: it redraws its screen). */
export function startUas(o: { dir: string; port: number; extraArgs?: string[] }): Child {
  return spawnChild('sipp', ['-nostdin', '-i', '127.0.0.1', '-p', String(o.port), '-sn', 'uas', ...(o.extraArgs ?? [])], { cwd: o.dir, stdio: 'ignore' });
}

/** Logs in as the account's admin and opens a RealTime WebSocket on the account stream. */
export async function accountStream(httpPort: number, onEvent: (m: { trackingId?: string; eventName?: string }) => void = () => undefined): Promise<WebSocket> {
  const token = await login(httpPort);
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/`);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; trackingId?: string; eventName?: string };
      if (m.type === 'authresponse') ws.send(JSON.stringify({ type: 'startaccounteventrequest' }));
      else if (m.type === 'startaccounteventresponse') resolve();
      else if (m.type === 'accountevent') onEvent(m);
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'authrequest', token })));
  });
  return ws;
}

export async function login(httpPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice@demo.test', password: 'alice-pass' }) });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

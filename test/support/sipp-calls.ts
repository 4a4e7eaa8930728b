/**
 * Plumbing for end-to-end call tests with sipp: the carrier is sipp on 127.0.0.2 (a trunk's host), a
 * user's phone is sipp on 127.0.0.1. The registrar sends calls to where a REGISTER came from
 * (`binding.source`, RFC 3581), and sipp in UAC mode cannot take a new INVITE, so a phone is built in two
 * steps on one fixed port: `register.xml` with `-p PORT` registers and exits, then a UAS scenario starts on
 * the same port and takes the calls Ringside sends there.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runTool, type ToolRun } from '../sip/support/sipp.js';

export const CARRIER_IP = '127.0.0.2';
/** The call scenarios (test/switch/scenarios). */
export const CALL_SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'switch', 'scenarios');

export interface Sipp {
  run: ToolRun;
  /** Everything sipp logged with -trace_msg. */
  messages: string;
}

type T = { after(fn: () => unknown): void };

export interface SippOptions {
  /** Source address (127.0.0.2 = the carrier). */
  from?: string;
  port?: number;
  service?: string;
  keys?: Record<string, string>;
  extra?: string[];
  timeoutSec?: number;
  /** Folder of the scenario file (default: the call scenarios). */
  dir?: string;
  /** The sipp executable (default `sipp`; a TLS build for `-t l1`, test/support/sipp-tls.ts). */
  binary?: string;
}

/** Runs one sipp scenario, killed in `t.after` if still running. */
export async function sipp(t: T, scenario: string, target: string, opts: SippOptions = {}): Promise<Sipp> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-sipp-call-'));
  try {
    const keys = Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]);
    const args = [
      '-nostdin',
      '-timeout', `${opts.timeoutSec ?? 15}s`,
      '-timeout_error',
      '-i', opts.from ?? '127.0.0.1',
      '-mi', opts.from ?? '127.0.0.1',
      ...(opts.port ? ['-p', String(opts.port)] : []),
      '-sf', join(opts.dir ?? CALL_SCENARIOS, scenario),
      '-m', '1',
      '-trace_msg',
      ...(opts.service ? ['-s', opts.service] : []),
      ...keys,
      ...(opts.extra ?? []),
      ...(target ? [target] : []),
    ];
    const run = await runTool(opts.binary ?? 'sipp', args, { timeoutMs: ((opts.timeoutSec ?? 15) + 10) * 1000, cwd: dir, onSpawn: (kill) => t.after(kill) });
    const log = readdirSync(dir).find((f) => f.endsWith('_messages.log'));
    return { run, messages: log ? readFileSync(join(dir, log), 'utf8') : '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const ok = (s: Sipp, what: string): void => assert.equal(s.run.code, 0, `${what}: ${s.run.stdout.slice(-2000)}${s.run.stderr}\n${s.messages.slice(-6000)}`);
export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A UDP socket standing in for a phone's RTP port: counts what Ringside relays to it. */
export async function rtpSink(t: T): Promise<{ port: number; packets: () => number; payloadTypes: Set<number> }> {
  const sock: Socket = createSocket('udp4');
  let n = 0;
  const payloadTypes = new Set<number>();
  sock.on('message', (m) => {
    n++;
    if (m.length >= 12) payloadTypes.add(m[1]! & 0x7f);
  });
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  t.after(() => sock.close());
  return { port, packets: () => n, payloadTypes };
}

/** Step 1 of a phone: REGISTER from `port`; returns once the binding is stored. */
export async function register(t: T, target: string, port: number, username: string, password: string): Promise<void> {
  ok(await sipp(t, 'register.xml', target, { port, service: username, extra: ['-au', username, '-ap', password] }), 'REGISTER');
}

/** Step 2 of a phone: a UAS scenario on the registered port, in the background. `done` resolves when it
 *  exits (wrapped: an async function returning a promise would wait for it). */
export async function phoneAnswering(t: T, scenario: string, port: number, rtpPort: number, from = '127.0.0.1', timeoutSec = 15): Promise<{ done: Promise<Sipp> }> {
  const done = sipp(t, scenario, '', { from, port, keys: { rtp_port: String(rtpPort) }, timeoutSec });
  await sleep(300); // sipp is listening
  return { done };
}

/** Both steps of a phone: a free port, REGISTER from it as `username`, then `scenario` answering there
 *  (its SDP names `rtpPort`; 9, the discard port, when the test does not listen). */
export async function registeredPhone(t: T, target: string, username: string, password: string, scenario: string, rtpPort = 9): Promise<{ port: number; done: Promise<Sipp> }> {
  const port = await freePort();
  await register(t, target, port, username, password);
  return { port, ...(await phoneAnswering(t, scenario, port, rtpPort)) };
}

/**
 * Kamailio with the deploy config (deploy/kamailio/kamailio.cfg) on loopback in front of Ringside nodes, for
 * the cluster tests: Kamailio on 127.0.0.10:5060 (outside) and :5070 (facing the nodes, as deployed), the
 * nodes on 127.0.0.11 and 127.0.0.12, port 5060 each.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../support/sipp-calls.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const KAMAILIO = '127.0.0.10';
export const NODE_A = '127.0.0.11';
export const NODE_B = '127.0.0.12';
export const SIP_PORT = 5060;
export const PROXY = `${KAMAILIO}:${SIP_PORT}`;
export const INTERNAL_PORT = 5070;

type T = { after(fn: () => unknown): void };

export interface Kamailio {
  stderr: () => string;
  stop: () => Promise<void>;
}

export interface KamailioOptions {
  /** Node addresses (port SIP_PORT), one dispatcher set. */
  nodes: string[];
  /** Seconds between OPTIONS probes. */
  pingIntervalS: number;
  /** ms without any reply before a request fails over. */
  frTimerMs: number;
}

/** Kamailio in the foreground (-DD: no daemon, children forked; -E: log to stderr) with the deploy config,
 *  stopped in `t.after`. Resolves once it listens. */
export async function startKamailio(t: T, dir: string, o: KamailioOptions): Promise<Kamailio> {
  const list = join(dir, 'dispatcher.list');
  writeFileSync(list, o.nodes.map((n) => `1 sip:${n}:${SIP_PORT} 0 0\n`).join(''));
  const args = [
    '-DD', '-E', '-f', join(REPO, 'deploy/kamailio/kamailio.cfg'),
    '-A', `LISTEN=udp:${PROXY}`,
    // The deploy shape: the nodes face a second socket (Record-Route is doubled, Path names that side).
    '-A', `INTERNAL=udp:${KAMAILIO}:${INTERNAL_PORT}`,
    '-A', `DISPATCHER_LIST="${list}"`,
    '-A', `PING_INTERVAL=${o.pingIntervalS}`,
    '-A', `FR_TIMER=${o.frTimerMs}`,
    '-m', '64', '-M', '8', '-Y', dir, '-P', join(dir, 'kamailio.pid'),
  ];
  // Its own process group: one signal reaches the children it forked.
  const proc = spawn('kamailio', args, { cwd: dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  t.after(stop);
  const deadline = Date.now() + 10_000;
  while (!err.includes('Listening on') && proc.exitCode === null && Date.now() < deadline) await sleep(50);
  await sleep(300);
  if (proc.exitCode !== null) throw new Error(`kamailio did not start:\n${err.slice(-3000)}`);
  return { stderr: () => err, stop };
}

/** Waits until `cond` holds or `ms` have passed (the caller asserts). */
export async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(50);
}

/**
 * Kamailio with the deploy config (deploy/kamailio/kamailio.cfg) in front of Ringside nodes, as a bench
 * child: an outside socket for carriers and phones, an inside one facing the nodes (the deployed shape),
 * the nodes in its dispatcher list. Same defines as test/cluster/kamailio-dispatch.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnChild, type Child } from './children.js';
import { treeCpuSeconds } from './proc-stats.js';
import { REPO } from './ringside-child.js';

export interface Dispatcher {
  child: Child;
  /** Where carriers send: `host:port` of the outside socket. */
  target: string;
  port: number;
  /** CPU seconds of Kamailio and every process it forked. */
  cpu(): number;
  /** INVITEs dispatched so far to `uri` (sip:host:port of a node), from the config's `dispatch` log lines. */
  dispatches(uri: string): number;
  stop(): Promise<void>;
}

/** `nodes`: `host:port` of each Ringside node. Resolves once every node has answered a probe (or throws). */
export async function startDispatcher(o: { dir: string; host: string; port: number; internalPort: number; nodes: string[]; pingIntervalS?: number; frTimerMs?: number }): Promise<Dispatcher> {
  const list = join(o.dir, 'dispatcher.list');
  writeFileSync(list, o.nodes.map((n) => `1 sip:${n} 0 0\n`).join(''));
  const ping = o.pingIntervalS ?? 1;
  const invites = new Map<string, number>();
  const child = spawnChild(
    'kamailio',
    [
      '-DD', '-E', '-f', join(REPO, 'deploy/kamailio/kamailio.cfg'),
      '-A', `LISTEN=udp:${o.host}:${o.port}`,
      '-A', `INTERNAL=udp:${o.host}:${o.internalPort}`,
      '-A', `DISPATCHER_LIST="${list}"`,
      '-A', `PING_INTERVAL=${ping}`,
      '-A', `FR_TIMER=${o.frTimerMs ?? 3000}`,
      '-m', '256', '-M', '16', '-Y', o.dir, '-P', join(o.dir, 'kamailio.pid'),
    ],
    {
      cwd: o.dir,
      keepBytes: 1 << 16,
      onLine: (line) => {
        const m = / dispatch INVITE \S+ to (\S+)/.exec(line);
        if (m) invites.set(m[1]!, (invites.get(m[1]!) ?? 0) + 1);
      },
    },
  );
  const stop = async () => void (await child.stop('SIGTERM', 5000));
  // Its socket list goes to stdout, the log (-E) to stderr.
  const listening = () => child.stdout().includes('Listening on');
  const until = Date.now() + 10_000;
  while (!listening() && child.proc.exitCode === null && Date.now() < until) await sleep(50);
  if (child.proc.exitCode !== null || !listening()) {
    await stop();
    throw new Error(`kamailio did not start:\n${child.stderr().slice(-3000)}`);
  }
  // The first probes (every `ping` s) mark the nodes active; a node that does not answer is logged down.
  await sleep(ping * 1000 + 1500);
  if (child.stderr().includes('ringside node down')) {
    await stop();
    throw new Error(`a node did not answer Kamailio's probe:\n${child.stderr().slice(-3000)}`);
  }
  return { child, target: `${o.host}:${o.port}`, port: o.port, cpu: () => treeCpuSeconds(child.pid), dispatches: (uri) => invites.get(uri) ?? 0, stop };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Child processes of a bench, each in its own process group so one kill reaches what it forked (Kamailio's
 * children, sipp's threads). Every child is killed when the bench ends — normally, by an uncaught error or
 * by Ctrl-C/SIGTERM — so no sipp, Kamailio or Ringside outlives a run.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

process.on('exit', () => {
  for (const c of live) killGroup(c, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    for (const c of live) killGroup(c, 'SIGKILL');
    process.exit(130);
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  /** Signal, wait up to `graceMs`, then SIGKILL the whole group. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** Spawns a tracked child; output is kept (bounded to the last `keepBytes`) unless stdio is overridden. */
export function spawnChild(cmd: string, args: string[], options: SpawnOptions & { keepBytes?: number; onLine?: (line: string, stream: 'stdout' | 'stderr') => void } = {}): Child {
  const { keepBytes = 1 << 20, onLine, ...spawnOptions } = options;
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions, detached: true });
  if (proc.pid === undefined) throw new Error(`could not start ${cmd}`);
  live.add(proc);
  let out = '';
  let err = '';
  const keep = (s: string, d: string) => (s.length + d.length > keepBytes ? (s + d).slice(-keepBytes) : s + d);
  const lines = (stream: 'stdout' | 'stderr') => {
    let partial = '';
    return (d: Buffer) => {
      const text = d.toString();
      if (stream === 'stdout') out = keep(out, text);
      else err = keep(err, text);
      if (!onLine) return;
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) onLine(l, stream);
    };
  };
  proc.stdout?.on('data', lines('stdout'));
  proc.stderr?.on('data', lines('stderr'));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('close', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return {
    proc,
    pid: proc.pid,
    exited,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      killGroup(proc, signal);
      const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      killGroup(proc, 'SIGKILL'); // anything the leader left behind in its group
      return code;
    },
  };
}

/** Runs a child to completion with a hard deadline (SIGKILL of its group when it passes). */
export async function runChild(cmd: string, args: string[], options: SpawnOptions & { timeoutMs: number }): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  const { timeoutMs, ...rest } = options;
  const c = spawnChild(cmd, args, rest);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void c.stop('SIGKILL', 0);
  }, timeoutMs);
  const code = await c.exited;
  clearTimeout(timer);
  return { code, stdout: c.stdout(), stderr: c.stderr(), timedOut };
}

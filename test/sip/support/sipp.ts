import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a child process with a hard deadline; it is killed (SIGKILL) when the deadline passes. */
export function runTool(cmd: string, args: string[], options: { timeoutMs: number; cwd?: string; onSpawn?: (kill: () => void) => void }): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    options.onSpawn?.(kill);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * Runs sipp against `target` with a scenario file from test/sip/scenarios (or a built-in with `-sn`), one
 * call, bounded by sipp's own -timeout and a hard kill. Runs in a temp dir so trace files never land in
 * the repository.
 */
export async function runSipp(args: string[], timeoutSec = 20): Promise<ToolRun> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-sipp-'));
  try {
    return await runTool('sipp', ['-nostdin', '-timeout', `${timeoutSec}s`, '-timeout_error', '-i', '127.0.0.1', ...args], {
      timeoutMs: (timeoutSec + 10) * 1000,
      cwd: dir,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A port free on both UDP and TCP on 127.0.0.1 right now (for tools that need an explicit port). */
export async function freePort(): Promise<number> {
  for (;;) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port)));
    const tcp = createServer();
    const ok = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => r(true));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (ok) await new Promise<void>((r) => tcp.close(() => r()));
    if (ok) return port;
  }
}

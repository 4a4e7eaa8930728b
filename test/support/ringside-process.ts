import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningRingside {
  proc: ChildProcess;
  httpPort: number;
  dataDir: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  stderr: string[];
  url(path: string): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** Runs `ringside serve` as a child process and waits for its "ringside started" line. */
export async function startRingside(t: { after(fn: () => unknown): void }, args: string[], opts: { dataDir?: string; timeoutMs?: number; entry?: string; env?: NodeJS.ProcessEnv; command?: { argv: string[]; cwd: string; env: NodeJS.ProcessEnv } } = {}): Promise<RunningRingside> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'ringside-data-'));
  if (!opts.dataDir) t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  // `entry`: a compiled main.js (dist/) instead of the sources through tsx.
  // `command`: exactly this command line, directory and environment (a deployment file's), `args` ignored.
  const c = opts.command;
  const proc = c
    ? spawn(c.argv[0]!, c.argv.slice(1), { cwd: c.cwd, env: c.env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [...(opts.entry ? [opts.entry] : CLI), 'serve', '--data', dataDir, '--host', '127.0.0.1', '--http-port', '0', '--sip-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let exited: Promise<number | null> = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  createInterface({ input: proc.stderr! }).on('line', (l) => {
    stderr.push(l);
    try {
      logs.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const httpPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ringside did not start:\n${stderr.join('\n')}`)), opts.timeoutMs ?? 20_000);
    const check = setInterval(() => {
      const started = logs.find((l) => l.msg === 'ringside started') as { http?: { port: number } } | undefined;
      if (started?.http) {
        clearTimeout(timer);
        clearInterval(check);
        resolve(started.http.port);
      }
    }, 20);
    exited = exited.then((code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`ringside exited with ${code} before starting:\n${stderr.join('\n')}`));
      return code;
    });
  });
  return {
    proc,
    httpPort,
    dataDir,
    logs,
    stderr,
    url: (path) => `http://127.0.0.1:${httpPort}${path}`,
    stop: (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

/** Runs `ringside ARGS` to completion and returns its exit code and output. */
export function runCli(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ringside ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ringside } from '../../src/app/ringside.js';
import { resolveSettings, type RawSettings } from '../../src/app/settings.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import type { RealtimeSocketOptions } from '../../src/delivery/realtime-socket.js';

/** Starts Ringside in this process on loopback with a temp data dir; stops and cleans up after the test. */
export async function startInProcess(t: { after(fn: () => unknown): void }, config: string | { file: string }, options: { realtime?: RealtimeSocketOptions; env?: NodeJS.ProcessEnv; flags?: RawSettings; now?: () => number } = {}): Promise<Ringside> {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-ip-'));
  let file: string;
  if (typeof config === 'string') {
    file = join(dir, 'config.yaml');
    writeFileSync(file, config);
  } else file = config.file;
  // Each Ringside under test gets its own RTP range, so parallel test files never latch each other's
  // leftover streams (the allocator skips busy ports, but a stray sender could still reach a reused one).
  const base = 20000 + Math.floor(Math.random() * 20) * 2000;
  const settings = resolveSettings({ config: file, data: join(dir, 'data'), host: '127.0.0.1', httpPort: '0', sipPort: '0', rtpPorts: `${base}-${base + 1999}`, ...options.flags }, options.env ?? {});
  // RINGSIDE_TEST_LOG=debug shows Ringside's log lines while debugging a test.
  const logger = process.env.RINGSIDE_TEST_LOG ? createLogger({ level: process.env.RINGSIDE_TEST_LOG }) : silentLogger();
  const r = await Ringside.start(settings, logger, { ...(options.realtime ? { realtime: options.realtime } : {}), ...(options.now ? { now: options.now } : {}) });
  t.after(async () => {
    await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return r;
}

export async function login(r: Ringside, username: string, password: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${r.httpPort}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login failed for ${username}: ${JSON.stringify(body)}`);
  return body.token;
}

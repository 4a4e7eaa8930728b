/**
 * What a new user meets on a first run (issue 15, "First run" and the CLI items of "Errors a new user hit"):
 * the `ringside` command's help, setting and config errors as one line each with exit 2, `check-config`,
 * the start-up banner and `--log-format pretty`. Each runs the real command as a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli, startRingside } from './support/ringside-process.js';

function tempDir(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-first-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('ringside --help lists every command', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const command of ['serve', 'demo', 'check-config', 'help']) assert.match(r.stdout, new RegExp(`^  ${command}\\b`, 'm'), r.stdout);
});

test('--host 999.1.1.1: one line naming the setting, exit 2, no stack trace', async (t) => {
  const r = await runCli(['serve', '--config', 'examples/demo.yaml', '--data', join(tempDir(t), 'data'), '--host', '999.1.1.1', '--http-port', '0', '--sip-port', '0']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, "ringside: --host (RINGSIDE_HOST): '999.1.1.1' is not an IPv4 or IPv6 address or a host name\n");
});

test('a host name that does not resolve: one line, exit 2', async (t) => {
  const r = await runCli(['serve', '--config', 'examples/demo.yaml', '--data', join(tempDir(t), 'data'), '--host', 'no-such-host.invalid', '--http-port', '0', '--sip-port', '0']);
  assert.equal(r.code, 2, r.stderr);
  const said = r.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
  assert.deepEqual(said, ['ringside: cannot listen on no-such-host.invalid: the host name does not resolve (--host, RINGSIDE_HOST)'], r.stderr);
});

test('a config with two problems prints each problem once', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'two.yaml');
  writeFileSync(bad, readFileSync('examples/demo.yaml', 'utf8').replace('timezone: UTC', 'timezone: UTC\n    colour: red\n    shoe: 9'));
  const r = await runCli(['serve', '--config', bad, '--data', join(dir, 'data'), '--http-port', '0', '--sip-port', '0']);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /the configuration is invalid \(2 problems\)/);
  assert.equal(lines.length, 3, r.stderr);
  assert.match(lines[1]!, /\/accounts\/0\/colour: unknown setting/);
  assert.match(lines[2]!, /\/accounts\/0\/shoe: unknown setting/);
});

test('check-config: a good file says so (exit 0), a bad one lists its problems (exit 2), a missing one too', async (t) => {
  const good = await runCli(['check-config', 'examples/demo.yaml']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /examples\/demo\.yaml: valid \(1 account, 3 users, 5 lines, 1 trunk\)/);
  const dir = tempDir(t);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync('examples/demo.yaml', 'utf8').replace('pin: "1102"', 'pin: "12"').replace('timezone: UTC', 'timezone: UTC\n    colour: red'));
  const r = await runCli(['check-config', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /2 problems/);
  assert.match(r.stderr, /\/accounts\/0\/colour: unknown setting/);
  assert.match(r.stderr, /\/accounts\/0\/users\/1\/pin: must match pattern/);
  const missing = await runCli(['check-config', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read the file/);
});

test('--log-format: an unknown format is refused in one line', async () => {
  const r = await runCli(['serve', '--log-format', 'xml']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "ringside: --log-format (RINGSIDE_LOG_FORMAT): 'xml' is not one of json, pretty\n");
});

/** `ringside serve` of the demo provisioning on free ports, its stderr kept line by line. */
function serveDemo(t: { after(fn: () => unknown): void }, extra: string[]) {
  const dir = tempDir(t);
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', 'examples/demo.yaml', '--data', join(dir, 'data'), '--host', '127.0.0.1', '--http-port', '0', '--sip-port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  t.after(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
  });
  const lines: string[] = [];
  createInterface({ input: proc.stderr }).on('line', (l) => lines.push(l));
  return { proc, exited, lines };
}

test('--log-format pretty: readable log lines and a start-up banner with the URLs and the demo logins', async (t) => {
  const { proc, exited, lines } = serveDemo(t, ['--log-format', 'pretty']);
  const deadline = Date.now() + 20_000;
  while (!lines.some((l) => l.includes('Stop with Ctrl-C')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const text = lines.join('\n');
  assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d\.\d{3} INFO  provisioning loaded  .*accounts=1/.test(l)), text);
  assert.ok(!lines.some((l) => l.startsWith('{')), `no JSON line in pretty mode:\n${text}`);
  const http = /HTTP API +(http:\/\/127\.0\.0\.1:(\d+))\//.exec(text);
  assert.ok(http, text);
  assert.match(text, new RegExp(`WebSocket +ws://127\\.0\\.0\\.1:${http[2]}/`));
  assert.match(text, /SIP +sip:127\.0\.0\.1:\d+ \(udp, tcp\)/);
  assert.match(text, /alice@demo\.test +alice-pass/);
  assert.match(text, /SIP 101 \/ alice-sip-101/);
  // The URL it prints is the one that answers.
  assert.equal((await fetch(`${http[1]}/health`)).status, 200);
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('serve under a non-TTY stderr logs JSON lines and prints no banner (machines read it)', async (t) => {
  const r = await runCli(['check-config', 'examples/demo.yaml']);
  assert.equal(r.code, 0);
  const { proc, exited, lines } = serveDemo(t, []);
  const deadline = Date.now() + 20_000;
  while (!lines.some((l) => l.includes('"ringside started"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
});

test('npm install under Node 20 warns of no engine: every installed package accepts this Node', () => {
  // The EBADENGINE warning came from cookie@2 (node >= 22), pulled by fastify's light-my-request.
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
  const major = Number(process.versions.node.split('.')[0]);
  const refusing = Object.entries(lock.packages).filter(([, p]) => {
    const m = /^>=\s*(\d+)/.exec(p.engines?.node ?? '');
    return m !== null && Number(m[1]) > major;
  });
  assert.deepEqual(refusing.map(([name]) => name), []);
});

test('without espeak-ng: one warning at start, and /health says text-to-speech is unavailable and why', async (t) => {
  // A PATH without espeak-ng (node itself is run by its absolute path).
  const r = await startRingside(t, ['--config', 'examples/demo.yaml'], { env: { ...process.env, PATH: '/nonexistent-bin' } });
  const warnings = r.logs.filter((l) => l.msg === 'text-to-speech unavailable: calls that speak text will have no audio for it');
  assert.equal(warnings.length, 1, r.stderr.join('\n'));
  assert.equal(warnings[0]!.level, 40);
  const h = (await (await fetch(r.url('/health'))).json()) as { tts: { available: boolean; reason: string } };
  assert.equal(h.tts.available, false);
  assert.match(h.tts.reason, /espeak-ng is not installed/);
  assert.equal(await r.stop(), 0);
});

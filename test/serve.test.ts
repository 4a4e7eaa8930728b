import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startRingside } from './support/ringside-process.js';

test('serve loads the demo config, answers /health and stops cleanly on SIGTERM', async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  const res = await fetch(r.url('/health'));
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; provisioning: { accounts: number; users: number; lines: number }; overload: { shedding: boolean; shed: number }; media: { rtpPortPairsFree: number } };
  assert.equal(body.status, 'ok');
  // The composed server wires the overload guard and the RTP pool into health.
  assert.equal(body.overload.shedding, false);
  assert.equal(body.overload.shed, 0);
  assert.ok(body.media.rtpPortPairsFree > 0);
  assert.equal(body.provisioning.users, 3);
  assert.equal(body.provisioning.lines, 5);
  const loaded = r.logs.find((l) => l.msg === 'provisioning loaded');
  assert.equal(loaded?.configFile, 'examples/demo.yaml');
  assert.equal(await r.stop('SIGTERM'), 0);
  assert.ok(r.logs.some((l) => l.msg === 'ringside stopped'), r.stderr.join('\n'));
});

test('SIGINT stops too, and a restart without --config keeps the stored provisioning', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringside-data-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startRingside(t, ['--config', 'examples/demo.yaml'], { dataDir });
  assert.equal(await first.stop('SIGINT'), 0);
  const second = await startRingside(t, [], { dataDir });
  assert.ok(second.logs.some((l) => l.msg === 'provisioning kept from the store'));
  const body = (await (await fetch(second.url('/health'))).json()) as { provisioning: { accounts: number } };
  assert.equal(body.provisioning.accounts, 1);
  assert.equal(await second.stop(), 0);
});

test('an unknown route gets a JSON 404 naming it', async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  const res = await fetch(r.url('/nope?x=1'));
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { success: false, error: 'not_found', message: 'no route for GET /nope' });
  await r.stop();
});

test('a broken config is refused with file, line, path and problem, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'accounts:\n  - id: x\n    name: X\n    users:\n      - { id: 1, name: A, email: a@x.test, password: pass1, pin: "12" }\n');
  const r = await runCli(['serve', '--config', bad, '--data', join(dir, 'data'), '--http-port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:5: /accounts/0/users/0/pin: must match pattern`));
});

test('no config and an empty store: a clear message and exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-empty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runCli(['serve', '--data', dir, '--http-port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no provisioning in .*start once with --config FILE/);
});

test('a bad port setting names the flag and its environment variable', async () => {
  const r = await runCli(['serve', '--http-port', 'eighty']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--http-port \(RINGSIDE_HTTP_PORT\): 'eighty' is not a port number/);
});

test('--help explains every setting', async () => {
  const r = await runCli(['serve', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--config', '--data', '--http-port', '--sip-port', '--host', '--rtp-ports', '--public-url', '--log-level'])
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  assert.match(r.stdout, /RINGSIDE_DATA/);
});

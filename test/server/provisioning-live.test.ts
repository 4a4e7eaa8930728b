/**
 * Provisioning REST against a running `ringside serve` (docs/provisioning.md): a user created over REST
 * registers a real SIP phone at once, without a restart; and the config file is a seed — a restart with
 * the same file keeps REST edits, a changed file replaces them (warned in the log).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import { startRingside } from '../support/ringside-process.js';
import { runSipp } from '../sip/support/sipp.js';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const skipSipp = missingTool('sipp', 'sip-tester');
const ALICE = 'Basic ' + Buffer.from('alice@demo.test:alice-pass').toString('base64');
const DAN = { name: 'Dan', email: 'dan@demo.test', password: 'dan-pass-1', role: 'user', extension: '104', pin: '1104', sip: { username: '104', password: 'dan-sip-104' } };

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers: { authorization: ALICE, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

test('a user created over REST registers a SIP phone without a restart', { skip: skipSipp }, async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  const started = r.logs.find((l) => l.msg === 'ringside started') as { sip: { port: number } };
  const target = `127.0.0.1:${started.sip.port}`;
  const before = await runSipp(['-sf', join(HERE, 'register.xml'), '-m', '1', '-s', '104', '-au', '104', '-ap', 'dan-sip-104', target], 3);
  assert.notEqual(before.code, 0, 'no such SIP user yet');
  const made = await post(r.url('/provisioning/users'), DAN);
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const ok = await runSipp(['-sf', join(HERE, 'register.xml'), '-m', '1', '-s', '104', '-au', '104', '-ap', 'dan-sip-104', target]);
  assert.equal(ok.code, 0, `REGISTER as the new user got its 200:\n${ok.stderr ?? ''}`);
});

test('the config file seeds: the same file keeps REST edits across a restart, a changed file replaces them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-seed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const config = join(dir, 'ringside.yaml');
  const demo = readFileSync('examples/demo.yaml', 'utf8');
  writeFileSync(config, demo);

  const first = await startRingside(t, ['--config', config], { dataDir });
  assert.equal((await post(first.url('/provisioning/users'), DAN)).status, 201);
  assert.equal(await first.stop(), 0);

  const same = await startRingside(t, ['--config', config], { dataDir });
  assert.ok(same.logs.some((l) => l.msg === 'provisioning kept from the store' && l.users === 4), 'same file: the store is kept');
  const kept = await fetch(same.url('/provisioning/users'), { headers: { authorization: ALICE } });
  assert.deepEqual(((await kept.json()) as { users: { id: number }[] }).users.map((u) => u.id), [501, 502, 503, 504]);
  assert.equal(await same.stop(), 0);

  writeFileSync(config, demo.replace('name: Demo Company', 'name: Demo Company Ltd'));
  const changed = await startRingside(t, ['--config', config], { dataDir });
  const warned = changed.logs.find((l) => /REST edits made since are overwritten/.test(String(l.msg)));
  assert.ok(warned, changed.stderr.join('\n'));
  assert.equal(warned.level, 40, 'a warning');
  const replaced = await fetch(changed.url('/provisioning/users'), { headers: { authorization: ALICE } });
  assert.deepEqual(((await replaced.json()) as { users: { id: number }[] }).users.map((u) => u.id), [501, 502, 503]);
});

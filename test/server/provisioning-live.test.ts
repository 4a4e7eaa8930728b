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

test('a trunk made over REST with register: true registers with its carrier at once; deleting it unregisters', async (t) => {
  const { createSocket } = await import('node:dgram');
  const carrier = createSocket('udp4');
  await new Promise<void>((r) => carrier.bind(0, '127.0.0.1', () => r()));
  t.after(() => carrier.close());
  const registers: string[] = [];
  carrier.on('message', (m, from) => {
    const text = m.toString();
    if (!text.startsWith('REGISTER ')) return;
    registers.push(text);
    // 200 OK echoing the request's dialog headers and its Contact with the asked expiry (RFC 3261 §10.3).
    const h = (name: string) => new RegExp(`^${name}:.*$`, 'im').exec(text)?.[0] ?? '';
    const expires = /^Expires:\s*(\d+)/im.exec(text)?.[1] ?? /expires=(\d+)/i.exec(h('Contact'))?.[1] ?? '60';
    const reply = ['SIP/2.0 200 OK', ...text.split('\r\n').filter((l) => /^Via:/i.test(l)), h('From'), `${h('To')};tag=carrier`, h('Call-ID'), h('CSeq'), `${h('Contact')};expires=${expires}`, 'Content-Length: 0', '', ''].join('\r\n');
    carrier.send(reply, from.port, from.address);
  });
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  const trunk = { name: 'second', host: '127.0.0.1', port: carrier.address().port, transport: 'udp', inboundAddresses: [], auth: { username: 'acct-77', password: 'trunk-secret' }, register: true, registerExpiresSeconds: 120 };
  const made = await post(r.url('/provisioning/trunks'), trunk);
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const waitFor = async (pred: () => boolean) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((res) => setTimeout(res, 30));
  };
  await waitFor(() => registers.length >= 1);
  assert.match(registers[0] ?? '', /^REGISTER sip:127\.0\.0\.1:\d+ SIP\/2\.0/, 'registered without a restart');
  assert.match(registers[0]!, /^To:.*sip:acct-77@127\.0\.0\.1/im);
  const removed = await fetch(r.url('/provisioning/trunks/second'), { method: 'DELETE', headers: { authorization: ALICE } });
  assert.equal(removed.status, 204);
  await waitFor(() => registers.some((m) => /^Expires:\s*0\b/im.test(m) || /expires=0\b/i.test(m)));
  assert.ok(registers.some((m) => /^Expires:\s*0\b/im.test(m) || /expires=0\b/i.test(m)), `unregistered (Expires 0):\n${registers.at(-1)}`);
});

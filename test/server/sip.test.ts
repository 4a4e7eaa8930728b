/**
 * SIP on a running `ringside serve`: phones register against the provisioned users and stay registered
 * across a restart; OPTIONS is answered; garbage on the SIP port costs nothing; trunks configured to
 * register do so with the carrier.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import { startRingside, type RunningRingside } from '../support/ringside-process.js';
import { runSipp, SCENARIOS as SIP_SCENARIOS } from '../sip/support/sipp.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { Registrar } from '../../src/sip/registrar/registrar.js';
import { MemoryBindingStore } from '../../src/sip/registrar/binding-store.js';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const skip = missingTool('sipp', 'sip-tester');

function sipPort(r: RunningRingside): number {
  const started = r.logs.find((l) => l.msg === 'ringside started') as { sip?: { port: number } } | undefined;
  return started!.sip!.port;
}

async function health(r: RunningRingside): Promise<{ sip: { registeredContacts: number } }> {
  return (await (await fetch(r.url('/health'))).json()) as { sip: { registeredContacts: number } };
}

test('a phone registers with digest auth and is still registered after a restart', { skip }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringside-data-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startRingside(t, ['--config', 'examples/demo.yaml'], { dataDir });
  const reg = await runSipp(['-sf', join(HERE, 'register.xml'), '-m', '1', '-s', '101', '-au', '101', '-ap', 'alice-sip-101', `127.0.0.1:${sipPort(first)}`]);
  assert.equal(reg.code, 0, reg.stdout.slice(-2000));
  assert.equal((await health(first)).sip.registeredContacts, 1);
  const wrong = await runSipp(['-sf', join(HERE, 'register.xml'), '-m', '1', '-s', '101', '-au', '101', '-ap', 'not-the-password', `127.0.0.1:${sipPort(first)}`], 5);
  assert.notEqual(wrong.code, 0, 'a wrong password does not register');
  assert.equal(await first.stop(), 0);
  const second = await startRingside(t, [], { dataDir });
  assert.equal((await health(second)).sip.registeredContacts, 1, 'the binding survived the restart');
  assert.equal(await second.stop(), 0);
});

test('OPTIONS is answered 200 over UDP and TCP', { skip }, async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  for (const transport of [[], ['-t', 't1']]) {
    const run = await runSipp(['-sf', join(SIP_SCENARIOS, 'options.xml'), '-m', '1', ...transport, `127.0.0.1:${sipPort(r)}`]);
    assert.equal(run.code, 0, run.stdout.slice(-2000));
  }
  await r.stop();
});

test('garbage on the SIP port, UDP and TCP, neither crashes nor stops the server', { skip }, async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  const port = sipPort(r);
  const udp = createSocket('udp4');
  const junk = [Buffer.from('INVITE\r\n\r\n'), Buffer.from([0, 1, 2, 255]), Buffer.alloc(70_000, 65), Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\n\r\n'), Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\n')];
  for (const j of junk) await new Promise<void>((res) => udp.send(j.subarray(0, 65_000), port, '127.0.0.1', () => res()));
  udp.close();
  await new Promise<void>((res) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.write('REGISTER sip:x SIP/2.0\r\nContent-Length: abc\r\n\r\n');
      sock.end(Buffer.alloc(100_000, 0x41));
    });
    sock.on('error', () => res());
    sock.on('close', () => res());
  });
  const run = await runSipp(['-sf', join(SIP_SCENARIOS, 'options.xml'), '-m', '1', `127.0.0.1:${port}`]);
  assert.equal(run.code, 0, 'still answering');
  assert.equal((await fetch(r.url('/health'))).status, 200);
  assert.equal(r.proc.exitCode, null);
  assert.equal(await r.stop(), 0);
});

test('a trunk configured to register registers with the carrier', async (t) => {
  // The carrier's registrar: our own SIP stack and registrar on another loopback address.
  const carrier = await SipStack.start({ host: '127.0.0.3', port: 0 });
  t.after(() => carrier.close());
  const bindings = new MemoryBindingStore();
  const registrar = new Registrar({ store: bindings, realm: 'carrier.test', algorithms: ['MD5'], credentials: (u) => (u === 'ringside-trunk' ? { userId: 'trunk', password: 'trunk-secret' } : undefined) });
  carrier.onRequest('REGISTER', registrar.handle);
  const dir = mkdtempSync(join(tmpdir(), 'ringside-trunkreg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'c.yaml'), `
trunks:
  - { name: carrier, host: 127.0.0.3, port: ${carrier.port}, register: true, registerExpiresSeconds: 120, auth: { username: ringside-trunk, password: trunk-secret, realm: carrier.test } }
accounts:
  - { id: a, name: A, trunk: carrier }
`);
  const r = await startRingside(t, ['--config', join(dir, 'c.yaml')]);
  const deadline = Date.now() + 10_000;
  const logged = () => r.logs.some((l) => l.msg === 'trunk registration' && l.state === 'registered');
  // The log line travels through an asynchronous stderr stream: wait for it as well.
  while (((await registrar.lookup('trunk')).length === 0 || !logged()) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  const contacts = await registrar.lookup('trunk');
  assert.equal(contacts.length, 1, 'registered with the carrier');
  assert.ok(logged(), 'the registration is logged');
  assert.equal(await r.stop(), 0);
  assert.equal((await registrar.lookup('trunk')).length, 0, 'unregistered on shutdown');
});

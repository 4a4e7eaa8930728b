import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { runTool } from './support/sipp.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { Registrar, type ReachableContact } from '../../src/sip/registrar/registrar.js';
import { MemoryBindingStore } from '../../src/sip/registrar/binding-store.js';

const skip = missingTool('baresip', 'baresip');

test('baresip registers with digest auth and unregisters when it quits', { skip }, async (t) => {
  const stack = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'ringside-baresip-'));
  t.after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // baresip 1.0 (libre 2020) fails the whole challenge if any offered algorithm is not MD5, so this
  // registrar offers MD5 only (see docs/sip.md, "Digest algorithms").
  const registrar = new Registrar({
    store: new MemoryBindingStore(),
    realm: 'ringside.test',
    algorithms: ['MD5'],
    credentials: (u) => (u === 'alice' ? { userId: 'u-alice', password: 'alice-secret' } : undefined),
  });
  const statuses: Array<[string, number]> = [];
  let whileRegistered: ReachableContact[] = [];
  stack.onRequest('REGISTER', async (req) => {
    await registrar.handle(req);
    const expires = /expires=([0-9]+)/.exec(req.request.headers.get('contact') ?? '')?.[1] ?? req.request.headers.get('expires') ?? '?';
    statuses.push([expires, req.finalResponse?.status ?? 0]);
    if (req.finalResponse?.status === 200 && expires !== '0') whileRegistered = await registrar.lookup('u-alice');
  });
  writeFileSync(join(dir, 'accounts'), `<sip:alice@127.0.0.1:${stack.port};transport=udp>;auth_pass=alice-secret;regint=60\n`);
  // No audio or video modules: only the account loader. -t makes it quit (and unregister) by itself.
  writeFileSync(join(dir, 'config'), 'module_path /usr/lib/baresip/modules\nsip_listen 127.0.0.1:0\nmodule_app account.so\n');
  const run = await runTool('baresip', ['-f', dir, '-t', '2'], { timeoutMs: 15_000 });
  assert.equal(run.timedOut, false, 'baresip exited by itself');
  assert.deepEqual(statuses, [
    ['60', 401],
    ['60', 200],
    ['0', 401],
    ['0', 200],
  ]);
  assert.equal(whileRegistered.length, 1);
  assert.equal(whileRegistered[0]!.destination.protocol, 'udp');
  assert.equal(whileRegistered[0]!.destination.host, '127.0.0.1');
  assert.equal((await registrar.lookup('u-alice')).length, 0, 'unregistered');
});

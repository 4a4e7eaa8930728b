import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { freePort, runSipp, SCENARIOS } from './support/sipp.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { Registrar } from '../../src/sip/registrar/registrar.js';
import { MemoryBindingStore, type Binding } from '../../src/sip/registrar/binding-store.js';
import type { InviteSession } from '../../src/sip/dialog/invite-session.js';

const skip = missingTool('sipp', 'sip-tester');
const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
const TRANSPORTS = [
  { name: 'UDP', flag: 'u1', protocol: 'udp' as const },
  { name: 'TCP', flag: 't1', protocol: 'tcp' as const },
];

/** Records every save/remove so the test can see what sipp's REGISTERs did. */
class RecordingStore extends MemoryBindingStore {
  saved: Binding[] = [];
  removed: string[] = [];
  override async save(b: Binding): Promise<void> {
    this.saved.push(b);
    await super.save(b);
  }
  override async remove(userId: string, contact: string): Promise<void> {
    this.removed.push(contact);
    await super.remove(userId, contact);
  }
}

async function stack(t: { after: (fn: () => Promise<void>) => void }): Promise<SipStack> {
  const s = await SipStack.start({ host: '127.0.0.1', port: 0 });
  t.after(() => s.close());
  return s;
}

for (const tr of TRANSPORTS) {
  test(`sipp REGISTER with digest auth and unregister over ${tr.name}`, { skip }, async (t) => {
    const s = await stack(t);
    const store = new RecordingStore();
    // sipp 3.6 computes MD5 only and reads just the first challenge, so this registrar lists MD5 first
    // (the `algorithms` option for legacy clients; the default order is SHA-256, MD5 per RFC 8760 §2.4).
    const registrar = new Registrar({ store, realm: 'ringside.test', algorithms: ['MD5', 'SHA-256'], credentials: (u) => (u === 'alice' ? { userId: 'u-alice', password: 'alice-secret' } : undefined) });
    s.onRequest('REGISTER', registrar.handle);
    const r = await runSipp([`127.0.0.1:${s.port}`, '-sf', join(SCENARIOS, 'register-auth.xml'), '-m', '1', '-t', tr.flag, '-s', 'alice', '-au', 'alice', '-ap', 'alice-secret']);
    assert.equal(r.code, 0, `sipp failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    assert.equal(store.saved.length, 1);
    assert.equal(store.saved[0]!.userId, 'u-alice');
    assert.equal(store.saved[0]!.source.protocol, tr.protocol);
    assert.equal(store.removed.length, 1, 'Contact: * with Expires: 0 removed the binding');
    assert.equal((await registrar.lookup('u-alice')).length, 0);
  });

  test(`sipp OPTIONS over ${tr.name} is answered 200 with Allow`, { skip }, async (t) => {
    const s = await stack(t);
    const r = await runSipp([`127.0.0.1:${s.port}`, '-sf', join(SCENARIOS, 'options.xml'), '-m', '1', '-t', tr.flag, '-s', 'ringside']);
    assert.equal(r.code, 0, `sipp failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  });

  test(`sipp calls Ringside over ${tr.name}: INVITE → 180 → 200 → ACK → BYE from sipp`, { skip }, async (t) => {
    const s = await stack(t);
    const sessions: InviteSession[] = [];
    s.onInvite((inv) => {
      inv.progress(180);
      sessions.push(inv.accept({ body: SDP }));
    });
    const r = await runSipp([`127.0.0.1:${s.port}`, '-sf', join(SCENARIOS, 'uac-call.xml'), '-m', '1', '-t', tr.flag, '-s', 'ringside']);
    assert.equal(r.code, 0, `sipp failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    assert.equal(sessions.length, 1);
    assert.equal(await sessions[0]!.confirmed, true);
    assert.equal(await sessions[0]!.ended, 'remote-bye');
  });

  test(`Ringside calls sipp over ${tr.name}: INVITE → 180 → 200 → ACK → BYE from Ringside`, { skip }, async (t) => {
    const s = await stack(t);
    const port = await freePort();
    const sipp = runSipp(['-sf', join(SCENARIOS, 'uas-call.xml'), '-m', '1', '-t', tr.flag, '-p', String(port)]);
    // Give sipp a moment to bind; UDP retransmits anyway, and a TCP connect refused while sipp starts
    // (a synthetic 503) is retried for up to 10 s.
    await new Promise((r) => setTimeout(r, 500));
    const progress: number[] = [];
    let result;
    for (let attempt = 0; ; attempt++) {
      const call = await s.invite({ to: `sip:sipp@127.0.0.1:${port}`, body: SDP, transport: tr.protocol });
      call.onProgress((res) => progress.push(res.status));
      result = await call.result;
      if (result.ok || result.reason !== 'transport-error' || attempt >= 20) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(result.ok, `call failed: ${result.response.status}`);
    assert.deepEqual(progress, [180]);
    await new Promise((r) => setTimeout(r, 200));
    const bye = await result.session.bye();
    assert.equal(bye.status, 200);
    const r = await sipp;
    assert.equal(r.code, 0, `sipp failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
  });
}

test('a callee answering with a private Contact from a public address gets its ACK and BYE on the flow', { skip }, async (t) => {
  const s = await stack(t);
  const port = await freePort();
  const sipp = runSipp(['-sf', join(SCENARIOS, 'uas-call-private-contact.xml'), '-m', '1', '-p', String(port)]);
  await new Promise((r) => setTimeout(r, 500));
  const result = await (await s.invite({ to: `sip:sipp@127.0.0.1:${port}`, body: SDP })).result;
  assert.ok(result.ok, `call failed: ${result.response.status}`);
  assert.equal(result.session.dialog.remoteTarget, 'sip:phone@192.168.77.20:5062', 'the dialog keeps the Contact as its remote target');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await result.session.bye()).status, 200, 'the BYE reached the phone where it answered from');
  const r = await sipp;
  assert.equal(r.code, 0, `sipp failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
});

test('sipp built-in uac (-sn uac) completes a call against Ringside over UDP', { skip }, async (t) => {
  const s = await stack(t);
  s.onInvite((inv) => {
    const session = inv.accept({ body: SDP });
    void session.ended;
  });
  const r = await runSipp([`127.0.0.1:${s.port}`, '-sn', 'uac', '-m', '3', '-r', '3', '-s', 'ringside']);
  assert.equal(r.code, 0, `sipp failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
});

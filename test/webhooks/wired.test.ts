/**
 * Webhooks through a whole Ringside: a subscription from the config file, a call recorded through the
 * running recorder, the call-centre events arriving at a real HTTP receiver in order, signed.
 * (The calls here are recorded as facts; real SIP calls producing them are the switch's tests.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess } from '../support/in-process.js';
import { Receiver, sleep } from './support.js';
import { verifySignature } from '../../src/delivery/webhooks/signature.js';
import { CallScript, phone, sip } from '../support/call-script.js';

test('a config-file teltel subscription receives a call\'s events in order, signed, once each', async (t) => {
  const receiver = await Receiver.start(t);
  const r = await startInProcess(t, `
accounts:
  - id: demo
    name: Demo
    accountcode: "20481"
    users: [{ id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, pin: "1101" }]
    webhooks:
      - { id: crm, url: "${receiver.url('/teltel')}", dialect: teltel, secret: "s3cret-s3cret" }
`);
  const s = new CallScript('wired-1', Date.now());
  s.start({ accountId: 'demo', accountcode: '20481', kind: 'inbound', callId: '1.1', from: phone('+15557654321'), to: phone('+15550100'), userIds: ['501'] });
  s.leg('c', 'caller', phone('+15557654321')).leg('a', 'callee', sip('101', '501')).ringing('a').up('a').up('c').joined('c').joined('a');
  s.left('c').left('a').ended('c', 'remote').ended('a', 'local').end(phone('+15557654321'), 'normal', 'c');
  for (const f of s.facts) await r.recorder.record(f);
  const deadline = Date.now() + 10_000;
  while (receiver.acked.length < 10 && Date.now() < deadline) await sleep(20);
  const names = receiver.acked.map((q) => (JSON.parse(q.body) as { event: string }).event);
  assert.deepEqual(names, ['START', 'RING', 'RINGRESULT', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  for (const q of receiver.acked) {
    assert.ok(verifySignature('s3cret-s3cret', q.headers['x-ringside-signature'] as string, q.headers['x-ringside-timestamp'] as string, q.body), 'signature verifies');
    assert.equal(q.headers['x-teltel-event-id'], (JSON.parse(q.body) as { id: string }).id);
    assert.equal(q.seen, 0, 'once each');
  }
  const completed = JSON.parse(receiver.acked.at(-1)!.body) as Record<string, unknown>;
  assert.equal(completed.accountcode, '20481');
  assert.equal(completed.hanged_by, 'phone');
  assert.equal(completed.is_answered, true);
});

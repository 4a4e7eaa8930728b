/**
 * Call-centre webhooks (seed 001) for real calls: sipp as carrier and phones through Ringside's switch,
 * the events delivered to a real HTTP receiver over loopback, asserted field by field for every timeline
 * the switch produces today. Signatures are verified as a receiver would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import { startInProcess, login } from '../support/in-process.js';
import { freePort } from '../sip/support/sipp.js';
import { CARRIER_IP, ok, phoneAnswering, register, registeredPhone, sipp } from '../support/sipp-calls.js';
import { Receiver, sleep, type Received } from './support.js';
import { verifySignature } from '../../src/delivery/webhooks/signature.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';

const skip = missingTool('sipp', 'sip-tester');
const HERE = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const SECRET = 'call-centre-secret';
const CALLER = '+15557654321';

function config(carrierPort: number, hook: string): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550102" }]
    users:
      - ${ALICE}
      - ${BOB}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 3, fallback: hangup } }
      - { id: team, name: Team, number: "+15550102", ring: { strategy: ring-all, users: [501, 502], timeoutSeconds: 10, fallback: hangup } }
    webhooks:
      - { id: callcentre, url: "${hook}", dialect: teltel, secret: "${SECRET}" }
`, { accountcode: '"20481"' });
}

type T = Parameters<typeof startInProcess>[0];

async function setup(t: T) {
  const receiver = await Receiver.start(t);
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort, receiver.url('/teltel')));
  return { r, receiver, carrierPort, target: `127.0.0.1:${r.sip.port}` };
}

/** Waits until the receiver acknowledged a COMPLETED, then returns the session's events as received. */
async function delivered(receiver: Receiver): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 15_000;
  const completed = () => receiver.acked.some((q) => (JSON.parse(q.body) as { event: string }).event === 'COMPLETED');
  while (!completed() && Date.now() < deadline) await sleep(25);
  assert.ok(completed(), `COMPLETED delivered; got ${receiver.acked.map((q) => q.body).join('\n')}`);
  checkDelivery(receiver.acked);
  return receiver.acked.map((q) => JSON.parse(q.body) as Record<string, unknown>);
}

/** What every delivery must satisfy: signed, once, the header naming the event, one session. */
function checkDelivery(acked: readonly Received[]): void {
  const sessions = new Set<string>();
  for (const q of acked) {
    const body = JSON.parse(q.body) as { id: string; event: string; session_id: string };
    assert.ok(verifySignature(SECRET, q.headers['x-ringside-signature'] as string, q.headers['x-ringside-timestamp'] as string, q.body), `signature of ${body.event}`);
    assert.equal(q.headers['x-teltel-event'], body.event);
    assert.equal(q.headers['x-teltel-event-id'], body.id);
    assert.equal(q.seen, 0, `${body.event} delivered once`);
    sessions.add(body.session_id);
  }
  assert.equal(sessions.size, 1, 'one session');
  assert.equal(new Set(acked.map((q) => q.eventId)).size, acked.length, 'ids unique');
}

/** The events without what varies per run (ids, times, session and call ids, dial ids), which are
 *  checked separately: constant within the session, and each RING's dial_id shared with its RINGRESULT. */
function stable(events: Record<string, unknown>[]): Record<string, unknown>[] {
  const first = events[0]!;
  const dialIds: string[] = [];
  return events.map((e) => {
    assert.equal(e.session_id, first.session_id);
    assert.equal(e.call_id, first.call_id);
    assert.match(String(e.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const { id: _id, timestamp: _ts, session_id: _s, call_id: _c, ...rest } = e;
    const data = rest.data as { dial_id?: string } | undefined;
    if (data?.dial_id !== undefined) {
      if (!dialIds.includes(data.dial_id)) dialIds.push(data.dial_id);
      rest.data = { ...data, dial_id: `d${dialIds.indexOf(data.dial_id) + 1}` };
    }
    return rest;
  });
}

const common = { accountcode: '20481', direction: 'inbound', type: 'standard' };
const alice = { type: 'sip', number: '101', user: 501 };

test('answered inbound call, the caller hangs up (teltel §5.1)', { skip }, async (t) => {
  const { receiver, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml');
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: CALLER } }), 'carrier');
  ok(await phone.done, 'phone');
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...common, phase: 'didtodid', participants: 0 },
    { event: 'RING', ...common, phase: 'didtosip', participants: 0, data: { dial_id: 'd1', target: alice } },
    { event: 'RINGRESULT', ...common, phase: 'didtosip', participants: 0, state: 'ANSWER', data: { dial_id: 'd1', target: alice } },
    { event: 'READY', ...common, phase: 'didtosip', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501 },
    { event: 'READY', ...common, phase: 'didtosip', participants: 0, subject_type: 'phone', subject: CALLER },
    { event: 'JOIN', ...common, phase: 'didtosip', participants: 1, subject_type: 'phone', subject: CALLER },
    { event: 'JOIN', ...common, phase: 'didtosip', participants: 2, subject_type: 'sip', subject: '101', subject_user: 501 },
    { event: 'LEAVE', ...common, phase: 'didtosip', participants: 1, subject_type: 'phone', subject: CALLER },
    { event: 'LEAVE', ...common, phase: 'didtosip', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501 },
    { event: 'COMPLETED', ...common, phase: 'didtosip', participants: 0, hanged_by: 'phone', hanged_value: CALLER, is_answered: true },
  ]);
});

test('inbound call nobody answers (teltel §5.2)', { skip }, async (t) => {
  const { receiver, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  ok(await sipp(t, 'carrier-call-unanswered.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: CALLER } }), 'carrier');
  ok(await phone.done, 'phone');
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...common, phase: 'didtodid', participants: 0 },
    { event: 'RING', ...common, phase: 'didtosip', participants: 0, data: { dial_id: 'd1', target: alice } },
    { event: 'RINGRESULT', ...common, phase: 'didtosip', participants: 0, state: 'NOANSWER', data: { dial_id: 'd1', target: alice } },
    { event: 'COMPLETED', ...common, phase: 'didtosip', participants: 0, hanged_by: 'local', hanged_value: '+15550100', is_answered: false },
  ]);
});

test('inbound call to a busy phone', { skip }, async (t) => {
  const { receiver, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-busy.xml');
  ok(await sipp(t, 'carrier-call-busy.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: CALLER } }), 'carrier');
  ok(await phone.done, 'phone');
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...common, phase: 'didtodid', participants: 0 },
    { event: 'RING', ...common, phase: 'didtosip', participants: 0, data: { dial_id: 'd1', target: alice } },
    { event: 'RINGRESULT', ...common, phase: 'didtosip', participants: 0, state: 'BUSY', data: { dial_id: 'd1', target: alice } },
    { event: 'COMPLETED', ...common, phase: 'didtosip', participants: 0, hanged_by: 'local', hanged_value: '+15550100', is_answered: false },
  ]);
});

test('the caller hangs up while the phone rings (teltel §5.10)', { skip }, async (t) => {
  const { receiver, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  ok(await sipp(t, 'carrier-call-cancels.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: CALLER } }), 'carrier');
  ok(await phone.done, 'phone');
  const events = stable(await delivered(receiver));
  assert.deepEqual(events, [
    { event: 'START', ...common, phase: 'didtodid', participants: 0 },
    { event: 'RING', ...common, phase: 'didtosip', participants: 0, data: { dial_id: 'd1', target: alice } },
    { event: 'RINGRESULT', ...common, phase: 'didtosip', participants: 0, state: 'CANCEL', data: { dial_id: 'd1', target: alice } },
    { event: 'COMPLETED', ...common, phase: 'didtosip', participants: 0, hanged_by: 'phone', hanged_value: CALLER, is_answered: false },
  ]);
});

test('ring-all with two phones: two RINGs, each with its own RINGRESULT (teltel §5.3)', { skip }, async (t) => {
  const { receiver, target } = await setup(t);
  const [alicePort, bobPort] = [await freePort(), await freePort()];
  await register(t, target, alicePort, '101', 'alice-sip-101');
  await register(t, target, bobPort, '102', 'bob-sip-102');
  const a = await phoneAnswering(t, 'uas-rings.xml', alicePort, 9);
  const b = await phoneAnswering(t, 'uas-answers.xml', bobPort, 9);
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550102', keys: { from: CALLER } }), 'carrier');
  ok(await a.done, 'Alice (cancelled)');
  ok(await b.done, 'Bob (answers)');
  const bob = { type: 'sip', number: '102', user: 502 };
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...common, phase: 'didtodid', participants: 0 },
    { event: 'RING', ...common, phase: 'didtosip', participants: 0, data: { dial_id: 'd1', target: alice } },
    { event: 'RING', ...common, phase: 'didtosip', participants: 0, data: { dial_id: 'd2', target: bob } },
    { event: 'RINGRESULT', ...common, phase: 'didtosip', participants: 0, state: 'ANSWER', data: { dial_id: 'd2', target: bob } },
    { event: 'READY', ...common, phase: 'didtosip', participants: 0, subject_type: 'sip', subject: '102', subject_user: 502 },
    { event: 'RINGRESULT', ...common, phase: 'didtosip', participants: 0, state: 'CANCEL', data: { dial_id: 'd1', target: alice } },
    { event: 'READY', ...common, phase: 'didtosip', participants: 0, subject_type: 'phone', subject: CALLER },
    { event: 'JOIN', ...common, phase: 'didtosip', participants: 1, subject_type: 'phone', subject: CALLER },
    { event: 'JOIN', ...common, phase: 'didtosip', participants: 2, subject_type: 'sip', subject: '102', subject_user: 502 },
    { event: 'LEAVE', ...common, phase: 'didtosip', participants: 1, subject_type: 'phone', subject: CALLER },
    { event: 'LEAVE', ...common, phase: 'didtosip', participants: 0, subject_type: 'sip', subject: '102', subject_user: 502 },
    { event: 'COMPLETED', ...common, phase: 'didtosip', participants: 0, hanged_by: 'phone', hanged_value: CALLER, is_answered: true },
  ]);
});

test('outbound call from a phone, answered, the callee hangs up (teltel §5.5)', { skip }, async (t) => {
  const { receiver, target, carrierPort } = await setup(t);
  const far = await phoneAnswering(t, 'uas-answers-hangs-up.xml', carrierPort, 9, CARRIER_IP);
  ok(await sipp(t, 'device-calls-far-end-hangs-up.xml', target, { dir: HERE, service: '101', keys: { dial: '+15559990001' }, extra: ['-au', '101', '-ap', 'alice-sip-101'] }), 'phone');
  ok(await far.done, 'carrier');
  const out = { accountcode: '20481', direction: 'outbound', type: 'standard' };
  const callee = { type: 'phone', number: '+15559990001' };
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...out, phase: 'siptodid', participants: 0 },
    { event: 'RING', ...out, phase: 'siptodid', participants: 0, data: { dial_id: 'd1', target: callee } },
    { event: 'RINGRESULT', ...out, phase: 'siptodid', participants: 0, state: 'ANSWER', data: { dial_id: 'd1', target: callee } },
    { event: 'READY', ...out, phase: 'siptodid', participants: 0, subject_type: 'phone', subject: '+15559990001' },
    { event: 'READY', ...out, phase: 'siptodid', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501 },
    { event: 'JOIN', ...out, phase: 'siptodid', participants: 1, subject_type: 'sip', subject: '101', subject_user: 501 },
    { event: 'JOIN', ...out, phase: 'siptodid', participants: 2, subject_type: 'phone', subject: '+15559990001' },
    { event: 'LEAVE', ...out, phase: 'siptodid', participants: 1, subject_type: 'phone', subject: '+15559990001' },
    { event: 'LEAVE', ...out, phase: 'siptodid', participants: 0, subject_type: 'sip', subject: '101', subject_user: 501 },
    { event: 'COMPLETED', ...out, phase: 'siptodid', participants: 0, hanged_by: 'phone', hanged_value: '+15559990001', is_answered: true },
  ]);
});

test('internal call between two users\' phones (phase siptosip, decided in docs/compatibility.md)', { skip }, async (t) => {
  const { receiver, target } = await setup(t);
  const alicePhone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml');
  ok(await sipp(t, 'device-calls.xml', target, { service: '102', keys: { dial: '101' }, extra: ['-au', '102', '-ap', 'bob-sip-102'] }), 'Bob\'s phone');
  ok(await alicePhone.done, 'Alice\'s phone');
  const out = { accountcode: '20481', direction: 'outbound', type: 'standard' };
  const bob = { subject_type: 'sip', subject: '102', subject_user: 502 };
  const aliceSubject = { subject_type: 'sip', subject: '101', subject_user: 501 };
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...out, phase: 'siptosip', participants: 0 },
    { event: 'RING', ...out, phase: 'siptosip', participants: 0, data: { dial_id: 'd1', target: alice } },
    { event: 'RINGRESULT', ...out, phase: 'siptosip', participants: 0, state: 'ANSWER', data: { dial_id: 'd1', target: alice } },
    { event: 'READY', ...out, phase: 'siptosip', participants: 0, ...aliceSubject },
    { event: 'READY', ...out, phase: 'siptosip', participants: 0, ...bob },
    { event: 'JOIN', ...out, phase: 'siptosip', participants: 1, ...bob },
    { event: 'JOIN', ...out, phase: 'siptosip', participants: 2, ...aliceSubject },
    { event: 'LEAVE', ...out, phase: 'siptosip', participants: 1, ...bob },
    { event: 'LEAVE', ...out, phase: 'siptosip', participants: 0, ...aliceSubject },
    { event: 'COMPLETED', ...out, phase: 'siptosip', participants: 0, hanged_by: 'sip', hanged_value: '102', hanged_user: 502, is_answered: true },
  ]);
});

test('originate (click-to-call): type callback with leg and data.callback on every event (teltel §5.6)', { skip }, async (t) => {
  const { r, receiver, target, carrierPort } = await setup(t);
  const alicePhone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml');
  const far = await phoneAnswering(t, 'uas-answers-late-hangs-up.xml', carrierPort, 9, CARRIER_IP);
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  const res = await fetch(`http://127.0.0.1:${r.httpPort}/voice/originate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ caller: '1101', callee: '+15559990001', trace_id: 'crm-7781' }) });
  assert.equal(res.status, 200);
  ok(await alicePhone.done, 'Alice\'s phone');
  ok(await far.done, 'carrier');
  const cb = { type: 'callback', accountcode: '20481', direction: 'outbound' };
  const data = { callback: { leg_1_phone_number: '1101', leg_1_caller_id: '+15559990001', leg_2_phone_number: '+15559990001', leg_2_caller_id: '+15550100', trace_id: 'crm-7781' } };
  const op = { phase: 'localtosip', leg: 'operator' };
  const contact = { phase: 'localtodid', leg: 'contact' };
  const callee = { type: 'phone', number: '+15559990001' };
  const aliceSubject = { subject_type: 'sip', subject: '101', subject_user: 501 };
  const calleeSubject = { subject_type: 'phone', subject: '+15559990001' };
  assert.deepEqual(stable(await delivered(receiver)), [
    { event: 'START', ...cb, ...op, participants: 0, data },
    { event: 'RING', ...cb, ...op, participants: 0, data: { ...data, dial_id: 'd1', target: alice } },
    { event: 'RINGRESULT', ...cb, ...op, participants: 0, state: 'ANSWER', data: { ...data, dial_id: 'd1', target: alice } },
    { event: 'READY', ...cb, ...op, participants: 0, ...aliceSubject, data },
    { event: 'RING', ...cb, ...contact, participants: 0, data: { ...data, dial_id: 'd2', target: callee } },
    { event: 'RINGRESULT', ...cb, ...contact, participants: 0, state: 'ANSWER', data: { ...data, dial_id: 'd2', target: callee } },
    { event: 'READY', ...cb, ...contact, participants: 0, ...calleeSubject, data },
    { event: 'JOIN', ...cb, ...op, participants: 1, ...aliceSubject, data },
    { event: 'JOIN', ...cb, ...contact, participants: 2, ...calleeSubject, data },
    { event: 'LEAVE', ...cb, ...contact, participants: 1, ...calleeSubject, data },
    { event: 'LEAVE', ...cb, ...op, participants: 0, ...aliceSubject, data },
    { event: 'COMPLETED', ...cb, ...contact, participants: 0, hanged_by: 'phone', hanged_value: '+15559990001', is_answered: true, data },
  ]);
});

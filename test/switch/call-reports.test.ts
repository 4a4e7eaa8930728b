/**
 * Report entries of ordinary calls (spec realtime §1, §5.6): when a call session ends the switch stores
 * an entry under the call's `uniqueId`, and `GET /reports/call-data` lists calls and texts together by
 * time. Real SIP peers over loopback, as in calls.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { login } from '../support/in-process.js';
import { CARRIER_IP, freePort, logged, ok, registeredPhone, reportEntry, rest, setup, sipp, today, topic, type T } from './support/harness.js';
import type { TestSocket } from '../support/ws-client.js';
import { callConfig, ALICE } from '../support/call-config.js';

const skip = missingTool('sipp', 'sip-tester');

function config(carrierPort: number): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
      - { id: 503, name: Carol, email: carol@demo.test, password: carol-pass, role: user, extension: "103", pin: "1103", ownRecordsOnly: true }
      - { id: 504, name: Dave, email: dave@demo.test, password: dave-pass, role: user, extension: "104", pin: "1104", ownRecordsOnly: true }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501, 503], timeoutSeconds: 2, fallback: hangup } }
`);
}

async function ended(ws: TestSocket, n: number): Promise<Record<string, unknown>[]> {
  await ws.until((f) => f.filter((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end').length >= n, 10_000, `${n} voice.incoming.end`);
  return ws.events('accountevent').filter((e) => topic(e) === 'voice.incoming.end');
}

async function start(t: T) {
  const carrierPort = await freePort();
  return setup(t, config(carrierPort));
}

test('inbound call answered: a report entry under the call\'s uniqueId, as the end event says', { skip }, async (t) => {
  const { r, ws, token, target } = await start(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml');
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } }), 'carrier');
  ok(await phone.done, 'phone');
  const [end] = await ended(ws, 1);
  const { facts } = await logged(r, String(end!.trackingId));
  const e = await reportEntry(r, token, String(end!.uniqueId));
  assert.equal(e.call_id, (facts[0] as { callId: string }).callId);
  assert.deepEqual(
    [e.type, e.direction, e.from, e.to, e.line_id, e.campaign_name, e.disposition, e.is_missed_call, e.user_id, e.answered_by_user_id, e.tracking_id],
    ['voicecall', 'incoming', '+15557654321', '+15550100', 'main', 'Main +15550100', 'answered', false, 501, 501, end!.trackingId],
  );
  assert.deepEqual([e.start_time, e.answer_time, e.end_time, e.duration, e.billable_seconds], [end!.startTimestamp, end!.answerTimestamp, end!.endTimestamp, end!.duration, end!.billableSeconds]);
  assert.deepEqual(e.hangup_by, { kind: 'phone', number: '+15557654321', user_id: null });
  assert.deepEqual(e.user_ids, [501, 503]);
  // Caller, Alice (answered), Carol (no device: CHANUNAVAIL).
  assert.deepEqual((e.legs as Record<string, unknown>[]).map((l) => [l.role, l.user_id, l.result, l.ended_by]), [
    ['caller', null, null, 'remote'],
    ['callee', 501, 'ANSWER', 'local'],
    ['callee', 503, 'CHANUNAVAIL', null],
  ]);
  // The same entry with the account id in the path; an unknown id is a 404.
  const byAccount = await rest(r, token, 'GET', `/reports/call-data/demo/${String(end!.uniqueId)}`);
  assert.equal((byAccount.body.data as Record<string, unknown>[])[0]!.call_id, e.call_id);
  const missing = await rest(r, token, 'GET', '/reports/call-data/no-such-call');
  assert.deepEqual([missing.status, missing.body.success, missing.body.error], [404, false, 'not_found']);
});

test('inbound call nobody answers: missed; the list mixes calls and texts by time; own-records users see theirs', { skip }, async (t) => {
  const { r, ws, token, target } = await start(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  // A text stored before the call: the list is ordered by time.
  await r.store.putMessage({ id: 'msg-1', accountId: 'demo', direction: 'incoming', medium: 'sms', from: '+15557654321', to: '+15550100', body: 'hi', components: [], status: 'received', via: 'carrier-http', createdAt: Date.now() - 1000 });
  ok(await sipp(t, 'carrier-call-unanswered.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } }), 'carrier');
  ok(await phone.done, 'phone');
  const [end] = await ended(ws, 1);
  const e = await reportEntry(r, token, String(end!.uniqueId));
  assert.deepEqual([e.disposition, e.is_missed_call, e.answer_time, e.billable_seconds, e.user_id, e.hangup_cause], ['missed', true, null, 0, null, 'no-answer']);
  assert.deepEqual((e.legs as Record<string, unknown>[]).map((l) => l.result), [null, 'NOANSWER', 'CHANUNAVAIL']);

  const list = await rest(r, token, 'GET', `/reports/call-data?start_date=${today()}&end_date=${today()}`);
  assert.deepEqual((list.body.data as Record<string, unknown>[]).map((x) => [x.call_id, x.type]), [['msg-1', 'sms'], [e.call_id, 'voicecall']]);
  // Carol was rung (her leg is in the call): she sees it; Dave, also restricted to his own records, does not.
  const carol = await rest(r, await login(r, 'carol@demo.test', 'carol-pass'), 'GET', `/reports/call-data?start_date=${today()}&end_date=${today()}`);
  assert.deepEqual((carol.body.data as Record<string, unknown>[]).map((x) => x.call_id), [e.call_id]);
  const dave = await rest(r, await login(r, 'dave@demo.test', 'dave-pass'), 'GET', `/reports/call-data/${String(e.call_id)}`);
  assert.equal(dave.status, 404);
});

/**
 * Originate (click-to-call, spec realtime §5.3, teltel §5.6/§7 "callback") end to end over loopback:
 * `POST /voice/originate`, Ringside dials the first side (a registered phone reached by the user's PIN, or
 * a number through the carrier), plays it ringback, dials the second side, bridges them; checked through
 * sipp's outcome, the account stream's realtime events, the teltel events, the facts' order
 * (`sessionProblems`) and the report entries (one per realtime `uniqueId`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { missingTool } from '../support/tools.js';
import { startInProcess, login } from '../support/in-process.js';
import type { Fact } from '../../src/events/model/facts.js';
import { CARRIER_IP, builtCarrier, builtPhone, factTypes, freePort, logged, ok, phoneAnswering, register, registeredPhone, reportEntry, rest, setup, teltelNames, today, topic, type T } from './support/harness.js';
import type { TestSocket } from '../support/ws-client.js';
import { callConfig, ALICE, BOB_WITH_NUMBER } from '../support/call-config.js';

const skip = missingTool('sipp', 'sip-tester');

function config(carrierPort: number): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    users:
      - ${ALICE}
      - ${BOB_WITH_NUMBER}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 3, fallback: hangup } }
      - { id: sales, name: Sales, number: "+15550101", ring: { strategy: ring-all, users: [502], timeoutSeconds: 3, fallback: hangup } }
    ringGroups:
      - { id: desk, name: Desk, number: "100", strategy: ring-all, members: [501, 502], timeoutSeconds: 5 }
`);
}

/** A UDP socket standing in for a phone's RTP port: counts what Ringside sends it (ringback, relayed audio). */
async function rtpSink(t: T): Promise<{ port: number; packets: () => number }> {
  const sock = createSocket('udp4');
  let n = 0;
  sock.on('message', () => n++);
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  t.after(() => sock.close());
  return { port, packets: () => n };
}

async function start(t: T) {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  return { ...s, carrierPort };
}

async function originate(s: Awaited<ReturnType<typeof start>>, body: Record<string, unknown>): Promise<string> {
  const res = await rest(s.r, s.token, 'POST', '/voice/originate', body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.success, true);
  assert.match(String(res.body.trackingId), /^[0-9a-f]+$/);
  return String(res.body.trackingId);
}

/** The account stream's events of one session, once its `voice.originate.end` arrived. */
async function originateEvents(ws: TestSocket, sessionId: string): Promise<{ topics: string[]; events: Record<string, unknown>[] }> {
  const mine = () => ws.events('accountevent').filter((e) => e.trackingId === sessionId);
  await ws.until(() => mine().some((e) => topic(e) === 'voice.originate.end'), 15_000, 'voice.originate.end');
  const events = mine();
  return { topics: events.map(topic), events };
}

const legsCreated = (facts: Fact[]) => facts.filter((f): f is Extract<Fact, { type: 'leg.created' }> => f.type === 'leg.created');

test('originate: the user\'s phone (by PIN) answers, hears ringback, the carrier callee answers and hangs up', { skip }, async (t) => {
  const s = await start(t);
  const aliceMedia = await rtpSink(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-answers.xml', aliceMedia.port);
  // The callee rings 1.2 s before it answers: Alice hears ringback meanwhile.
  const far = await phoneAnswering(t, 'uas-answers-late-hangs-up.xml', s.carrierPort, 9, CARRIER_IP);
  // Ringback is checked at the media engine: the RTP a phone receives can be stolen by latching when another
  // test process's sipp still plays audio to a port number this process reuses (every Ringside starts at 10000).
  const playbacks: string[] = [];
  s.r.media.on('playback-started', (e) => playbacks.push(`started ${e.legId}`));
  s.r.media.on('playback-finished', (e) => playbacks.push(`${e.outcome} ${e.legId}`));
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321', trace_id: 'crm-7781' });
  const a = await alice.done;
  ok(a, 'Alice\'s phone');
  const c = await far.done;
  ok(c, 'carrier');
  assert.match(a.messages, /From: <sip:\+15557654321@/, 'Alice sees who she will be connected to');
  assert.match(c.messages, /INVITE sip:\+15557654321@127\.0\.0\.2/);
  assert.match(c.messages, /From: <sip:\+15550100@/, 'Alice has no own number: the account default caller ID');

  const { topics, events } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end', 'voice.originate.end']);
  const [oStart, , outStart, , outEnd, oEnd] = events;
  assert.equal(oStart!.userId, '501');
  assert.equal(oStart!.to, '101');
  assert.equal(outStart!.to, '+15557654321');
  assert.equal(outStart!.from, '+15550100');
  assert.equal(outEnd!.disposition, 'answered');
  assert.equal(oEnd!.disposition, 'answered');

  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready',
    'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready',
    'leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended',
  ]);
  const started = facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.equal(started.kind, 'originate');
  assert.deepEqual(started.from, { kind: 'local', number: '+15550100' });
  assert.deepEqual(started.callback, { leg1Number: '1101', leg1CallerId: '+15557654321', leg2Number: '5557654321', leg2CallerId: '+15550100', traceId: 'crm-7781' });
  assert.equal(started.user?.id, '501');
  assert.equal(started.line?.id, 'main');
  const [opLeg, contactLeg] = legsCreated(facts);
  assert.deepEqual(playbacks, [`started ${opLeg!.legId}`, `stopped ${opLeg!.legId}`], 'Alice heard ringback until the callee answered');
  // 20 ms frames: 1.2 s of ringing is ~60 (unless a stray sender took the port over, see above).
  t.diagnostic(`ringback packets at Alice's phone: ${aliceMedia.packets()}`);
  assert.deepEqual([opLeg!.role, opLeg!.party.userId, contactLeg!.role, contactLeg!.party.number], ['operator', '501', 'contact', '+15557654321']);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual([end.hangupBy, end.hangupLegId], [{ kind: 'phone', number: '+15557654321' }, contactLeg!.legId], 'the callee hung up');

  // spec teltel §5.6, operator first: localtosip/operator, then localtodid/contact.
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'RING', 'RINGRESULT:ANSWER', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  assert.deepEqual(teltel.map((e) => `${String(e.phase)}/${String(e.leg)}`), [
    'localtosip/operator', 'localtosip/operator', 'localtosip/operator', 'localtosip/operator',
    'localtodid/contact', 'localtodid/contact', 'localtodid/contact',
    'localtosip/operator', 'localtodid/contact', 'localtodid/contact', 'localtosip/operator', 'localtodid/contact',
  ]);
  for (const e of teltel) {
    assert.equal(e.type, 'callback');
    assert.equal(e.direction, 'outbound');
    assert.deepEqual(e.data && (e.data as Record<string, unknown>).callback, { leg_1_phone_number: '1101', leg_1_caller_id: '+15557654321', leg_2_phone_number: '5557654321', leg_2_caller_id: '+15550100', trace_id: 'crm-7781' });
  }
  assert.deepEqual([teltel.at(-1)!.hanged_by, teltel.at(-1)!.hanged_value, teltel.at(-1)!.is_answered], ['phone', '+15557654321', true]);

  // Report: the originate under its uniqueId, the callee part under its own.
  const main = await reportEntry(s.r, s.token, String(oStart!.uniqueId));
  assert.deepEqual([main.type, main.direction, main.disposition, main.user_id, main.tracking_id, main.from, main.to], ['voicecall', 'originate', 'answered', 501, sessionId, '+15557654321', '101']);
  assert.equal((main.callback as Record<string, unknown>).trace_id, 'crm-7781');
  assert.deepEqual((main.legs as Record<string, unknown>[]).map((l) => [l.role, l.result]), [['operator', 'ANSWER']]);
  const part = await reportEntry(s.r, s.token, String(outStart!.uniqueId));
  assert.equal(outStart!.uniqueId, contactLeg!.legId, 'the realtime projection names the callee part by its leg');
  assert.deepEqual([part.direction, part.disposition, part.parent_call_id, part.from, part.to, part.answered_by_user_id], ['outgoing', 'answered', main.call_id, '+15550100', '+15557654321', null]);
  assert.equal(part.billable_seconds, outEnd!.billableSeconds);
  assert.equal(part.duration, outEnd!.duration);
  const list = await rest(s.r, s.token, 'GET', `/reports/call-data?start_date=${today()}&end_date=${today()}`);
  assert.deepEqual((list.body.data as Record<string, unknown>[]).map((e) => e.call_id).sort(), [main.call_id, part.call_id].sort());
});

test('originate: the caller\'s phone hangs up; a pin names the user whose number the callee sees', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-answers-hangs-up.xml');
  const far = await phoneAnswering(t, 'uas-answers.xml', s.carrierPort, 9, CARRIER_IP);
  const sessionId = await originate(s, { caller: '101', callee: '+15557654321', pin: '1102' });
  ok(await alice.done, 'Alice\'s phone');
  const c = await far.done;
  ok(c, 'carrier');
  assert.match(c.messages, /From: <sip:\+15550101@/, 'Bob\'s own number is an account number: the callee sees it');
  const { topics, events } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end', 'voice.originate.end']);
  assert.equal(events[0]!.userId, '502', 'the call belongs to the pin\'s user');
  const { facts, teltel } = await logged(s.r, sessionId);
  const started = facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.deepEqual(started.userIds, ['502', '501']);
  assert.equal(started.line?.id, 'sales');
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(end.hangupBy.userId, '501', 'Alice hung up');
  const ended = facts.filter((f) => f.type === 'leg.ended') as Extract<Fact, { type: 'leg.ended' }>[];
  assert.deepEqual(ended.map((f) => f.by), ['remote', 'local']);
  assert.deepEqual([teltel.at(-1)!.hanged_by, teltel.at(-1)!.hanged_user, teltel.at(-1)!.phase, teltel.at(-1)!.leg], ['sip', 501, 'localtosip', 'operator']);
  assert.equal((teltel[0]!.data as Record<string, Record<string, unknown>>).callback!.trace_id, undefined, 'no trace_id asked, none echoed');
  const main = await reportEntry(s.r, s.token, String(events[0]!.uniqueId));
  assert.deepEqual([main.user_id, main.hangup_by], [502, { kind: 'sip', number: '101', user_id: 501 }]);
});

test('originate: a number first (contact), then a user\'s phone by extension (operator), as in spec teltel §5.6', { skip }, async (t) => {
  const s = await start(t);
  const alicePort = await freePort();
  await register(t, s.target, alicePort, '101', 'alice-sip-101');
  const far = await phoneAnswering(t, 'uas-answers-hangs-up.xml', s.carrierPort, 9, CARRIER_IP);
  const alice = await phoneAnswering(t, 'uas-answers.xml', alicePort, 9);
  const sessionId = await originate(s, { caller: '+15557654321', callee: '101', user_id: 501 });
  ok(await far.done, 'carrier');
  const a = await alice.done;
  ok(a, 'Alice\'s phone');
  assert.match(a.messages, /From: <sip:\+15557654321@/, 'Alice sees the contact\'s number');
  const { topics } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end', 'voice.originate.end']);
  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(legsCreated(facts).map((l) => l.role), ['contact', 'operator']);
  assert.deepEqual(teltel.slice(0, 7).map((e) => `${String(e.event)} ${String(e.phase)}/${String(e.leg)}`), [
    'START localtodid/contact', 'RING localtodid/contact', 'RINGRESULT localtodid/contact', 'READY localtodid/contact',
    'RING localtosip/operator', 'RINGRESULT localtosip/operator', 'READY localtosip/operator',
  ]);
  assert.deepEqual((teltel[0]!.data as Record<string, unknown>).callback, { leg_1_phone_number: '+15557654321', leg_1_caller_id: '+15550100', leg_2_phone_number: '101', leg_2_caller_id: '+15557654321' });
  assert.equal(teltel.at(-1)!.hanged_by, 'phone');
});

test('originate: the caller is busy: originate.start then originate.end, nothing else dialled', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-busy.xml');
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321' });
  ok(await alice.done, 'Alice\'s phone');
  const { topics, events } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.end']);
  assert.equal(events[1]!.disposition, 'missed');
  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(factTypes(facts), ['session.started', 'leg.created', 'leg.failed', 'session.ended']);
  const failed = facts[2] as Extract<Fact, { type: 'leg.failed' }>;
  assert.deepEqual([failed.result, failed.sipStatus], ['BUSY', 486]);
  const end = facts[3] as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual([end.hangupBy, end.cause], [{ kind: 'local', number: '+15550100' }, 'busy']);
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:BUSY', 'COMPLETED']);
  assert.deepEqual([teltel.at(-1)!.hanged_by, teltel.at(-1)!.is_answered], ['local', false]);
  const main = await reportEntry(s.r, s.token, String(events[0]!.uniqueId));
  assert.deepEqual([main.disposition, main.billable_seconds, main.answer_time], ['missed', 0, null]);
  assert.deepEqual((main.legs as Record<string, unknown>[]).map((l) => [l.result, l.sip_status]), [['BUSY', 486]]);
});

test('originate: the caller never answers: cancelled after the ring timeout, NOANSWER', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-rings.xml');
  const started = Date.now();
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321', timeout: 2 });
  ok(await alice.done, 'Alice\'s phone (cancelled)');
  assert.ok(Date.now() - started >= 1900, 'rang for the 2 s asked');
  const { topics } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.end']);
  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(factTypes(facts), ['session.started', 'leg.created', 'leg.ringing', 'leg.failed', 'session.ended']);
  assert.equal((facts[3] as Extract<Fact, { type: 'leg.failed' }>).result, 'NOANSWER');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:NOANSWER', 'COMPLETED']);
});

test('originate: the callee is busy: Ringside hangs up the caller', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-answers.xml');
  const far = await phoneAnswering(t, 'uas-busy.xml', s.carrierPort, 9, CARRIER_IP);
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321' });
  ok(await far.done, 'carrier (busy)');
  ok(await alice.done, 'Alice\'s phone got a BYE');
  const { topics, events } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.end', 'voice.originate.end']);
  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready',
    'leg.created', 'leg.failed', 'leg.ended', 'session.ended',
  ]);
  const ended = facts[7] as Extract<Fact, { type: 'leg.ended' }>;
  assert.equal(ended.by, 'local');
  const end = facts[8] as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual([end.hangupBy.kind, end.cause], ['local', 'busy']);
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'RING', 'RINGRESULT:BUSY', 'COMPLETED']);
  const main = await reportEntry(s.r, s.token, String(events[0]!.uniqueId));
  const part = await reportEntry(s.r, s.token, String(events[2]!.uniqueId));
  assert.deepEqual([main.disposition, part.disposition, part.parent_call_id], ['answered', 'missed', main.call_id]);
});

test('originate: the caller hangs up while the callee rings: the callee is cancelled', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-answers-hangs-up.xml');
  const far = await phoneAnswering(t, 'uas-rings.xml', s.carrierPort, 9, CARRIER_IP);
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321' });
  ok(await alice.done, 'Alice\'s phone hung up');
  ok(await far.done, 'carrier (cancelled)');
  const { topics, events } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.end', 'voice.originate.end']);
  assert.equal(events[3]!.disposition, 'canceled');
  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready',
    'leg.created', 'leg.ringing', 'leg.failed', 'leg.ended', 'session.ended',
  ]);
  assert.deepEqual([(facts[7] as Extract<Fact, { type: 'leg.failed' }>).result, (facts[8] as Extract<Fact, { type: 'leg.ended' }>).by], ['CANCEL', 'remote']);
  const end = facts[9] as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual([end.hangupBy.userId, end.cause], ['501', 'originator-cancel']);
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'RING', 'RINGRESULT:CANCEL', 'COMPLETED']);
  assert.equal(teltel.at(-1)!.hanged_by, 'sip');
});

test('originate: stopping the switch hangs up both sides of a bridged originate', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-answers.xml');
  const far = await phoneAnswering(t, 'uas-answers.xml', s.carrierPort, 9, CARRIER_IP);
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321' });
  await s.ws.until((f) => f.some((e) => e.trackingId === sessionId && topic(e) === 'voice.outgoing.answer'), 10_000, 'voice.outgoing.answer');
  assert.equal(s.r.calls.activeCalls, 1);
  await s.r.calls.close();
  ok(await alice.done, 'Alice\'s phone got a BYE');
  ok(await far.done, 'carrier got a BYE');
  await originateEvents(s.ws, sessionId);
  const { facts, teltel } = await logged(s.r, sessionId);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'local', number: '+15550100' });
  assert.equal(teltel.at(-1)!.hanged_by, 'local');
  assert.equal(s.r.calls.activeCalls, 0);
  // The report was written before close() returned.
  const entry = await s.r.store.getReportEntry('demo', (facts[0] as Extract<Fact, { type: 'session.started' }>).callId);
  assert.equal(entry?.kind, 'call');
});

test('originate: once bridged, the callee holds and resumes by re-INVITE (answered recvonly, then sendrecv), as in any call', { skip }, async (t) => {
  const s = await start(t);
  const alice = await registeredPhone(t, s.target, '101', 'alice-sip-101', 'uas-answers.xml');
  const far = await builtCarrier(t, s.carrierPort, { steps: [{ pauseMs: 800 }, { reinvite: 'sendonly' }, { pauseMs: 500 }, { reinvite: 'sendrecv' }, { pauseMs: 500 }], end: 'bye' });
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321' });
  const c = await far.done;
  ok(c, 'carrier (holds, resumes, hangs up)');
  ok(await alice.done, 'Alice\'s phone got a BYE');
  assert.match(c.messages, /a=recvonly/, 'Ringside answered the hold offer with recvonly (RFC 3264 §8.4)');
  const { topics } = await originateEvents(s.ws, sessionId);
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.answer', 'voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end', 'voice.originate.end']);
  const { facts, teltel } = await logged(s.r, sessionId);
  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready',
    'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready',
    'leg.joined', 'leg.joined', 'leg.held', 'leg.held', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended',
  ]);
  const contactLeg = legsCreated(facts)[1]!.legId;
  const held = facts.filter((f): f is Extract<Fact, { type: 'leg.held' }> => f.type === 'leg.held');
  assert.deepEqual(held.map((f) => [f.legId, f.held]), [[contactLeg, true], [contactLeg, false]]);
  // Hold is no teltel event: the call's events are those of any bridged originate.
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'RING', 'RINGRESULT:ANSWER', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual([end.hangupBy, end.hangupLegId], [{ kind: 'phone', number: '+15557654321' }, contactLeg], 'the callee hung up');
});

test('originate: once bridged, the user\'s phone blind-transfers the callee to extension 102 (REFER); a transfer session connects them', { skip }, async (t) => {
  const s = await start(t);
  const alice = await builtPhone(t, s.target, '101', 'alice-sip-101', { steps: [{ pauseMs: 1500 }], referTo: 'sip:102@127.0.0.1' });
  const bob = await registeredPhone(t, s.target, '102', 'bob-sip-102', 'uas-answers-hangs-up.xml');
  const far = await builtCarrier(t, s.carrierPort, {});
  const sessionId = await originate(s, { caller: '1101', callee: '5557654321' });
  const a = await alice.done;
  ok(a, 'Alice (transferor: 202, NOTIFY, Ringside\'s BYE)');
  assert.match(a.messages, /SIP\/2\.0 202/);
  assert.match(a.messages, /NOTIFY [\s\S]*Subscription-State: terminated[\s\S]*SIP\/2\.0 200 OK/i, 'the NOTIFY carries a 200 sipfrag (RFC 3515 §2.4.5)');
  const b = await bob.done;
  ok(b, 'Bob (the transfer target: answers, hangs up)');
  assert.match(b.messages, /From: <sip:\+15557654321@/, 'Bob sees the transferred party');
  ok(await far.done, 'carrier (the transferee: moved to Bob, then Ringside\'s BYE)');
  await originateEvents(s.ws, sessionId);
  await s.ws.until((f) => f.some((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end'), 15_000, 'the transfer session\'s end');
  const transferId = [...new Set(s.ws.events('accountevent').map((e) => String(e.trackingId)))].find((id) => id !== sessionId)!;
  const [first, second] = [await logged(s.r, sessionId), await logged(s.r, transferId)];
  const startA = first.facts[0] as Extract<Fact, { type: 'session.started' }>;
  const startB = second.facts[0] as Extract<Fact, { type: 'session.started' }>;
  // Session A: the originate, up to the bridge; Alice leaves first (she transferred), the callee leaves it too but stays up.
  assert.deepEqual(factTypes(first.facts).slice(-7), ['leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended']);
  assert.equal((first.facts.at(-1) as Extract<Fact, { type: 'session.ended' }>).hangupBy.userId, '501');
  // Session B: the callee is its caller (already answered), Bob's phone rings and answers.
  assert.deepEqual(startB.transferOf, { sessionId, callId: startA.callId });
  assert.deepEqual([startB.kind, startB.from.number, startB.to.number, startB.callback], ['inbound', '+15557654321', '102', undefined], 'a phone reaching a user: an inbound-kind session (an originate has no caller leg)');
  assert.deepEqual(legsCreated(second.facts).map((l) => [l.role, l.direction, l.party.number]), [['caller', 'in', '+15557654321'], ['callee', 'out', '102']]);
  assert.deepEqual(factTypes(second.facts), ['session.started', 'leg.created', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready', 'leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended']);
  assert.equal((second.facts.at(-1) as Extract<Fact, { type: 'session.ended' }>).hangupBy.userId, '502', 'Bob hung up');
  assert.equal(second.teltel[0]!.type, 'transfer');
  assert.equal(second.teltel[0]!.call_id, first.teltel[0]!.call_id, 'teltel: same call_id, new session (spec §5.8)');
  assert.deepEqual(teltelNames(second.teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  const mine = s.ws.events('accountevent').filter((e) => e.trackingId === transferId).map(topic);
  assert.deepEqual(mine, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  assert.equal(s.r.calls.activeCalls, 0);
});

test('originate: bad requests are refused with {success:false, error, message} and start nothing', { skip }, async (t) => {
  const s = await start(t);
  const cases: [Record<string, unknown>, number, string, RegExp][] = [
    [{ callee: '5557654321' }, 400, 'missing_parameters', /caller/],
    [{ caller: '1101' }, 400, 'missing_parameters', /callee/],
    [{ caller: '9999', callee: '5557654321' }, 400, 'unknown_target', /caller 9999/],
    [{ caller: '1101', callee: 'not-a-number' }, 400, 'bad_parameter', /callee must be/],
    [{ caller: '1101', callee: '5557654321', user_id: 999 }, 400, 'unknown_user', /no user 999/],
    [{ caller: '1101', callee: '5557654321', user_id: 'x' }, 400, 'bad_parameter', /user_id/],
    [{ caller: '1101', callee: '5557654321', pin: '4242' }, 400, 'unknown_user', /PIN 4242/],
    [{ caller: '1101', callee: '5557654321', user_id: 501, pin: '1102' }, 400, 'bad_parameter', /different users/],
    [{ caller: '1101', callee: '5557654321', account_id: 'other' }, 403, 'forbidden', /other/],
    [{ caller: '1101', callee: '5557654321', timeout: 0 }, 400, 'bad_parameter', /timeout/],
  ];
  for (const [body, status, error, message] of cases) {
    const res = await rest(s.r, s.token, 'POST', '/voice/originate', body);
    assert.equal(res.status, status, JSON.stringify([body, res.body]));
    assert.deepEqual([res.body.success, res.body.error], [false, error], JSON.stringify(res.body));
    assert.match(String(res.body.message), message);
  }
  const anonymous = await rest(s.r, undefined, 'POST', '/voice/originate', { caller: '1101', callee: '5557654321' });
  assert.deepEqual([anonymous.status, anonymous.body.success], [401, false]);
  // Form-encoded bodies work too (spec realtime §5.1): here a ring group as the caller, with nobody registered.
  const form = await fetch(`http://127.0.0.1:${s.r.httpPort}/voice/originate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'caller=100&callee=5557654321',
  });
  const formBody = (await form.json()) as Record<string, unknown>;
  assert.equal(formBody.success, true, JSON.stringify(formBody));
  const { topics } = await originateEvents(s.ws, String(formBody.trackingId));
  assert.deepEqual(topics, ['voice.originate.start', 'voice.originate.end'], 'no registered device: CHANUNAVAIL at once');
  const { facts } = await logged(s.r, String(formBody.trackingId));
  assert.deepEqual((facts[1] as Extract<Fact, { type: 'leg.created' }>).party, { kind: 'sip', number: '100', name: 'Desk' });
  assert.equal((facts[2] as Extract<Fact, { type: 'leg.failed' }>).result, 'CHANUNAVAIL');
  assert.deepEqual((facts[0] as Extract<Fact, { type: 'session.started' }>).userIds, ['501', '502'], 'the ring group\'s members');
});

test('originate to an external number without any trunk: no_trunk', { skip }, async (t) => {
  const r = await startInProcess(t, `
accounts:
  - id: solo
    accountcode: solo
    name: Solo
    numbers: [{ number: "+15550100" }]
    users:
      - { id: 601, name: Dana, email: dana@solo.test, password: dana-pass, role: admin, extension: "101", pin: "1601" }
`);
  const token = await login(r, 'dana@solo.test', 'dana-pass');
  const res = await rest(r, token, 'POST', '/voice/originate', { caller: '1601', callee: '5557654321' });
  assert.deepEqual([res.status, res.body.success, res.body.error], [503, false, 'no_trunk']);
  assert.deepEqual(await r.events.read(0, {}, 10), [], 'nothing recorded');
});

/**
 * Basic calls end to end over loopback, with real SIP peers (sipp) and real RTP:
 *
 * - The carrier is sipp on 127.0.0.2 (the trunk's host), calling in or answering Ringside's calls out.
 * - A user's phone is sipp on 127.0.0.1. The registrar remembers where a REGISTER came from
 *   (`binding.source`, RFC 3581) and the switch sends the INVITE there, not to the Contact. sipp in UAC
 *   mode cannot take a new INVITE, so a phone is built in two steps on one fixed port (`freePort`):
 *   1. `register.xml` with `-p PORT` registers (digest MD5) and exits — the binding's source is PORT;
 *   2. a UAS scenario (`uas-*.xml`) starts on the same `-p PORT` and takes the calls Ringside sends there.
 * - The phone's SDP names a media port the test listens on (`-key rtp_port`), so the test sees the
 *   carrier's RTP (sipp `play_pcap_audio` g711a.pcap, PCMA) arrive through Ringside (anchored, PCMU).
 *
 * Each test checks the SIP outcome (sipp's exit code: every expected message arrived), the events a real
 * WebSocket client receives on the account stream (realtime), the teltel projection in the log, and that
 * the session's facts respect the order the switch guarantees (`sessionProblems`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { startInProcess, login } from '../support/in-process.js';
import { TestSocket } from '../support/ws-client.js';
import type { Fact } from '../../src/events/model/facts.js';
import { CARRIER_IP, endedSession, factTypes, freePort, logged, ok, phoneAnswering, registeredPhone, rtpSink, sipp, teltelNames, topic, type T } from './support/harness.js';
import { callConfig, ALICE, BOB_WITH_NUMBER } from '../support/call-config.js';
const skip = missingTool('sipp', 'sip-tester');

function config(carrierPort: number): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }, { number: "+15550102" }, { number: "+15550103" }]
    users:
      - ${ALICE}
      - ${BOB_WITH_NUMBER}
      - { id: 503, name: Carol, email: carol@demo.test, password: carol-pass, role: user, extension: "103", pin: "1103" }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501, 503], timeoutSeconds: 3, fallback: hangup } }
      - { id: sales, name: Sales, number: "+15550101", ring: { strategy: forward, forwardTo: ["+15557770001"], timeoutSeconds: 10, fallback: hangup } }
      - { id: team, name: Team, number: "+15550102", ring: { strategy: ring-all, users: [501, 502], timeoutSeconds: 10, fallback: hangup } }
      - { id: support, name: Support, number: "+15550103", ring: { strategy: round-robin, users: [501, 502], timeoutSeconds: 4, fallback: hangup } }
`);
}

async function setup(t: T) {
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort));
  const ws = await TestSocket.open(r.httpPort);
  t.after(() => ws.close());
  await ws.request({ type: 'authrequest', token: await login(r, 'alice@demo.test', 'alice-pass') }, 'authresponse');
  assert.equal((await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);
  return { r, ws, carrierPort, target: `127.0.0.1:${r.sip.port}` };
}

test('inbound to a ring-all line: the registered phone answers, the caller hangs up; RTP is relayed', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const media = await rtpSink(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml', media.port);
  const carrier = await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } });
  ok(carrier, 'carrier');
  ok(await phone.done, 'phone');
  assert.ok(media.packets() > 20, `the carrier's audio reached the phone through Ringside (${media.packets()} packets)`);
  assert.deepEqual([...media.payloadTypes], [0], 'transcoded PCMA → PCMU, the phone\'s codec');

  const { sessionId, topics, events } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  assert.equal(events[0]!.from, '+15557654321');
  assert.equal(events[0]!.to, '+15550100');
  assert.equal(events[0]!.lineId, 'main');
  assert.equal(events[1]!.userId, '501', 'Alice answered');

  const { facts, teltel } = await logged(r, sessionId);
  // Carol has no registered phone: her leg is CHANUNAVAIL at once.
  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.created', 'leg.created', 'leg.failed',
    'leg.ringing', 'leg.answered', 'leg.media-ready', 'leg.answered', 'leg.media-ready',
    'leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended',
  ]);
  const start = facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.equal(start.kind, 'inbound');
  assert.deepEqual(start.userIds, ['501', '503']);
  const failed = facts.find((f) => f.type === 'leg.failed') as Extract<Fact, { type: 'leg.failed' }>;
  assert.equal(failed.result, 'CHANUNAVAIL');
  const codecs = facts.filter((f) => f.type === 'leg.media-ready').map((f) => (f as Extract<Fact, { type: 'leg.media-ready' }>).codec);
  assert.deepEqual(codecs, ['PCMU', 'PCMA'], 'the phone speaks PCMU, the carrier PCMA: the engine transcodes');
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'phone', number: '+15557654321', name: 'Pat Caller' });
  assert.equal(end.hangupLegId, (facts[1] as Extract<Fact, { type: 'leg.created' }>).legId, 'the caller hung up');
  const endedBy = facts.filter((f) => f.type === 'leg.ended').map((f) => (f as Extract<Fact, { type: 'leg.ended' }>).by);
  assert.deepEqual(endedBy, ['remote', 'local']);
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RING', 'RINGRESULT:CHANUNAVAIL', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  assert.equal(teltel.at(-1)!.hanged_by, 'phone');
  assert.equal(teltel.at(-1)!.is_answered, true);
});

test('inbound with a late offer (no SDP in the INVITE): Ringside offers in the 200, the ACK answers', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const media = await rtpSink(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml', media.port);
  ok(await sipp(t, 'carrier-call-late-offer.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } }), 'carrier');
  ok(await phone.done, 'phone');
  assert.ok(media.packets() > 20, `the carrier's audio reached the phone (${media.packets()} packets)`);
  const { sessionId, topics } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  await logged(r, sessionId);
});

test('inbound: the phone hangs up first; Ringside BYEs the carrier', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const media = await rtpSink(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers-hangs-up.xml', media.port);
  const carrier = await sipp(t, 'carrier-call-waits-bye.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } });
  ok(carrier, 'carrier');
  ok(await phone.done, 'phone');
  const { sessionId, topics } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'sip', number: '101', userId: '501', name: 'Alice' }, 'Alice hung up');
  assert.equal(teltel.at(-1)!.hanged_by, 'sip');
  assert.equal(teltel.at(-1)!.event, 'COMPLETED');
});

test('ring-all: the first phone to answer wins, the other is cancelled', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const media = await rtpSink(t);
  const alice = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  const bob = await registeredPhone(t, target, '102', 'bob-sip-102', 'uas-answers.xml', media.port);
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550102', keys: { from: '+15557654321' } }), 'carrier');
  ok(await alice.done, 'Alice\'s phone (cancelled)');
  ok(await bob.done, 'Bob\'s phone (answered)');
  const { sessionId, topics, events } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  assert.equal(events[1]!.userId, '502', 'Bob answered');
  const { facts, teltel } = await logged(r, sessionId);
  const aliceLeg = facts.find((f) => f.type === 'leg.created' && f.party.userId === '501') as Extract<Fact, { type: 'leg.created' }>;
  const failed = facts.find((f) => f.type === 'leg.failed') as Extract<Fact, { type: 'leg.failed' }>;
  assert.deepEqual({ legId: failed.legId, result: failed.result, sipStatus: failed.sipStatus }, { legId: aliceLeg.legId, result: 'CANCEL', sipStatus: 487 });
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RING', 'RINGRESULT:ANSWER', 'READY', 'RINGRESULT:CANCEL', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
});

test('round-robin: one user at a time, each for a share of the ring timeout', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const media = await rtpSink(t);
  const alice = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  const bob = await registeredPhone(t, target, '102', 'bob-sip-102', 'uas-answers.xml', media.port);
  const started = Date.now();
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550103', keys: { from: '+15557654321' } }), 'carrier');
  ok(await alice.done, 'Alice\'s phone (rang 2 s, cancelled)');
  ok(await bob.done, 'Bob\'s phone (answered)');
  assert.ok(Date.now() - started >= 2000, 'Alice rang for half of the 4 s first');
  const { sessionId, events } = await endedSession(ws, 'incoming', 10_000);
  assert.equal(events[1]!.userId, '502');
  const { facts, teltel } = await logged(r, sessionId);
  const callees = facts.filter((f) => f.type === 'leg.created' && f.role === 'callee').map((f) => (f as Extract<Fact, { type: 'leg.created' }>).party.userId);
  assert.deepEqual(callees, ['501', '502'], 'Alice first, then Bob');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:NOANSWER', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);

  // The next call starts one user further along: Bob rings first and answers; Alice is not rung.
  const bobAgain = await phoneAnswering(t, 'uas-answers.xml', bob.port, media.port);
  ok(await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550103', keys: { from: '+15557654321' } }), 'carrier, second call');
  ok(await bobAgain.done, 'Bob\'s phone, second call');
  await ws.until((f) => f.filter((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end').length === 2, 10_000, 'second end');
  const second = String(ws.events('accountevent').at(-1)!.trackingId);
  const again = await logged(r, second);
  const rung = again.facts.filter((f) => f.type === 'leg.created' && f.role === 'callee').map((f) => (f as Extract<Fact, { type: 'leg.created' }>).party.userId);
  assert.deepEqual(rung, ['502']);
});

test('closing the switch hangs up the calls in progress: BYE to both sides, hung up by Ringside', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml');
  const carrier = sipp(t, 'carrier-call-waits-bye.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } });
  await ws.until((f) => f.some((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.answer'), 10_000, 'answer');
  assert.equal(r.calls.activeCalls, 1);
  await r.calls.close();
  ok(await carrier, 'carrier got a BYE');
  ok(await phone.done, 'phone got a BYE');
  const { sessionId } = await endedSession(ws, 'incoming', 10_000);
  const { facts, teltel } = await logged(r, sessionId);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'local', number: '+15550100' });
  assert.equal(teltel.at(-1)!.hanged_by, 'local');
  assert.equal(r.calls.activeCalls, 0);
});

test('inbound, nobody answers: ring timeout cancels the phone, the caller gets 480, NOANSWER', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  const started = Date.now();
  const carrier = await sipp(t, 'carrier-call-unanswered.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } });
  ok(carrier, 'carrier');
  ok(await phone.done, 'phone');
  assert.ok(Date.now() - started >= 2900, 'rang for the line\'s 3 s');
  const { sessionId, topics } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const failed = facts.filter((f) => f.type === 'leg.failed').map((f) => (f as Extract<Fact, { type: 'leg.failed' }>).result);
  assert.deepEqual(failed.sort(), ['CHANUNAVAIL', 'NOANSWER']);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'local', number: '+15550100' });
  assert.equal(end.cause, 'no-answer');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RING', 'RINGRESULT:CHANUNAVAIL', 'RINGRESULT:NOANSWER', 'COMPLETED']);
  assert.equal(teltel.at(-1)!.is_answered, false);
  assert.equal(teltel.at(-1)!.hanged_by, 'local');
});

test('inbound, the caller cancels while the phone rings: the phone is cancelled too', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-rings.xml');
  const carrier = await sipp(t, 'carrier-call-cancels.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } });
  ok(carrier, 'carrier');
  ok(await phone.done, 'phone');
  const { sessionId, topics } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const failed = facts.filter((f) => f.type === 'leg.failed').map((f) => (f as Extract<Fact, { type: 'leg.failed' }>).result);
  assert.deepEqual(failed.sort(), ['CANCEL', 'CHANUNAVAIL']);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(end.hangupBy.number, '+15557654321');
  assert.equal(end.cause, 'originator-cancel');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RING', 'RINGRESULT:CHANUNAVAIL', 'RINGRESULT:CANCEL', 'COMPLETED']);
});

test('inbound, every phone is busy: BUSY legs, 486 to the caller', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const alice = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-busy.xml');
  const bob = await registeredPhone(t, target, '102', 'bob-sip-102', 'uas-busy.xml');
  ok(await sipp(t, 'carrier-call-busy.xml', target, { from: CARRIER_IP, service: '+15550102', keys: { from: '+15557654321' } }), 'carrier');
  ok(await alice.done, 'Alice\'s phone');
  ok(await bob.done, 'Bob\'s phone');
  const { sessionId, topics } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const failed = facts.filter((f) => f.type === 'leg.failed') as Extract<Fact, { type: 'leg.failed' }>[];
  assert.deepEqual(failed.map((f) => [f.result, f.cause, f.sipStatus]), [['BUSY', 'busy', 486], ['BUSY', 'busy', 486]]);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual([end.hangupBy, end.cause], [{ kind: 'local', number: '+15550102' }, 'busy']);
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RING', 'RINGRESULT:BUSY', 'RINGRESULT:BUSY', 'COMPLETED']);
});

test('inbound to a number Ringside does not have: 404, no session', { skip }, async (t) => {
  const { r, target } = await setup(t);
  ok(await sipp(t, 'carrier-call-unknown-number.xml', target, { from: CARRIER_IP, service: '+15559999999', keys: { from: '+15557654321' } }), 'carrier');
  assert.deepEqual(await r.events.read(0, {}, 10), []);
});

test('inbound to a forward line: Ringside calls the forward number through the trunk', { skip }, async (t) => {
  const { r, ws, target, carrierPort } = await setup(t);
  const media = await rtpSink(t);
  const far = await phoneAnswering(t, 'uas-answers.xml', carrierPort, media.port, CARRIER_IP);
  const carrier = await sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550101', keys: { from: '+15557654321' } });
  ok(carrier, 'carrier calling in');
  const f = await far.done;
  ok(f, 'forward target');
  assert.match(f.messages, /INVITE sip:\+15557770001@127\.0\.0\.2/);
  assert.match(f.messages, /From: "Pat Caller" <sip:\+15557654321@/, 'the original caller\'s number');
  const { sessionId, topics } = await endedSession(ws, 'incoming', 10_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const callee = facts.find((x) => x.type === 'leg.created' && x.role === 'callee') as Extract<Fact, { type: 'leg.created' }>;
  assert.deepEqual(callee.party, { kind: 'phone', number: '+15557770001' });
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
});

test('outgoing from a registered phone through the trunk: digest, caller ID, answered, hung up', { skip }, async (t) => {
  const { r, ws, target, carrierPort } = await setup(t);
  const media = await rtpSink(t);
  const far = await phoneAnswering(t, 'uas-answers.xml', carrierPort, media.port, CARRIER_IP);
  const phone = await sipp(t, 'device-calls.xml', target, { service: '102', keys: { dial: '5557654321' }, extra: ['-au', '102', '-ap', 'bob-sip-102'] });
  ok(phone, 'phone');
  const c = await far.done;
  ok(c, 'carrier');
  assert.match(c.messages, /INVITE sip:\+15557654321@127\.0\.0\.2/);
  assert.match(c.messages, /From: <sip:\+15550101@/, 'Bob\'s own number is an account number: his caller ID');
  const { sessionId, topics, events } = await endedSession(ws, 'outgoing', 10_000);
  assert.deepEqual(topics, ['voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end']);
  assert.equal(events[0]!.userId, '502');
  assert.equal(events[0]!.to, '+15557654321');
  const { facts, teltel } = await logged(r, sessionId);
  const start = facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.equal(start.kind, 'outbound');
  assert.equal(start.line?.id, 'sales');
  const callee = facts.find((x) => x.type === 'leg.created' && x.role === 'callee') as Extract<Fact, { type: 'leg.created' }>;
  assert.equal(callee.callerId, '+15550101');
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(end.hangupBy.userId, '502', 'Bob hung up');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
});

test('outgoing, the carrier says busy: the phone gets 486, BUSY', { skip }, async (t) => {
  const { r, ws, target, carrierPort } = await setup(t);
  const far = await phoneAnswering(t, 'uas-busy.xml', carrierPort, 9, CARRIER_IP);
  ok(await sipp(t, 'device-calls-busy.xml', target, { service: '101', keys: { dial: '+15557654321' }, extra: ['-au', '101', '-ap', 'alice-sip-101'] }), 'phone');
  const c = await far.done;
  ok(c, 'carrier');
  assert.match(c.messages, /From: <sip:\+15550100@/, 'Alice has no own number: the account default');
  const { sessionId, topics } = await endedSession(ws, 'outgoing', 10_000);
  assert.deepEqual(topics, ['voice.outgoing.start', 'voice.outgoing.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'phone', number: '+15557654321' }, 'the far end refused');
  assert.equal(end.cause, 'busy');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:BUSY', 'COMPLETED']);
});

test('a phone with wrong credentials cannot call out (403), and nothing is recorded', { skip }, async (t) => {
  const { r, target } = await setup(t);
  ok(await sipp(t, 'device-calls-refused.xml', target, { service: '101', keys: { dial: '+15557654321' }, extra: ['-au', '101', '-ap', 'wrong'] }), 'phone');
  assert.deepEqual(await r.events.read(0, {}, 10), []);
});

test('internal call: a phone dials an extension, the other user\'s phone answers', { skip }, async (t) => {
  const { r, ws, target } = await setup(t);
  const media = await rtpSink(t);
  const alice = await registeredPhone(t, target, '101', 'alice-sip-101', 'uas-answers.xml', media.port);
  ok(await sipp(t, 'device-calls.xml', target, { service: '102', keys: { dial: '101' }, extra: ['-au', '102', '-ap', 'bob-sip-102'] }), 'Bob\'s phone');
  const a = await alice.done;
  ok(a, 'Alice\'s phone');
  assert.match(a.messages, /From: "Bob" <sip:102@/);
  const { sessionId, topics, events } = await endedSession(ws, 'internal', 10_000);
  assert.deepEqual(topics, ['voice.internal.start', 'voice.internal.answer', 'voice.internal.end']);
  assert.equal(events[0]!.from, '102');
  assert.equal(events[0]!.to, '101');
  const { facts, teltel } = await logged(r, sessionId);
  assert.equal((facts[0] as Extract<Fact, { type: 'session.started' }>).kind, 'internal');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
});

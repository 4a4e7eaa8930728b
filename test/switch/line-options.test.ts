/**
 * The line options end to end, with sipp as the carrier and phones (DTMF from sipp's RFC 4733 pcaps) and a
 * real WebSocket client on the account stream: call confirmation (accept, a wrong key while another phone
 * accepts), agent PIN entry (PIN then `#`; a wrong PIN by silence then the right one; no PIN → dropped),
 * voicemail (straight to it, and as the fallback), call recording (`audio_url`), hold/resume by re-INVITE
 * and the call time limit. Each test checks the SIP outcome, the realtime events, the session's facts
 * (in the switch's order, `logged`), and the teltel projection or the recording itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import type { Fact } from '../../src/events/model/facts.js';
import { CARRIER_IP, builtCarrier, builtPhone, endedSession, factTypes, freePort, logged, ok, phoneAnswering, register, reportEntry, setup, sipp, teltelNames, topic, type T } from './support/harness.js';
import { carrierScenario, scenarioDir, type Step } from './support/scenario-builder.js';
import { parseWav, wavSamples } from '../../src/media/wav.js';
import { callConfig } from '../support/call-config.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');

interface Options {
  agentPin?: string;
  limits?: string;
}

function config(carrierPort: number, o: Options = {}): string {
  return callConfig(carrierPort, `
    agentPin: ${o.agentPin ?? '{ entry: pound, waitSeconds: 3, maxPrompts: 2 }'}
    ${o.limits ? `limits: ${o.limits}` : ''}
    numbers: [{ number: "+15550100" }, { number: "+15550101" }, { number: "+15550102" }, { number: "+15550103" }, { number: "+15550104" }, { number: "+15550105" }, { number: "+15550106" }]
    users:
      - { id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1357", sip: { username: "101", password: alice-sip-101 } }
      - { id: 502, name: Bob, email: bob@demo.test, password: bob-pass, role: user, extension: "102", pin: "2580", sip: { username: "102", password: bob-sip-102 } }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 5, fallback: voicemail }, voicemail: { mailboxUser: 501 } }
      - { id: sales, name: Sales, number: "+15550101", ring: { strategy: ring-all, users: [501], timeoutSeconds: 15, fallback: hangup }, confirmCalls: true }
      - { id: team, name: Team, number: "+15550102", ring: { strategy: ring-all, users: [501, 502], timeoutSeconds: 15, fallback: hangup }, confirmCalls: true }
      - { id: support, name: Support, number: "+15550103", ring: { strategy: forward, forwardTo: ["+15557770001"], timeoutSeconds: 15, fallback: hangup }, agentPinEntry: true }
      - { id: after-hours, name: After Hours, number: "+15550104", ring: { strategy: voicemail }, voicemail: { enabled: true, mailboxUser: 501, maxSeconds: 20 } }
      - { id: recorded, name: Recorded, number: "+15550105", ring: { strategy: ring-all, users: [501], timeoutSeconds: 15, fallback: hangup }, record: true }
      - { id: group, name: Group, number: "+15550106", ring: { strategy: ring-group, ringGroup: everyone, timeoutSeconds: 30, fallback: hangup } }
    ringGroups:
      - { id: everyone, name: Everyone, number: "100", strategy: ring-all, members: [501, 502], timeoutSeconds: 15 }
`);
}

async function start(t: T, o: Options = {}) {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort, o));
  return { ...s, carrierPort };
}

/** A registered phone (user `sipUser`) that answers with `steps`, in the background. */
function phone(t: T, target: string, sipUser: '101' | '102', steps: Step[]) {
  return builtPhone(t, target, sipUser, sipUser === '101' ? 'alice-sip-101' : 'bob-sip-102', { steps });
}

/** The carrier calling `number`: answered (then `steps`, then BYE, or waiting for Ringside's), or refused. */
function carrierCalls(t: T, target: string, number: string, o: Parameters<typeof carrierScenario>[0]) {
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario(o) });
  return sipp(t, 'carrier.xml', target, { dir, from: CARRIER_IP, service: number, keys: { from: '+15557654321' }, extra: ['-mp', String(40000 + Math.floor(Math.random() * 10000) * 2)], timeoutSec: 30 });
}

/** The carrier's side of a forwarded call: answers at the trunk's port, then `steps`. */
function forwardAnswered(t: T, carrierPort: number, steps: Step[]) {
  return builtCarrier(t, carrierPort, { steps });
}

const ofType = <K extends Fact['type']>(facts: Fact[], type: K) => facts.filter((f): f is Extract<Fact, { type: K }> => f.type === type);

test('call confirmation: the phone answers, hears the prompt, presses 1; the parties are connected', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await phone(t, target, '101', [{ pauseMs: 800 }, { digits: '1' }]);
  ok(await carrierCalls(t, target, '+15550101', { steps: [{ audio: 'g711a' }, { pauseMs: 1500 }] }), 'carrier');
  ok(await alice.done, 'phone');
  const { sessionId, topics, events } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.callconfirm.start', 'voice.callconfirm.acceptcall', 'voice.incoming.answer', 'voice.incoming.end']);
  assert.equal(events[3]!.userId, '501');
  const { facts, teltel } = await logged(r, sessionId);
  const types = factTypes(facts);
  assert.ok(types.indexOf('confirm.prompted') < types.indexOf('confirm.accepted'));
  assert.ok(types.indexOf('confirm.accepted') < types.indexOf('leg.joined'), 'joined only after the key');
  assert.equal(ofType(facts, 'confirm.accepted')[0]!.digit, '1');
  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
});

test('call confirmation: one phone presses a wrong key and is dropped, the other accepts', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await phone(t, target, '101', [{ pauseMs: 800 }, { digits: '2' }]);
  const bob = await phone(t, target, '102', [{ pauseMs: 2500 }, { digits: '1' }]);
  ok(await carrierCalls(t, target, '+15550102', { steps: [{ pauseMs: 1000 }] }), 'carrier');
  ok(await alice.done, 'alice');
  ok(await bob.done, 'bob');
  const { sessionId, topics, events } = await endedSession(ws);
  assert.deepEqual([...topics].sort(), ['voice.callconfirm.acceptcall', 'voice.callconfirm.rejectcall', 'voice.callconfirm.start', 'voice.callconfirm.start', 'voice.incoming.answer', 'voice.incoming.end', 'voice.incoming.start']);
  assert.ok(topics.indexOf('voice.callconfirm.rejectcall') < topics.indexOf('voice.callconfirm.acceptcall'));
  assert.equal(events.find((e) => topic(e) === 'voice.incoming.answer')!.userId, '502', 'Bob accepted');
  const { facts } = await logged(r, sessionId);
  const legOf = (userId: string) => ofType(facts, 'leg.created').find((f) => f.user?.id === userId)!.legId;
  assert.deepEqual(ofType(facts, 'confirm.rejected').map((f) => [f.legId, f.reason]), [[legOf('501'), 'wrong-key']]);
  assert.deepEqual(ofType(facts, 'confirm.accepted').map((f) => f.legId), [legOf('502')]);
  assert.deepEqual(ofType(facts, 'leg.ended').find((f) => f.legId === legOf('501'))!.cause, 'rejected');
});

test('call confirmation by SIP INFO (application/dtmf-relay): the key is taken as an RFC 4733 one would be', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await phone(t, target, '101', [{ pauseMs: 800 }, { info: '1' }]);
  ok(await carrierCalls(t, target, '+15550101', { steps: [{ pauseMs: 1000 }] }), 'carrier');
  ok(await alice.done, 'phone');
  const { sessionId, topics } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.callconfirm.start', 'voice.callconfirm.acceptcall', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts } = await logged(r, sessionId);
  assert.equal(ofType(facts, 'confirm.accepted')[0]!.digit, '1');
});

test('a ring-group line: every member\'s phone rings; the one who answers gets the call, the other is cancelled', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alicePort = await freePort();
  await register(t, target, alicePort, '101', 'alice-sip-101');
  const alice = await phoneAnswering(t, 'uas-rings.xml', alicePort, await freePort(), '127.0.0.1', 25);
  const bob = await phone(t, target, '102', []);
  ok(await carrierCalls(t, target, '+15550106', { steps: [{ pauseMs: 1500 }] }), 'carrier');
  ok(await alice.done, 'alice (rings, cancelled)');
  ok(await bob.done, 'bob (answers)');
  const { sessionId, topics, events } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  assert.equal(events[0]!.lineId, 'group');
  assert.equal(events[1]!.userId, '502');
  const { facts, teltel } = await logged(r, sessionId);
  assert.deepEqual((facts[0] as Extract<Fact, { type: 'session.started' }>).userIds, ['501', '502']);
  assert.deepEqual(ofType(facts, 'leg.failed').map((f) => [f.result, f.sipStatus]), [['CANCEL', 487]]);
  const names = teltelNames(teltel);
  assert.deepEqual([names.filter((n) => n === 'RING').length, names.filter((n) => n.startsWith('RINGRESULT')).sort()], [2, ['RINGRESULT:ANSWER', 'RINGRESULT:CANCEL']]);
});

test('agent PIN entry: the forwarded party enters PIN then #; the call is connected and is that user\'s', { skip }, async (t) => {
  const { r, ws, target, carrierPort } = await start(t);
  const agent = await forwardAnswered(t, carrierPort, [{ pauseMs: 800 }, { digits: '2580#' }]);
  ok(await carrierCalls(t, target, '+15550103', { steps: [{ pauseMs: 1000 }] }), 'caller');
  ok(await agent.done, 'forwarded party');
  const { sessionId, topics, events } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.agentpin-prompt', 'voice.incoming.agentpin-valid', 'voice.incoming.answer', 'voice.incoming.end']);
  const valid = events[2]!;
  assert.equal(valid.pinEntered, '2580');
  assert.equal(valid.userId, '502', 'the PIN is Bob\'s');
  const { facts, teltel } = await logged(r, sessionId);
  assert.equal(ofType(facts, 'agentpin.valid')[0]!.user.id, '502');
  assert.equal(teltel.at(-1)!.event, 'COMPLETED');
  assert.equal(teltel.at(-1)!.is_answered, true);
});

test('agent PIN entry: a wrong PIN (ended by silence), the prompt again, then the right PIN', { skip }, async (t) => {
  const { r, ws, target, carrierPort } = await start(t, { agentPin: '{ entry: digits, waitSeconds: 1, maxPrompts: 3 }' });
  const agent = await forwardAnswered(t, carrierPort, [{ pauseMs: 800 }, { digits: '1349' }, { pauseMs: 2500 }, { digits: '2580' }]);
  ok(await carrierCalls(t, target, '+15550103', { steps: [{ pauseMs: 1000 }] }), 'caller');
  ok(await agent.done, 'forwarded party');
  const { sessionId, topics } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.agentpin-prompt', 'voice.incoming.agentpin-prompt', 'voice.incoming.agentpin-valid', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts } = await logged(r, sessionId);
  assert.deepEqual(ofType(facts, 'agentpin.prompted').map((f) => f.attempt), [1, 2]);
  assert.equal(ofType(facts, 'agentpin.valid')[0]!.pin, '2580');
});

test('agent PIN entry: no PIN after every prompt: the call is dropped (480 to the caller, BYE to the party)', { skip }, async (t) => {
  const { r, ws, target, carrierPort } = await start(t, { agentPin: '{ entry: pound, waitSeconds: 1, maxPrompts: 2 }' });
  const agent = await forwardAnswered(t, carrierPort, []);
  ok(await carrierCalls(t, target, '+15550103', { refused: 480 }), 'caller');
  ok(await agent.done, 'forwarded party');
  const { sessionId, topics } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.agentpin-prompt', 'voice.incoming.agentpin-prompt', 'voice.incoming.agentpin-timeout', 'voice.incoming.end']);
  const { facts } = await logged(r, sessionId);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(end.hangupBy.kind, 'local', 'Ringside dropped the call');
});

/** RMS of 16-bit samples. */
const rms = (s: Int16Array) => Math.sqrt(s.reduce((a, x) => a + x * x, 0) / Math.max(1, s.length));

test('straight to voicemail: greeting, beep, the caller speaks; the message is stored, served and reported', { skip }, async (t) => {
  const { r, ws, target, token } = await start(t);
  // The greeting and beep last ~5 s: the caller starts talking after them (sipp's g711a.pcap, 4.7 s).
  ok(await carrierCalls(t, target, '+15550104', { steps: [{ pauseMs: 6500 }, { audio: 'g711a' }, { pauseMs: 4000 }] }), 'caller');
  const { sessionId, topics, events } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.end'], 'platform voicemail is no answer (spec realtime §3.4)');
  const end = events[1]!;
  assert.equal(end.hasVoicemail, true);
  assert.equal(end.disposition, 'voicemail');
  const { facts } = await logged(r, sessionId);
  assert.deepEqual(factTypes(facts), ['session.started', 'leg.created', 'leg.answered', 'leg.media-ready', 'voicemail.started', 'recording.finished', 'leg.ended', 'session.ended']);
  assert.equal(ofType(facts, 'voicemail.started')[0]!.mailboxUserId, '501');
  const rec = ofType(facts, 'recording.finished')[0]!;
  assert.equal(rec.purpose, 'voicemail');
  assert.equal(rec.status, 'complete');
  assert.match(rec.url, new RegExp(`^http://127\\.0\\.0\\.1:${r.httpPort}/recordings/[A-Za-z0-9-]+\\.wav$`));
  const res = await fetch(rec.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'audio/wav');
  const info = parseWav(Buffer.from(await res.arrayBuffer()));
  const wav = { channels: info.channels, sampleRate: info.sampleRate, samples: wavSamples(info) };
  assert.equal(wav.channels, 1);
  const seconds = wav.samples.length / wav.sampleRate;
  assert.ok(seconds > 3 && seconds < 12, `the message lasts ${seconds} s`);
  assert.ok(rms(wav.samples) > 200, `the message holds the caller's audio (RMS ${rms(wav.samples)})`);
  const entry = await reportEntry(r, token, String(events[0]!.uniqueId));
  assert.equal(entry.disposition, 'voicemail');
  assert.equal(entry.voicemail_url, rec.url, 'the report lists the message');
  assert.equal((await fetch(`http://127.0.0.1:${r.httpPort}/recordings/nope.wav`)).status, 404);
});

test('a caller who says nothing into the voicemail leaves no voicemail: no recording, not a voicemail disposition', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  // Greeting and beep (~5 s), then 4 s in which the caller sends no audio, then the caller hangs up.
  ok(await carrierCalls(t, target, '+15550104', { steps: [{ pauseMs: 10_000 }] }), 'caller');
  const { sessionId, events } = await endedSession(ws);
  const end = events[1]!;
  assert.equal(end.hasVoicemail, false);
  assert.notEqual(end.disposition, 'voicemail');
  const { facts } = await logged(r, sessionId);
  assert.ok(factTypes(facts).includes('voicemail.started'));
  assert.ok(!factTypes(facts).includes('recording.finished'), factTypes(facts).join(', '));
});

test('voicemail as the fallback: nobody can take the call; the caller hangs up during the greeting', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  ok(await carrierCalls(t, target, '+15550100', { steps: [{ pauseMs: 1500 }] }), 'caller');
  const { sessionId, events } = await endedSession(ws);
  assert.equal(events.at(-1)!.hasVoicemail, false, 'no message was left');
  const { facts } = await logged(r, sessionId);
  assert.deepEqual(factTypes(facts), ['session.started', 'leg.created', 'leg.created', 'leg.failed', 'leg.answered', 'leg.media-ready', 'voicemail.started', 'leg.ended', 'session.ended']);
  assert.equal(ofType(facts, 'leg.failed')[0]!.result, 'CHANUNAVAIL');
  assert.equal(ofType(facts, 'leg.ended')[0]!.by, 'remote');
});

test('recording: the conversation is recorded in two channels; teltel COMPLETED carries its audio_url', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await phone(t, target, '101', []);
  ok(await carrierCalls(t, target, '+15550105', { steps: [{ audio: 'g711a' }, { pauseMs: 2500 }, { digits: '5' }, { pauseMs: 800 }] }), 'carrier');
  ok(await alice.done, 'phone');
  const { sessionId } = await endedSession(ws);
  const { facts, teltel } = await logged(r, sessionId);
  const rec = ofType(facts, 'recording.finished')[0]!;
  assert.equal(rec.purpose, 'call');
  assert.deepEqual(ofType(facts, 'dtmf').map((f) => [f.legId, f.digit, f.via]), [[ofType(facts, 'leg.created')[0]!.legId, '5', 'rfc4733']], 'the caller pressed 5 in the conversation');
  assert.equal(rec.conversationId, ofType(facts, 'leg.joined')[0]!.conversationId);
  const types = factTypes(facts);
  assert.ok(types.lastIndexOf('leg.left') < types.indexOf('recording.finished') && types.indexOf('recording.finished') === types.length - 2);
  const completed = teltel.at(-1)!;
  assert.equal(completed.event, 'COMPLETED');
  assert.equal(completed.audio_url, rec.url);
  const info = parseWav(Buffer.from(await (await fetch(rec.url)).arrayBuffer()));
  const wav = { channels: info.channels, sampleRate: info.sampleRate, samples: wavSamples(info) };
  assert.equal(wav.channels, 2);
  const left = wav.samples.filter((_, i) => i % 2 === 0);
  assert.ok(left.length / wav.sampleRate > 2, `recorded ${left.length / wav.sampleRate} s`);
  assert.ok(rms(left) > 200, `the caller's channel holds the carrier's audio (RMS ${rms(left)})`);
});

test('hold and resume: re-INVITEs with sendonly then sendrecv are answered recvonly/sendrecv and reported', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await phone(t, target, '101', []);
  const carrier = await carrierCalls(t, target, '+15550105', { steps: [{ pauseMs: 500 }, { reinvite: 'sendonly' }, { pauseMs: 500 }, { reinvite: 'sendrecv' }, { pauseMs: 500 }] });
  ok(carrier, 'carrier');
  ok(await alice.done, 'phone');
  assert.match(carrier.messages, /a=recvonly/, 'Ringside answered the hold offer with recvonly (RFC 3264 §8.4)');
  const { sessionId } = await endedSession(ws);
  const { facts } = await logged(r, sessionId);
  const callerLeg = ofType(facts, 'leg.created')[0]!.legId;
  assert.deepEqual(ofType(facts, 'leg.held').map((f) => [f.legId, f.held]), [[callerLeg, true], [callerLeg, false]]);
});

test('call time limit: Ringside hangs up both sides when the account limit is reached', { skip }, async (t) => {
  const { r, ws, target } = await start(t, { limits: '{ incomingCallSeconds: 2, outgoingCallSeconds: 60 }' });
  const alice = await phone(t, target, '101', []);
  const started = Date.now();
  ok(await carrierCalls(t, target, '+15550105', { end: 'wait-bye' }), 'carrier');
  ok(await alice.done, 'phone');
  const { sessionId } = await endedSession(ws);
  const { facts } = await logged(r, sessionId);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(end.hangupBy.kind, 'local');
  assert.deepEqual(ofType(facts, 'leg.ended').map((f) => f.by), ['local', 'local']);
  const answered = ofType(facts, 'leg.joined')[0]!.at;
  const over = ofType(facts, 'leg.left')[0]!.at;
  assert.ok(over - answered >= 1900 && over - answered < 4000, `ended ${over - answered} ms after the bridge`);
  assert.ok(Date.now() - started < 15_000);
});

test('blind transfer: the phone that answered REFERs the caller to extension 102; a new session connects them', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await builtPhone(t, target, '101', 'alice-sip-101', { steps: [{ pauseMs: 800 }], referTo: 'sip:102@127.0.0.1' });
  const bob = await phone(t, target, '102', []);
  ok(await carrierCalls(t, target, '+15550105', { steps: [{ pauseMs: 5000 }] }), 'caller');
  ok(await alice.done, 'alice (transferor)');
  ok(await bob.done, 'bob (transfer target)');
  await ws.until((f) => f.filter((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end').length >= 2, 15_000, 'two voice.incoming.end');
  const events = ws.events('accountevent');
  const sessions = [...new Set(events.map((e) => String(e.trackingId)))];
  assert.equal(sessions.length, 2, 'the transfer continues in a second session');
  const [a, b] = [await logged(r, sessions[0]!), await logged(r, sessions[1]!)];
  const startB = b.facts[0] as Extract<Fact, { type: 'session.started' }>;
  const startA = a.facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.deepEqual(startB.transferOf, { sessionId: sessions[0], callId: startA.callId });
  assert.equal(startB.to.number, '102');
  // Session A: Alice leaves first (she transferred), the caller leaves it too but stays up.
  const endA = a.facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(endA.hangupBy.userId, '501');
  assert.deepEqual(factTypes(b.facts), ['session.started', 'leg.created', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready', 'leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'recording.finished', 'session.ended']);
  assert.ok(factTypes(a.facts).includes('recording.finished'), 'the line records: each session has its recording');
  const endB = b.facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.equal(endB.hangupBy.number, '+15557654321', 'the caller hung up at the end');
  assert.equal(b.teltel[0]!.type, 'transfer');
  assert.equal(b.teltel[0]!.call_id, a.teltel[0]!.call_id, 'teltel: same call_id, new session (spec §5.8)');
  assert.deepEqual(teltelNames(b.teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
});

test('attended transfer (Refer-To with Replaces) is refused 603; the call goes on until the caller hangs up', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const referTo = 'sip:102@127.0.0.1?Replaces=abc%40127.0.0.1%3Bto-tag%3D1%3Bfrom-tag%3D2';
  const alice = await builtPhone(t, target, '101', 'alice-sip-101', { steps: [{ pauseMs: 500 }], referTo, referRefused: 603 });
  ok(await carrierCalls(t, target, '+15550105', { steps: [{ pauseMs: 2500 }] }), 'caller');
  ok(await alice.done, 'alice');
  const { sessionId, topics } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts } = await logged(r, sessionId);
  assert.equal((facts.at(-1) as Extract<Fact, { type: 'session.ended' }>).hangupBy.number, '+15557654321');
});

test('bad requests inside a bridged call are refused and the call goes on: bad DTMF INFO 400, REFER without Refer-To 400, to nobody 404', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alice = await phone(t, target, '101', []);
  const carrier = await carrierCalls(t, target, '+15550105', {
    steps: [
      { pauseMs: 300 },
      { request: 'INFO', contentType: 'application/dtmf-relay', body: 'Signal=Q', expect: 400 },
      { request: 'REFER', expect: 400 },
      { request: 'REFER', headers: ['Refer-To: <sip:999@127.0.0.1>'], expect: 404 },
      { request: 'OPTIONS', expect: 200 },
      { pauseMs: 500 },
    ],
  });
  ok(carrier, 'caller');
  ok(await alice.done, 'phone');
  const { sessionId, topics } = await endedSession(ws);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts } = await logged(r, sessionId);
  assert.equal((facts.at(-1) as Extract<Fact, { type: 'session.ended' }>).hangupBy.number, '+15557654321', 'the caller hung up at the end, as planned');
  assert.equal(ofType(facts, 'dtmf').length, 0);
  assert.equal((await fetch(`http://127.0.0.1:${r.httpPort}/health`)).status, 200);
});

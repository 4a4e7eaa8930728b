/**
 * The voice API end to end with real peers (spec bandwidth §2–§4): sipp is the carrier calling the
 * application's number (+15550104) or answering Ringside's outbound calls at the trunk's port; a real HTTP
 * receiver is the application's callback URL; the test acts as the application over REST, as the
 * provider's client libraries do. Callbacks are asserted field by field against spec §2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, ok, phoneAnswering, sipp, sleep } from '../switch/support/harness.js';
import { carrierScenario, answeringScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { parseWav, wavSamples } from '../../src/media/wav.js';
import { APP_NUMBER, CALLER, USER, audioServer, callbacks, voiceSetup, waitForCallback } from './support.js';
import { Receiver } from '../webhooks/support.js';
import { freePort } from '../switch/support/harness.js';
import { carrierMedia } from '../switch/support/baresip-phone.js';
import { rms, tonePower } from '../media/support/audio-analysis.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('inbound: incomingcall, the app answers, speaks, plays a file, records, gathers RFC 4733 and SIP INFO digits, hangs up', { skip }, async (t) => {
  const { r, receiver, sipTarget, api } = await voiceSetup(t);
  const fileUrl = await audioServer(t, 1);
  const callUri = (id: string) => `${r.publicUrl}/v1/users/${USER}/calls/${id}`;
  // The carrier streams speech (for the recording), then keys 1 2 3 as RFC 4733 and 4 by SIP INFO, and
  // waits for the application to hang up.
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [{ audio: 'g711a' }, { pauseMs: 9000 }, { digits: '123', gapMs: 500 }, { pauseMs: 500 }, { info: '4' }], end: 'wait-bye' }) });
  const carrier = sipp(t, 'carrier.xml', sipTarget, { dir, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER }, extra: ['-mp', String(await freePort())], timeoutSec: 40 });

  const incoming = await waitForCallback(receiver, (e) => e.eventType === 'incomingcall', 'incomingcall');
  const callId = String(incoming.callId);
  assert.match(callId, /^c-/);
  assert.deepEqual(incoming, { eventType: 'incomingcall', callId, callUri: callUri(callId), from: CALLER, to: APP_NUMBER, callState: 'active', applicationId: 'a-app', time: incoming.time });
  assert.match(String(incoming.time), ISO);
  const before = await api.call('GET', `calls/${callId}`);
  assert.equal((before.body as { state: string }).state, 'started', 'not answered yet (autoAnswer false)');

  await api.update(`calls/${callId}`, { state: 'active' });
  const answer = await waitForCallback(receiver, (e) => e.eventType === 'answer', 'answer');
  assert.deepEqual(answer, { eventType: 'answer', callId, callUri: callUri(callId), from: CALLER, to: APP_NUMBER, callState: 'active', time: answer.time }, 'an inbound answer has no tag (§1.4)');

  await api.update(`calls/${callId}`, { recordingEnabled: 'true' });
  await api.update(`calls/${callId}/audio`, { sentence: 'Welcome to Ringside', tag: 'greet', voice: 'Julie' });
  const spoken = await waitForCallback(receiver, (e) => e.eventType === 'speak' && e.status === 'done', 'speak done');
  assert.deepEqual(spoken, { eventType: 'speak', callId, callUri: callUri(callId), status: 'done', state: 'PLAYBACK_STOP', tag: 'greet', time: spoken.time });
  await api.update(`calls/${callId}/audio`, { fileUrl, tag: 'tone' });
  const played = await waitForCallback(receiver, (e) => e.eventType === 'playback' && e.status === 'done', 'playback done');
  assert.deepEqual(played, { eventType: 'playback', callId, callUri: callUri(callId), status: 'done', tag: 'tone', time: played.time });
  await api.update(`calls/${callId}`, { recordingEnabled: false });
  const recording = await waitForCallback(receiver, (e) => e.eventType === 'recording', 'recording');
  const recordingId = String(recording.recordingId);
  assert.deepEqual(recording, {
    eventType: 'recording',
    callId,
    recordingId,
    recordingUri: `${r.publicUrl}/v1/users/${USER}/recordings/${recordingId}`,
    status: 'complete',
    state: 'complete',
    startTime: recording.startTime,
    endTime: recording.endTime,
  });
  const spanMs = Date.parse(String(recording.endTime)) - Date.parse(String(recording.startTime));

  const gatherId = await api.create(`calls/${callId}/gather`, { maxDigits: '4', interDigitTimeout: 10, terminatingDigits: '#', tag: 'pin', prompt: { sentence: 'Enter your PIN' } });
  const gathered = await waitForCallback(receiver, (e) => e.eventType === 'gather', 'gather', 20_000);
  assert.deepEqual(gathered, { eventType: 'gather', state: 'completed', reason: 'max-digits', digits: '1234', callId, gatherId, tag: 'pin', time: gathered.time });
  const gather = (await api.call('GET', `calls/${callId}/gather/${gatherId}`)).body as Record<string, unknown>;
  assert.equal(gather.state, 'completed');
  assert.equal(gather.digits, '1234');

  await api.update(`calls/${callId}`, { state: 'completed' });
  ok(await carrier, 'carrier');
  const hangup = await waitForCallback(receiver, (e) => e.eventType === 'hangup', 'hangup');
  assert.deepEqual(hangup, { eventType: 'hangup', callId, callUri: callUri(callId), from: CALLER, to: APP_NUMBER, callState: 'completed', cause: 'NORMAL_CLEARING', time: hangup.time });

  const names = callbacks(receiver, callId).map((e) => (e.status ? `${String(e.eventType)}:${String(e.status)}` : String(e.eventType)));
  // spec bandwidth §4.3: the gather's prompt is spoken (Proposed: it yields speak events) and long over when
  // the caller keys; one `dtmf` per digit, also during the gather (Proposed); `recording` once it is saved.
  assert.deepEqual(names, [
    'incomingcall', 'answer', 'speak:started', 'speak:done', 'playback:started', 'playback:done', 'recording:complete',
    'speak:started', 'speak:done', 'dtmf', 'dtmf', 'dtmf', 'dtmf', 'gather', 'hangup',
  ]);
  const dtmf = callbacks(receiver, callId).filter((e) => e.eventType === 'dtmf');
  assert.deepEqual(dtmf.map((e) => e.dtmfDigit), ['1', '2', '3', '4'], 'three RFC 4733 digits and one SIP INFO');
  assert.deepEqual(Object.keys(dtmf[0]!).sort(), ['callId', 'callUri', 'dtmfDigit', 'dtmfDuration', 'eventType', 'time']);

  // An action on a completed call changes nothing (spec bandwidth §0: 403 call-invalid-state).
  const late = await api.call('POST', `calls/${callId}`, { state: 'active' });
  assert.equal(late.status, 403);
  assert.equal((late.body as { code: string }).code, 'call-invalid-state');
  const lateAudio = await api.call('POST', `calls/${callId}/audio`, { sentence: 'too late' });
  assert.equal(lateAudio.status, 403);

  // The call resource and its event log (spec bandwidth §3.2, §3.6).
  const call = (await api.call('GET', `calls/${callId}`)).body as Record<string, unknown>;
  assert.equal(call.state, 'completed');
  assert.equal(call.direction, 'in');
  assert.match(String(call.endTime), ISO);
  const log = (await api.call('GET', `calls/${callId}/events`)).body as { name: string }[];
  assert.equal(log[0]!.name, 'incomingcall');
  assert.equal(log.at(-1)!.name, 'hangup');

  // The recording: listed, served as a WAV with the caller's speech in it, as long as the span.
  const rec = (await api.call('GET', `recordings/${recordingId}`)).body as Record<string, unknown>;
  assert.equal(rec.state, 'complete');
  const media = await fetch(String(rec.media), { headers: { authorization: api.auth } });
  assert.equal(media.status, 200);
  const wav = parseWav(Buffer.from(await media.arrayBuffer()));
  const samples = wavSamples(wav);
  const seconds = samples.length / wav.sampleRate / wav.channels;
  assert.ok(Math.abs(seconds * 1000 - spanMs) < 1500, `recording ${seconds} s for a ${spanMs} ms span`);
  const rms = Math.sqrt(samples.reduce((s, x) => s + x * x, 0) / samples.length);
  assert.ok(rms > 200, `the recording is not silent (rms ${rms.toFixed(0)})`);
  const listed = (await api.call('GET', `calls/${callId}/recordings`)).body as { id: string }[];
  assert.deepEqual(listed.map((x) => x.id), [recordingId]);
});

test('outbound: POST /calls answered by the carrier, DTMF out comes back (sipp echoes RTP), the callee hangs up', { skip }, async (t) => {
  const { receiver, carrierPort, api } = await voiceSetup(t);
  const dir = scenarioDir(t, { 'callee.xml': answeringScenario({ steps: [{ pauseMs: 4000 }], end: 'bye' }) });
  const callee = sipp(t, 'callee.xml', '', { dir, from: CARRIER_IP, port: carrierPort, extra: ['-mp', String(await freePort()), '-rtp_echo'], timeoutSec: 25 });
  await sleep(300);
  const callId = await api.create('calls', { from: APP_NUMBER, to: '+15557770001', callbackUrl: receiver.url('/out'), tag: 'order-1', callTimeout: 10 });
  const answer = await waitForCallback(receiver, (e) => e.eventType === 'answer', 'answer');
  const callUri = `${api.baseUrl}/v1/users/${USER}/calls/${callId}`;
  // An outbound answer carries the call tag (§2.3).
  assert.deepEqual(answer, { eventType: 'answer', callId, callUri, from: APP_NUMBER, to: '+15557770001', callState: 'active', tag: 'order-1', time: answer.time });
  assert.match(String(answer.time), ISO);
  await api.update(`calls/${callId}/dtmf`, { dtmfOut: '59' });
  const echoed = await waitForCallback(receiver, (e) => e.eventType === 'dtmf' && e.dtmfDigit === '9', 'the digits echoed back');
  assert.equal(echoed.tag, 'order-1');
  ok(await callee, 'callee');
  const hangup = await waitForCallback(receiver, (e) => e.eventType === 'hangup', 'hangup');
  assert.deepEqual(hangup, { eventType: 'hangup', callId, callUri, from: APP_NUMBER, to: '+15557770001', callState: 'completed', cause: 'NORMAL_CLEARING', tag: 'order-1', time: hangup.time });
  assert.deepEqual(echoed, { eventType: 'dtmf', callId, callUri, dtmfDigit: '9', dtmfDuration: echoed.dtmfDuration, tag: 'order-1', time: echoed.time });
  assert.equal(receiver.requests.every((q) => q.url.startsWith('/out')), true, "every event of the call went to its callbackUrl");
});

test('outbound: refused with 486 is a hangup USER_BUSY; unanswered is timeout then hangup NO_ANSWER', { skip }, async (t) => {
  const { receiver, carrierPort, api } = await voiceSetup(t);
  const busy = await phoneAnswering(t, 'uas-busy.xml', carrierPort, 9, CARRIER_IP);
  const busyId = await api.create('calls', { from: APP_NUMBER, to: '+15557770002', callbackUrl: receiver.url('/busy') });
  const busyHangup = await waitForCallback(receiver, (e) => e.eventType === 'hangup' && e.callId === busyId, 'busy hangup');
  const uri = (id: string) => `${api.baseUrl}/v1/users/${USER}/calls/${id}`;
  assert.deepEqual(busyHangup, { eventType: 'hangup', callId: busyId, callUri: uri(busyId), from: APP_NUMBER, to: '+15557770002', callState: 'completed', cause: 'USER_BUSY', time: busyHangup.time });
  ok(await busy.done, 'busy callee');
  assert.deepEqual(callbacks(receiver, busyId).map((e) => e.eventType), ['hangup']);

  const rings = await phoneAnswering(t, 'uas-rings.xml', carrierPort, 9, CARRIER_IP);
  const lateId = await api.create('calls', { from: APP_NUMBER, to: '+15557770003', callbackUrl: receiver.url('/late'), callTimeout: '2', tag: 't' });
  await waitForCallback(receiver, (e) => e.eventType === 'hangup' && e.callId === lateId, 'no-answer hangup');
  const late = callbacks(receiver, lateId);
  assert.deepEqual(late, [
    { eventType: 'timeout', callId: lateId, callUri: uri(lateId), from: APP_NUMBER, to: '+15557770003', tag: 't', time: late[0]!.time },
    { eventType: 'hangup', callId: lateId, callUri: uri(lateId), from: APP_NUMBER, to: '+15557770003', callState: 'completed', cause: 'NO_ANSWER', tag: 't', time: late[1]!.time },
  ]);
  await rings.done;
  const call = (await api.call('GET', `calls/${lateId}`)).body as Record<string, unknown>;
  assert.equal(call.state, 'completed');
});

test('bridge: an inbound and an outbound call are bridged and hear each other (tones both ways); a hangup leaves the other call up', { skip }, async (t) => {
  const { receiver, sipTarget, carrierPort, api } = await voiceSetup(t, { autoAnswer: true });
  // Each side's RTP port is a socket the test holds on the carrier's address, which answers every packet it
  // gets with a packet of its own tone (A 440 Hz, B 1300 Hz): once anything reaches one side, the two
  // sockets keep each other talking through the bridge — or not at all without it.
  const mediaA = await carrierMedia(t, CARRIER_IP, 440);
  const mediaB = await carrierMedia(t, CARRIER_IP, 1300);
  const callee = await phoneAnswering(t, 'uas-answers.xml', carrierPort, mediaB.port, CARRIER_IP, 30);
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [{ pauseMs: 7000 }], end: 'bye', rtpPortKey: true }) });
  const caller = sipp(t, 'carrier.xml', sipTarget, { dir, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER, rtp_port: String(mediaA.port) }, timeoutSec: 30 });
  const a = String((await waitForCallback(receiver, (e) => e.eventType === 'answer', 'A answered')).callId);
  const b = await api.create('calls', { from: APP_NUMBER, to: '+15557770004', callbackUrl: receiver.url('/b') });
  await waitForCallback(receiver, (e) => e.eventType === 'answer' && e.callId === b, 'B answered');
  const bridgeId = await api.create('bridges', { bridgeAudio: true, callIds: [a, b] });
  const bridge = (await api.call('GET', `bridges/${bridgeId}`)).body as Record<string, unknown>;
  assert.equal(bridge.state, 'active');
  assert.deepEqual(bridge.callIds, [a, b]);
  // Audio to the bridge (silence, spec §3.7 POST /bridges/{id}/audio) starts the two sockets talking.
  await api.update(`bridges/${bridgeId}/audio`, { fileUrl: await audioServer(t, 1, 0) });
  ok(await caller, 'caller');
  assertHears(mediaB.heard(), 440, 1300, 1000, 'B (the callee)');
  assertHears(mediaA.heard(), 1300, 440, 1000, 'A (the caller)');
  await waitForCallback(receiver, (e) => e.eventType === 'hangup' && e.callId === a, 'A hung up');
  const bAfter = (await api.call('GET', `calls/${b}`)).body as Record<string, unknown>;
  assert.equal(bAfter.state, 'active', 'the other call stays up (§4.7)');
  assert.deepEqual(((await api.call('GET', `bridges/${bridgeId}`)).body as Record<string, unknown>).callIds, [b]);
  // Put in another bridge, B moves there: the first bridge, now empty, is completed.
  const second = await api.create('bridges', { callIds: [b] });
  const first = (await api.call('GET', `bridges/${bridgeId}`)).body as Record<string, unknown>;
  assert.equal(first.state, 'completed');
  assert.deepEqual(first.callIds, []);
  assert.deepEqual(((await api.call('GET', `bridges/${second}`)).body as Record<string, unknown>).callIds, [b]);
  assert.equal(((await api.call('GET', `calls/${b}`)).body as Record<string, unknown>).bridgeId, second);
  await api.update(`calls/${b}`, { state: 'completed' });
  await waitForCallback(receiver, (e) => e.eventType === 'hangup' && e.callId === b, 'B hung up');
  const done = (await api.call('GET', `bridges/${second}`)).body as Record<string, unknown>;
  assert.equal(done.state, 'completed');
  assert.deepEqual(done.callIds, []);
  await callee.done;
});

/** The tone a side heard: `want` and not its own tone, for at least `minMs` of loud audio. */
function assertHears(samples: Int16Array, want: number, own: number, minMs: number, what: string): void {
  const loudFrames = Array.from({ length: Math.floor(samples.length / 160) }, (_, i) => samples.subarray(i * 160, i * 160 + 160)).filter((f) => rms(f) > 1000).length;
  const [p, q] = [tonePower(samples, want), tonePower(samples, own)];
  assert.ok(loudFrames * 20 >= minMs, `${what}: ${loudFrames * 20} ms of audio (of ${samples.length / 8} ms), want ≥ ${minMs} ms`);
  assert.ok(p > 100 * q, `${what}: ${want} Hz power ${p.toFixed(0)} vs ${own} Hz ${q.toFixed(0)}`);
}

test('transfer: the new call id is in Location, it is answered, connected, and its hangup ends the original', { skip }, async (t) => {
  const { receiver, sipTarget, carrierPort, api } = await voiceSetup(t, { autoAnswer: true });
  const target = await phoneAnswering(t, 'uas-answers-hangs-up.xml', carrierPort, 9, CARRIER_IP, 30);
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [], end: 'wait-bye' }) });
  const caller = sipp(t, 'carrier.xml', sipTarget, { dir, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER }, extra: ['-mp', String(await freePort())], timeoutSec: 30 });
  const a = String((await waitForCallback(receiver, (e) => e.eventType === 'answer', 'A answered')).callId);
  const moved = await api.call('POST', `calls/${a}`, { state: 'transferring', transferTo: '+15557770005', transferCallerId: APP_NUMBER, whisperAudio: { sentence: 'Call from Ringside' } });
  assert.equal(moved.status, 201, JSON.stringify(moved.body));
  const b = moved.headers.get('location')!.split('/').pop()!;
  assert.notEqual(b, a);
  await waitForCallback(receiver, (e) => e.eventType === 'answer' && e.callId === b, 'B answered');
  ok(await caller, 'caller (hung up by Ringside when the target hung up)');
  await target.done;
  const ends = await waitForCallback(receiver, (e) => e.eventType === 'hangup' && e.callId === a, 'A hangup');
  assert.equal(ends.cause, 'NORMAL_CLEARING');
  const bCall = (await api.call('GET', `calls/${b}`)).body as Record<string, unknown>;
  assert.equal(bCall.state, 'completed');
  assert.equal(bCall.direction, 'out');
});

test('the application\'s URL is down: a call without autoAnswer is refused after the answer timeout; SIP is never stalled', { skip }, async (t) => {
  const { receiver, sipTarget, api } = await voiceSetup(t, {}, { RINGSIDE_VOICE_ANSWER_TIMEOUT: '2' });
  await receiver.close();
  const refused = sipp(t, 'carrier-call-unanswered.xml', sipTarget, { from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER } });
  const started = Date.now();
  const run = await refused;
  const list = (await api.call('GET', 'calls')).body as Record<string, unknown>[];
  assert.equal(list.length, 1);
  assert.equal(list[0]!.state, 'rejected');
  assert.ok(Date.now() - started < 10_000);
  assert.match(run.messages, /SIP\/2\.0 480/);
});

test('GET callbacks with Basic credentials from the URL, to the fallback when the primary URL is down (spec bandwidth §1.2, §1.3)', { skip }, async (t) => {
  const down = await Receiver.freePort();
  const fallback = await Receiver.start(t);
  const url = new URL(fallback.url('/fallback'));
  url.username = 'app';
  url.password = 'p@ss word';
  const { sipTarget } = await voiceSetup(t, { autoAnswer: true, callbackHttpMethod: 'GET', incomingCallUrl: `http://127.0.0.1:${down}/voice`, fallbackUrl: url.toString() });
  ok(await sipp(t, 'carrier-call-hangs-up.xml', sipTarget, { from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER } }), 'carrier');
  await fallback.waitFor(() => callbacks(fallback).some((e) => e.eventType === 'hangup'), 15_000, 'hangup at the fallback');
  const got = callbacks(fallback);
  assert.deepEqual(got.map((e) => e.eventType), ['incomingcall', 'answer', 'hangup']);
  for (const q of fallback.requests) {
    assert.equal(q.method, 'GET');
    assert.equal(q.body, '', 'no body: the event is in the query');
    assert.equal(q.headers.authorization, 'Basic ' + Buffer.from('app:p@ss word').toString('base64'));
    assert.match(String(q.headers['user-agent']), /^BandwidthAPI\/v1 /);
  }
  assert.equal(got[0]!.callState, 'active');
  assert.equal(got[0]!.applicationId, 'a-app');
  assert.equal(got[2]!.cause, 'NORMAL_CLEARING');
});

test('an application made over REST takes the calls of a number linked to it over REST, and stops when unlinked', { skip }, async (t) => {
  const { receiver, sipTarget, api } = await voiceSetup(t, { autoAnswer: true });
  const appId = await api.create('applications', { name: 'Made over REST', incomingCallUrl: receiver.url('/rest-app'), autoAnswer: 'true' });
  const number = encodeURIComponent('+15550100');
  await api.update(`phoneNumbers/${number}`, { applicationId: appId });
  const linked = (await api.call('GET', `phoneNumbers/${number}`)).body as Record<string, unknown>;
  assert.equal(linked.applicationId, appId);
  ok(await sipp(t, 'carrier-call-hangs-up.xml', sipTarget, { from: CARRIER_IP, service: '+15550100', keys: { from: CALLER } }), 'carrier');
  const incoming = await waitForCallback(receiver, (e) => e.eventType === 'incomingcall', 'incomingcall at the REST-made application');
  assert.equal(incoming.applicationId, appId);
  assert.equal(incoming.to, '+15550100');
  assert.ok(receiver.requests.every((q) => q.url.startsWith('/rest-app')));
  await waitForCallback(receiver, (e) => e.eventType === 'hangup', 'hangup');

  await api.update(`phoneNumbers/${number}`, { applicationId: '' });
  const before = receiver.requests.length;
  // Unlinked, the number is the account's plain number again: it has no line here, so the carrier hears 404.
  const refused = await sipp(t, 'carrier-call-unknown-number.xml', sipTarget, { from: CARRIER_IP, service: '+15550100', keys: { from: CALLER } });
  assert.equal(receiver.requests.length, before, 'the application hears nothing of it');
  assert.match(refused.messages, /SIP\/2\.0 (404|480) /, 'Ringside refused the call itself');
});

test('inbound rejected by the application: the caller gets 603, the application a hangup CALL_REJECTED, the call reads rejected (spec bandwidth §4.4)', { skip }, async (t) => {
  const { receiver, sipTarget, api } = await voiceSetup(t);
  const carrier = sipp(t, 'carrier-call-unanswered.xml', sipTarget, { from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER } });
  const incoming = await waitForCallback(receiver, (e) => e.eventType === 'incomingcall', 'incomingcall');
  const callId = String(incoming.callId);
  await api.update(`calls/${callId}`, { state: 'REJECTED' });
  const run = await carrier;
  assert.match(run.messages, /SIP\/2\.0 603 /);
  const hangup = await waitForCallback(receiver, (e) => e.eventType === 'hangup', 'hangup');
  assert.deepEqual(hangup, { eventType: 'hangup', callId, callUri: `${api.baseUrl}/v1/users/${USER}/calls/${callId}`, from: CALLER, to: APP_NUMBER, callState: 'completed', cause: 'CALL_REJECTED', time: hangup.time });
  assert.deepEqual(callbacks(receiver).map((e) => e.eventType), ['incomingcall', 'hangup'], 'never an eventType "reject" (§2.6)');
  assert.equal(((await api.call('GET', `calls/${callId}`)).body as Record<string, unknown>).state, 'rejected');
});

/**
 * Voice-API transcriptions end to end (spec bandwidth §2.12, §3.9, §4.5), with real peers and the real
 * engine: sipp is the carrier whose caller speaks a known sentence (flite speech streamed as G.711 RTP,
 * speech-pcap.ts), Ringside records the call and pocketsphinx transcribes the recording; a real HTTP
 * receiver is the application. The text is asserted by a few of its words, not exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, freePort, ok, sipp, sleep } from '../switch/support/harness.js';
import { answeringScenario, carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { spokenSamples } from '../support/spoken-wav.js';
import { POCKETSPHINX_MODEL_DIR } from '../../src/media/transcriber.js';
import { APP_NUMBER, USER, callbacks, voiceSetup, waitForCallback } from './support.js';
import { writeSpeechPcap } from './speech-pcap.js';

const engine = existsSync(join(POCKETSPHINX_MODEL_DIR, 'en-us.lm.bin')) ? missingTool('pocketsphinx_continuous', 'pocketsphinx') : 'pocketsphinx-en-us is not installed';
const skip = missingTool('sipp', 'sip-tester') || missingTool('flite', 'flite') || engine;
if (skip) console.warn(`voice-transcription.test.ts SKIPPED: ${skip}`);

// Through G.711 the engine loses some words (offline, the same samples A-law/µ-law encoded come back as
// "we'd call me back tomorrow morning" / "when ali baba tomorrow morning"): two of the four must be there.
const SENTENCE = 'please call me back tomorrow morning';
const WORDS = ['call', 'back', 'tomorrow', 'morning'];

function hasWords(text: string): void {
  const words = text.split(/\s+/);
  const found = WORDS.filter((w) => words.includes(w));
  assert.ok(found.length >= 2, `at least two of ${WORDS.join(', ')} in '${text}'`);
}

/** The caller's part: wait for the recording to start, say the sentence, hang up. */
function speakingSteps(dir: string, law: 'PCMA' | 'PCMU') {
  const samples = spokenSamples(dir, SENTENCE);
  const pcap = join(dir, `speech-${law}.pcap`);
  writeSpeechPcap(pcap, samples, law);
  return [{ pauseMs: 2000 }, { pcap }, { pauseMs: Math.ceil((samples.length / 8000) * 1000) + 1500 }];
}

test('inbound: the caller speaks, the call is recorded; POST …/transcriptions after the hangup gives the `transcription` callback with the text; a recording whose file is gone gives `error`', { skip }, async (t) => {
  const { r, receiver, sipTarget, api } = await voiceSetup(t, { autoAnswer: true });
  const dir = scenarioDir(t, {});
  const steps = speakingSteps(dir, 'PCMA');
  const scenarios = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps, end: 'bye' }) });
  const carrier = sipp(t, 'carrier.xml', sipTarget, { dir: scenarios, from: CARRIER_IP, service: APP_NUMBER, keys: { from: 'Pat' }, extra: ['-mp', String(await freePort())], timeoutSec: 40 });
  const answer = await waitForCallback(receiver, (e) => e.eventType === 'answer', 'answer');
  const callId = String(answer.callId);
  await api.update(`calls/${callId}`, { recordingEnabled: true });
  ok(await carrier, 'carrier');
  const recording = await waitForCallback(receiver, (e) => e.eventType === 'recording', 'recording', 20_000);
  assert.equal(recording.state, 'complete');
  const recordingId = String(recording.recordingId);
  await waitForCallback(receiver, (e) => e.eventType === 'hangup', 'hangup');

  // spec §3.9: empty body → 201, Location …/recordings/{rid}/transcriptions/{tid}.
  const made = await api.call('POST', `recordings/${recordingId}/transcriptions`);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const location = made.headers.get('location')!;
  const transcriptionId = location.split('/').pop()!;
  assert.match(transcriptionId, /^tr-/);
  assert.equal(location, `${api.baseUrl}/v1/users/${USER}/recordings/${recordingId}/transcriptions/${transcriptionId}`);
  const pending = (await api.call('GET', `recordings/${recordingId}/transcriptions/${transcriptionId}`)).body as Record<string, unknown>;
  assert.ok(['transcribing', 'completed'].includes(String(pending.state)), String(pending.state));

  const cb = await waitForCallback(receiver, (e) => e.eventType === 'transcription', 'transcription', 60_000);
  const user = `${r.publicUrl}/v1/users/${USER}`;
  assert.deepEqual(Object.keys(cb).sort(), ['eventType', 'recordingId', 'state', 'status', 'text', 'textSize', 'textUrl', 'transcriptionId', 'transcriptionUri']);
  assert.deepEqual(
    { ...cb, text: undefined, textSize: undefined },
    { eventType: 'transcription', transcriptionId, recordingId, state: 'completed', status: 'completed', text: undefined, textSize: undefined, textUrl: `${user}/media/${transcriptionId}`, transcriptionUri: `${user}/recordings/${recordingId}/transcriptions/${transcriptionId}` },
  );
  const text = String(cb.text);
  hasWords(text);
  assert.equal(cb.textSize, text.length);
  // To the recorded call's callback target: for an inbound call, the application's incomingCallUrl.
  const sent = receiver.requests.find((q) => q.seen === 0 && q.body.includes('"transcription"'))!;
  assert.ok(sent.url.startsWith('/voice'), sent.url);

  const full = await fetch(String(cb.textUrl).replace(r.publicUrl, api.baseUrl), { headers: { authorization: api.auth } });
  assert.equal(full.status, 200);
  assert.equal(await full.text(), text);
  const done = (await api.call('GET', `recordings/${recordingId}/transcriptions/${transcriptionId}`)).body as Record<string, unknown>;
  assert.deepEqual(done, { id: transcriptionId, state: 'completed', time: done.time, text, textSize: text.length, textUrl: `${api.baseUrl}/v1/users/${USER}/media/${transcriptionId}`, chargeableDuration: 60 });
  assert.deepEqual(((await api.call('GET', `calls/${callId}/transcriptions`)).body as { id: string }[]).map((x) => x.id), [transcriptionId]);

  // The engine failing (the recording's file is gone): `transcription` with only the ids and `error`.
  rmSync(r.media.recordingPath(recordingId));
  const failedId = (await api.call('POST', `recordings/${recordingId}/transcriptions`)).headers.get('location')!.split('/').pop()!;
  const failed = await waitForCallback(receiver, (e) => e.eventType === 'transcription' && e.transcriptionId === failedId, 'transcription error', 30_000);
  assert.deepEqual(failed, { eventType: 'transcription', transcriptionId: failedId, recordingId, state: 'error', status: 'error' });
  assert.equal(((await api.call('GET', `recordings/${recordingId}/transcriptions/${failedId}`)).body as { state: string }).state, 'error');
});

test('outbound with transcriptionEnabled: the recording is transcribed when saved; answer, hangup, recording, transcription to its callbackUrl', { skip }, async (t) => {
  const { receiver, carrierPort, api } = await voiceSetup(t);
  const dir = scenarioDir(t, {});
  // The answering side offers PCMU only.
  const steps = speakingSteps(dir, 'PCMU');
  const scenarios = scenarioDir(t, { 'callee.xml': answeringScenario({ steps, end: 'bye' }) });
  const callee = sipp(t, 'callee.xml', '', { dir: scenarios, from: CARRIER_IP, port: carrierPort, extra: ['-mp', String(await freePort())], timeoutSec: 40 });
  await sleep(300);
  const callId = await api.create('calls', { from: APP_NUMBER, to: '+15557770001', callbackUrl: receiver.url('/out'), recordingEnabled: true, transcriptionEnabled: 'true', callTimeout: 10 });
  const call = (await api.call('GET', `calls/${callId}`)).body as Record<string, unknown>;
  assert.equal(call.transcriptionEnabled, true);
  assert.equal(call.transcriptions, `${api.baseUrl}/v1/users/${USER}/calls/${callId}/transcriptions`);
  ok(await callee, 'callee');
  const cb = await waitForCallback(receiver, (e) => e.eventType === 'transcription', 'transcription', 60_000);
  assert.equal(cb.state, 'completed');
  hasWords(String(cb.text));
  // spec §4.1 step 4: recording, then transcription, after the hangup; all to the call's callbackUrl.
  assert.deepEqual(callbacks(receiver).map((e) => e.eventType), ['answer', 'hangup', 'recording', 'transcription']);
  assert.equal(receiver.requests.every((q) => q.url.startsWith('/out')), true);
  const listed = (await api.call('GET', `calls/${callId}/transcriptions`)).body as { id: string; state: string }[];
  assert.deepEqual(listed.map((x) => [x.id, x.state]), [[cb.transcriptionId, 'completed']]);
});

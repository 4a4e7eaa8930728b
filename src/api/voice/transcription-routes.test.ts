/**
 * Transcriptions over REST (spec bandwidth §3.9): create on a complete recording only, the views with
 * cropping, billing and textUrl, the per-recording and per-call lists, the text at `/media/tr-…` beside
 * a recording's `/media/{id}.wav`, and `transcriptionEnabled` on `POST /calls` passed to the switch.
 * Over a real socket, store and log; the switch is the recording double (voice-test-harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VoiceTranscriptionRecord } from '../../store/voice-records.js';
import { OTHER, callRecord, harness, providerError } from './voice-test-harness.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);

test('POST /recordings/{id}/transcriptions: 201 + Location for a complete recording; 403 invalid-recording-state otherwise; 404 unknown', async (t) => {
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  for (const state of ['complete', 'recording', 'saving', 'error'] as const) {
    await h.store.putVoiceResource({ kind: 'recording', id: `rec-${state}`, accountId: 'acme', callId: 'c-a', state, startTime: 1000 });
  }
  const made = await h.acme('POST', '/recordings/rec-complete/transcriptions');
  assert.equal(made.status, 201);
  assert.equal(made.text, '');
  assert.equal(made.headers.get('location'), `${h.base}/v1/users/u-acme/recordings/rec-complete/transcriptions/tr-test1`);
  assert.deepEqual(h.voice.last('createTranscription'), ['acme', 'rec-complete']);
  providerError(await h.acme('POST', '/recordings/rec-complete/transcriptions', { language: 'en' }), 400, 'validation-error');
  for (const state of ['recording', 'saving', 'error']) {
    const e = providerError(await h.acme('POST', `/recordings/rec-${state}/transcriptions`), 403, 'invalid-recording-state');
    assert.equal(e.category, 'forbidden');
    assert.match(e.message, new RegExp(`is ${state}`));
  }
  assert.equal(h.voice.ops.filter((o) => o.op === 'createTranscription').length, 1, 'the switch is asked only for the complete one');
  providerError(await h.acme('POST', '/recordings/rec-nope/transcriptions'), 404, 'recording-not-found');
  // Another account's recording is not found, never forbidden.
  providerError(await h.call('POST', '/v1/users/u-other/recordings/rec-complete/transcriptions', { auth: OTHER }), 404, 'recording-not-found');
  // The switch's own refusal (the recording changed meanwhile) is passed on as it words it.
  h.voice.refuse.set('createTranscription', { ok: false, status: 403, category: 'forbidden', code: 'invalid-recording-state', message: 'gone' });
  providerError(await h.acme('POST', '/recordings/rec-complete/transcriptions'), 403, 'invalid-recording-state');
});

test('GET transcriptions: transcribing without text; completed with text cropped at 1000, textSize, textUrl, minutes billed; error with only id/state/time', async (t) => {
  const h = await harness(t);
  const u = `${h.base}/v1/users/u-acme`;
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  await h.store.putVoiceResource(callRecord({ id: 'c-b' }));
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-1', accountId: 'acme', callId: 'c-a', state: 'complete', startTime: 1000 });
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-2', accountId: 'acme', callId: 'c-a', state: 'complete', startTime: 2000 });
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-3', accountId: 'acme', callId: 'c-b', state: 'complete', startTime: 3000 });
  const long = 'é'.repeat(600) + 'x'.repeat(600);
  const tr = (over: Partial<VoiceTranscriptionRecord> & { id: string }): VoiceTranscriptionRecord => ({ kind: 'transcription', accountId: 'acme', recordingId: 'rec-1', callId: 'c-a', state: 'transcribing', createdTime: T0, ...over });
  await h.store.putVoiceResource(tr({ id: 'tr-1', state: 'completed', text: long, audioSeconds: 61.5, completedTime: T0 + 9000 }));
  await h.store.putVoiceResource(tr({ id: 'tr-2', createdTime: T0 + 1 }));
  await h.store.putVoiceResource(tr({ id: 'tr-3', state: 'error', createdTime: T0 + 2, completedTime: T0 + 3 }));
  await h.store.putVoiceResource(tr({ id: 'tr-4', recordingId: 'rec-2', state: 'completed', text: 'short one', audioSeconds: 12, createdTime: T0 + 3 }));
  await h.store.putVoiceResource(tr({ id: 'tr-5', recordingId: 'rec-3', callId: 'c-b', state: 'completed', text: 'other call', audioSeconds: 0.2, createdTime: T0 + 4 }));
  await h.store.putVoiceResource(tr({ id: 'tr-theirs', accountId: 'other', state: 'completed', text: 'secret' }));

  const one = await h.acme('GET', '/recordings/rec-1/transcriptions/tr-1');
  assert.equal(one.status, 200);
  assert.deepEqual(one.json, {
    id: 'tr-1', state: 'completed', time: '2026-01-02T03:04:05.006Z',
    text: 'é'.repeat(600) + 'x'.repeat(400), textSize: 1200, textUrl: `${u}/media/tr-1`, chargeableDuration: 120,
  });
  assert.deepEqual((await h.acme('GET', '/recordings/rec-1/transcriptions/tr-2')).json, { id: 'tr-2', state: 'transcribing', time: '2026-01-02T03:04:05.007Z' });
  assert.deepEqual((await h.acme('GET', '/recordings/rec-1/transcriptions/tr-3')).json, { id: 'tr-3', state: 'error', time: '2026-01-02T03:04:05.008Z' });
  assert.equal(((await h.acme('GET', '/recordings/rec-3/transcriptions/tr-5')).json as { chargeableDuration: number }).chargeableDuration, 60, 'a started minute is billed');
  providerError(await h.acme('GET', '/recordings/rec-2/transcriptions/tr-1'), 404, 'transcription-not-found');
  providerError(await h.acme('GET', '/recordings/rec-1/transcriptions/tr-theirs'), 404, 'transcription-not-found');

  const ofRec = await h.acme('GET', '/recordings/rec-1/transcriptions?size=2');
  assert.deepEqual((ofRec.json as { id: string }[]).map((x) => x.id), ['tr-1', 'tr-2']);
  assert.equal(ofRec.headers.get('link'), `<${u}/recordings/rec-1/transcriptions?size=2&page=1>; rel="next"`);
  assert.deepEqual(((await h.acme('GET', '/recordings/rec-1/transcriptions?size=2&page=1')).json as { id: string }[]).map((x) => x.id), ['tr-3']);
  assert.deepEqual(((await h.acme('GET', '/recordings/rec-2/transcriptions')).json as { id: string }[]).map((x) => x.id), ['tr-4']);
  providerError(await h.acme('GET', '/recordings/rec-nope/transcriptions'), 404, 'recording-not-found');

  assert.deepEqual(((await h.acme('GET', '/calls/c-a/transcriptions')).json as { id: string }[]).map((x) => x.id), ['tr-1', 'tr-2', 'tr-3', 'tr-4']);
  assert.deepEqual(((await h.acme('GET', '/calls/c-b/transcriptions')).json as { id: string }[]).map((x) => x.id), ['tr-5']);
  providerError(await h.acme('GET', '/calls/c-nope/transcriptions'), 404, 'call-not-found');
  assert.equal(((await h.acme('GET', '/calls/c-a')).json as { transcriptions: string }).transcriptions, `${u}/calls/c-a/transcriptions`);
});

test('the whole text at textUrl (/media/tr-…), beside a recording at /media/{id}.wav; 404 until completed', async (t) => {
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-1', accountId: 'acme', callId: 'c-a', state: 'complete', startTime: 1000 });
  const long = 'hello world '.repeat(200);
  await h.store.putVoiceResource({ kind: 'transcription', id: 'tr-1', accountId: 'acme', recordingId: 'rec-1', callId: 'c-a', state: 'completed', text: long, audioSeconds: 3, createdTime: T0 });
  await h.store.putVoiceResource({ kind: 'transcription', id: 'tr-2', accountId: 'acme', recordingId: 'rec-1', callId: 'c-a', state: 'transcribing', createdTime: T0 });
  const textUrl = ((await h.acme('GET', '/recordings/rec-1/transcriptions/tr-1')).json as { textUrl: string }).textUrl;
  const text = await h.call('GET', new URL(textUrl).pathname);
  assert.equal(text.status, 200);
  assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(text.text, long);
  providerError(await h.acme('GET', '/media/tr-2'), 404, 'media-not-found');
  providerError(await h.acme('GET', '/media/tr-nope'), 404, 'media-not-found');
  providerError(await h.call('GET', '/v1/users/u-acme/media/tr-1', { auth: null }), 401, 'not-authenticated');
  // The recording's own media route is untouched.
  const wav = await h.acme('GET', '/media/rec-1.wav');
  assert.equal(wav.status, 200);
  assert.equal(wav.text, 'RIFFdata');
});

test('POST /calls takes transcriptionEnabled (as a boolean or a string) and passes it to the switch', async (t) => {
  const h = await harness(t);
  const base = { from: '+15550100', to: '+15557770000' };
  assert.equal((await h.acme('POST', '/calls', { ...base, transcriptionEnabled: true })).status, 201);
  assert.equal((h.voice.last('createCall')![0] as { transcriptionEnabled?: boolean }).transcriptionEnabled, true);
  assert.equal((await h.acme('POST', '/calls', { ...base, recordingEnabled: 'true', transcriptionEnabled: 'TRUE' })).status, 201);
  assert.equal((h.voice.last('createCall')![0] as { transcriptionEnabled?: boolean }).transcriptionEnabled, true);
  assert.equal((await h.acme('POST', '/calls', base)).status, 201);
  assert.equal((h.voice.last('createCall')![0] as { transcriptionEnabled?: boolean }).transcriptionEnabled, undefined);
  providerError(await h.acme('POST', '/calls', { ...base, transcriptionEnabled: 'maybe' }), 400, 'validation-error');
});

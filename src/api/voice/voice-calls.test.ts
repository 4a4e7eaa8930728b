/**
 * The voice API's calls, call actions, call events, recordings and bridges (spec bandwidth §3.2–§3.7,
 * §3.9): what each route validates and defaults, what it asks of the switch, and what it answers, in the
 * provider's field names. Over a real socket, store and log; the switch is a recording double
 * (voice-test-harness.ts) — the real switch is tested end to end elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OTHER, callRecord, harness, providerError } from './voice-test-harness.js';

test('POST /calls: validation naming the field, defaults, strings for numbers and booleans, 201 + Location', async (t) => {
  const h = await harness(t);
  const notOurs = providerError(await h.acme('POST', '/calls', { from: '+15550200', to: '+15557770000' }), 400, 'invalid-from-number');
  assert.deepEqual(notOurs.details, [{ name: 'from', value: '+15550200' }]);
  const unknown = providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770000', sipHeaders: { 'X-A': 'b' } }), 400, 'validation-error');
  assert.equal(unknown.details[0]!.name, 'sipHeaders');
  const long = providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770000', callTimeout: 301 }), 400, 'validation-error');
  assert.deepEqual(long.details, [{ name: 'callTimeout', value: '301' }]);
  providerError(await h.acme('POST', '/calls', { from: '+15550100', to: 'sips:bob@x.test' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770000', fallbackUrl: 'http://f.test/' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770000', recordingMaxDuration: 99999 }), 403, 'maximum-recording-value-request');
  providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770000', bridgeId: 'brg-nope' }), 404, 'bridge-not-found');
  assert.equal(h.voice.ops.length, 0, 'nothing reached the switch');

  const plain = await h.acme('POST', '/calls', { from: '+15550100', to: 'sip:bob@pbx.test' });
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.text, '');
  assert.deepEqual(h.voice.last('createCall'), [{ accountId: 'acme', userId: 'u-acme', from: '+15550100', to: 'sip:bob@pbx.test', callTimeoutSeconds: 60, recordingEnabled: false }]);
  assert.equal(plain.headers.get('location'), `${h.base}/v1/users/u-acme/calls/c-test1`);

  const full = await h.acme('POST', '/calls', {
    from: '+15550101', to: '+15557770000', callTimeout: '30', callbackUrl: 'https://app.test/cb', callbackHttpMethod: 'get', callbackTimeout: '2500',
    fallbackUrl: 'https://backup.test/cb', recordingEnabled: 'TRUE', recordingMaxDuration: '600', tag: 'order-7', recordingFileFormat: 'WAV', transcriptionEnabled: 'false',
  });
  assert.equal(full.status, 201, full.text);
  assert.deepEqual(h.voice.last('createCall'), [{
    accountId: 'acme', userId: 'u-acme', from: '+15550101', to: '+15557770000', callTimeoutSeconds: 30, recordingEnabled: true,
    callback: { url: 'https://app.test/cb', method: 'GET', timeoutMs: 2500, fallbackUrl: 'https://backup.test/cb' }, tag: 'order-7', recordingMaxDurationSeconds: 600,
  }]);
  h.voice.refuse.set('createCall', { ok: false, status: 403, category: 'forbidden', code: 'invalid-call-to-number', message: 'cannot call +1555: no trunk' });
  const refused = providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770001' }), 403, 'invalid-call-to-number');
  assert.equal(refused.message, 'cannot call +1555: no trunk');
});

test('GET /calls and /calls/{id}: the provider\'s fields, filters, sort order, paging; another account\'s call is 404', async (t) => {
  const h = await harness(t);
  const t0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  await h.store.putVoiceResource(callRecord({
    id: 'c-full', direction: 'out', from: '+15550100', to: '+15557770000', state: 'completed', startTime: t0, activeTime: t0 + 2000, endTime: t0 + 63_001,
    callTimeoutSeconds: 45, callback: { url: 'https://app.test/cb', method: 'POST', timeoutMs: 10000, fallbackUrl: 'https://b.test/' }, bridgeId: 'brg-1', tag: 'x', recordingEnabled: true,
  }));
  for (let i = 0; i < 4; i++) await h.store.putVoiceResource(callRecord({ id: `c-${i}`, startTime: t0 + 100_000 + i, from: i % 2 ? '+15551111111' : '+15552222222' }));
  await h.store.putVoiceResource(callRecord({ id: 'c-theirs', accountId: 'other', userId: 'u-other' }));

  const one = await h.acme('GET', '/calls/c-full');
  assert.equal(one.status, 200);
  const u = `${h.base}/v1/users/u-acme`;
  assert.deepEqual(one.json, {
    id: 'c-full', direction: 'out', from: '+15550100', to: '+15557770000', state: 'completed',
    startTime: '2026-01-02T03:04:05.006Z', activeTime: '2026-01-02T03:04:07.006Z', endTime: '2026-01-02T03:05:08.007Z',
    callTimeout: 45, callbackUrl: 'https://app.test/cb', callbackHttpMethod: 'POST', callbackTimeout: 10000, fallbackUrl: 'https://b.test/',
    chargeableDuration: 62, bridgeId: 'brg-1', bridge: `${u}/bridges/brg-1`, events: `${u}/calls/c-full/events`, recordings: `${u}/calls/c-full/recordings`, recordingEnabled: true, tag: 'x',
    transcriptions: `${u}/calls/c-full/transcriptions`, transcriptionEnabled: false,
  });
  const live = (await h.acme('GET', '/calls/c-0')).json as Record<string, unknown>;
  assert.equal(live.chargeableDuration, undefined, 'absent while the call is up');
  assert.equal(live.endTime, undefined);
  providerError(await h.acme('GET', '/calls/c-theirs'), 404, 'call-not-found');
  providerError(await h.acme('GET', '/calls/c-unknown'), 404, 'call-not-found');
  assert.equal((await h.call('GET', '/v1/users/u-other/calls/c-theirs', { auth: OTHER })).status, 200);

  const ids = async (q: string) => ((await h.acme('GET', `/calls${q}`)).json as { id: string }[]).map((c) => c.id);
  assert.deepEqual(await ids(''), ['c-3', 'c-2', 'c-1', 'c-0', 'c-full'], 'newest first by default');
  assert.deepEqual(await ids('?sortOrder=ASC'), ['c-full', 'c-0', 'c-1', 'c-2', 'c-3']);
  assert.deepEqual(await ids('?from=%2B15551111111'), ['c-3', 'c-1']);
  assert.deepEqual(await ids('?bridgeId=brg-1'), ['c-full']);
  const page = await h.acme('GET', '/calls?from=%2B15552222222&size=1');
  assert.equal(page.headers.get('link'), `<${u}/calls?from=%2B15552222222&size=1&page=1>; rel="next"`, 'filters kept in the next link');
  assert.equal((await h.acme('GET', '/calls?from=%2B15552222222&size=1&page=1')).headers.get('link'), null);
  // spec bandwidth §3.2: by conference, every call that was a member (in the order added), not paged.
  const member = (id: string, callId: string, accountId = 'acme') => ({ kind: 'member', id, accountId, conferenceId: 'conf-1', callId, state: 'active', mute: false, hold: false, joinTone: false, leavingTone: false, addedTime: t0 + id.length }) as const;
  await h.store.putVoiceResource(member('m-1', 'c-2'));
  await h.store.putVoiceResource(member('m-22', 'c-0'));
  await h.store.putVoiceResource(member('m-333', 'c-theirs', 'other'));
  assert.deepEqual(await ids('?conferenceId=conf-1'), ['c-2', 'c-0'], "another account's members are not listed");
  assert.deepEqual(await ids('?conferenceId=conf-none'), []);
  providerError(await h.acme('GET', '/calls?sortOrder=sideways'), 400, 'validation-error');
});

test('POST /calls/{id}: 200 with an empty body, transfer 201 with the new call\'s Location, refusals as the switch words them', async (t) => {
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  await h.store.putVoiceResource(callRecord({ id: 'c-theirs', accountId: 'other', userId: 'u-other' }));
  const done = await h.acme('POST', '/calls/c-a', { state: 'Completed' });
  assert.equal(done.status, 200);
  assert.equal(done.text, '');
  assert.deepEqual(h.voice.last('updateCall'), ['acme', 'c-a', { state: 'completed' }]);
  assert.equal((await h.acme('POST', '/calls/c-a', { recordingEnabled: 'false' })).status, 200);
  assert.deepEqual(h.voice.last('updateCall'), ['acme', 'c-a', { recordingEnabled: false }]);

  const moved = await h.acme('POST', '/calls/c-a', { state: 'transferring', transferTo: '+15557770000', transferCallerId: 'private', whisperAudio: { sentence: 'Call from Acme', gender: 'Male' }, callbackUrl: 'https://app.test/b' });
  assert.equal(moved.status, 201, moved.text);
  assert.match(moved.headers.get('location')!, new RegExp(`^${h.base}/v1/users/u-acme/calls/c-transfer\\d+$`));
  assert.deepEqual(h.voice.last('updateCall'), ['acme', 'c-a', {
    state: 'transferring',
    transfer: { transferTo: '+15557770000', transferCallerId: 'private', whisperAudio: { sentence: 'Call from Acme', gender: 'male' }, callback: { url: 'https://app.test/b', method: 'POST', timeoutMs: 10000 } },
  }]);

  providerError(await h.acme('POST', '/calls/c-a', { state: 'transferring' }), 400, 'validation-error');
  const stray = providerError(await h.acme('POST', '/calls/c-a', { state: 'completed', transferTo: '+15557770000' }), 400, 'validation-error');
  assert.equal(stray.details[0]!.name, 'transferTo');
  providerError(await h.acme('POST', '/calls/c-a', {}), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls/c-a', { state: 'ringing' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls/c-theirs', { state: 'completed' }), 404, 'call-not-found');
  h.voice.refuse.set('updateCall', { ok: false, status: 403, category: 'forbidden', code: 'call-invalid-state', message: 'call c-a is completed' });
  const e = providerError(await h.acme('POST', '/calls/c-a', { state: 'active' }), 403, 'call-invalid-state');
  assert.deepEqual([e.category, e.message], ['forbidden', 'call c-a is completed']);
});

test('call audio, DTMF and gather', async (t) => {
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  await h.store.putVoiceResource(callRecord({ id: 'c-theirs', accountId: 'other', userId: 'u-other' }));
  const spoken = await h.acme('POST', '/calls/c-a/audio', { sentence: 'Hello', locale: 'EN_us', voice: 'kate', loopEnabled: 'true', tag: 'greet', volume: '-2' });
  assert.equal(spoken.status, 200);
  assert.equal(spoken.text, '');
  assert.deepEqual(h.voice.last('playAudio'), ['acme', 'c-a', { sentence: 'Hello', locale: 'en_US', voice: 'kate', loopEnabled: true, tag: 'greet', volume: -2 }]);
  assert.equal((await h.acme('POST', '/calls/c-a/audio', { fileUrl: '' })).status, 200, '"" stops playback');
  providerError(await h.acme('POST', '/calls/c-a/audio', { tag: 'nothing' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls/c-a/audio', { sentence: 'x'.repeat(1001) }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls/c-a/audio', { sentence: 'x', volume: 5 }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls/c-theirs/audio', { sentence: 'x' }), 404, 'call-not-found');

  assert.equal((await h.acme('POST', '/calls/c-a/dtmf', { dtmfOut: '12,w#W*A' })).status, 200);
  assert.deepEqual(h.voice.last('sendDtmf'), ['acme', 'c-a', '12,w#W*A']);
  const dtmf = providerError(await h.acme('POST', '/calls/c-a/dtmf', { dtmfOut: '12x' }), 400, 'validation-error');
  assert.deepEqual(dtmf.details, [{ name: 'dtmfOut', value: '12x' }]);

  const started = await h.acme('POST', '/calls/c-a/gather', { maxDigits: '4', prompt: { sentence: 'Enter your PIN', bargeable: 'true' }, tag: 'pin' });
  assert.equal(started.status, 201, started.text);
  const location = started.headers.get('location')!;
  const gatherId = location.split('/').pop()!;
  assert.equal(location, `${h.base}/v1/users/u-acme/calls/c-a/gather/${gatherId}`);
  assert.deepEqual(h.voice.last('startGather'), ['acme', 'c-a', { interDigitTimeoutSeconds: 5, terminatingDigits: '#', maxDigits: 4, tag: 'pin', prompt: { sentence: 'Enter your PIN', bargeable: true } }]);
  providerError(await h.acme('POST', '/calls/c-a/gather', { maxDigits: 31 }), 400, 'validation-error');
  providerError(await h.acme('POST', '/calls/c-a/gather', { interDigitTimeout: 31 }), 400, 'validation-error');

  const g = await h.acme('GET', `/calls/c-a/gather/${gatherId}`);
  assert.deepEqual(g.json, { id: gatherId, state: 'started', call: `${h.base}/v1/users/u-acme/calls/c-a`, createdTime: '2026-01-02T03:04:05.006Z' });
  await h.store.putVoiceResource({ kind: 'gather', id: gatherId, accountId: 'acme', callId: 'c-a', state: 'completed', reason: 'terminating-digit', digits: '4821', createdTime: 1000, completedTime: 2000 });
  assert.deepEqual((await h.acme('GET', `/calls/c-a/gather/${gatherId}`)).json, { id: gatherId, state: 'completed', reason: 'terminating-digit', digits: '4821', call: `${h.base}/v1/users/u-acme/calls/c-a`, createdTime: '1970-01-01T00:00:01.000Z', completedTime: '1970-01-01T00:00:02.000Z' });
  providerError(await h.acme('GET', `/calls/c-theirs/gather/${gatherId}`), 404, 'call-not-found');
  providerError(await h.acme('GET', '/calls/c-a/gather/g-nope'), 404, 'gather-not-found');

  const stopped = await h.acme('POST', `/calls/c-a/gather/${gatherId}`, { state: 'COMPLETED' });
  assert.equal(stopped.status, 200);
  assert.deepEqual(h.voice.last('stopGather'), ['acme', 'c-a', gatherId]);
  providerError(await h.acme('POST', `/calls/c-a/gather/${gatherId}`, { state: 'started' }), 400, 'validation-error');
});

test('call events from the event log: the call\'s bandwidth events as {id, time, name, data}', async (t) => {
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord({ id: 'c-a', sessionId: 'sess-1' }));
  const ev = (id: string, name: string, payload: Record<string, unknown>, over: Partial<{ dialect: string; sessionId: string; accountId: string }> = {}) => ({
    dialect: over.dialect ?? 'bandwidth', name, id, sessionId: over.sessionId ?? 'sess-1', accountId: over.accountId ?? 'acme', userIds: [], payload,
  });
  await h.log.append({
    facts: [],
    events: [
      ev('e-1', 'incomingcall', { eventType: 'incomingcall', callId: 'c-a', time: '2026-01-02T03:04:05.006Z' }),
      ev('e-2', 'answer', { eventType: 'answer', callId: 'c-b', time: '2026-01-02T03:04:06.000Z' }),
      ev('e-3', 'START', { event: 'START', callId: 'c-a' }, { dialect: 'teltel' }),
      ev('e-4', 'hangup', { eventType: 'hangup', callId: 'c-a', cause: 'NORMAL_CLEARING', time: '2026-01-02T03:05:00.000Z' }),
      ev('e-5', 'hangup', { eventType: 'hangup', callId: 'c-a', time: '2026-01-02T03:05:00.000Z' }, { sessionId: 'sess-2' }),
    ],
  });
  const list = await h.acme('GET', '/calls/c-a/events');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json, [
    { id: 'e-1', time: '2026-01-02T03:04:05.006Z', name: 'incomingcall', data: { eventType: 'incomingcall', callId: 'c-a', time: '2026-01-02T03:04:05.006Z' } },
    { id: 'e-4', time: '2026-01-02T03:05:00.000Z', name: 'hangup', data: { eventType: 'hangup', callId: 'c-a', cause: 'NORMAL_CLEARING', time: '2026-01-02T03:05:00.000Z' } },
  ]);
  assert.deepEqual((await h.acme('GET', '/calls/c-a/events/e-4')).json, (list.json as unknown[])[1]);
  providerError(await h.acme('GET', '/calls/c-a/events/e-2'), 404, 'call-event-not-found');
  providerError(await h.acme('GET', '/calls/c-zz/events'), 404, 'call-not-found');
});

test('recordings: list, one, per call, and the media download with a range; 404 for another account\'s', async (t) => {
  const h = await harness(t);
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-1', accountId: 'acme', callId: 'c-a', state: 'complete', startTime: 1000, endTime: 5000 });
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-2', accountId: 'acme', callId: 'c-a', state: 'recording', startTime: 6000 });
  await h.store.putVoiceResource({ kind: 'recording', id: 'rec-theirs', accountId: 'other', callId: 'c-x', state: 'complete', startTime: 1000 });
  const u = `${h.base}/v1/users/u-acme`;
  const one = await h.acme('GET', '/recordings/rec-1');
  assert.deepEqual(one.json, { id: 'rec-1', startTime: '1970-01-01T00:00:01.000Z', endTime: '1970-01-01T00:00:05.000Z', call: `${u}/calls/c-a`, media: `${u}/media/rec-1.wav`, state: 'complete' });
  const list = await h.acme('GET', '/recordings?size=1');
  assert.deepEqual((list.json as { id: string }[]).map((r) => r.id), ['rec-2']);
  assert.equal(list.headers.get('link'), `<${u}/recordings?size=1&page=1>; rel="next"`);
  assert.deepEqual(((await h.acme('GET', '/calls/c-a/recordings')).json as { id: string }[]).map((r) => r.id), ['rec-2', 'rec-1']);
  providerError(await h.acme('GET', '/recordings/rec-theirs'), 404, 'recording-not-found');

  const media = await h.call('GET', new URL((one.json as { media: string }).media).pathname);
  assert.equal(media.status, 200);
  assert.equal(media.headers.get('content-type'), 'audio/wav');
  assert.equal(media.text, 'RIFFdata');
  const part = await h.call('GET', '/v1/users/u-acme/media/rec-1.wav', { headers: { range: 'bytes=4-7' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 4-7/8');
  assert.equal(part.text, 'data');
  assert.deepEqual(h.voice.last('openRecording'), ['acme', 'rec-1', 'bytes=4-7']);
  providerError(await h.acme('GET', '/media/rec-theirs.wav'), 404, 'recording-not-found');
  providerError(await h.acme('GET', '/media/rec-1.mp3'), 404, 'media-not-found');
  providerError(await h.call('GET', '/v1/users/u-acme/media/rec-1.wav', { auth: null }), 401, 'not-authenticated');
});

test('bridges: create with at most two of the account\'s calls, update, read, calls, audio', async (t) => {
  const h = await harness(t);
  for (const id of ['c-a', 'c-b', 'c-c']) await h.store.putVoiceResource(callRecord({ id }));
  await h.store.putVoiceResource(callRecord({ id: 'c-theirs', accountId: 'other', userId: 'u-other' }));
  providerError(await h.acme('POST', '/bridges', { callIds: ['c-a', 'c-b', 'c-c'] }), 403, 'bridge-callIds-overflow');
  providerError(await h.acme('POST', '/bridges', { callIds: ['c-a', 'c-theirs'] }), 404, 'call-not-found');
  providerError(await h.acme('POST', '/bridges', { callIds: ['c-a', 'c-a'] }), 400, 'validation-error');

  const made = await h.acme('POST', '/bridges', { callIds: ['c-a', 'c-b'] });
  assert.equal(made.status, 201, made.text);
  const id = made.headers.get('location')!.split('/').pop()!;
  assert.equal(made.headers.get('location'), `${h.base}/v1/users/u-acme/bridges/${id}`);
  assert.deepEqual(h.voice.last('createBridge'), ['acme', { bridgeAudio: true, callIds: ['c-a', 'c-b'] }]);
  assert.equal((await h.acme('POST', '/bridges', {})).status, 201, 'a logical bridge without calls');

  const got = (await h.acme('GET', `/bridges/${id}`)).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(got), ['id', 'state', 'callIds', 'calls', 'bridgeAudio', 'createdTime']);
  assert.deepEqual([got.state, got.callIds, got.calls, got.bridgeAudio], ['active', ['c-a', 'c-b'], `${h.base}/v1/users/u-acme/bridges/${id}/calls`, true]);
  assert.deepEqual(((await h.acme('GET', `/bridges/${id}/calls`)).json as { id: string }[]).map((c) => c.id), ['c-a', 'c-b']);
  assert.equal(((await h.acme('GET', '/bridges')).json as unknown[]).length, 2);

  const updated = await h.acme('POST', `/bridges/${id}`, { bridgeAudio: 'false', callIds: ['c-c'] });
  assert.equal(updated.status, 200);
  assert.equal(updated.text, '');
  assert.deepEqual(h.voice.last('updateBridge'), ['acme', id, { bridgeAudio: false, callIds: ['c-c'] }]);
  assert.equal((await h.acme('POST', `/bridges/${id}/audio`, { sentence: 'Connecting', gender: 'female' })).status, 200);
  assert.deepEqual(h.voice.last('bridgeAudio'), ['acme', id, { sentence: 'Connecting', gender: 'female' }]);
  const loop = providerError(await h.acme('POST', `/bridges/${id}/audio`, { sentence: 'x', loopEnabled: true }), 400, 'validation-error');
  assert.equal(loop.details[0]!.name, 'loopEnabled');
  providerError(await h.call('GET', `/v1/users/u-other/bridges/${id}`, { auth: OTHER }), 404, 'bridge-not-found');
});

test('without the switch, call control answers 503 unavailable; reads still work', async (t) => {
  const h = await harness(t, { withoutVoice: true });
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  const e = providerError(await h.acme('POST', '/calls', { from: '+15550100', to: '+15557770000' }), 503, 'unavailable');
  assert.equal(e.category, 'unavailable');
  providerError(await h.acme('POST', '/calls/c-a', { state: 'completed' }), 503, 'unavailable');
  providerError(await h.acme('POST', '/calls/c-a/audio', { sentence: 'x' }), 503, 'unavailable');
  providerError(await h.acme('POST', '/bridges', {}), 503, 'unavailable');
  assert.equal((await h.acme('GET', '/calls/c-a')).status, 200);
});

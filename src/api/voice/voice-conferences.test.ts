/**
 * The voice API's conferences and members (spec bandwidth §3.8): what each route validates and defaults,
 * what it asks of the switch, and what it answers, in the provider's field names. Over a real socket, store
 * and log; the switch is the recording double (voice-test-harness.ts). The real conferences are tested end
 * to end in test/voice/voice-conferences.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OTHER, callRecord, harness, providerError } from './voice-test-harness.js';

test('POST /conferences: from must be ours, defaults, callback settings, 201 + Location; refusals as the switch words them', async (t) => {
  const h = await harness(t);
  providerError(await h.acme('POST', '/conferences', {}), 400, 'validation-error');
  providerError(await h.acme('POST', '/conferences', { from: '+15550200' }), 400, 'invalid-from-number');
  providerError(await h.acme('POST', '/conferences', { from: '+15550100', profile: 'shout' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/conferences', { from: '+15550100', fallbackUrl: 'https://f.test/' }), 400, 'validation-error');
  assert.equal(h.voice.ops.length, 0, 'nothing reached the switch');

  const plain = await h.acme('POST', '/conferences', { from: '+15550100' });
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.text, '');
  assert.equal(plain.headers.get('location'), `${h.base}/v1/users/u-acme/conferences/conf-test1`);
  assert.deepEqual(h.voice.last('createConference'), [{ accountId: 'acme', userId: 'u-acme', from: '+15550100', profile: 'interpret_digits' }]);

  const full = await h.acme('POST', '/conferences', {
    from: '+15550101', callbackUrl: 'https://app.test/conf', callbackHttpMethod: 'get', callbackTimeout: '2500', fallbackUrl: 'https://b.test/conf', profile: 'PASSTHRU_DIGITS', tag: 'standup',
  });
  assert.equal(full.status, 201, full.text);
  assert.deepEqual(h.voice.last('createConference'), [{
    accountId: 'acme', userId: 'u-acme', from: '+15550101', profile: 'passthru_digits', tag: 'standup',
    callback: { url: 'https://app.test/conf', method: 'GET', timeoutMs: 2500, fallbackUrl: 'https://b.test/conf' },
  }]);
  h.voice.refuse.set('createConference', { ok: false, status: 503, category: 'unavailable', code: 'unavailable', message: 'Ringside is stopping' });
  providerError(await h.acme('POST', '/conferences', { from: '+15550100' }), 503, 'unavailable');
});

test('GET /conferences and /conferences/{id}: the provider\'s fields, paging; another account\'s or an unknown conference is 404', async (t) => {
  const h = await harness(t);
  const t0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  const base = { kind: 'conference', accountId: 'acme', userId: 'u-acme', from: '+15550100', profile: 'interpret_digits', hold: false, mute: false } as const;
  await h.store.putVoiceResource({
    ...base, id: 'conf-full', state: 'completed', activeMembers: 0, createdTime: t0, completedTime: t0 + 60_000, tag: 'standup', mute: true,
    callback: { url: 'https://app.test/conf', method: 'POST', timeoutMs: 10000, fallbackUrl: 'https://b.test/' },
  });
  for (let i = 0; i < 3; i++) await h.store.putVoiceResource({ ...base, id: `conf-${i}`, state: 'active', activeMembers: i + 1, createdTime: t0 + 1000 + i });
  await h.store.putVoiceResource({ ...base, id: 'conf-theirs', accountId: 'other', userId: 'u-other', state: 'created', activeMembers: 0, createdTime: t0 });
  const u = `${h.base}/v1/users/u-acme`;
  const one = await h.acme('GET', '/conferences/conf-full');
  assert.equal(one.status, 200);
  assert.deepEqual(one.json, {
    id: 'conf-full', state: 'completed', from: '+15550100', createdTime: '2026-01-02T03:04:05.006Z', completedTime: '2026-01-02T03:05:05.006Z', activeMembers: 0,
    hold: false, mute: true, profile: 'interpret_digits', tag: 'standup', callbackUrl: 'https://app.test/conf', callbackHttpMethod: 'POST', callbackTimeout: 10000,
    fallbackUrl: 'https://b.test/', members: `${u}/conferences/conf-full/members`,
  });
  providerError(await h.acme('GET', '/conferences/conf-theirs'), 404, 'conference-not-found');
  providerError(await h.acme('GET', '/conferences/conf-nope'), 404, 'conference-not-found');
  const page = await h.acme('GET', '/conferences?size=2');
  assert.deepEqual((page.json as { id: string }[]).map((c) => c.id), ['conf-2', 'conf-1']);
  assert.equal(page.headers.get('link'), `<${u}/conferences?size=2&page=1>; rel="next"`);
  const last = await h.acme('GET', '/conferences?size=2&page=1');
  assert.deepEqual((last.json as { id: string }[]).map((c) => c.id), ['conf-0', 'conf-full']);
  assert.equal(last.headers.get('link'), null);
  const theirs = await h.call('GET', '/v1/users/u-other/conferences', { auth: OTHER });
  assert.deepEqual((theirs.json as { id: string }[]).map((c) => c.id), ['conf-theirs']);
});

test('POST /conferences/{id}: state, hold, mute, tag and callback settings go to the switch; never 204', async (t) => {
  const h = await harness(t);
  await h.acme('POST', '/conferences', { from: '+15550100', callbackUrl: 'https://app.test/conf' });
  const r = await h.acme('POST', '/conferences/conf-test1', { mute: 'true', hold: false, tag: 'x', callbackTimeout: 3000 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, '');
  assert.deepEqual(h.voice.last('updateConference'), ['acme', 'conf-test1', { hold: false, mute: true, tag: 'x', callback: { url: 'https://app.test/conf', method: 'POST', timeoutMs: 3000 } }]);
  assert.equal((await h.acme('POST', '/conferences/conf-test1', { state: 'completed' })).status, 200);
  assert.deepEqual(h.voice.last('updateConference'), ['acme', 'conf-test1', { state: 'completed' }]);
  providerError(await h.acme('POST', '/conferences/conf-test1', { state: 'active' }), 400, 'validation-error');
  await h.acme('POST', '/conferences', { from: '+15550100' });
  providerError(await h.acme('POST', '/conferences/conf-test2', { callbackTimeout: 3000 }), 400, 'validation-error');
  providerError(await h.acme('POST', '/conferences/conf-nope', { mute: true }), 404, 'conference-not-found');
  providerError(await h.call('POST', '/v1/users/u-other/conferences/conf-test1', { auth: OTHER, body: { mute: true } }), 404, 'conference-not-found');
  h.voice.refuse.set('updateConference', { ok: false, status: 403, category: 'forbidden', code: 'conference-error', message: 'conference conf-test1: the conference is completed' });
  providerError(await h.acme('POST', '/conferences/conf-test1', { mute: false }), 403, 'conference-error');
});

test('POST /conferences/{id}/audio: the audio object with loop and tag (no volume)', async (t) => {
  const h = await harness(t);
  await h.acme('POST', '/conferences', { from: '+15550100' });
  const r = await h.acme('POST', '/conferences/conf-test1/audio', { sentence: 'Welcome', loopEnabled: 'false', tag: 'hello', voice: 'kate' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(h.voice.last('conferenceAudio'), ['acme', 'conf-test1', { sentence: 'Welcome', voice: 'kate', loopEnabled: false, tag: 'hello' }]);
  providerError(await h.acme('POST', '/conferences/conf-test1/audio', { sentence: 'x', volume: 2 }), 400, 'validation-error');
  providerError(await h.acme('POST', '/conferences/conf-test1/audio', { tag: 'only' }), 400, 'validation-error');
  providerError(await h.acme('POST', '/conferences/conf-nope/audio', { sentence: 'x' }), 404, 'conference-not-found');
});

test('members: add (defaults, 201 + Location), list incl. completed, read, update, member audio; foreign ids are 404; the switch\'s refusals', async (t) => {
  const h = await harness(t);
  await h.acme('POST', '/conferences', { from: '+15550100' });
  await h.store.putVoiceResource(callRecord({ id: 'c-a' }));
  await h.store.putVoiceResource(callRecord({ id: 'c-b' }));
  await h.store.putVoiceResource(callRecord({ id: 'c-theirs', accountId: 'other', userId: 'u-other' }));
  providerError(await h.acme('POST', '/conferences/conf-test1/members', {}), 400, 'validation-error');
  providerError(await h.acme('POST', '/conferences/conf-test1/members', { callId: 'c-theirs' }), 404, 'call-not-found');
  providerError(await h.acme('POST', '/conferences/conf-test1/members', { callId: 'c-nope' }), 404, 'call-not-found');
  providerError(await h.acme('POST', '/conferences/conf-nope/members', { callId: 'c-a' }), 404, 'conference-not-found');
  assert.equal(h.voice.last('addMember'), undefined, 'nothing reached the switch');

  const a = await h.acme('POST', '/conferences/conf-test1/members', { callId: 'c-a' });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.headers.get('location'), `${h.base}/v1/users/u-acme/conferences/conf-test1/members/member-test2`);
  assert.deepEqual(h.voice.last('addMember'), ['acme', 'conf-test1', { callId: 'c-a', joinTone: false, leavingTone: false, mute: false, hold: false }]);
  await h.acme('POST', '/conferences/conf-test1/members', { callId: 'c-b', joinTone: 'true', leavingTone: true, mute: true, hold: 'false' });
  assert.deepEqual(h.voice.last('addMember'), ['acme', 'conf-test1', { callId: 'c-b', joinTone: true, leavingTone: true, mute: true, hold: false }]);
  h.voice.refuse.set('addMember', { ok: false, status: 403, category: 'forbidden', code: 'conference-max-members', message: 'conference conf-test1 already has 20 members' });
  providerError(await h.acme('POST', '/conferences/conf-test1/members', { callId: 'c-a' }), 403, 'conference-max-members');

  // A completed member stays listed (spec bandwidth §3.8), oldest first.
  const done = (await h.store.getVoiceResource('acme', 'member', 'member-test2'))!;
  await h.store.putVoiceResource({ ...done, state: 'completed', removedTime: done.addedTime + 5000 });
  const u = `${h.base}/v1/users/u-acme`;
  const list = await h.acme('GET', '/conferences/conf-test1/members');
  assert.deepEqual(list.json, [
    { id: 'member-test2', state: 'completed', mute: false, hold: false, joinTone: false, leavingTone: false, addedTime: '2026-01-02T03:04:05.008Z', removedTime: '2026-01-02T03:04:10.008Z', call: `${u}/calls/c-a` },
    { id: 'member-test3', state: 'active', mute: true, hold: false, joinTone: true, leavingTone: true, addedTime: '2026-01-02T03:04:05.009Z', call: `${u}/calls/c-b` },
  ]);
  assert.deepEqual((await h.acme('GET', '/conferences/conf-test1/members/member-test3')).json, (list.json as unknown[])[1]);

  const upd = await h.acme('POST', '/conferences/conf-test1/members/member-test3', { mute: false, hold: true, leavingTone: false });
  assert.equal(upd.status, 200, upd.text);
  assert.deepEqual(h.voice.last('updateMember'), ['acme', 'conf-test1', 'member-test3', { mute: false, hold: true, leavingTone: false }]);
  await h.acme('POST', '/conferences/conf-test1/members/member-test3', { state: 'completed' });
  assert.deepEqual(h.voice.last('updateMember'), ['acme', 'conf-test1', 'member-test3', { state: 'completed' }]);
  providerError(await h.acme('POST', '/conferences/conf-test1/members/member-test3', { state: 'active' }), 400, 'validation-error');

  const audio = await h.acme('POST', '/conferences/conf-test1/members/member-test3/audio', { fileUrl: 'https://media.test/a.wav', tag: 't' });
  assert.equal(audio.status, 200, audio.text);
  assert.deepEqual(h.voice.last('memberAudio'), ['acme', 'conf-test1', 'member-test3', { fileUrl: 'https://media.test/a.wav', tag: 't' }]);

  // Unknown members, a member asked for under another conference, and another account's: 404, nothing leaks.
  await h.acme('POST', '/conferences', { from: '+15550100' });
  providerError(await h.acme('GET', '/conferences/conf-test1/members/member-nope'), 404, 'conference-member-not-found');
  providerError(await h.acme('GET', '/conferences/conf-test4/members/member-test3'), 404, 'conference-member-not-found');
  providerError(await h.acme('POST', '/conferences/conf-test4/members/member-test3', { mute: true }), 404, 'conference-member-not-found');
  providerError(await h.acme('POST', '/conferences/conf-test4/members/member-test3/audio', { sentence: 'x' }), 404, 'conference-member-not-found');
  providerError(await h.call('GET', '/v1/users/u-other/conferences/conf-test1/members/member-test3', { auth: OTHER }), 404, 'conference-not-found');
  providerError(await h.call('GET', '/v1/users/u-other/conferences/conf-test1/members', { auth: OTHER }), 404, 'conference-not-found');
  assert.deepEqual((await h.acme('GET', '/conferences/conf-test4/members')).json, []);
});

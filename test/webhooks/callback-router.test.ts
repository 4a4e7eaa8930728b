/**
 * The voice-API callback router (delivery/webhooks/callback-router.ts): target ids, which events are routed,
 * and how a call's stored callback becomes a delivery target. The store here is a Map behind the one
 * method the router reads (getVoiceResource); the engine's tests use the real SqliteStore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackRouter, deliveryTargetOf, isRoutedTargetId, parseTargetId, ROUTED_TARGET_ID_PATTERN, routeOf, targetIdOf } from '../../src/delivery/webhooks/callback-router.js';
import type { ApplicationRecord, Store } from '../../src/store/store.js';
import type { VoiceCallRecord, VoiceConferenceRecord, VoiceMessageRecord } from '../../src/store/voice-records.js';
import { webhookIdSchema } from '../../src/api/admin/webhook-view.js';

function call(id: string, extra: Partial<VoiceCallRecord> = {}): VoiceCallRecord {
  return { kind: 'call', id, accountId: 'acme', userId: 'u-acme', sessionId: `s-${id}`, direction: 'in', from: '+14045550111', to: '+19195550100', state: 'started', recordingEnabled: false, startTime: 0, ...extra };
}

function storeOf(calls: VoiceCallRecord[]): Pick<Store, 'getVoiceResource'> & { reads: number } {
  const byKey = new Map(calls.map((c) => [`${c.accountId}/${c.id}`, c]));
  const s = {
    reads: 0,
    getVoiceResource: (async (accountId: string, kind: string, id: string) => {
      s.reads++;
      return kind === 'call' ? byKey.get(`${accountId}/${id}`) : undefined;
    }) as Store['getVoiceResource'],
  };
  return s;
}

test('voice-API events with a call, a text or a conference are routed', () => {
  assert.deepEqual(routeOf({ dialect: 'bandwidth', route: { callId: 'c-1', applicationId: 'a-1' } }), { kind: 'call', id: 'c-1' });
  assert.deepEqual(routeOf({ dialect: 'bandwidth', route: { conferenceId: 'conf-1' } }), { kind: 'conference', id: 'conf-1' });
  assert.deepEqual(routeOf({ dialect: 'bandwidth', route: { messageId: 'm-1', applicationId: 'a-1' } }), { kind: 'message', id: 'm-1' });
  assert.deepEqual(routeOf({ dialect: 'bandwidth', route: { messageId: '1795271385.1.299650' } }), { kind: 'message', id: '1795271385.1.299650' }, 'a POST /messages text without an application');
  assert.equal(routeOf({ dialect: 'bandwidth', route: { applicationId: 'a-1' } }), undefined, 'a transcription without its call');
  assert.equal(routeOf({ dialect: 'bandwidth' }), undefined);
  assert.equal(routeOf({ dialect: 'teltel', route: { callId: 'c-1' } }), undefined, 'other dialects only go to subscriptions');
});

test('target ids round-trip and never look like a subscription id', () => {
  for (const ref of [{ kind: 'call', id: 'c-4hq2wz7kd3ma' }, { kind: 'conference', id: 'conf-9' }, { kind: 'message', id: 'm-6usa1' }] as const) {
    const id = targetIdOf(ref);
    assert.deepEqual(parseTargetId(id), ref);
    assert.ok(isRoutedTargetId(id));
    assert.match(id, new RegExp(ROUTED_TARGET_ID_PATTERN));
    assert.doesNotMatch(id, new RegExp(webhookIdSchema.pattern), 'a subscription cannot take this id');
  }
  assert.equal(targetIdOf({ kind: 'call', id: 'c-1' }), 'voice-call:c-1');
  for (const sub of ['hook1', 'voice-call', 'voice-call-c-1', 'wh-abc', 'voice-call:']) assert.equal(parseTargetId(sub), undefined, sub);
});

test("a call's callback becomes a bandwidth target with its own timeout, kept within spec §1.2", () => {
  assert.deepEqual(deliveryTargetOf({ url: 'https://u:p@app.test/cb', method: 'GET', timeoutMs: 2500, fallbackUrl: 'https://fb.test/cb' }), {
    url: 'https://u:p@app.test/cb',
    method: 'GET',
    dialect: 'bandwidth',
    timeoutMs: 2500,
    fallbackUrl: 'https://fb.test/cb',
  });
  assert.deepEqual(deliveryTargetOf({ url: 'https://app.test/cb', method: 'POST', timeoutMs: 60_000 }), { url: 'https://app.test/cb', method: 'POST', dialect: 'bandwidth', timeoutMs: 10_000 });
  assert.equal(deliveryTargetOf({ url: 'https://app.test/cb', method: 'POST', timeoutMs: 0 }).timeoutMs, 10_000, 'not > 0: the default');
  assert.equal(deliveryTargetOf({ url: 'https://app.test/cb', method: 'POST', timeoutMs: Number.NaN }).timeoutMs, 10_000);
});

test('targetsFor: calls with a callback get their target id; each call is read once per batch', async () => {
  const store = storeOf([call('c-in', { callback: { url: 'http://app.test/in', method: 'POST', timeoutMs: 10_000 } }), call('c-out', { direction: 'out' })]);
  const router = new CallbackRouter(store);
  const ev = (callId: string | undefined, accountId = 'acme', dialect = 'bandwidth') => ({ accountId, dialect, route: callId ? { callId, applicationId: 'a-1' } : { conferenceId: 'conf-1' } });
  const ids = await router.targetsFor([ev('c-in'), ev('c-in'), ev('c-out'), ev('c-unknown'), ev(undefined), ev('c-in', 'other'), ev('c-in', 'acme', 'realtime'), ev('c-in')]);
  assert.deepEqual(ids, ['voice-call:c-in', 'voice-call:c-in', undefined, undefined, undefined, undefined, undefined, 'voice-call:c-in']);
  assert.equal(store.reads, 5, 'c-in, c-out, c-unknown and conf-1 (no such conference here) in acme and c-in in other: one read each');
});

test('resolve says why a target cannot be sent to', async () => {
  const router = new CallbackRouter(storeOf([call('c-in', { callback: { url: 'http://app.test/in', method: 'POST', timeoutMs: 700 } }), call('c-out', { direction: 'out' })]));
  assert.deepEqual(await router.resolve('acme', 'voice-call:c-in'), { ok: true, target: { url: 'http://app.test/in', method: 'POST', dialect: 'bandwidth', timeoutMs: 700 } });
  assert.deepEqual(await router.resolve('acme', 'voice-call:c-out'), { ok: false, reason: 'the call c-out has no callback URL' });
  assert.deepEqual(await router.resolve('acme', 'voice-call:c-gone'), { ok: false, reason: 'the call c-gone no longer exists' });
  assert.deepEqual(await router.resolve('other', 'voice-call:c-in'), { ok: false, reason: 'the call c-in no longer exists' }, 'another account');
  assert.deepEqual(await router.resolve('acme', 'voice-conference:conf-1'), { ok: false, reason: 'the conference conf-1 no longer exists' });
  assert.equal((await router.resolve('acme', 'hook1')).ok, false);
});

// ── texts (spec bandwidth §1.1: message callbackUrl / application incomingMessageUrl) ──────────────────

function message(id: string, extra: Partial<VoiceMessageRecord> = {}): VoiceMessageRecord {
  return { kind: 'message', id, accountId: 'acme', userId: 'u-acme', direction: 'out', from: '+19195550100', to: '+14045550111', text: 'hi', media: [], state: 'sent', createdTime: 0, ...extra };
}

function textStore(messages: VoiceMessageRecord[], apps: ApplicationRecord[]): Pick<Store, 'getVoiceResource' | 'getApplication'> {
  return {
    getVoiceResource: (async (accountId: string, kind: string, id: string) =>
      kind === 'message' ? messages.find((m) => m.accountId === accountId && m.id === id) : undefined) as Store['getVoiceResource'],
    getApplication: async (accountId: string, id: string) => apps.find((a) => a.accountId === accountId && a.id === id),
  };
}

const app = (over: Partial<ApplicationRecord> = {}): ApplicationRecord => ({ id: 'a-sms', accountId: 'acme', name: 'Texts', callbackHttpMethod: 'GET', callbackTimeoutMs: 3000, autoAnswer: true, incomingMessageUrl: 'https://app.test/sms', incomingMessageFallbackUrl: 'https://fb.test/sms', incomingCallUrl: 'https://app.test/calls', ...over });

test("a sent text goes to its own callbackUrl; a received one to its application's incomingMessageUrl with its fallback, method and timeout", async () => {
  const router = new CallbackRouter(
    textStore(
      [
        message('m-out', { callback: { url: 'https://app.test/m', method: 'POST', timeoutMs: 1500, fallbackUrl: 'https://fb.test/m' }, applicationId: 'a-sms' }),
        message('m-silent'),
        message('m-in', { direction: 'in', state: 'received', applicationId: 'a-sms' }),
        message('m-in-callsonly', { direction: 'in', state: 'received', applicationId: 'a-calls' }),
        message('m-in-gone', { direction: 'in', state: 'received', applicationId: 'a-gone' }),
      ],
      [app(), app({ id: 'a-calls', incomingMessageUrl: undefined, incomingMessageFallbackUrl: undefined })],
    ),
  );
  assert.deepEqual(await router.resolve('acme', 'voice-message:m-out'), { ok: true, target: { url: 'https://app.test/m', method: 'POST', dialect: 'bandwidth', timeoutMs: 1500, fallbackUrl: 'https://fb.test/m' } }, 'its own callback wins over the application');
  assert.deepEqual(await router.resolve('acme', 'voice-message:m-in'), { ok: true, target: { url: 'https://app.test/sms', method: 'GET', dialect: 'bandwidth', timeoutMs: 3000, fallbackUrl: 'https://fb.test/sms' } });
  assert.deepEqual(await router.resolve('acme', 'voice-message:m-silent'), { ok: false, reason: 'the message m-silent has no callback URL' });
  assert.deepEqual(await router.resolve('acme', 'voice-message:m-in-callsonly'), { ok: false, reason: 'the application a-calls has no incomingMessageUrl' });
  assert.deepEqual(await router.resolve('acme', 'voice-message:m-in-gone'), { ok: false, reason: 'the application of message m-in-gone no longer exists' });
  assert.deepEqual(await router.resolve('acme', 'voice-message:m-unknown'), { ok: false, reason: 'the message m-unknown no longer exists' });
  assert.deepEqual(await router.resolve('other', 'voice-message:m-out'), { ok: false, reason: 'the message m-out no longer exists' }, 'another account');
  const ids = await router.targetsFor([
    { accountId: 'acme', dialect: 'bandwidth', route: { messageId: 'm-in', applicationId: 'a-sms' } },
    { accountId: 'acme', dialect: 'bandwidth', route: { messageId: 'm-silent' } },
    { accountId: 'acme', dialect: 'bandwidth', route: { messageId: 'm-out' } },
  ]);
  assert.deepEqual(ids, ['voice-message:m-in', undefined, 'voice-message:m-out']);
});

test("a conference's events go to the conference's callback; none, or another account's conference: nowhere", async () => {
  const conference: VoiceConferenceRecord = {
    kind: 'conference', id: 'conf-1', accountId: 'acme', userId: 'u-acme', state: 'active', from: '+19195550100', profile: 'interpret_digits',
    hold: false, mute: false, activeMembers: 1, createdTime: 0, callback: { url: 'https://app.test/conf', method: 'POST', timeoutMs: 3000, fallbackUrl: 'https://fb.test/conf' },
  };
  const silent: VoiceConferenceRecord = { ...conference, id: 'conf-2', callback: undefined };
  const store: Pick<Store, 'getVoiceResource'> = {
    getVoiceResource: (async (accountId: string, kind: string, id: string) =>
      kind === 'conference' && accountId === 'acme' ? [conference, silent].find((c) => c.id === id) : undefined) as Store['getVoiceResource'],
  };
  const router = new CallbackRouter(store);
  assert.deepEqual(await router.resolve('acme', 'voice-conference:conf-1'), {
    ok: true,
    target: { url: 'https://app.test/conf', method: 'POST', dialect: 'bandwidth', timeoutMs: 3000, fallbackUrl: 'https://fb.test/conf' },
  });
  assert.deepEqual(await router.resolve('acme', 'voice-conference:conf-2'), { ok: false, reason: 'the conference conf-2 has no callback URL' });
  assert.deepEqual(await router.resolve('other', 'voice-conference:conf-1'), { ok: false, reason: 'the conference conf-1 no longer exists' });
  const entry = (conferenceId: string, accountId = 'acme') => ({ accountId, dialect: 'bandwidth' as const, route: { conferenceId } });
  assert.deepEqual(await router.targetsFor([entry('conf-1'), entry('conf-2'), entry('conf-1', 'other')]), ['voice-conference:conf-1', undefined, undefined]);
});

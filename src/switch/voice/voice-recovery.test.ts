import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite-store.js';
import { closeCutVoiceResources } from './voice-recovery.js';
import type { Fact } from '../../events/model/facts.js';

test('a restart closes what a dead process left unfinished, and nothing that was finished', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-voice-recovery-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = { kind: 'call', accountId: 'acme', userId: 'u-1', sessionId: 's', direction: 'in', from: '+1', to: '+2', recordingEnabled: true, startTime: 1 } as const;
  await store.putVoiceResource({ ...call, id: 'c-live', state: 'active' });
  await store.putVoiceResource({ ...call, id: 'c-ringing', state: 'started' });
  await store.putVoiceResource({ ...call, id: 'c-done', state: 'completed', endTime: 5, cause: 'normal' });
  await store.putVoiceResource({ kind: 'gather', id: 'g-1', accountId: 'acme', callId: 'c-live', state: 'started', digits: '12', createdTime: 2 });
  await store.putVoiceResource({ kind: 'recording', id: 'rec-1', accountId: 'acme', callId: 'c-live', state: 'recording', startTime: 2 });
  await store.putVoiceResource({ kind: 'recording', id: 'rec-0', accountId: 'acme', callId: 'c-done', state: 'complete', startTime: 1, endTime: 3 });
  await store.putVoiceResource({ kind: 'bridge', id: 'brg-1', accountId: 'acme', state: 'active', callIds: ['c-live', 'c-x'], bridgeAudio: true, createdTime: 2 });

  assert.equal(await closeCutVoiceResources(store, 100), 5);
  const get = <K extends 'call' | 'gather' | 'recording' | 'bridge'>(kind: K, id: string) => store.getVoiceResource('acme', kind, id);
  assert.deepEqual(await get('call', 'c-live'), { ...call, id: 'c-live', state: 'completed', endTime: 100, cause: 'server-restart' });
  assert.equal((await get('call', 'c-ringing'))?.state, 'completed');
  assert.deepEqual(await get('call', 'c-done'), { ...call, id: 'c-done', state: 'completed', endTime: 5, cause: 'normal' }, 'finished calls are left alone');
  assert.deepEqual(await get('gather', 'g-1'), { kind: 'gather', id: 'g-1', accountId: 'acme', callId: 'c-live', state: 'completed', reason: 'hung-up', digits: '12', createdTime: 2, completedTime: 100 });
  assert.equal((await get('recording', 'rec-1'))?.state, 'error');
  assert.equal((await get('recording', 'rec-0'))?.state, 'complete');
  assert.deepEqual((await get('bridge', 'brg-1'))?.callIds, []);
  assert.equal(await closeCutVoiceResources(store, 200), 0, 'nothing is left for the next start');
});

test('a restart completes the conferences and members a dead process left, and lists them by conference', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-voice-recovery-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const conf = { kind: 'conference', accountId: 'acme', userId: 'u-1', from: '+1', profile: 'interpret_digits', hold: false, mute: false, createdTime: 1 } as const;
  await store.putVoiceResource({ ...conf, id: 'conf-a', state: 'active', activeMembers: 1 });
  await store.putVoiceResource({ ...conf, id: 'conf-b', state: 'completed', activeMembers: 0, completedTime: 3 });
  const member = { kind: 'member', accountId: 'acme', callId: 'c-1', mute: false, hold: false, joinTone: false, leavingTone: false, addedTime: 2 } as const;
  await store.putVoiceResource({ ...member, id: 'member-1', conferenceId: 'conf-a', state: 'active' });
  await store.putVoiceResource({ ...member, id: 'member-2', conferenceId: 'conf-b', state: 'completed', removedTime: 3 });
  assert.equal(await closeCutVoiceResources(store, 100), 2);
  assert.deepEqual(await store.getVoiceResource('acme', 'conference', 'conf-a'), { ...conf, id: 'conf-a', state: 'completed', activeMembers: 0, completedTime: 100 });
  assert.deepEqual(await store.getVoiceResource('acme', 'member', 'member-1'), { ...member, id: 'member-1', conferenceId: 'conf-a', state: 'completed', removedTime: 100 });
  const listed = await store.listVoiceResources('acme', 'member', { conferenceId: 'conf-b', page: 0, size: 25 });
  assert.deepEqual(listed.map((m) => m.id), ['member-2']);
});

test("a cut conference's session is closed in the log: its members leave, then it completes", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-voice-recovery-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const conf = { kind: 'conference', id: 'conf-1', accountId: 'acme', userId: 'u-1', state: 'active', from: '+1', profile: 'interpret_digits', hold: false, mute: false, activeMembers: 2, tag: 'weekly', createdTime: 5 } as const;
  const member = (id: string, callId: string, state: 'active' | 'completed') => ({ kind: 'member', id, accountId: 'acme', conferenceId: 'conf-1', callId, state, mute: id === 'm-1', hold: false, joinTone: false, leavingTone: false, addedTime: 6 }) as const;
  await store.putVoiceResource(conf);
  await store.putVoiceResource(member('m-1', 'c-1', 'active'));
  await store.putVoiceResource(member('m-2', 'c-2', 'active'));
  await store.putVoiceResource(member('m-3', 'c-3', 'completed'));
  const recorded: Fact[] = [];
  await closeCutVoiceResources(store, 100, { record: async (...facts: Fact[]) => void recorded.push(...facts) });
  assert.deepEqual(recorded, [
    { type: 'conference.member', sessionId: 'conf-1', at: 100, conferenceId: 'conf-1', memberId: 'm-1', legId: 'c-1', state: 'completed', mute: true, hold: false, activeMembers: 1, tag: 'weekly' },
    { type: 'conference.member', sessionId: 'conf-1', at: 100, conferenceId: 'conf-1', memberId: 'm-2', legId: 'c-2', state: 'completed', mute: false, hold: false, activeMembers: 0, tag: 'weekly' },
    { type: 'conference.completed', sessionId: 'conf-1', at: 100, conferenceId: 'conf-1', createdAt: 5, tag: 'weekly' },
  ]);
});

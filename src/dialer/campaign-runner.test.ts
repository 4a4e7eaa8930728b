/**
 * The campaign runner over a real SQLite store, with the switch replaced by a scripted one (the attempts'
 * calls are the e2e tests' business, test/switch/dialer.test.ts): claiming before dialling, results
 * written back, restart recovery, pause, the end of a campaign, and never two attempts of one contact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite-store.js';
import { loadConfigFile } from '../config/load-config.js';
import { silentLogger } from '../log/logger.js';
import type { Campaign, Contact } from '../store/store.js';
import type { AttemptResult } from './campaign-types.js';
import type { AttemptEnd, DialerOutcome } from '../switch/dialer-call.js';
import type { DialerSwitch } from '../switch/dialer-attempts.js';
import type { AgentOffer } from '../switch/dialer-plan.js';
import { CampaignRunner, type DialerRules } from './campaign-runner.js';

/** Simple rules, written out so the runner's own behaviour is what is tested: always open, retry a
 *  failed/busy/no-answer attempt at once until 2 attempts, answered is done. */
const rules: DialerRules = {
  open: () => true,
  due: (_c, contact, _tz, now) => (contact.nextAttemptAt ?? 0) <= now,
  after: (_c, contact, { at, result }) => {
    const attempts = [...contact.attempts, { at, result }];
    const state = result === 'answered' ? 'done' : attempts.length >= 2 ? 'exhausted' : 'pending';
    return { ...contact, attempts, state };
  },
  ended: () => undefined,
  pace: (_c, s) => Math.max(0, s.freeAgents * 2 - s.ringing),
};

async function world(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-dialer-'));
  let store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(() => {
    void store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.replaceProvisioning(loadConfigFile('examples/demo.yaml'));
  const campaign: Campaign = {
    id: '1', accountId: 'demo', name: 'Renewals', mode: 'predictive', state: 'running', callerId: '+15550100', agents: [501, 502],
    window: { days: ['mon'], from: '09:00', to: '17:00' }, retry: { busy: { afterMinutes: 0 }, noAnswer: { afterMinutes: 0 }, failed: { afterMinutes: 0 }, maxAttempts: 2 },
    createdAt: 1, updatedAt: 1,
  };
  await store.putCampaign(campaign);
  const contacts: Contact[] = Array.from({ length: 6 }, (_, k) => ({ id: String(k + 1), campaignId: '1', accountId: 'demo', phoneNumber: `+1555123000${k}`, state: 'pending', attempts: [], createdAt: 1 }));
  await store.addContacts(contacts);
  return { dir, get store() { return store; }, reopen: async () => { await store.close(); store = new SqliteStore(join(dir, 'ringside.db')); return store; }, campaign };
}

/** A switch whose attempts end when the test says, with the result it says. */
function scriptedSwitch(results: (contactId: string, attempt: number) => DialerOutcome, freeAgents = 1) {
  const active = new Map<string, (o: DialerOutcome) => void>();
  const tries = new Map<string, number>();
  const starts: string[] = [];
  let concurrentMax = 0;
  const sw: DialerSwitch = {
    async attempt(input) {
      const id = input.contact.id;
      assert.ok(!active.has(id), `contact ${id} dialled twice at once`);
      starts.push(id);
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      const outcome = new Promise<AttemptEnd>((resolve) => active.set(id, (result) => resolve({ result })));
      concurrentMax = Math.max(concurrentMax, active.size);
      return { sessionId: `s-${id}-${n}`, outcome: outcome.finally(() => active.delete(id)) };
    },
    async reserveAgent(): Promise<AgentOffer | undefined> {
      return undefined;
    },
    freeAgents: async () => freeAgents,
  };
  const finishAll = () => {
    for (const [id, resolve] of active) resolve(results(id, tries.get(id)!));
  };
  return { sw, active, starts, finishAll, concurrentMax: () => concurrentMax };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

test('predictive: contacts are written dialling before they are dialled, results written back, the campaign finishes when all are final', async (t) => {
  const w = await world(t);
  const results: Record<string, AttemptResult> = { '1': 'answered', '2': 'busy', '3': 'no-answer', '4': 'answered', '5': 'abandoned', '6': 'failed' };
  const s = scriptedSwitch((id) => results[id]!, 2);
  const runner = new CampaignRunner({ store: w.store, dialer: s.sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  await runner.tick();
  assert.deepEqual(s.starts, ['1', '2', '3', '4'], 'pace: 2 free agents × 2, oldest contacts first');
  const dialling = await w.store.listContacts('demo', '1', { state: 'dialling', offset: 0, limit: 10 });
  assert.deepEqual(dialling.contacts.map((c) => c.id), ['1', '2', '3', '4'], 'claimed in the store while in flight');
  await runner.tick();
  assert.equal(s.starts.length, 4, 'pace counts the attempts still ringing');
  for (let round = 0; round < 6 && s.active.size + (await w.store.listContacts('demo', '1', { state: 'pending', offset: 0, limit: 10 })).total > 0; round++) {
    s.finishAll();
    await settle();
    await runner.tick();
  }
  await runner.stop();
  await runner.settled();
  const all = (await w.store.listContacts('demo', '1', { offset: 0, limit: 10 })).contacts;
  assert.deepEqual(all.map((c) => [c.id, c.state, c.attempts.length]), [
    ['1', 'done', 1], ['2', 'exhausted', 2], ['3', 'exhausted', 2], ['4', 'done', 1], ['5', 'exhausted', 2], ['6', 'exhausted', 2],
  ]);
  await new CampaignRunner({ store: w.store, dialer: s.sw, rules, logger: silentLogger() }).tick();
  assert.equal((await w.store.getCampaign('demo', '1'))?.state, 'finished');
});

test('a restart finds the contacts a dead process was dialling: each counts as one failed attempt and is dialled again, never twice at once', async (t) => {
  const w = await world(t);
  const s = scriptedSwitch(() => 'answered', 1);
  const first = new CampaignRunner({ store: w.store, dialer: s.sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  await first.tick();
  assert.deepEqual(s.starts, ['1', '2']);
  // The process dies here: its attempts never end, the store still says dialling.
  const store = await w.reopen();
  const s2 = scriptedSwitch(() => 'answered', 1);
  const second = new CampaignRunner({ store, dialer: s2.sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  assert.equal(await second.recover(), 2);
  const recovered = await store.getContact('demo', '1', '1');
  assert.deepEqual([recovered?.state, recovered?.attempts.map((a) => a.result)], ['pending', ['failed']]);
  await second.tick();
  assert.deepEqual(s2.starts, ['1', '2'], 'recovered contacts are dialled again, first in line');
  s2.finishAll();
  await settle();
  assert.deepEqual((await store.getContact('demo', '1', '1'))?.attempts.map((a) => a.result), ['failed', 'answered']);
  await second.stop();
});

test('pausing stops new attempts; those in progress end normally and are written', async (t) => {
  const w = await world(t);
  const s = scriptedSwitch(() => 'answered', 1);
  const runner = new CampaignRunner({ store: w.store, dialer: s.sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  await runner.tick();
  await w.store.putCampaign({ ...w.campaign, state: 'paused' });
  s.finishAll();
  await settle();
  await runner.tick();
  assert.deepEqual(s.starts, ['1', '2'], 'nothing new while paused');
  assert.equal((await w.store.listContacts('demo', '1', { state: 'done', offset: 0, limit: 10 })).total, 2, 'the calls in progress were written');
  await runner.stop();
});

test('operator-contact: one attempt per reserved agent; an attempt whose agent never answered leaves the contact as it was', async (t) => {
  const w = await world(t);
  await w.store.putCampaign({ ...w.campaign, mode: 'operator-contact' });
  const s = scriptedSwitch(() => 'not-dialled');
  let leases = 1;
  const released: number[] = [];
  s.sw.reserveAgent = async () => {
    if (leases === 0) return undefined;
    leases -= 1;
    return { side: { target: { party: { kind: 'sip', number: '101' }, requests: [], callerId: 'x' }, timeoutMs: 1 }, release: () => released.push(1) };
  };
  const runner = new CampaignRunner({ store: w.store, dialer: s.sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  await runner.tick();
  assert.deepEqual(s.starts, ['1'], 'one free agent, one attempt');
  s.finishAll();
  await settle();
  const c = await w.store.getContact('demo', '1', '1');
  assert.deepEqual([c?.state, c?.attempts.length], ['pending', 0], 'the contact was never called: no attempt counted');
  await runner.stop();
});

test('an agent freeing up makes the runner pace again at once, not on its next tick (pacing.ts: "whenever an agent frees up")', async (t) => {
  const w = await world(t);
  const s = scriptedSwitch(() => 'answered', 1);
  let listener: (() => void) | undefined;
  const sw: DialerSwitch = { ...s.sw, onAgentChange: (l) => ((listener = l), () => (listener = undefined)) };
  const runner = new CampaignRunner({ store: w.store, dialer: sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  await runner.start();
  assert.ok(listener, 'the runner listens for agents freeing up');
  await settle();
  assert.deepEqual(s.starts, [], 'no tick yet');
  listener();
  listener(); // during the tick the first one started: one more tick after it, not two at once
  for (let i = 0; i < 250 && s.starts.length < 2; i++) await settle();
  assert.deepEqual(s.starts, ['1', '2'], 'paced on the wake: 1 free agent × 2');
  await runner.stop();
  assert.equal(listener, undefined, 'unsubscribed when stopped');
  s.finishAll();
  await runner.settled();
});

test('predictive: an answered contact whose agent is ringing is not counted as waiting (that agent is no longer free)', async (t) => {
  const w = await world(t);
  const seen: { freeAgents: number; waiting: number }[] = [];
  const pacing: DialerRules = { ...rules, pace: (_c, s) => (seen.push({ freeAgents: s.freeAgents, waiting: s.waiting }), seen.length === 1 ? 1 : 0) };
  let free = 2;
  let offered: AgentOffer | undefined;
  let end: ((e: AttemptEnd) => void) | undefined;
  const sw: DialerSwitch = {
    async attempt(input, events) {
      // The contact answers at once and asks for an agent: the pool leases one (one free agent fewer).
      events.answered();
      offered = await input.agents!.next(new Set());
      return { sessionId: 's-1', outcome: new Promise<AttemptEnd>((resolve) => (end = resolve)) };
    },
    async reserveAgent() {
      free -= 1;
      return { side: {} as AgentOffer['side'], release: () => (free += 1) };
    },
    freeAgents: async () => free,
  };
  const runner = new CampaignRunner({ store: w.store, dialer: sw, rules: pacing, logger: silentLogger(), tickMs: 1_000_000 });
  await runner.tick();
  assert.ok(offered, 'the attempt got an agent');
  await runner.tick();
  assert.deepEqual(seen[1], { freeAgents: 1, waiting: 0 }, 'the ringing agent is out of the free ones; its contact is not waiting for another');
  offered.release(); // that agent did not answer: the contact waits for one again
  await runner.tick();
  assert.deepEqual(seen[2], { freeAgents: 2, waiting: 1 });
  await runner.stop();
  end!({ result: 'answered' });
  await runner.settled();
});

test('with no campaign running, agents freeing up (every call that ends) wake no tick: the store is not read per call', async (t) => {
  const w = await world(t);
  const campaign = (await w.store.getCampaign('demo', '1'))!;
  await w.store.putCampaign({ ...campaign, state: 'paused' });
  let reads = 0;
  const listCampaigns = w.store.listCampaigns.bind(w.store);
  w.store.listCampaigns = (accountId) => ((reads += 1), listCampaigns(accountId));
  const s = scriptedSwitch(() => 'answered', 1);
  let listener: (() => void) | undefined;
  const sw: DialerSwitch = { ...s.sw, onAgentChange: (l) => ((listener = l), () => (listener = undefined)) };
  const runner = new CampaignRunner({ store: w.store, dialer: sw, rules, logger: silentLogger(), tickMs: 1_000_000 });
  await runner.start();
  await runner.tick();
  const afterTick = reads;
  assert.ok(afterTick > 0, 'the tick read the campaigns');
  for (let i = 0; i < 20; i++) listener!();
  await settle();
  assert.equal(reads, afterTick, 'no tick for a wake while nothing runs');
  // Once a tick finds the campaign running, a wake paces at once again.
  await w.store.putCampaign({ ...campaign, state: 'running' });
  await runner.tick();
  const starts = s.starts.length;
  assert.ok(starts > 0);
  listener!();
  for (let i = 0; i < 250 && reads === afterTick + 1; i++) await settle();
  assert.ok(reads > afterTick + 1, 'a wake ticks while a campaign runs');
  await runner.stop();
  s.finishAll();
  await runner.settled();
});

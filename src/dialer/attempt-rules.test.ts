/**
 * A contact's rules (attempt-rules.ts): the state after each attempt result, the retry delays, max
 * attempts, a permanent failure, recovery of a contact a crash left `dialling`, and when it may be dialled
 * next (the retry time moved into the calling window, the window's timezone or the account's). A property
 * test drives contacts through random results: never more than maxAttempts attempts, always ending final.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAttempt, dueNow, isFinal, nextDialAt, recoverInterrupted, retryDelayMs, startAttempt } from './attempt-rules.js';
import type { AttemptResult, Campaign, Contact } from './campaign-types.js';
import { ATTEMPT_RESULTS } from './campaign-types.js';

const ms = (iso: string) => Date.parse(iso);
const MIN = 60_000;

const campaign: Campaign = {
  id: 'c1',
  accountId: 'acme',
  name: 'Renewals',
  mode: 'predictive',
  state: 'running',
  callerId: '+15550100',
  agents: [501],
  window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', timezone: 'Europe/Riga' },
  retry: { busy: { afterMinutes: 10 }, noAnswer: { afterMinutes: 60 }, failed: { afterMinutes: 120 }, maxAttempts: 3 },
  createdAt: 0,
  updatedAt: 0,
};
const fresh: Contact = { id: 'k1', campaignId: 'c1', accountId: 'acme', phoneNumber: '+15551230001', state: 'pending', attempts: [], createdAt: 0 };
const MON_10 = ms('2026-12-07T08:00:00Z'); // Monday 10:00 in Riga

test('retry delays per result; abandoned follows no-answer; answered never retries', () => {
  assert.deepEqual(
    ATTEMPT_RESULTS.map((r) => retryDelayMs(campaign.retry, r)),
    [undefined, 10 * MIN, 60 * MIN, 120 * MIN, 60 * MIN],
  );
});

test('after an attempt: answered is done; busy, no answer, failed and abandoned wait their rule; the last allowed attempt exhausts', () => {
  const dialling = startAttempt(fresh);
  assert.equal(dialling.state, 'dialling');
  assert.deepEqual(afterAttempt(campaign, dialling, { at: MON_10, result: 'answered' }), { ...fresh, state: 'done', attempts: [{ at: MON_10, result: 'answered' }] });
  const busy = afterAttempt(campaign, dialling, { at: MON_10, result: 'busy' });
  assert.deepEqual([busy.state, busy.nextAttemptAt, busy.attempts], ['pending', MON_10 + 10 * MIN, [{ at: MON_10, result: 'busy' }]]);
  assert.equal(afterAttempt(campaign, dialling, { at: MON_10, result: 'no-answer' }).nextAttemptAt, MON_10 + 60 * MIN);
  assert.equal(afterAttempt(campaign, dialling, { at: MON_10, result: 'failed' }).nextAttemptAt, MON_10 + 120 * MIN);
  assert.equal(afterAttempt(campaign, dialling, { at: MON_10, result: 'abandoned' }).nextAttemptAt, MON_10 + 60 * MIN);
  let c: Contact = fresh;
  for (const [i, result] of (['busy', 'no-answer', 'busy'] as const).entries()) c = afterAttempt(campaign, startAttempt(c), { at: MON_10 + i * 3_600_000, result });
  assert.equal(c.state, 'exhausted');
  assert.equal(c.nextAttemptAt, undefined, 'a final contact has no next attempt');
  assert.equal(c.attempts.length, 3);
  const answeredLast = afterAttempt(campaign, { ...c, state: 'dialling', attempts: c.attempts.slice(0, 2) }, { at: MON_10, result: 'answered' });
  assert.equal(answeredLast.state, 'done', 'answered on the last attempt is done, not exhausted');
});

test('a permanent failure is failed for good; a plain failure retries', () => {
  const c = afterAttempt(campaign, startAttempt(fresh), { at: MON_10, result: 'failed', permanent: true });
  assert.equal(c.state, 'failed');
  assert.equal(nextDialAt(campaign, c, 'UTC', MON_10), undefined);
  assert.equal(afterAttempt(campaign, startAttempt(fresh), { at: MON_10, result: 'failed' }).state, 'pending');
});

test('only a pending contact starts an attempt', () => {
  assert.throws(() => startAttempt({ ...fresh, state: 'dialling' }), /contact k1 is dialling/);
  assert.throws(() => startAttempt({ ...fresh, state: 'done' }), /only a pending contact/);
});

test('a contact a crash left dialling: one failed attempt at the restart, then the usual rules', () => {
  const restartAt = MON_10 + 5 * MIN;
  const c = recoverInterrupted(campaign, startAttempt(fresh), restartAt);
  assert.deepEqual([c.state, c.attempts, c.nextAttemptAt], ['pending', [{ at: restartAt, result: 'failed' }], restartAt + 120 * MIN]);
  const last = recoverInterrupted(campaign, { ...fresh, state: 'dialling', attempts: [{ at: 1, result: 'busy' }, { at: 2, result: 'busy' }] }, restartAt);
  assert.equal(last.state, 'exhausted', 'it counts towards maxAttempts');
  assert.equal(recoverInterrupted(campaign, fresh, restartAt), fresh, 'not dialling: untouched');
});

test('when next: now inside the window; the retry time; moved to the window’s next opening; never when not pending', () => {
  assert.equal(nextDialAt(campaign, fresh, 'UTC', MON_10), MON_10);
  assert.equal(dueNow(campaign, fresh, 'UTC', MON_10), true);
  const busy = afterAttempt(campaign, startAttempt(fresh), { at: MON_10, result: 'busy' });
  assert.equal(nextDialAt(campaign, busy, 'UTC', MON_10), MON_10 + 10 * MIN);
  assert.equal(dueNow(campaign, busy, 'UTC', MON_10 + 9 * MIN), false);
  assert.equal(nextDialAt(campaign, busy, 'UTC', MON_10 + 20 * MIN), MON_10 + 20 * MIN, 'past the retry time: now');
  const lateFriday = afterAttempt(campaign, startAttempt(fresh), { at: ms('2026-12-11T15:30:00Z'), result: 'no-answer' }); // Fri 17:30 Riga
  assert.equal(new Date(nextDialAt(campaign, lateFriday, 'UTC', ms('2026-12-11T15:31:00Z'))!).toISOString(), '2026-12-14T07:00:00.000Z', 'Monday 09:00 Riga');
  for (const state of ['dialling', 'done', 'failed', 'exhausted'] as const) assert.equal(nextDialAt(campaign, { ...fresh, state }, 'UTC', MON_10), undefined, state);
  assert.equal(nextDialAt({ ...campaign, retry: { ...campaign.retry, maxAttempts: 1 } }, busy, 'UTC', MON_10 + 20 * MIN), undefined, 'max attempts lowered since');
});

test("the window is read in its own timezone, else the account's", () => {
  const noZone = { ...campaign, window: { ...campaign.window, timezone: undefined } };
  const at = ms('2026-12-07T15:00:00Z'); // Monday: 17:00 in Riga, 10:00 in New York
  assert.equal(nextDialAt(campaign, fresh, 'America/New_York', at), at);
  assert.equal(nextDialAt(noZone, fresh, 'America/New_York', at), at);
  assert.equal(new Date(nextDialAt(noZone, fresh, 'Asia/Tokyo', at)!).toISOString(), '2026-12-08T00:00:00.000Z', 'Tuesday 09:00 Tokyo');
});

test('random results: at most maxAttempts attempts, each retry not before its rule, ending final', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.constantFrom<AttemptResult>(...ATTEMPT_RESULTS), { minLength: 1, maxLength: 10 }), fc.boolean(), (maxAttempts, results, permanent) => {
      const rules = { retry: { ...campaign.retry, maxAttempts } };
      let c: Contact = fresh;
      let now = MON_10;
      for (const result of results) {
        if (isFinal(c.state)) break;
        c = afterAttempt(rules, startAttempt(c), { at: now, result, permanent });
        assert.ok(c.attempts.length <= maxAttempts);
        if (c.state === 'pending') {
          assert.equal(c.nextAttemptAt, now + retryDelayMs(rules.retry, result)!);
          now = c.nextAttemptAt!;
        } else assert.equal(c.nextAttemptAt, undefined);
      }
      const used = c.attempts.length;
      if (!isFinal(c.state)) assert.ok(used < maxAttempts && used === results.length);
      if (c.state === 'exhausted') assert.equal(used, maxAttempts);
      if (c.state === 'done') assert.equal(c.attempts.at(-1)!.result, 'answered');
    }),
  );
});

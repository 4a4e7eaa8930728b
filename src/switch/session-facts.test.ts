import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionFacts } from './session-facts.js';
import { silentLogger } from '../log/logger.js';
import type { Fact } from '../events/model/facts.js';

test('facts are recorded one after another, in order, with times that never go back', async () => {
  const seen: Fact[] = [];
  let inFlight = 0;
  const sink = {
    async record(...facts: Fact[]) {
      assert.equal(inFlight, 0, 'the next record waits for the previous one');
      inFlight++;
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      seen.push(...facts);
      inFlight--;
    },
  };
  const s = new SessionFacts('s1', sink, silentLogger());
  for (let i = 0; i < 20; i++) s.record({ type: 'leg.ringing', legId: `l${i}` });
  await s.flush();
  assert.deepEqual(seen.map((f) => (f as { legId: string }).legId), Array.from({ length: 20 }, (_, i) => `l${i}`));
  assert.ok(seen.every((f, i) => f.sessionId === 's1' && (i === 0 || f.at >= seen[i - 1]!.at)));
});

test('a failed record is logged and the following facts are still recorded', async () => {
  const seen: string[] = [];
  let n = 0;
  const sink = {
    record(...facts: Fact[]) {
      if (n++ === 1) return Promise.reject(new Error('disk full'));
      seen.push(...facts.map((f) => f.type));
      return Promise.resolve();
    },
  };
  const s = new SessionFacts('s2', sink, silentLogger());
  s.record({ type: 'leg.ringing', legId: 'a' });
  s.record({ type: 'leg.answered', legId: 'a' });
  s.record({ type: 'leg.media-ready', legId: 'a' });
  await s.flush();
  assert.deepEqual(seen, ['leg.ringing', 'leg.media-ready']);
});

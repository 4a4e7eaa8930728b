import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionFacts } from './session-facts.js';
import { silentLogger } from '../log/logger.js';
import type { Fact } from '../events/model/facts.js';

test('facts reach the sink at once, in order, with times that never go back; flush waits for all of them', async () => {
  const called: Fact[] = [];
  let durable = 0;
  const sink = {
    async record(...facts: Fact[]) {
      // The sink keeps call order (fact-sink.ts): the next fact is handed over before this one is durable.
      called.push(...facts);
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 5));
      durable++;
    },
  };
  const s = new SessionFacts('s1', sink, silentLogger());
  for (let i = 0; i < 20; i++) s.record({ type: 'leg.ringing', legId: `l${i}` });
  assert.equal(called.length, 20, 'no record waited for the one before it');
  assert.equal(durable, 0);
  await s.flush();
  assert.equal(durable, 20, 'flush resolves once every record has');
  assert.deepEqual(called.map((f) => (f as { legId: string }).legId), Array.from({ length: 20 }, (_, i) => `l${i}`));
  assert.ok(called.every((f, i) => f.sessionId === 's1' && (i === 0 || f.at >= called[i - 1]!.at)));
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

/**
 * Predictive pacing's rules one by one (pacing.ts): one line per free agent to begin with, lines ringing and
 * contacts waiting counted, the ratio up while agents idle and down near the cap and at each abandon, the
 * stop at the cap and the restart once the abandons age out, the hard ceiling, a cap of 0, the risk guard's
 * binomial against a brute-force count; and on random sequences, never a negative answer nor more lines
 * than the ceiling allows. The simulation is pacing.simulation.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { answersBeyond, DOWN_PER_SECOND, HARD_MAX_RATIO, minLiveSample, Pacer, UP_PER_SECOND } from './pacing.js';

/** Ask every second from `from` for `seconds`, with the same load; returns the last answer. */
function tick(p: Pacer, from: number, seconds: number, load: { freeAgents: number; ringing: number; waiting?: number }): number {
  let n = 0;
  for (let s = 0; s <= seconds; s++) n = p.dialsNow({ ...load, now: from + s * 1000 });
  return n;
}

test('at first one line per free agent: lines ringing and contacts waiting for an agent are counted', () => {
  const p = new Pacer();
  assert.equal(p.dialsNow({ freeAgents: 5, ringing: 0, now: 0 }), 5);
  assert.equal(p.dialsNow({ freeAgents: 5, ringing: 3, now: 0 }), 2);
  assert.equal(p.dialsNow({ freeAgents: 5, ringing: 9, now: 0 }), 0);
  assert.equal(p.dialsNow({ freeAgents: 5, ringing: 0, waiting: 4, now: 0 }), 1);
  assert.equal(p.dialsNow({ freeAgents: 0, ringing: 0, now: 0 }), 0);
  assert.equal(p.ratio, 1);
});

test('the ratio goes up while agents sit idle, bounded by the campaign ratio and 1 / answer rate', () => {
  const p = new Pacer({ ratio: 2.5 });
  for (let i = 0; i < 200; i++) p.record(i % 5 === 0 ? 'answered' : 'unanswered', 0); // 20 % answer
  tick(p, 0, 50, { freeAgents: 20, ringing: 0 });
  assert.ok(Math.abs(p.ratio - (1 + UP_PER_SECOND * 50)) < 1e-9, `ratio ${p.ratio}`);
  tick(p, 51_000, 500, { freeAgents: 20, ringing: 0 });
  assert.equal(p.ratio, 2.5, 'the campaign ratio bounds it');
  const busy = new Pacer();
  tick(busy, 0, 100, { freeAgents: 0, ringing: 3 });
  assert.equal(busy.ratio, 1, 'no agent idle: no reason to dial more');
  const keen = new Pacer({ ratio: 10 });
  for (let i = 0; i < 200; i++) keen.record(i % 2 === 0 ? 'answered' : 'unanswered', 0); // 50 %
  tick(keen, 0, 500, { freeAgents: 20, ringing: 0 });
  assert.ok(Math.abs(keen.ratio - 1 / keen.stats(500_000).answerRate) < 1e-9, `1 / answer rate: ${keen.ratio}`);
});

test('the ratio comes down as the abandon rate nears the cap, and is halved above 1 at each abandon', () => {
  const p = new Pacer({ ratio: 3, maxAbandonPercent: 3 });
  for (let i = 0; i < 200; i++) p.record(i % 4 === 0 ? 'answered' : 'unanswered', 0);
  tick(p, 0, 100, { freeAgents: 10, ringing: 0 });
  assert.equal(p.ratio, 3);
  p.record('abandoned', 100_000);
  assert.equal(p.ratio, 2, 'halved above 1');
  // One abandon among minLiveSample(3 %) = 67 live calls reads 1.49 %: under half the cap, so idle agents
  // still push it up; a second one (2.99 %) is over half the cap: it comes down.
  assert.equal(minLiveSample(0.03), 67);
  tick(p, 100_000, 10, { freeAgents: 10, ringing: 0 });
  assert.ok(Math.abs(p.ratio - (2 + UP_PER_SECOND * 10)) < 1e-9, `ratio ${p.ratio}`);
  p.record('abandoned', 110_000);
  assert.ok(Math.abs(p.ratio - 1.6) < 1e-9, `halved above 1 again: ${p.ratio}`);
  tick(p, 110_000, 10, { freeAgents: 10, ringing: 0 });
  assert.ok(Math.abs(p.ratio - (1.6 - DOWN_PER_SECOND * 10)) < 1e-9, `ratio ${p.ratio}`);
  tick(p, 120_000, 100, { freeAgents: 10, ringing: 0 });
  assert.equal(p.ratio, 1, 'never below 1');
});

test('at or over the cap: nothing dialled and the ratio back to 1, until the abandons age out of the window', () => {
  const p = new Pacer({ maxAbandonPercent: 3, windowMs: 60_000 });
  for (let i = 0; i < 60; i++) p.record('answered', 0);
  p.record('abandoned', 0);
  p.record('abandoned', 0);
  assert.equal(p.stats(0).stopped, false, `2 of 67 is under 3 %: ${p.stats(0).abandonRate}`);
  p.record('abandoned', 0);
  assert.equal(p.stats(0).stopped, true, `3 of 67: ${p.stats(0).abandonRate}`);
  assert.equal(tick(p, 0, 30, { freeAgents: 5, ringing: 0 }), 0);
  assert.equal(p.ratio, 1);
  assert.equal(p.dialsNow({ freeAgents: 5, ringing: 0, now: 60_000 }), 5, 'aged out: one line per free agent again');
  assert.equal(p.stats(60_000).stopped, false);
});

test('a cap of 0 is progressive dialling: ratio 1, and any abandon stops it', () => {
  const p = new Pacer({ maxAbandonPercent: 0, ratio: 5 });
  for (let i = 0; i < 200; i++) p.record('unanswered', 0);
  assert.equal(tick(p, 0, 100, { freeAgents: 4, ringing: 0 }), 4);
  assert.equal(p.ratio, 1);
  p.record('abandoned', 100_000);
  assert.equal(p.dialsNow({ freeAgents: 4, ringing: 0, now: 100_000 }), 0);
});

test('the hard ceiling: never more than HARD_MAX_RATIO lines per free agent, whatever the campaign asks', () => {
  const p = new Pacer({ ratio: 50, maxAbandonPercent: 100 });
  for (let i = 0; i < 200; i++) p.record('unanswered', 0); // answer rate 1/202
  tick(p, 0, 2_000, { freeAgents: 3, ringing: 0 });
  assert.equal(p.ratio, HARD_MAX_RATIO);
  assert.equal(p.dialsNow({ freeAgents: 3, ringing: 0, now: 2_001_000 }), 3 * HARD_MAX_RATIO);
});

test('the risk guard: one free agent at a 50 % answer rate gets one line, twenty get more than twenty', () => {
  const p = new Pacer({ ratio: 3, maxAbandonPercent: 3 });
  for (let i = 0; i < 200; i++) p.record(i % 2 === 0 ? 'answered' : 'unanswered', 0);
  tick(p, 0, 200, { freeAgents: 1, ringing: 0 });
  assert.equal(p.ratio, 1 / p.stats(200_000).answerRate, 'the ratio would allow two');
  assert.equal(p.dialsNow({ freeAgents: 1, ringing: 0, now: 200_000 }), 1);
  const many = p.dialsNow({ freeAgents: 20, ringing: 0, now: 201_000 });
  assert.ok(many > 20 && many < 40, `${many}`);
  const { excess, live } = answersBeyond(many, p.stats(201_000).answerRate, 20);
  assert.ok(excess <= 0.015 * live);
});

test('answersBeyond matches a brute-force count over every outcome', () => {
  for (const [n, q, agents] of [
    [1, 0.5, 0],
    [4, 0.3, 1],
    [6, 0.7, 3],
    [8, 0.1, 2],
  ] as const) {
    let excess = 0;
    for (let mask = 0; mask < 1 << n; mask++) {
      let k = 0;
      let prob = 1;
      for (let i = 0; i < n; i++) {
        const up = (mask >> i) & 1;
        k += up;
        prob *= up ? q : 1 - q;
      }
      excess += Math.max(0, k - agents) * prob;
    }
    const got = answersBeyond(n, q, agents);
    assert.ok(Math.abs(got.excess - excess) < 1e-12, `${n} ${q} ${agents}: ${got.excess} vs ${excess}`);
    assert.ok(Math.abs(got.live - n * q) < 1e-12);
  }
});

test('random sequences: never a negative answer, never above the ceiling, nothing while stopped', () => {
  const event = fc.oneof(
    fc.record({ kind: fc.constant('record' as const), end: fc.constantFrom('unanswered' as const, 'answered' as const, 'abandoned' as const) }),
    fc.record({ kind: fc.constant('ask' as const), freeAgents: fc.nat(30), ringing: fc.nat(100), waiting: fc.nat(5), seconds: fc.nat(20) }),
  );
  fc.assert(
    fc.property(fc.double({ min: 1, max: 20, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.array(event, { maxLength: 200 }), (ratio, cap, events) => {
      const p = new Pacer({ ratio, maxAbandonPercent: cap });
      let now = 0;
      for (const e of events) {
        if (e.kind === 'record') {
          p.record(e.end, now);
          continue;
        }
        now += e.seconds * 1000;
        const stopped = p.stats(now).stopped;
        const n = p.dialsNow({ freeAgents: e.freeAgents, ringing: e.ringing, waiting: e.waiting, now });
        assert.ok(Number.isInteger(n) && n >= 0);
        const agents = Math.max(0, e.freeAgents - e.waiting);
        assert.ok(e.ringing + n <= Math.max(e.ringing, agents * Math.min(HARD_MAX_RATIO, Math.max(1, ratio))), `${n} more on ${e.ringing} for ${agents}`);
        if (stopped) assert.equal(n, 0);
        assert.ok(p.ratio >= 1 && p.ratio <= HARD_MAX_RATIO);
      }
    }),
  );
});

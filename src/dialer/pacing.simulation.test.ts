/**
 * Predictive pacing (pacing.ts) against a simulated call centre: thousands of calls, a seeded random
 * answer rate that drifts over the day, agents with their own random talk times, contacts who ring a random
 * while before answering, and an answered contact abandoned when no agent frees up within ABANDON_BOUND_MS.
 * The pacer is asked every simulated second, as the dialer will (pacing-simulation.ts). Asserted: the
 * measured abandon rate stays under the cap in every run; predictive dialling keeps agents busier than
 * progressive dialling (ratio pinned to 1) on the same contacts and talk times. Printed: abandon rate, agent utilisation, contacts per minute, the mean ratio.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe as fmt, simulate } from './pacing-simulation.js';

test('thousands of simulated calls: the abandon rate stays under the cap and predictive keeps agents busier than progressive', () => {
  let predictiveBusy = 0;
  let progressiveBusy = 0;
  for (const [seed, agents, cap] of [
    [1, 5, 3],
    [2, 5, 3],
    [3, 10, 3],
    [4, 20, 5],
    [5, 5, 1],
  ] as const) {
    const predictive = simulate({ seed, agents, calls: 5_000, maxAbandonPercent: cap, ratio: 3 });
    const progressive = simulate({ seed, agents, calls: 5_000, maxAbandonPercent: cap, ratio: 1 });
    console.log(`seed ${seed}, ${agents} agents, cap ${cap} %: predictive ${fmt(predictive)}`);
    console.log(`seed ${seed}, ${agents} agents, cap ${cap} %: progressive ${fmt(progressive)}`);
    assert.equal(predictive.attempts, 5_000);
    assert.ok(predictive.abandonPercent < cap, `seed ${seed}: abandon ${predictive.abandonPercent.toFixed(2)} % over the cap ${cap} %`);
    assert.equal(progressive.abandoned, 0, 'one line per free agent never abandons');
    // Per run the two may come out level (a small team at a high answer rate leaves the guard no room).
    assert.ok(predictive.utilisation > progressive.utilisation - 0.01, `seed ${seed}: predictive ${predictive.utilisation} below progressive ${progressive.utilisation}`);
    predictiveBusy += predictive.utilisation;
    progressiveBusy += progressive.utilisation;
  }
  console.log(`mean utilisation: predictive ${(100 * predictiveBusy / 5).toFixed(1)} %, progressive ${(100 * progressiveBusy / 5).toFixed(1)} %`);
  assert.ok(predictiveBusy > progressiveBusy + 0.05, 'predictive keeps agents busier, over the five runs, by more than one point each');
});

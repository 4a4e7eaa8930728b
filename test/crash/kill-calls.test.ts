/**
 * The kill -9 harness, short form (support/kill-trials.ts; the bench runs 100 trials): mixed calls and
 * texts, SIGKILL at a random moment, restart on the same data dir, then the log, a resuming WebSocket
 * client and a webhook receiver agree: nothing lost, nothing twice, every session closed once per dialect,
 * order kept, and the restarted process never crashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { runKillTrials } from './support/kill-trials.js';

const skip = missingTool('sipp', 'sip-tester');

test('3 SIGKILLs under mixed load: 0 lost, 0 duplicated, 0 unclosed, 0 misordered, 0 crashes', { skip, timeout: 150_000 }, async () => {
  const { figures, problems } = await runKillTrials({ trials: 3, progress: (line) => console.log(line) });
  assert.deepEqual(problems.slice(0, 20), []);
  assert.equal(figures.trials, 3);
  assert.ok(figures.sessions >= 10, `load reached Ringside (${figures.sessions} sessions)`);
  assert.deepEqual([figures.lost, figures.duplicated, figures.unclosed, figures.misordered, figures.crashed], [0, 0, 0, 0, 0]);
});

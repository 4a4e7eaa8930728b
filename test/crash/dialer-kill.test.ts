/**
 * The autodialer's proof at scale, with a SIGKILL (issue 14; support/predictive-run.ts says how it runs and
 * what it checks): a predictive campaign of 200 contacts, 5 agents, 70 % of the numbers answering and
 * talking 1 s, busy and unanswered ones retried once at once (maxAttempts 2, afterMinutes 0). Ringside is
 * SIGKILLed after 40 attempts have ended and started again on the same data dir. Afterwards every contact
 * is final, no contact was dialled twice at once, no agent had two calls at once, every dialer session has
 * exactly one end, and the abandon rate is under the 3 % cap. The figures are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { figuresTable, runPredictive } from './support/predictive-run.js';

const skip = missingTool('sipp', 'sip-tester');

test('predictive, 200 contacts, 5 agents, SIGKILL mid-campaign: all final, none dialled twice at once, one call per agent, one end per session, abandons under 3 %', { skip, timeout: 120_000 }, async () => {
  const { figures, problems } = await runPredictive({ contacts: 200, agents: 5, answerPercent: 70, talkMs: 1000, killAfterAttempts: 40, timeoutMs: 80_000, progress: (line) => console.log(line) });
  console.log(figuresTable(figures));
  assert.deepEqual(problems.slice(0, 20), []);
  assert.equal(figures.kills, 1);
  assert.ok(figures.sessions >= 200, `every contact was dialled (${figures.sessions} sessions)`);
  assert.ok(figures.cut + figures.recovered > 0, 'the kill cut attempts in progress');
  // 70 % of the numbers answer: each of them ends done (answered) unless abandoned or cut twice.
  assert.ok((figures.byState.done ?? 0) >= 120, `contacts done: ${figures.byState.done ?? 0}`);
  // The agents' legs were found in the log (the overlap check is not vacuous) and they talked.
  assert.ok(figures.utilisationPercent > 10, `agent utilisation ${figures.utilisationPercent.toFixed(1)} %`);
  assert.ok(figures.abandonPercent < 3, `abandon rate ${figures.abandonPercent.toFixed(2)} %`);
});

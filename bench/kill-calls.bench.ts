/**
 * The kill -9 harness (test/crash/support/kill-trials.ts, docs/reliability.md): TRIALS (default 100) times
 * mixed load from sipp and HTTP, SIGKILL of Ringside at a random moment, restart on the same data dir, and
 * the checks from the log, a WebSocket client resuming by lastEventId and a webhook receiver. Prints a
 * progress line per trial and the figures; exits 1 when any figure that must be 0 is not.
 * Run: npm run bench -- kill-calls   (TRIALS=20 npm run bench -- kill-calls for a shorter run)
 */
import { figuresTable, runKillTrials } from '../test/crash/support/kill-trials.js';

const trials = Number(process.env.TRIALS ?? 100);
if (!Number.isInteger(trials) || trials < 1) throw new Error(`TRIALS must be a positive integer, not '${process.env.TRIALS}'`);
const startedAt = Date.now();
const { figures, problems } = await runKillTrials({ trials, progress: (line) => console.log(line) });
console.log(`\n${figuresTable(figures)}\n`);
console.log(`${trials} trials in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
for (const p of problems.slice(0, 50)) console.log(`- ${p}`);
if (problems.length > 50) console.log(`- … and ${problems.length - 50} more`);
process.exit(problems.length === 0 ? 0 : 1);

/**
 * Predictive dialling at scale (issue 14; test/crash/support/predictive-run.ts runs it and checks it): one
 * Ringside child process, a predictive campaign of CONTACTS contacts (default 1000) made over REST, AGENTS
 * registered sipp phones as agents (default 10), a sipp carrier answering ANSWER percent of the numbers
 * (default 70; the others busy or unanswered, retried once at once) and hanging up after TALK_MS (default
 * 2000). Bounded by TIMEOUT_S (default 300): past it the contacts left are reported. Prints contacts per
 * minute, agent utilisation, the abandon rate and Ringside's CPU; exits 1 when a check failed (a contact
 * not final, an agent with two calls, a contact dialled twice at once, a session not ended once, abandons
 * at or over the 3 % cap).
 * Run: npm run bench -- predictive   (CONTACTS=2000 AGENTS=20 npm run bench -- predictive)
 */
import { figuresTable, runPredictive } from '../test/crash/support/predictive-run.js';

function env(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, not '${process.env[name]}'`);
  return v;
}

const contacts = env('CONTACTS', 1000);
const agents = env('AGENTS', 10);
const answerPercent = env('ANSWER', 70);
const talkMs = env('TALK_MS', 2000);
const timeoutMs = env('TIMEOUT_S', 300) * 1000;
const startedAt = Date.now();
const { figures, problems } = await runPredictive({ contacts, agents, answerPercent, talkMs, timeoutMs, progress: (line) => console.log(line) });
console.log(`\n${figuresTable(figures)}\n`);
console.log(`run in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
for (const p of problems.slice(0, 50)) console.log(`- ${p}`);
if (problems.length > 50) console.log(`- … and ${problems.length - 50} more`);
process.exit(problems.length === 0 ? 0 : 1);

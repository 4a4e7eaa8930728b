/**
 * One step of offered calls: sipp's built-in uac (as bench/support/scenarios/uac.xml: a 180 after the 200
 * accepted) from the carrier's address 127.0.0.2, `rate` calls/s of 1 s for `seconds` s, to `target`; its
 * outcome from -trace_stat and -trace_err. Shared by the call-rate and cluster-rate benches.
 */
import { join } from 'node:path';
import { runChild } from './children.js';
import { readSippOutcome, type SippOutcome } from './sipp-stats.js';
import { REPO } from './ringside-child.js';

/** `scenario`: a file of bench/support/scenarios (default uac.xml; uac-routed.xml behind a record-routing
 *  proxy); `calls`: how many in all (default rate × seconds); `extraArgs`: more sipp flags (e.g. `-rp`). */
export async function runUacStep(o: { target: string; carrierPort: number; rate: number; seconds: number; stepDir: string; scenario?: string; calls?: number; extraArgs?: string[] }): Promise<{ outcome: SippOutcome; code: number | null; stderr: string }> {
  const offered = o.calls ?? o.rate * o.seconds;
  // -recv_timeout: a call whose answer never comes fails as a timeout instead of waiting forever.
  const run = await runChild(
    'sipp',
    ['-nostdin', '-i', '127.0.0.2', '-p', String(o.carrierPort), '-sf', join(REPO, 'bench/support/scenarios', o.scenario ?? 'uac.xml'), '-s', '+15550100', '-r', String(o.rate), '-m', String(offered), '-d', '1000', '-l', String(Math.max(3000, o.rate * 4)), '-max_recv_loops', '5000', '-max_sched_loops', '5000', '-recv_timeout', '10000', '-trace_stat', '-stf', join(o.stepDir, 'stat.csv'), '-fd', '1', '-trace_err', '-timeout', `${o.seconds + 40}s`, ...(o.extraArgs ?? []), o.target],
    { timeoutMs: (o.seconds + 60) * 1000, cwd: o.stepDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const outcome = readSippOutcome(join(o.stepDir, 'stat.csv'), o.stepDir);
  if (run.code !== 0 && run.code !== 1 && outcome.created === 0) throw new Error(`sipp failed (${run.code}): ${run.stderr.slice(-1000)}`);
  return { outcome, code: run.code, stderr: run.stderr };
}

/** A step failed when any call failed, was left open, or was not placed. */
export const failedOutcome = (o: SippOutcome, offered: number): boolean => o.failed > 0 || o.unfinished > 0 || o.successful < offered;

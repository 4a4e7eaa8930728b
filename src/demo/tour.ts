/**
 * Runs the tour's steps one after another against a running Ringside: prints each step's heading, the
 * parties' actions and the RealTime events as they arrive, waits for the step's `*.end` event (bounded),
 * checks the topics it expected, cleans up whatever the step left, and ends with a summary.
 */
import { topicOf, type RealtimeFrame } from './event-line.js';
import type { EventFeed } from './event-feed.js';
import type { RingsideApi } from './ringside-api.js';
import type { TourCast } from './tour-cast.js';
import type { TourOutput } from './tour-output.js';
import { missingTopics, type StepContext, type TourStep } from './tour-steps.js';
import { seconds, withTimeout } from './wait.js';

export interface StepResult {
  n: number;
  title: string;
  passed: boolean;
  problems: string[];
  topics: string[];
}

export interface TourOptions {
  cast: TourCast;
  api: RingsideApi;
  feed: EventFeed;
  out: TourOutput;
  steps: readonly TourStep[];
  /** How long connected parties talk (default 2 s). */
  talkMs?: number;
  /** A step's script gets this long (default 25 s). */
  stepLimitMs?: number;
  /** After the script, how long to wait for the step's `*.end` event (default 10 s). */
  endWaitMs?: number;
}

export async function runTour(o: TourOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [i, step] of o.steps.entries()) results.push(await runStep(o, step, i + 1));
  return results;
}

async function runStep(o: TourOptions, step: TourStep, n: number): Promise<StepResult> {
  const { out, feed, cast } = o;
  out.heading(n, o.steps.length, step.title);
  const mark = feed.mark();
  // Most telling first: what the script could not do, then what Ringside said (events), then what the
  // parties noticed along the way (audio); the summary shows the first.
  const problems: string[] = [];
  const noticed: string[] = [];
  const ctx: StepContext = { cast, api: o.api, say: out.say, talkMs: o.talkMs ?? 2000, problem: (p) => noticed.push(p) };
  const limit = o.stepLimitMs ?? 25_000;
  let scriptFailed = false;
  try {
    await withTimeout(step.run(ctx), limit, `the step did not finish within ${seconds(limit)}`);
  } catch (err) {
    scriptFailed = true;
    problems.push((err as Error).message);
    out.say('tour', `${(err as Error).message}; hanging up what is left`);
    await cast.reset();
  }
  let end: RealtimeFrame | undefined;
  if (step.end) {
    // A failed script was cleaned up above: its call ends now, if Ringside ever took it.
    const wait = scriptFailed ? 5000 : (o.endWaitMs ?? 10_000);
    end = await feed.waitForTopic(step.end, mark, wait);
    if (!end) problems.push(`no ${step.end} event within ${seconds(wait)}${feed.closedBecause ? ` (the WebSocket closed: ${feed.closedBecause})` : ''}`);
  }
  await cast.reset();
  const events = feed.events.slice(mark);
  const topics = events.map(topicOf);
  const missing = missingTopics(step.expect, topics);
  if (missing.length) problems.push(`missing ${missing.join(', ')}; got ${topics.length ? topics.join(' → ') : 'no events'}`);
  if (step.check && end) {
    try {
      problems.push(...(await step.check(events, ctx)));
    } catch (err) {
      problems.push(`checking the events failed: ${(err as Error).message}`);
    }
  }
  const unique = [...new Set([...problems, ...noticed])];
  const passed = unique.length === 0;
  if (passed) out.say('PASS', topics.length ? `${topics.length} event${topics.length === 1 ? '' : 's'}: ${topics.join(' → ')}` : 'done');
  else for (const p of unique) out.say('FAIL', p);
  return { n, title: step.title, passed, problems: unique, topics };
}

/** The closing summary; returns whether every step passed. */
export function printSummary(out: TourOutput, results: readonly StepResult[], elapsedMs: number): boolean {
  const passed = results.filter((r) => r.passed).length;
  out.line();
  out.line(`Summary: ${passed} of ${results.length} steps passed in ${seconds(elapsedMs)}.`);
  for (const r of results) out.line(`  ${r.passed ? 'PASS' : 'FAIL'}  ${String(r.n).padStart(2)}. ${r.title}${r.passed ? '' : ` — ${r.problems[0] ?? ''}`}`);
  return passed === results.length;
}

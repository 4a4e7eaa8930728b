/**
 * Predictive pacing (docs/call-centre.md, "A campaign": `mode: predictive`, `pacing`): how many contacts a
 * predictive campaign dials now. Pure apart from its own memory of recent attempts; the clock is passed in.
 *
 * Words. An attempt ends **unanswered** (busy, no answer, failed), **answered** (a contact picked up and got
 * an agent) or **abandoned** (a contact picked up and no agent was free within ABANDON_BOUND_MS: the dialer
 * hangs up on them, or plays them a message). The **abandon rate** is abandoned / (answered + abandoned),
 * the usual regulators' measure (abandoned calls over live calls); the campaign caps it with
 * `pacing.maxAbandonPercent` (default 3 %).
 *
 * The algorithm. The dialer asks `dialsNow({ freeAgents, ringing, waiting, now })` every tick (a second, and
 * whenever an agent frees up); `waiting` is answered contacts not yet given an agent, who take free agents
 * first, so agents = freeAgents − waiting. The answer is lines − ringing (never below 0), lines being the
 * least of two bounds:
 * 1. **The ratio** — lines per free agent, lines ≤ ⌊agents × ratio⌋ — adapts (AIMD, as TCP's congestion
 *    window):
 *    - it starts at 1: one line per free agent can never abandon anyone (each answer has its agent);
 *    - **up** additively, UP_PER_SECOND per second during which an agent sat idle, while the abandon rate is
 *      under half the cap;
 *    - **down** additively, DOWN_PER_SECOND per second, while the abandon rate is at half the cap or more
 *      (it nears the cap), and multiplicatively at each abandoned call (its part above 1 is halved);
 *    - between 1 and the least of the campaign's `pacing.ratio` (default DEFAULT_MAX_RATIO), the hard
 *      ceiling HARD_MAX_RATIO and 1 / answer rate (no more lines than bring, on average, as many answers
 *      as there are free agents).
 * 2. **The risk guard** — the lines in flight must not be expected to abandon more than half the cap of the
 *    live calls they bring: with X ~ Binomial(lines, answer rate), E[max(0, X − agents)] ≤ cap/2 × E[X]
 *    (`answersBeyond`). The ratio learns from abandons after the fact; the guard stops the ones a small
 *    team makes certain (two lines for one free agent at a 50 % answer rate abandon a quarter of the
 *    time). It is pessimistic on purpose: it counts no agent freeing up while the lines ring.
 * **Stop**: with the abandon rate at or over the cap, 0 dials and the ratio back to 1, until the rate falls
 * under the cap. A cap of 0 pins the ratio to 1 (progressive dialling, which never abandons).
 *
 * The answer rate is measured over the last ANSWER_SAMPLES finished attempts, from a prior of one answered
 * and one not (0.5 at the start). The abandon rate is over the live calls of the last `windowMs` (default
 * 15 minutes) — a time window, so a stop ends as the abandons age out — with a denominator of at least
 * `minLiveSample(cap)` calls, so that one early abandon among three live calls does not read as 33 % and
 * stop a campaign that has only begun.
 *
 * Per process, like the agent pool: a campaign is paced by the node that runs it. pacing.simulation.test.ts
 * runs thousands of simulated calls with random answer rates and talk times and reports the measured
 * abandon rate and agent utilisation.
 */

/** A predictive campaign's lines per free agent never exceed this, whatever it asks (the schema's maximum). */
export const HARD_MAX_RATIO = 10;
/** Lines per free agent at most when the campaign does not say (`pacing.ratio`). */
export const DEFAULT_MAX_RATIO = 3;
/** The abandon cap when the campaign does not say (`pacing.maxAbandonPercent`): the common regulatory 3 %. */
export const DEFAULT_MAX_ABANDON_PERCENT = 3;
/** An answered contact with no agent free within this is abandoned (the dialer's bound; Ofcom's 2 s). */
export const ABANDON_BOUND_MS = 2_000;
export const UP_PER_SECOND = 0.02;
export const DOWN_PER_SECOND = 0.05;
export const ANSWER_SAMPLES = 200;
/** The longest stretch between two decisions that counts for adapting (a paused campaign does not grow). */
const MAX_STEP_MS = 5_000;

/** The abandon rate's least denominator: one abandon reads as at most half the cap (never under 20). */
export function minLiveSample(capFraction: number): number {
  return capFraction > 0 ? Math.max(20, Math.ceil(2 / capFraction)) : 20;
}

/** For X ~ Binomial(lines, p): the expected answers beyond `agents`, E[max(0, X − agents)], and the
 *  expected live calls, E[X]. */
export function answersBeyond(lines: number, p: number, agents: number): { excess: number; live: number } {
  let pmf = (1 - p) ** lines; // P(X = 0)
  let excess = 0;
  for (let k = 0; k <= lines; k++) {
    if (k > agents) excess += (k - agents) * pmf;
    pmf = k < lines ? (pmf * (lines - k) * p) / ((k + 1) * (1 - p)) : 0;
  }
  return { excess, live: lines * p };
}

export interface PacingOptions {
  /** The campaign's `pacing.ratio`: lines per free agent at most. */
  ratio?: number;
  /** The campaign's `pacing.maxAbandonPercent`. */
  maxAbandonPercent?: number;
  /** The abandon rate's window (default 15 minutes). */
  windowMs?: number;
}

export type AttemptEnd = 'unanswered' | 'answered' | 'abandoned';

export interface PacingInput {
  /** Agents of the campaign free now (agents/agent-pool.ts `free`). */
  freeAgents: number;
  /** Contacts dialled and not yet answered or failed. */
  ringing: number;
  /** Contacts answered and waiting for an agent (within ABANDON_BOUND_MS). */
  waiting?: number;
  now: number;
}

export interface PacingStats {
  ratio: number;
  /** Answered (abandoned included) over finished attempts, recent. */
  answerRate: number;
  /** Abandoned over live calls in the window, with the least denominator. */
  abandonRate: number;
  /** At or over the cap: dialling nobody. */
  stopped: boolean;
  maxRatio: number;
}

export class Pacer {
  readonly #cap: number;
  readonly #ceiling: number;
  readonly #windowMs: number;
  #ratio = 1;
  #lastDecision: number | undefined;
  /** Whether an agent sat idle after the last decision. */
  #idle = false;
  /** The last ANSWER_SAMPLES finished attempts: picked up or not. */
  readonly #pickedUp: boolean[] = [];
  /** Live calls (answered or abandoned) in the window, oldest first. */
  readonly #live: { at: number; abandoned: boolean }[] = [];

  constructor(options: PacingOptions = {}) {
    this.#cap = Math.min(100, Math.max(0, options.maxAbandonPercent ?? DEFAULT_MAX_ABANDON_PERCENT)) / 100;
    this.#ceiling = Math.min(HARD_MAX_RATIO, Math.max(1, options.ratio ?? DEFAULT_MAX_RATIO));
    this.#windowMs = options.windowMs ?? 15 * 60_000;
  }

  /** An attempt ended (at `at`, ms since the epoch). */
  record(end: AttemptEnd, at: number): void {
    this.#pickedUp.push(end !== 'unanswered');
    if (this.#pickedUp.length > ANSWER_SAMPLES) this.#pickedUp.shift();
    if (end === 'unanswered') return;
    this.#live.push({ at, abandoned: end === 'abandoned' });
    if (end === 'abandoned') this.#ratio = 1 + (this.#ratio - 1) / 2;
  }

  /** How many contacts to dial now; adapts the ratio for the time since the last call. */
  dialsNow(input: PacingInput): number {
    const { now } = input;
    const agents = Math.max(0, input.freeAgents - (input.waiting ?? 0));
    const stats = this.stats(now);
    const dt = this.#lastDecision === undefined ? 0 : Math.min(MAX_STEP_MS, Math.max(0, now - this.#lastDecision)) / 1000;
    this.#lastDecision = now;
    if (stats.stopped) {
      this.#ratio = 1;
      this.#idle = agents > 0;
      return 0;
    }
    if (stats.abandonRate >= this.#cap / 2) this.#ratio -= DOWN_PER_SECOND * dt;
    else if (this.#idle) this.#ratio += UP_PER_SECOND * dt;
    this.#ratio = Math.min(stats.maxRatio, Math.max(1, this.#ratio));
    this.#idle = agents > 0;
    const ringing = Math.max(0, input.ringing);
    let lines = Math.floor(agents * this.#ratio + 1e-9);
    // The risk guard: no more lines than keep the expected abandons of all the lines in flight within half
    // the cap of the calls they bring (X ~ Binomial(lines, answer rate), abandons = answers beyond agents).
    const budget = this.#cap / 2;
    while (lines > ringing && lines > agents) {
      const { excess, live } = answersBeyond(lines, stats.answerRate, agents);
      if (excess <= budget * live) break;
      lines--;
    }
    return Math.max(0, lines - ringing);
  }

  get ratio(): number {
    return this.#ratio;
  }

  stats(now: number): PacingStats {
    while (this.#live.length > 0 && this.#live[0]!.at <= now - this.#windowMs) this.#live.shift();
    const picked = this.#pickedUp.filter(Boolean).length;
    const answerRate = (picked + 1) / (this.#pickedUp.length + 2);
    const abandoned = this.#live.filter((c) => c.abandoned).length;
    const abandonRate = abandoned / Math.max(this.#live.length, minLiveSample(this.#cap));
    const stopped = this.#cap > 0 ? abandonRate >= this.#cap : abandoned > 0;
    const maxRatio = this.#cap > 0 ? Math.max(1, Math.min(this.#ceiling, 1 / answerRate)) : 1;
    return { ratio: this.#ratio, answerRate, abandonRate, stopped, maxRatio };
  }
}

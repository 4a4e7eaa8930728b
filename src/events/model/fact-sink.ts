import type { Fact } from './facts.js';

/** Where the switch and messaging layers report facts (the fact recorder, in the running process).
 *  Resolves once the facts and their wire events are durable. Call order is log order: a fact recorded
 *  after another of its session is logged after it, even when the first is not durable yet, so callers
 *  need not wait between records (and resolutions come in the same order). */
export interface FactSink {
  record(...facts: Fact[]): Promise<unknown>;
}

import type { Fact } from './facts.js';

/** Where the switch and messaging layers report facts (the fact recorder, in the running process).
 *  Resolves once the facts and their wire events are durable. */
export interface FactSink {
  record(...facts: Fact[]): Promise<unknown>;
}

/**
 * One call session's fact stream: stamps every fact with the session id and a time that never goes back,
 * and hands them to the FactSink in the order the switch emits them (facts.ts header), at once: the sink
 * keeps call order (fact-sink.ts), so a fact need not wait for the previous one to be durable.
 * Recording never throws into the call: a failure is logged and the call goes on.
 */
import type { CallFact, SessionStarted } from '../events/model/facts.js';
import type { FactSink } from '../events/model/fact-sink.js';
import type { Logger } from '../log/logger.js';

/** A fact as the switch writes it: the session and time are filled in here. */
export type FactDraft = CallFact extends infer F ? (F extends CallFact ? Omit<F, 'sessionId' | 'at'> : never) : never;

/** A session's `session.started` as a plan carries it: its id and time are the session's own. */
export type SessionStart = Omit<SessionStarted, 'type' | 'sessionId' | 'at'>;

export class SessionFacts {
  #lastAt = 0;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly sessionId: string,
    readonly sink: FactSink,
    readonly log: Logger,
  ) {}

  /** Queues a fact; it is recorded after every fact queued before it. */
  record(draft: FactDraft): void {
    this.recordAt(draft);
  }

  /** `record`, returning the time the fact carries (a resource that shows the same time stores it). */
  recordAt(draft: FactDraft): number {
    const at = Math.max(Date.now(), this.#lastAt);
    this.#lastAt = at;
    const fact = { ...draft, sessionId: this.sessionId, at } as CallFact;
    this.log.debug({ fact: fact.type, legId: 'legId' in fact ? fact.legId : undefined }, 'call fact');
    const recorded = this.sink.record(fact).then(
      () => undefined,
      (err: unknown) => this.log.error({ err, fact: fact.type }, 'recording a call fact failed; the call goes on'),
    );
    this.#chain = this.#chain.then(() => recorded);
    return at;
  }

  /** Resolves once everything queued so far is recorded (or failed and was logged). */
  flush(): Promise<void> {
    return this.#chain;
  }
}

/**
 * What every session of the switch has, a Call's or an Originate's: its id, its log, its fact stream
 * (session-facts.ts) and its legs (session-legs.ts); how it rings (ringing.ts) and bridges
 * (conversation.ts) with them; and running it to its end, after which every media endpoint still open is
 * closed, every fact is recorded, and `done` resolves.
 */
import type { Logger } from '../log/logger.js';
import { newSessionId } from '../util/ids.js';
import { Conversation } from './conversation.js';
import type { ConversationOptions } from './conversation-types.js';
import { Ringing, type RingingOptions } from './ringing.js';
import type { SessionDeps } from './session-deps.js';
import { SessionFacts } from './session-facts.js';
import { SessionLegs } from './session-legs.js';

export class SwitchSession {
  readonly sessionId = newSessionId();
  readonly log: Logger;
  readonly facts: SessionFacts;
  readonly legs: SessionLegs;
  /** Resolves when the session is over and its facts are recorded. */
  readonly done: Promise<void>;
  readonly #deps: SessionDeps;
  #resolveDone!: () => void;

  /** `logFields`: what every log line of the session names besides its id (call id, SIP Call-ID). */
  constructor(deps: SessionDeps, logFields: Record<string, unknown>) {
    this.#deps = deps;
    this.log = deps.logger.child({ sessionId: this.sessionId, ...logFields });
    this.facts = new SessionFacts(this.sessionId, deps.facts, this.log);
    this.legs = new SessionLegs({ stack: deps.stack, media: deps.media, log: this.log }, this.facts);
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  ringing(options: RingingOptions = {}): Ringing {
    const d = this.#deps;
    return new Ringing({ stack: d.stack, media: d.media, facts: this.facts, log: this.log, legs: this.legs }, options);
  }

  conversation(options: Omit<ConversationOptions, 'sessionId'>): Conversation {
    const d = this.#deps;
    return new Conversation(
      { media: d.media, facts: this.facts, log: this.log, recordingUrl: d.recordingUrl, ...(d.transfer ? { transfer: d.transfer } : {}) },
      { sessionId: this.sessionId, ...options },
    );
  }

  /** Runs `body` to the session's end. Never rejects: an unexpected error is logged and `onError` tells the
   *  party what it must hear; then the session closes (`what` names it in the log: call, originate). */
  async run(what: string, body: () => Promise<void>, onError?: () => void): Promise<void> {
    try {
      await body();
    } catch (err) {
      this.log.error({ err }, `${what} failed unexpectedly`);
      onError?.();
    } finally {
      this.legs.close();
      await this.facts.flush();
      this.log.info(`${what} over`);
      this.#resolveDone();
    }
  }
}

/**
 * The report entries' side effect (spec realtime §1 "Report entry", §5.6): the fact recorder feeds it
 * every session's facts once they are durable in the log (fact-observer.ts); it keeps one CallReports
 * reducer per open session and writes the entries with `putCall` when the session ends. After a restart
 * the recorder replays a session's facts into a fresh reducer, so a call that spans the restart still
 * gets its entry. `putCall` is an upsert by id, so writing an entry again is harmless.
 * Texts are no call session: their reducer never starts and writes nothing (messaging-service.ts stores them).
 */
import type { Fact } from '../../events/model/facts.js';
import type { Logger } from '../../log/logger.js';
import type { CallRecord, Store } from '../../store/store.js';
import type { FactObserver, SessionObserver } from '../fact-observer.js';
import { CallReports } from './call-reports.js';

export class ReportWriter implements FactObserver {
  /** Writes started and not yet finished. */
  readonly #writes = new Set<Promise<void>>();

  constructor(
    readonly store: Pick<Store, 'putCall'>,
    readonly logger?: Logger,
  ) {}

  open(sessionId: string): SessionObserver {
    const reports = new CallReports();
    return {
      replay: (fact: Fact) => void reports.apply(fact),
      recorded: (fact: Fact) => {
        const records = reports.apply(fact);
        if (records.length > 0) this.#track(this.#write(sessionId, records));
      },
    };
  }

  /** Resolves once every write started so far (and any started meanwhile) has finished. */
  async flush(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
  }

  /** The same as flush: Ringside stops the store after it. */
  close(): Promise<void> {
    return this.flush();
  }

  #track(write: Promise<void>): void {
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }

  async #write(sessionId: string, records: CallRecord[]): Promise<void> {
    try {
      for (const record of records) await this.store.putCall(record);
      this.logger?.debug({ sessionId, callIds: records.map((r) => r.id) }, 'call report written');
    } catch (err) {
      this.logger?.error({ err, sessionId, callIds: records.map((r) => r.id) }, 'writing the call report failed');
    }
  }
}

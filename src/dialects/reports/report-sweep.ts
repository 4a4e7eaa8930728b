/**
 * The report entries a crash lost (docs/reliability.md): the report writer writes a session's entries only
 * after its `session.ended` is durable in the log, so a process that dies between the two leaves an ended
 * session without its entries, and the recorder never revisits an ended session. At start, each session
 * the log shows ended within the window is reduced again (call-reports.ts, the same reducer) and every
 * entry the store lacks is written. `putCall` is an upsert, so a sweep that races the writer is harmless.
 */
import type { EventLog } from '../../events/log/event-log.js';
import type { Logger } from '../../log/logger.js';
import type { Store } from '../../store/store.js';
import { CallReports } from './call-reports.js';

export interface ReportSweepOptions {
  events: Pick<EventLog, 'endedSessions' | 'sessionFacts'>;
  store: Pick<Store, 'getReportEntry' | 'putCall'>;
  /** Sessions ended at or after this time (ms since the epoch) are checked. */
  sinceMs: number;
  logger?: Logger;
}

/** Writes the missing entries; resolves with how many it wrote. A failure is logged, never thrown. */
export async function sweepMissingReports(o: ReportSweepOptions): Promise<number> {
  let written = 0;
  try {
    for (const sessionId of await o.events.endedSessions(o.sinceMs)) {
      const reports = new CallReports();
      const records = (await o.events.sessionFacts(sessionId)).flatMap((f) => reports.apply(f));
      for (const record of records) {
        if (await o.store.getReportEntry(record.accountId, record.id)) continue;
        await o.store.putCall(record);
        written++;
        o.logger?.info({ sessionId, callId: record.id }, 'call report restored from the event log');
      }
    }
  } catch (err) {
    o.logger?.error({ err }, 'the report sweep failed');
  }
  return written;
}

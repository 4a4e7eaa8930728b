import type { Fact } from '../../src/events/model/facts.js';
import type { CallRecord } from '../../src/store/store.js';
import { CallReports } from '../../src/dialects/reports/call-reports.js';

/** Every entry the reports reducer yields over a whole session's facts: a finished session's entries,
 *  none for an unfinished one. */
export function callRecords(facts: readonly Fact[]): CallRecord[] {
  const reports = new CallReports();
  return facts.flatMap((f) => reports.apply(f));
}

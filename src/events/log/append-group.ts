/**
 * Group commit for an event log: the appends waiting are taken in order into one group, up to `maxBatch`
 * facts and events (at least one append, however large), so a burst shares one write and one commit.
 */
import type { AppendBatch } from './event-log.js';

export function takeGroup<P extends { batch: AppendBatch }>(pending: P[], maxBatch: number): P[] {
  const group: P[] = [];
  let size = 0;
  while (pending.length > 0 && (group.length === 0 || size < maxBatch)) {
    const p = pending.shift()!;
    group.push(p);
    size += p.batch.facts.length + (p.batch.events?.length ?? 0);
  }
  return group;
}

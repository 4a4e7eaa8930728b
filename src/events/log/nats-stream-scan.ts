/**
 * Reads part of a stream in order: an ephemeral pull consumer (no acks, in memory, removed after) with a
 * subject filter and a start, fetched in batches without waiting (`no_wait`). JetStream 2.9 has no batched
 * direct get, and one consumer per read costs two round trips whatever the page size.
 */
import { AckPolicy, DeliverPolicy, nanos, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats';

export interface ScanOptions {
  stream: string;
  filter: string;
  /** First sequence to read (default: the stream's first). */
  startSeq?: number;
  /** Or: messages stored at or after this time (ms since the epoch). */
  startTimeMs?: number;
  /** Called per message in order; returns false to stop. */
  each(m: JsMsg): boolean | void;
}

const BATCH = 1000;

export async function scanStream(jsm: JetStreamManager, js: JetStreamClient, o: ScanOptions): Promise<void> {
  const start =
    o.startSeq !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, o.startSeq) }
      : o.startTimeMs !== undefined
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(o.startTimeMs).toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  const ci = await jsm.consumers.add(o.stream, { ...start, ack_policy: AckPolicy.None, filter_subject: o.filter, mem_storage: true, inactive_threshold: nanos(30_000) });
  try {
    let pending = ci.num_pending;
    while (pending > 0) {
      let got = 0;
      for await (const m of js.fetch(o.stream, ci.name, { batch: Math.min(BATCH, pending), no_wait: true })) {
        got++;
        pending = m.info.pending;
        if (o.each(m) === false) return;
      }
      if (got === 0) return;
    }
  } finally {
    void jsm.consumers.delete(o.stream, ci.name).catch(() => undefined);
  }
}

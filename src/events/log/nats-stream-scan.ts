/**
 * Reads part of a stream in order: an ephemeral pull consumer (no acks, in memory, removed after) with a
 * subject filter and a start, fetched in batches without waiting (`no_wait`). JetStream 2.9 has no batched
 * direct get, and one consumer per read costs two round trips whatever the page size.
 *
 * The end of the range is a batch the server ends short. Not the consumer's pending count: NATS 2.9.10
 * overestimates it for wildcard filters, and a `no_wait` pull that finds nothing while the count says
 * more waits for messages instead of answering — hence also the client-side `expires` on every pull.
 */
import { AckPolicy, DeliverPolicy, nanos, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats';

export interface ScanOptions {
  stream: string;
  /** Subject filter; none: the whole stream (exact counts, no per-subject scan). */
  filter?: string;
  /** First sequence to read (default: the stream's first). */
  startSeq?: number;
  /** Or: messages stored at or after this time (ms since the epoch). */
  startTimeMs?: number;
  /** Messages wanted per pull (default 1000): a read asks for what its page still lacks. */
  batch?(): number;
  /** Called per message in order; returns false to stop. */
  each(m: JsMsg): boolean | void;
}

const BATCH = 1000;
/** The longest a pull may wait when the server does not end it (see above). */
const PULL_EXPIRES_MS = 1000;

export async function scanStream(jsm: JetStreamManager, js: JetStreamClient, o: ScanOptions): Promise<void> {
  const start =
    o.startSeq !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, o.startSeq) }
      : o.startTimeMs !== undefined
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(o.startTimeMs).toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  const ci = await jsm.consumers.add(o.stream, { ...start, ack_policy: AckPolicy.None, ...(o.filter ? { filter_subject: o.filter } : {}), mem_storage: true, inactive_threshold: nanos(30_000) });
  try {
    // The count is never low: none pending means none.
    if (ci.num_pending === 0) return;
    for (;;) {
      const batch = Math.max(1, Math.min(BATCH, o.batch?.() ?? BATCH));
      let got = 0;
      let last = -1;
      for await (const m of js.fetch(o.stream, ci.name, { batch, no_wait: true, expires: PULL_EXPIRES_MS })) {
        got++;
        last = m.info.pending;
        if (o.each(m) === false) return;
      }
      if (got < batch || last === 0) return;
    }
  } finally {
    void jsm.consumers.delete(o.stream, ci.name).catch(() => undefined);
  }
}

/**
 * The JetStream objects one event log needs (nats-subjects.ts names them): the events stream (its sequence
 * is the log's position; the duplicate window drops a re-published event id), the facts stream (facts and
 * session markers) and the KV bucket event id → position. All on file storage. Created if missing, bound
 * if present: every node opening the log runs this, with the same configuration.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamClient, type JetStreamManager, type KV } from 'nats';
import type { LogSubjects } from './nats-subjects.js';

export interface LogStreamOptions {
  /** How long JetStream remembers a published event id (Nats-Msg-Id); default 2 minutes. Older repeats
   *  are caught by the id bucket instead. */
  duplicateWindowMs?: number;
  /** Replicas of each stream (1 on one server; 3 in a cluster for durability). */
  replicas?: number;
}

export async function ensureLogStreams(jsm: JetStreamManager, js: JetStreamClient, names: LogSubjects, o: LogStreamOptions = {}): Promise<KV> {
  const common = { storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, num_replicas: o.replicas ?? 1, allow_direct: true };
  await addOrBind(jsm, { ...common, name: names.eventsStream, subjects: names.eventSubjects, duplicate_window: nanos(o.duplicateWindowMs ?? 120_000) });
  await addOrBind(jsm, { ...common, name: names.factsStream, subjects: names.factSubjects });
  return js.views.kv(names.idBucket, { history: 1, storage: StorageType.File, replicas: o.replicas ?? 1 });
}

/** Removes the log's streams and bucket (tests; an operator resetting a cluster). */
export async function deleteLogStreams(jsm: JetStreamManager, names: LogSubjects): Promise<void> {
  for (const s of [names.eventsStream, names.factsStream, `KV_${names.idBucket}`]) {
    await jsm.streams.delete(s).catch(() => undefined);
  }
}

async function addOrBind(jsm: JetStreamManager, config: Parameters<JetStreamManager['streams']['add']>[0] & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (err) {
    // Another node created it first (same name, maybe a different config): use it as it is.
    await jsm.streams.info(config.name).catch(() => {
      throw err;
    });
  }
}

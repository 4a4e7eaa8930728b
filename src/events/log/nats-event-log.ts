/**
 * The scale-out event log on NATS JetStream (ARCHITECTURE.md "Scale-out"): the same contract as the
 * embedded SQLite log (event-log.ts), shared by every node of a cluster.
 *
 * - Wire events go to the events stream on `<prefix>.<account>.<dialect>.<session>.<name>`; a position is
 *   the events stream's sequence, gap-free because nothing else is stored there (nats-subjects.ts). Facts
 *   and the open/ended markers of sessions go to a second stream; event id → position to a KV bucket.
 * - An append resolves once JetStream acknowledged every message of it (publish acks; file storage). A
 *   server acknowledges once it has written the message, and fsyncs every `sync_interval` (2 min by
 *   default): surviving a machine's power loss takes replicas (`replicas: 3`, acked by a quorum).
 *   Appends are written in groups, one group at a time, in append order: a session's facts and events are
 *   stored in the order they were appended (one node records a session at a time: the app's ownership).
 * - A retried event is stored once: its id is the message id (Nats-Msg-Id, the stream's duplicate window),
 *   and an id already in the bucket (older than the window) is skipped before publishing.
 * - The projection (projection.ts) runs here, on the caller's thread; a session whose projector state is
 *   not here (another node recorded it before, or this node restarted) has its facts fetched first.
 * - Subscribers are fed by one ordered consumer on the events stream: every node's subscribers see every
 *   node's appends, in position order (log-subscribers.ts).
 */
import { takeGroup } from './append-group.js';
import { connect, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type KV, type NatsConnection, type PubAck } from 'nats';
import type { Fact } from '../model/facts.js';
import type { AppendBatch, EventFilter, EventLog, LogEntry, LoggedEvent, SubscribeOptions, Subscription } from './event-log.js';
import { matches } from './event-log.js';
import type { Projection, ProjectionModule } from './projection.js';
import type { Logger } from '../../log/logger.js';
import { LogClosedError } from './errors.js';
import { LogSubjects, encodeToken } from './nats-subjects.js';
import { ensureLogStreams, type LogStreamOptions } from './nats-log-streams.js';
import { scanStream } from './nats-stream-scan.js';
import { decodeEvent, encodeEvent } from './nats-event-codec.js';
import { logEntry } from './log-entry.js';
import { LogSubscribers } from './log-subscribers.js';

export interface NatsEventLogOptions extends LogStreamOptions {
  /** `nats://host:port` (or several); ignored when `connection` is given. */
  servers?: string | string[];
  /** A connection to share (the log does not close it). */
  connection?: NatsConnection;
  /** Base name of the streams and bucket: `<stream>_EVENTS`, `<stream>_FACTS`, `<stream>_IDS`. Default `RINGSIDE`. */
  stream?: string;
  /** First subject token(s). Default `ringside`. */
  prefix?: string;
  /** URL of the projection module (projection.ts), as for SqliteEventLog. */
  projection?: string;
  logger?: Logger;
  /** Upper bound on facts+events per group. */
  maxBatch?: number;
  /** This node's id: the NATS connection's name, and recorded in the open marker of every session started
   *  here (openSessionsOf: the sessions a dead node left open). */
  name?: string;
}

interface Pending {
  batch: AppendBatch;
  resolve(entries: LogEntry[]): void;
  reject(err: Error): void;
}

/** An end marker's and an open marker's bodies. */
interface OpenMarker {
  startedAt: number;
  /** The node that logged the session's start. */
  node?: string;
}
interface EndedMarker {
  endedAt: number;
}

/** How far before `sinceMs` the ended markers are read: their store time trails `session.ended`'s `at`,
 *  except for clock differences between nodes and the NATS server. */
const CLOCK_SKEW_MS = 5 * 60_000;

const encoder = new TextEncoder();

export class NatsEventLog implements EventLog {
  readonly #nc: NatsConnection;
  readonly #ownConnection: boolean;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #ids: KV;
  readonly #names: LogSubjects;
  readonly #projection: Projection | undefined;
  readonly #logger: Logger | undefined;
  readonly #maxBatch: number;
  readonly #node: string | undefined;
  readonly #subscribers: LogSubscribers;
  #pending: Pending[] = [];
  #inFlight: Pending[] = [];
  #flushScheduled = false;
  #writing: Promise<void> | undefined;
  #closed = false;
  /** Highest position this node's appends were acknowledged at. */
  #acked: number;
  /** Highest position the tail delivered. */
  #tailed: number;
  #tail: ConsumerMessages | undefined;
  #projectionOptions: unknown;

  private constructor(nc: NatsConnection, own: boolean, jsm: JetStreamManager, ids: KV, names: LogSubjects, last: number, projection: Projection | undefined, o: NatsEventLogOptions) {
    this.#nc = nc;
    this.#ownConnection = own;
    this.#js = nc.jetstream();
    this.#jsm = jsm;
    this.#ids = ids;
    this.#names = names;
    this.#acked = last;
    this.#tailed = last;
    this.#projection = projection;
    this.#logger = o.logger;
    this.#maxBatch = o.maxBatch ?? 5000;
    this.#node = o.name;
    this.#subscribers = new LogSubscribers(
      (after, filter, limit) => this.read(after, filter, limit),
      (err) => this.#logger?.error({ err }, 'event log subscriber catch-up failed'),
    );
  }

  /** Connects (unless given a connection), creates or binds the streams and bucket, starts the tail. */
  static async open(o: NatsEventLogOptions = {}): Promise<NatsEventLog> {
    const names = new LogSubjects(o.stream ?? 'RINGSIDE', o.prefix ?? 'ringside');
    const projection = o.projection ? ((await import(o.projection)) as ProjectionModule).createProjection() : undefined;
    // No async stack per request: capturing one was a third of the appending thread's time (10 requests
    // per append of 1 fact + 3 events); errors still say which request failed.
    const nc = o.connection ?? (await connect({ servers: o.servers ?? 'nats://127.0.0.1:4222', noAsyncTraces: true, ...(o.name ? { name: o.name } : {}) }));
    try {
      const jsm = await nc.jetstreamManager();
      const ids = await ensureLogStreams(jsm, nc.jetstream(), names, o);
      const last = (await jsm.streams.info(names.eventsStream)).state.last_seq;
      const log = new NatsEventLog(nc, !o.connection, jsm, ids, names, last, projection, o);
      await log.#startTail(last);
      return log;
    } catch (err) {
      if (!o.connection) await nc.close();
      throw err;
    }
  }

  /** The names this log uses (tests, tools). */
  get names(): LogSubjects {
    return this.#names;
  }

  get backlog(): number {
    return this.#pending.length + this.#inFlight.length;
  }

  configureProjection(options: unknown): void {
    this.#projectionOptions = options;
  }

  append(batch: AppendBatch): Promise<LogEntry[]> {
    if (this.#closed) return Promise.reject(new LogClosedError());
    return new Promise((resolve, reject) => {
      this.#pending.push({ batch, resolve, reject });
      if (!this.#flushScheduled && !this.#writing) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  // ---- writing: one group at a time; appends made meanwhile form the next group ----

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#writing || this.#pending.length === 0) return;
    const group = takeGroup(this.#pending, this.#maxBatch);
    this.#inFlight = group;
    this.#writing = this.#write(group)
      .catch((err: Error) => {
        for (const p of group) p.reject(err);
      })
      .finally(() => {
        this.#inFlight = [];
        this.#writing = undefined;
        if (this.#pending.length > 0) this.#flush();
      });
  }

  async #write(group: Pending[]): Promise<void> {
    if (this.#projectionOptions !== undefined) {
      this.#projection?.configure(this.#projectionOptions);
      this.#projectionOptions = undefined;
    }
    const loggedAt = Date.now();
    const work = await this.#project(group);
    // An id met earlier in this group or already in the bucket is not published again.
    const seen = new Set<string>();
    const fresh = await Promise.all(
      work.map(async (w) => {
        if (!w.events) return [];
        const own = w.events.filter((e) => !seen.has(e.id) && seen.add(e.id));
        const known = await Promise.all(own.map((e) => this.#ids.get(encodeToken(e.id)).then((kv) => kv !== null && kv.operation === 'PUT')));
        return own.filter((_, i) => !known[i]);
      }),
    ).catch((err: Error) => {
      throw new Error(`event log: checking event ids failed: ${err.message}`);
    });
    // Published in append order (one connection: JetStream stores them in that order), acks awaited together.
    const published = work.map((w, i) => (w.events ? this.#publish(w.facts, fresh[i]!, loggedAt) : undefined));
    const results = await Promise.all(published.map((p) => p?.then((r) => ({ ok: r }), (err: Error) => ({ err }))));
    const purges: Promise<unknown>[] = [];
    await Promise.all(
      results.map(async (r, i) => {
        const p = group[i]!;
        const w = work[i]!;
        if (!r || 'err' in r) return p.reject(w.error ?? r?.err ?? new Error('event log: append failed'));
        const entries: LogEntry[] = [];
        r.ok.events.forEach(({ ack, event, payloadJson }) => {
          if (ack.duplicate) return;
          entries.push(logEntry(event.route ? { ...fields(event, payloadJson, ack.seq, loggedAt), route: event.route } : fields(event, payloadJson, ack.seq, loggedAt)));
        });
        try {
          await Promise.all(entries.map((e) => this.#ids.put(encodeToken(e.id), encoder.encode(String(e.position)))));
        } catch (err) {
          return p.reject(new Error(`event log: indexing event ids failed: ${(err as Error).message}`));
        }
        for (const e of entries) this.#acked = Math.max(this.#acked, e.position);
        for (const s of r.ok.ended) purges.push(this.#jsm.streams.purge(this.#names.factsStream, { filter: this.#names.open(s) }));
        return { p, entries };
      }),
    ).then((done) => {
      // Resolved in append order, after every batch of the group is settled; durable: no longer backlog.
      this.#inFlight = [];
      for (const d of done) if (d) d.p.resolve(d.entries);
    });
    // The open marker of an ended session goes; if that fails, openSessions still sees the end marker.
    await Promise.all(purges.map((p) => p.catch((err: Error) => this.#logger?.warn({ err }, 'event log: removing an open-session marker failed'))));
  }

  /** Each batch's events: those given, then its facts' projection; a batch whose history cannot be
   *  fetched fails alone. */
  async #project(group: Pending[]): Promise<{ facts: readonly Fact[]; events?: LoggedEvent[]; error?: Error }[]> {
    const groupFacts = new Map<string, Fact[]>();
    const out: { facts: readonly Fact[]; events?: LoggedEvent[]; error?: Error }[] = [];
    for (const { batch } of group) {
      const given = batch.events ?? [];
      if (!this.#projection || batch.facts.length === 0) {
        out.push({ facts: batch.facts, events: [...given] });
        continue;
      }
      let fetched: Map<string, Fact[]>;
      try {
        fetched = await this.#historyFor(batch.facts);
      } catch (err) {
        out.push({ facts: batch.facts, error: new Error(`event log: fetching a session's facts failed: ${(err as Error).message}`) });
        continue;
      }
      // History = the session's stored facts and those of earlier batches of this group (not stored yet).
      const projected = this.#projection.project(batch.facts, (s) => [...(fetched.get(s) ?? []), ...(groupFacts.get(s) ?? [])]);
      for (const f of batch.facts) {
        const list = groupFacts.get(f.sessionId);
        if (list) list.push(f);
        else groupFacts.set(f.sessionId, [f]);
      }
      for (const e of projected.errors) this.#logger?.error({ sessionId: e.sessionId, fact: e.fact, err: e.message }, 'projection failed');
      out.push({ facts: batch.facts, events: given.length > 0 ? [...given, ...projected.events] : projected.events });
    }
    return out;
  }

  /** Stored facts of the sessions whose projector state is missing here (the projection says which). */
  async #historyFor(facts: readonly Fact[]): Promise<Map<string, Fact[]>> {
    const firsts = new Map<string, Fact>();
    for (const f of facts) if (!firsts.has(f.sessionId)) firsts.set(f.sessionId, f);
    const p = this.#projection!;
    const needed = [...firsts.values()].filter((f) => (p.needsHistory ? p.needsHistory(f) : f.type !== 'session.started')).map((f) => f.sessionId);
    return new Map(await Promise.all(needed.map(async (s) => [s, await this.sessionFacts(s)] as const)));
  }

  /** One batch's messages, published in order: the session's open marker before its start, the facts, the
   *  end marker after its end, then the events. Rejects if any is not acknowledged. */
  async #publish(facts: readonly Fact[], events: readonly LoggedEvent[], loggedAt: number): Promise<{ events: { ack: PubAck; event: LoggedEvent; payloadJson: string }[]; ended: string[] }> {
    const n = this.#names;
    const acks: Promise<PubAck>[] = [];
    const ended: string[] = [];
    for (const f of facts) {
      if (f.type === 'session.started') {
        const body: OpenMarker = this.#node !== undefined ? { startedAt: f.at, node: this.#node } : { startedAt: f.at };
        acks.push(this.#js.publish(n.open(f.sessionId), JSON.stringify(body), { msgID: `open:${f.sessionId}` }));
      }
      acks.push(this.#js.publish(n.fact(f.sessionId), JSON.stringify(f)));
      if (f.type === 'session.ended') {
        const body: EndedMarker = { endedAt: f.at };
        acks.push(this.#js.publish(n.ended(f.sessionId), JSON.stringify(body), { msgID: `ended:${f.sessionId}` }));
        ended.push(f.sessionId);
      }
    }
    const sent = events.map((event) => {
      const payloadJson = JSON.stringify(event.payload);
      return { event, payloadJson, ack: this.#js.publish(n.event(event.accountId, event.dialect, event.sessionId, event.name), encodeEvent(event, payloadJson, loggedAt), { msgID: event.id }) };
    });
    await Promise.all(acks);
    const eventAcks = await Promise.all(sent.map((s) => s.ack));
    return { events: sent.map((s, i) => ({ ack: eventAcks[i]!, event: s.event, payloadJson: s.payloadJson })), ended };
  }

  // ---- reading ----

  async read(after: number, filter: EventFilter, limit: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    if (limit <= 0) return out;
    await scanStream(this.#jsm, this.#js, {
      stream: this.#names.eventsStream,
      ...optional('filter', this.#names.eventFilter(filter)),
      startSeq: after + 1,
      batch: () => limit - out.length,
      each: (m) => {
        const e = decodeEvent(m.seq, m.data);
        if (matches(filter, e)) out.push(e);
        return out.length < limit;
      },
    });
    return out;
  }

  async positionOf(eventId: string): Promise<number | undefined> {
    const kv = await this.#ids.get(encodeToken(eventId));
    return kv && kv.operation === 'PUT' ? Number(kv.string()) : undefined;
  }

  async sessionFacts(sessionId: string): Promise<Fact[]> {
    const facts: Fact[] = [];
    await scanStream(this.#jsm, this.#js, { stream: this.#names.factsStream, filter: this.#names.fact(sessionId), each: (m) => void facts.push(m.json<Fact>()) });
    return facts;
  }

  async openSessions(): Promise<string[]> {
    return (await this.#open()).map((o) => o.sessionId);
  }

  /** Open sessions whose start was logged by this node (the `name` it opened the log with): what a node
   *  restarting under the same id, or one taking over for it, has to recover. */
  async openSessionsOf(node: string): Promise<string[]> {
    return (await this.#open()).filter((o) => o.node === node).map((o) => o.sessionId);
  }

  /** Every open session by the node that logged its start (a cluster's takeover looks for dead nodes'). */
  async openSessionsByNode(): Promise<Map<string, string[]>> {
    const byNode = new Map<string, string[]>();
    for (const o of await this.#open()) {
      const node = o.node ?? '';
      byNode.set(node, [...(byNode.get(node) ?? []), o.sessionId]);
    }
    return byNode;
  }

  /** Open markers without an ended one, oldest start first. */
  async #open(): Promise<{ sessionId: string; node: string | undefined; startedAt: number }[]> {
    const open = new Map<string, OpenMarker>();
    await scanStream(this.#jsm, this.#js, {
      stream: this.#names.factsStream,
      filter: this.#names.open(),
      each: (msg) => void open.set(this.#names.sessionOf(msg.subject), msg.json<OpenMarker>()),
    });
    // A session whose end is logged but whose open marker outlived it (the purge after the end failed).
    const ended = await Promise.all(
      [...open.keys()].map((s) =>
        this.#jsm.streams.getMessage(this.#names.factsStream, { last_by_subj: this.#names.ended(s) }).then(
          () => true,
          (err: Error) => (/no message found|not found/i.test(err.message) ? false : Promise.reject(err)),
        ),
      ),
    );
    return [...open]
      .filter((_, i) => !ended[i])
      .sort((a, b) => a[1].startedAt - b[1].startedAt)
      .map(([sessionId, m]) => ({ sessionId, node: m.node, startedAt: m.startedAt }));
  }

  async endedSessions(sinceMs: number): Promise<string[]> {
    const ended = new Map<string, number>();
    await scanStream(this.#jsm, this.#js, {
      stream: this.#names.factsStream,
      filter: this.#names.ended(),
      startTimeMs: sinceMs - CLOCK_SKEW_MS,
      each: (m) => {
        const at = m.json<EndedMarker>().endedAt;
        if (at >= sinceMs) ended.set(this.#names.sessionOf(m.subject), at);
      },
    });
    return [...ended].sort((a, b) => a[1] - b[1]).map(([s]) => s);
  }

  async lastPosition(): Promise<number> {
    return Math.max(this.#acked, this.#tailed);
  }

  // ---- live tail ----

  subscribe(options: SubscribeOptions): Subscription {
    // Live only: from what this node knows is stored (its own acknowledged appends included).
    return this.#subscribers.subscribe(options, Math.max(this.#acked, this.#tailed));
  }

  async #startTail(last: number): Promise<void> {
    const consumer = await this.#js.consumers.get(this.#names.eventsStream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last + 1 });
    this.#tail = await consumer.consume({
      callback: (m) => {
        if (m.seq <= this.#tailed) return;
        this.#tailed = m.seq;
        let entry: LogEntry;
        try {
          entry = decodeEvent(m.seq, m.data);
        } catch (err) {
          return this.#logger?.error({ err, position: m.seq }, 'event log: an event message could not be decoded');
        }
        this.#subscribers.publish(entry);
      },
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Everything appended before close is written first.
    while (this.#writing || this.#pending.length > 0) {
      if (!this.#writing) this.#flush();
      await this.#writing;
    }
    this.#subscribers.closeAll();
    await this.#tail?.close();
    if (this.#ownConnection) await this.#nc.close();
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [k in K]: V });
}

function fields(e: LoggedEvent, payloadJson: string, position: number, loggedAt: number) {
  return { position, id: e.id, dialect: e.dialect, name: e.name, sessionId: e.sessionId, accountId: e.accountId, userIds: e.userIds, loggedAt, payloadJson };
}

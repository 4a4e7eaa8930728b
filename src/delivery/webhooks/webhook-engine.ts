/**
 * The durable webhook delivery engine (docs/webhooks.md).
 *
 * Feeding: the engine reads the event log page by page from the position it has fed up to (kept in the
 * outbox), and for each event and each matching subscription of the event's account (same dialect; name
 * in the subscription's `events`, or `events` empty) inserts one outbox row; rows and the new position are
 * committed together. A live log subscription only wakes the feeder, so a long backlog never sits in memory.
 *
 * Delivering: per subscription, rows are grouped into lanes by session. Only the head of a lane is ever in
 * flight, and it leaves the lane only once acknowledged (row deleted, durably) or dead-lettered: events of
 * one session arrive strictly in order; lanes (sessions) run in parallel, bounded per endpoint origin and
 * overall (OriginLimiter). In memory: at most `windowPerSubscription` rows per subscription, at most
 * `maxQueuedPerSession` of them per session (the rest are read again from the outbox as the lane drains).
 *
 * Voice-API callbacks: besides subscriptions, a voice-API (bandwidth) event of a call goes to that call's own
 * callback target (spec bandwidth §1.1), addressed as `voice-call:<callId>` and resolved from the store at
 * every attempt (callback-router.ts), with the call's own request timeout (spec bandwidth §1.2). Each such
 * target has its own dispatcher, so a callback URL that is down holds back only its call; a dispatcher
 * left idle and empty is dropped, so memory does not grow with the number of calls.
 *
 * Attempts: one request to the primary URL; when it fails and the subscription has a `fallbackUrl`, the
 * same event is sent once, immediately, to the fallback. A 2xx from either acknowledges the event. When
 * both answered with a permanent failure (4xx other than 408/429, 3xx) the event is dead-lettered at once;
 * otherwise it is retried with exponential backoff and full jitter, honouring Retry-After, until
 * `giveUpAfterMs` after its first attempt (retry-policy.ts). Guarantee: at least once, ordered per session
 * per subscription; an acknowledged event is never sent again (receivers deduplicate by event id for the
 * rare resend of an event whose acknowledgement was not yet committed when the process died).
 *
 * Cluster (docs/scale-out.md): with a `lease`, only the node holding it feeds and delivers; the others stand
 * by and take over once it expires. A term starts from the outbox (feed position, pending rows) exactly as
 * a restart does; when a renewal fails or comes too late the node stops delivering at once, before another
 * can take over. The event in flight on a node that died may be sent again by the next one (at least once).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { EventLog, LogEntry, Subscription } from '../../events/log/event-log.js';
import type { Store, WebhookRecord } from '../../store/store.js';
import type { AttemptRecord, NewOutboxRow, OutboxRow, WebhookOutbox } from '../../store/webhook-outbox.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { packageInfo } from '../../util/package-info.js';
import { buildRequest, originOf, redact, InvalidTargetError, type BuiltRequest, type DeliveryEvent } from './request-builder.js';
import { DEFAULT_RETRY, nextAttemptAt, type AttemptOutcome, type RetryOptions } from './retry-policy.js';
import { HttpSender, type SendResult } from './http-sender.js';
import { OriginLimiter } from './origin-limiter.js';
import { CallbackRouter, isRoutedTargetId, type Resolution, type ResolvedTarget } from './callback-router.js';

export interface WebhookEngineOptions extends Partial<RetryOptions> {
  /** The event log the outbox is fed from. */
  events: EventLog;
  /** Where the subscriptions are (listWebhooks), and the voice-API calls' callbacks (getVoiceResource). */
  store: Store;
  outbox: WebhookOutbox;
  /** Where the engine reports what it does (pino); silent by default. */
  logger?: Logger;
  /** Per request (primary and fallback each), default 10 000 ms (spec teltel §1, bandwidth §1.2). */
  requestTimeoutMs?: number;
  /** Requests in flight to one origin (scheme://host:port), default 8. */
  maxConcurrentPerOrigin?: number;
  /** Requests in flight overall, default 256. */
  maxConcurrent?: number;
  /** Outbox rows held in memory per subscription, default 1000. */
  windowPerSubscription?: number;
  /** Of those, rows held per session, default 20. */
  maxQueuedPerSession?: number;
  /** Log entries read per feeding step, default 500. */
  feedPageSize?: number;
  /** How long a subscription list read from the store is reused, default 5000 ms (REST changes
   *  invalidate it at once). */
  subscriptionCacheMs?: number;
  /** On stop, how long in-flight requests may finish before they are aborted, default 5000 ms. */
  stopGraceMs?: number;
  /** Where feeding starts the very first time (no fed position yet): the log's end (default: events
   *  logged before the engine ever ran are not delivered) or its beginning. */
  startAt?: 'end' | 'beginning';
  /** User-Agent product token, default `Ringside/<version>`. */
  userAgent?: string;
  /** Source of jitter (tests). */
  random?: () => number;
  /** Several nodes, one delivering: feed and deliver only while holding this lease (absent: always). */
  lease?: DeliveryLease;
  /** How often the lease is renewed (and taken by a standby), default a third of its TTL. */
  leaseRenewMs?: number;
}

/** A lease that picks the one delivering node of a cluster (store/postgres-lease.ts provides one). */
export interface DeliveryLease {
  /** How long a successful `acquire` holds the lease, counted from the call. */
  readonly ttlMs: number;
  /** Takes the lease when free or expired, renews it when this node has it; true when held. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface WebhookEngineStats {
  /** This node feeds and delivers now (with a lease: holds it; without: started and not stopped). */
  delivering: boolean;
  fedPosition: number;
  delivered: number;
  retried: number;
  deadLettered: number;
  inFlight: number;
  rowsInMemory: number;
  lanes: number;
  /** Subscriptions and voice-API callback targets with rows in memory or being read (idle ones are dropped). */
  dispatchers: number;
}

export interface PingResult {
  url: string;
  ok: boolean;
  status?: number;
  durationMs: number;
  error?: string;
}

interface Lane {
  sessionId: string;
  rows: OutboxRow[];
  /** Id of the last row of this lane loaded into memory. */
  lastId: number;
  /** Set when rows of this lane at or below the dispatcher's `loadedUpTo` were left in the outbox. */
  overflow: boolean;
  busy: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

const WAKE_RETRY_MS = 1000;

/** How long a feed position moved by pages without rows may stay unsaved (#saveFed). */
const FED_SAVE_MS = 1000;

export class WebhookEngine {
  readonly #o: Required<Omit<WebhookEngineOptions, keyof RetryOptions | 'logger' | 'random' | 'lease' | 'leaseRenewMs'>>;
  readonly #retry: RetryOptions;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #limiter: OriginLimiter;
  readonly #sender: HttpSender;
  readonly #router: CallbackRouter;
  readonly #dispatchers = new Map<string, Dispatcher>();
  readonly #hooks = new Map<string, { at: number; hooks: Map<string, WebhookRecord> }>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Aborts the requests of the current term (one per engine without a lease). */
  #abort = new AbortController();
  #subscription?: Subscription;
  #feeding?: Promise<void>;
  #fed = 0;
  /** Set while #fed is ahead of the saved feed position: pages no subscription wanted move it in memory
   *  only, and this timer saves it within FED_SAVE_MS (also saved by the next page with rows, and at stop). */
  #fedSave?: NodeJS.Timeout;
  #wake?: () => void;
  #woken = false;
  /** Entries the log published live, kept so feeding need not read back what it was just handed. */
  #live: LogEntry[] = [];
  #running = false;
  /** stop() was called: the engine is done for good. */
  #stopped = false;
  /** Feeding and delivering (a term: the engine's whole run, or one holding of the lease). */
  #active = false;
  /** The current term is ending (or none has begun): feeding and dispatchers wind down. */
  #stopping = false;
  readonly #lease: DeliveryLease | undefined;
  readonly #leaseRenewMs: number;
  #leaseTimer?: NodeJS.Timeout;
  /** Fires when the lease would expire unrenewed (less a margin): the term ends first. */
  #leaseDeadline?: NodeJS.Timeout;
  /** The lease request under way, if any (stop() waits for it before releasing). */
  #leaseTicking?: Promise<void>;
  /** Term changes (activate, deactivate) run one after another. */
  #terms: Promise<void> = Promise.resolve();
  readonly #stats = { delivered: 0, retried: 0, deadLettered: 0 };

  constructor(options: WebhookEngineOptions) {
    this.#o = {
      events: options.events,
      store: options.store,
      outbox: options.outbox,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      maxConcurrentPerOrigin: options.maxConcurrentPerOrigin ?? 8,
      maxConcurrent: options.maxConcurrent ?? 256,
      windowPerSubscription: options.windowPerSubscription ?? 1000,
      maxQueuedPerSession: options.maxQueuedPerSession ?? 20,
      feedPageSize: options.feedPageSize ?? 500,
      subscriptionCacheMs: options.subscriptionCacheMs ?? 5000,
      stopGraceMs: options.stopGraceMs ?? 5000,
      startAt: options.startAt ?? 'end',
      userAgent: options.userAgent ?? `Ringside/${packageInfo().version}`,
    };
    this.#retry = {
      initialDelayMs: options.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
      factor: options.factor ?? DEFAULT_RETRY.factor,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
      giveUpAfterMs: options.giveUpAfterMs ?? DEFAULT_RETRY.giveUpAfterMs,
      maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    };
    this.#logger = options.logger ?? silentLogger();
    this.#random = options.random ?? Math.random;
    this.#limiter = new OriginLimiter(this.#o.maxConcurrentPerOrigin, this.#o.maxConcurrent);
    this.#sender = new HttpSender(this.#o.maxConcurrentPerOrigin);
    this.#router = new CallbackRouter(options.store);
    this.#lease = options.lease;
    this.#leaseRenewMs = options.leaseRenewMs ?? Math.max(1, Math.floor((options.lease?.ttlMs ?? 0) / 3));
    // A term ends a fifth of the TTL before the lease would expire: renewals must come more often than that.
    if (options.lease && this.#leaseRenewMs >= (options.lease.ttlMs * 4) / 5) throw new RangeError(`leaseRenewMs (${this.#leaseRenewMs}) must be under four fifths of the lease TTL (${options.lease.ttlMs} ms)`);
    // Every request in flight listens for the stop signal: bounded by maxConcurrent, not a leak.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Resumes feeding from the persisted position and delivery of every pending row (with a lease: once
   *  this node holds it; start() tries once and then keeps trying every `leaseRenewMs`). */
  async start(): Promise<void> {
    if (this.#stopped) throw new Error('a stopped WebhookEngine cannot be started again; make a new one');
    if (this.#running) return;
    this.#running = true;
    if (!this.#lease) return this.#activate();
    await this.#leaseTick();
    this.#leaseTimer = setInterval(() => void this.#leaseTick(), this.#leaseRenewMs);
  }

  /** Stops feeding and delivering: in-flight requests get `stopGraceMs` to finish (and be acknowledged),
   *  then are aborted; aborted attempts stay pending and are sent again after a restart. A held lease is
   *  released, so a standby takes over at once. */
  async stop(): Promise<void> {
    if (!this.#running || this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#leaseTimer);
    clearTimeout(this.#leaseDeadline);
    await this.#term(async () => {
      if (this.#active || !this.#lease) await this.#deactivate(this.#o.stopGraceMs);
    });
    await this.#leaseTicking;
    await this.#lease?.release().catch((err: unknown) => this.#logger.error({ err }, 'releasing the webhook delivery lease failed'));
    this.#sender.close();
    this.#running = false;
    this.#logger.info({ ...this.stats }, 'webhook delivery stopped');
  }

  /** Begins a term: subscribe, resume feeding from the stored position, resume every pending row. */
  async #activate(): Promise<void> {
    const { events, outbox } = this.#o;
    this.#active = true;
    this.#stopping = false;
    if (this.#abort.signal.aborted) {
      this.#abort = new AbortController();
      setMaxListeners(0, this.#abort.signal);
    }
    this.#live = [];
    // Subscribe before the first read so no append between the two goes unnoticed.
    this.#subscription = events.subscribe({
      filter: {},
      onEntry: (e) => {
        // Bounded: past a page's worth the feeder reads from the log instead.
        if (this.#live.length < this.#o.feedPageSize * 4) this.#live.push(e);
        this.#signal();
      },
    });
    let fed = await outbox.feedPosition();
    if (fed === undefined) {
      fed = this.#o.startAt === 'beginning' ? 0 : await events.lastPosition();
      await outbox.feed([], fed);
    }
    this.#fed = fed;
    for (const { accountId, webhookId } of await outbox.pendingSubscriptions()) this.#dispatcher(accountId, webhookId).notify();
    this.#feeding = this.#feedLoop();
    this.#logger.info({ fedPosition: fed, ...(await outbox.counts()) }, this.#lease ? 'webhook delivery started: this node holds the lease' : 'webhook delivery started');
  }

  /** Ends a term: feeding stops, in-flight requests get `graceMs`, then are aborted (their rows stay
   *  pending). */
  async #deactivate(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#subscription?.close();
    this.#subscription = undefined;
    this.#signal();
    for (const d of this.#dispatchers.values()) d.clearTimers();
    await this.#feeding?.catch(() => undefined);
    this.#feeding = undefined;
    await this.#saveFed();
    if (this.#inFlight.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.#abort.abort();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.#active = false;
  }

  #term(change: () => Promise<void>): Promise<void> {
    const next = this.#terms.then(change);
    this.#terms = next.catch(() => undefined);
    return next;
  }

  // ---- lease (cluster) -------------------------------------------------------------------------

  /** Renews or takes the lease; begins a term when it is newly held, ends it when it is lost. */
  #leaseTick(): Promise<void> {
    if (this.#leaseTicking || this.#stopped) return this.#leaseTicking ?? Promise.resolve();
    const tick = this.#renewLease().finally(() => (this.#leaseTicking = undefined));
    this.#leaseTicking = tick;
    return tick;
  }

  async #renewLease(): Promise<void> {
    const lease = this.#lease!;
    try {
      const askedAt = Date.now();
      let held: boolean;
      try {
        // A request that hangs (a dead connection) must not stop later renewals: give up after the TTL.
        let timer: NodeJS.Timeout | undefined;
        held = await Promise.race([
          lease.acquire().finally(() => clearTimeout(timer)),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${lease.ttlMs} ms`)), lease.ttlMs))),
        ]);
      } catch (err) {
        // Unknown: the deadline timer ends the term if no later renewal succeeds in time.
        this.#logger.error({ err }, 'renewing the webhook delivery lease failed');
        return;
      }
      await this.#term(async () => {
        if (this.#stopped) return;
        if (!held) {
          if (this.#active) {
            this.#logger.warn('webhook delivery lease lost: this node stops delivering');
            await this.#lose();
          }
          return;
        }
        this.#armLeaseDeadline(askedAt + lease.ttlMs);
        if (!this.#active) {
          try {
            await this.#activate();
          } catch (err) {
            this.#logger.error({ err }, 'starting webhook delivery failed; retrying at the next lease renewal');
            await this.#lose();
          }
          return;
        }
        // Rows another node inserted (a dead letter replayed through its REST API) wake no dispatcher here.
        for (const { accountId, webhookId } of await this.#o.outbox.pendingSubscriptions()) this.#dispatcher(accountId, webhookId).notify();
      });
    } catch (err) {
      this.#logger.error({ err }, 'webhook delivery lease renewal failed');
    }
  }

  /** The lease ends at `expiresAt` (local clock, counted from the request) unless renewed; stop delivering
   *  a margin before that, so no two nodes ever deliver at once (a fifth of the TTL). */
  #armLeaseDeadline(expiresAt: number): void {
    clearTimeout(this.#leaseDeadline);
    const at = expiresAt - this.#lease!.ttlMs / 5;
    this.#leaseDeadline = setTimeout(
      () =>
        void this.#term(async () => {
          if (!this.#active || this.#stopped || Date.now() < at) return;
          this.#logger.warn('webhook delivery lease not renewed in time: this node stops delivering');
          await this.#lose();
        }),
      Math.max(0, at - Date.now()),
    );
  }

  /** Ends the term without grace (another node may take over soon) and forgets what was in memory: the
   *  next term reads it all again from the outbox. */
  async #lose(): Promise<void> {
    clearTimeout(this.#leaseDeadline);
    await this.#deactivate(0);
    for (const d of this.#dispatchers.values()) d.reset();
    this.#dispatchers.clear();
  }

  get stats(): WebhookEngineStats {
    let rows = 0;
    let lanes = 0;
    for (const d of this.#dispatchers.values()) {
      rows += d.rowsInMemory;
      lanes += d.laneCount;
    }
    return { delivering: this.#active && !this.#stopping, fedPosition: this.#fed, ...this.#stats, inFlight: this.#limiter.active, rowsInMemory: rows, lanes, dispatchers: this.#dispatchers.size };
  }

  /** Forget the cached subscriptions of an account (after a REST change). */
  invalidate(accountId: string): void {
    this.#hooks.delete(accountId);
  }

  /** A subscription was deleted: its pending events and dead letters go with it. */
  async subscriptionDeleted(accountId: string, webhookId: string): Promise<number> {
    this.invalidate(accountId);
    const key = dispatcherKey(accountId, webhookId);
    this.#dispatchers.get(key)?.reset();
    this.#dispatchers.delete(key);
    return this.#o.outbox.purgeSubscription(accountId, webhookId);
  }

  listDeadLetters(accountId: string, query: { webhookId?: string; after?: number; limit: number }): Promise<OutboxRow[]> {
    return this.#o.outbox.listDeadLetters(accountId, query);
  }

  /** Sends dead letters again (as new pending rows, after the session's queued events). */
  async replay(accountId: string, ids: readonly number[]): Promise<OutboxRow[]> {
    const rows = await this.#o.outbox.replay(accountId, ids);
    this.#notifyRows(rows);
    return rows;
  }

  async replayAll(accountId: string, webhookId: string | undefined, limit = 10_000): Promise<OutboxRow[]> {
    const rows = await this.#o.outbox.replayAll(accountId, webhookId, limit);
    this.#notifyRows(rows);
    return rows;
  }

  discardDeadLetter(accountId: string, id: number): Promise<boolean> {
    return this.#o.outbox.discardDeadLetter(accountId, id);
  }

  /** Sends a synthetic `ping` event to the subscription's URL (and its fallback, if any), once each, and
   *  reports what the receivers answered. Not logged, not retried, not dead-lettered. */
  async ping(hook: WebhookRecord): Promise<{ eventId: string; primary: PingResult; fallback?: PingResult }> {
    const id = randomUUID();
    const payload = JSON.stringify({ event: 'ping', id, webhook_id: hook.id, account_id: hook.accountId, dialect: hook.dialect, timestamp: new Date().toISOString() });
    const event: DeliveryEvent = { id, name: 'ping', payload };
    const one = async (url: string): Promise<PingResult> => {
      const res = await this.#sendOnce(hook, url, event, 1);
      const r: PingResult = { url: redact(url), ok: res.outcome.kind === 'ok', durationMs: res.durationMs };
      if (res.outcome.status !== undefined) r.status = res.outcome.status;
      if (res.outcome.kind !== 'ok') r.error = res.outcome.error;
      return r;
    };
    const primary = await one(hook.url);
    return hook.fallbackUrl ? { eventId: event.id, primary, fallback: await one(hook.fallbackUrl) } : { eventId: event.id, primary };
  }

  // ---- feeding ---------------------------------------------------------------------------------

  #signal(): void {
    this.#woken = true;
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** The next page from the live entries when they continue exactly where feeding stands (positions
   *  are gap-free), else undefined: read it from the log. */
  #livePage(): LogEntry[] | undefined {
    const live = this.#live;
    let i = 0;
    while (i < live.length && live[i]!.position <= this.#fed) i++;
    if (i > 0) live.splice(0, i);
    if (live.length === 0 || live[0]!.position !== this.#fed + 1) {
      live.length = 0;
      return undefined;
    }
    let n = 1;
    while (n < live.length && n < this.#o.feedPageSize && live[n]!.position === live[n - 1]!.position + 1) n++;
    return live.splice(0, n);
  }

  async #feedLoop(): Promise<void> {
    while (!this.#stopping) {
      this.#woken = false;
      try {
        const page = this.#livePage() ?? (await this.#o.events.read(this.#fed, {}, this.#o.feedPageSize));
        if (page.length === 0) {
          if (!this.#woken && !this.#stopping) await new Promise<void>((r) => (this.#wake = r));
          continue;
        }
        await this.#feedPage(page);
      } catch (err) {
        if (this.#stopping) return;
        this.#logger.error({ err, fedPosition: this.#fed }, 'webhook feeding failed; retrying');
        await new Promise<void>((r) => {
          const t = setTimeout(r, WAKE_RETRY_MS);
          this.#wake = () => (clearTimeout(t), r());
        });
      }
    }
  }

  async #feedPage(page: LogEntry[]): Promise<void> {
    const rows: NewOutboxRow[] = [];
    const routed = await this.#router.targetsFor(page);
    for (const [i, e] of page.entries()) {
      const row = (webhookId: string) => rows.push({ accountId: e.accountId, webhookId, sessionId: e.sessionId, eventId: e.id, position: e.position, dialect: e.dialect, name: e.name, payload: e.payloadJson });
      const hooks = await this.#hooksFor(e.accountId);
      for (const h of hooks.values()) {
        if (h.dialect !== e.dialect || (h.events.length > 0 && !h.events.includes(e.name))) continue;
        row(h.id);
      }
      // spec bandwidth §1.1: the call's own callback target, subscriptions or not.
      const target = routed[i];
      if (target !== undefined) row(target);
    }
    const last = page[page.length - 1]!.position;
    if (rows.length === 0) {
      // Nothing to deliver (the common case without subscriptions): no outbox transaction per page.
      this.#fed = last;
      this.#fedSave ??= setTimeout(() => void this.#saveFed(), FED_SAVE_MS).unref();
      return;
    }
    clearTimeout(this.#fedSave);
    this.#fedSave = undefined;
    const stored = await this.#o.outbox.feed(rows, last);
    this.#fed = last;
    this.#notifyRows(stored);
  }

  /** Saves a feed position that moved without rows (#fedSave). After a crash feeding restarts from the
   *  saved one: at most FED_SAVE_MS of entries are fed again, and they gave no rows then. */
  async #saveFed(): Promise<void> {
    if (!this.#fedSave) return;
    clearTimeout(this.#fedSave);
    this.#fedSave = undefined;
    try {
      await this.#o.outbox.feed([], this.#fed);
    } catch (err) {
      this.#logger.error({ err, fedPosition: this.#fed }, 'saving the feed position failed');
    }
  }

  #notifyRows(rows: readonly OutboxRow[]): void {
    // A standby leaves its rows to the node holding the lease (#leaseTick looks for them).
    if (this.#lease && !this.#active) return;
    const seen = new Set<string>();
    for (const r of rows) {
      const key = dispatcherKey(r.accountId, r.webhookId);
      if (seen.has(key)) continue;
      seen.add(key);
      this.#dispatcher(r.accountId, r.webhookId).notify();
    }
  }

  async #hooksFor(accountId: string): Promise<Map<string, WebhookRecord>> {
    const cached = this.#hooks.get(accountId);
    if (cached && Date.now() - cached.at < this.#o.subscriptionCacheMs) return cached.hooks;
    const hooks = new Map((await this.#o.store.listWebhooks(accountId)).map((h) => [h.id, h]));
    this.#hooks.set(accountId, { at: Date.now(), hooks });
    return hooks;
  }

  #dispatcher(accountId: string, webhookId: string): Dispatcher {
    const key = dispatcherKey(accountId, webhookId);
    let d = this.#dispatchers.get(key);
    if (!d) {
      // A routed target is one call (one session): its window is one session's share.
      const window = isRoutedTargetId(webhookId) ? Math.min(this.#o.maxQueuedPerSession, this.#o.windowPerSubscription) : this.#o.windowPerSubscription;
      const created: Dispatcher = new Dispatcher(accountId, webhookId, this.#o.outbox, window, this.#o.maxQueuedPerSession, {
        attempt: (row) => this.#attempt(row),
        stopping: () => this.#stopping,
        onError: (err) => this.#logger.error({ err, accountId, webhookId }, 'webhook outbox read failed'),
        // Nothing in memory and nothing more in the outbox: forget it (the next rows make a new one).
        idle: () => {
          if (this.#dispatchers.get(key) === created) this.#dispatchers.delete(key);
        },
      });
      d = created;
      this.#dispatchers.set(key, d);
    }
    return d;
  }

  // ---- delivering ------------------------------------------------------------------------------

  /** One attempt for a lane's head row: primary, then fallback. Resolves with what became of the row:
   *  'done' (acknowledged or dead-lettered), 'retry' (attempt recorded, row stays), 'stopped'. */
  #attempt(row: OutboxRow): Promise<'done' | 'retry' | 'stopped'> {
    const p = this.#attemptInner(row);
    const tracked = p.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(tracked);
    void tracked.then(() => this.#inFlight.delete(tracked));
    return p;
  }

  async #attemptInner(row: OutboxRow): Promise<'done' | 'retry' | 'stopped'> {
    const ctx = { accountId: row.accountId, webhookId: row.webhookId, sessionId: row.sessionId, eventId: row.eventId, event: row.name };
    const resolved = await this.#resolve(row.accountId, row.webhookId);
    const now = Date.now();
    const attempt = row.attempts + 1;
    const first = row.firstAttemptAt ?? now;
    if (!resolved.ok) {
      await this.#o.outbox.deadLetter(row.id, { attempts: row.attempts, nextAttemptAt: now, firstAttemptAt: first, lastAttemptAt: now, lastError: resolved.reason });
      this.#stats.deadLettered++;
      this.#logger.warn({ ...ctx, error: resolved.reason }, 'webhook dead-lettered: no target');
      return 'done';
    }
    const hook = resolved.target;
    const event: DeliveryEvent = { id: row.eventId, name: row.name, payload: row.payload };
    const outcomes: { url: string; outcome: AttemptOutcome }[] = [];
    for (const url of hook.fallbackUrl ? [hook.url, hook.fallbackUrl] : [hook.url]) {
      if (this.#stopping && this.#abort.signal.aborted) return 'stopped';
      const res = await this.#sendOnce(hook, url, event, attempt);
      if (this.#abort.signal.aborted && res.outcome.kind !== 'ok') return 'stopped';
      outcomes.push({ url, outcome: res.outcome });
      if (res.outcome.kind === 'ok') {
        await this.#o.outbox.acknowledge(row.id);
        this.#stats.delivered++;
        this.#logger.debug({ ...ctx, url: redact(url), status: res.outcome.status, attempt, ms: res.durationMs }, 'webhook delivered');
        return 'done';
      }
    }
    const at = Date.now();
    const permanent = outcomes.every((o) => o.outcome.kind === 'permanent');
    const retryAfter = Math.max(0, ...outcomes.map((o) => (o.outcome.kind === 'retryable' ? (o.outcome.retryAfterMs ?? 0) : 0)));
    const next = permanent ? undefined : nextAttemptAt(attempt, first, at, retryAfter || undefined, this.#retry, this.#random);
    const lastOutcome = outcomes[outcomes.length - 1]!.outcome;
    const record: AttemptRecord = {
      attempts: attempt,
      nextAttemptAt: next ?? at,
      firstAttemptAt: first,
      lastAttemptAt: at,
      lastError: outcomes.map((o, i) => `${i === 0 ? 'primary' : 'fallback'}: ${o.outcome.kind === 'ok' ? 'ok' : o.outcome.error}`).join('; '),
    };
    if (lastOutcome.status !== undefined) record.lastStatus = lastOutcome.status;
    if (next === undefined) {
      await this.#o.outbox.deadLetter(row.id, record);
      this.#stats.deadLettered++;
      this.#logger.warn({ ...ctx, attempts: attempt, error: record.lastError, permanent }, 'webhook dead-lettered');
      return 'done';
    }
    await this.#o.outbox.recordAttempt(row.id, record);
    Object.assign(row, record);
    this.#stats.retried++;
    this.#logger.info({ ...ctx, attempt, error: record.lastError, retryInMs: next - at }, 'webhook attempt failed; will retry');
    return 'retry';
  }

  /** The subscription, or the voice-API callback target (callback-router.ts), a row is for. */
  async #resolve(accountId: string, webhookId: string): Promise<Resolution> {
    if (isRoutedTargetId(webhookId)) return this.#router.resolve(accountId, webhookId);
    const hook = (await this.#hooksFor(accountId)).get(webhookId);
    return hook ? { ok: true, target: hook } : { ok: false, reason: 'the subscription no longer exists' };
  }

  async #sendOnce(hook: ResolvedTarget, url: string, event: DeliveryEvent, attempt: number): Promise<SendResult> {
    let built: BuiltRequest;
    try {
      built = buildRequest({ url, method: hook.method, dialect: hook.dialect, ...(hook.secret ? { secret: hook.secret } : {}) }, event, {
        timestamp: Math.floor(Date.now() / 1000),
        attempt,
        userAgent: this.#o.userAgent,
      });
    } catch (err) {
      if (err instanceof InvalidTargetError) return { outcome: { kind: 'permanent', error: err.message } as AttemptOutcome, durationMs: 0 };
      throw err;
    }
    const release = await this.#limiter.acquire(originOf(built.url));
    try {
      if (this.#abort.signal.aborted) return { outcome: { kind: 'retryable', error: 'aborted: delivery engine stopping' } as AttemptOutcome, durationMs: 0 };
      return await this.#sender.send(built, hook.timeoutMs ?? this.#o.requestTimeoutMs, this.#abort.signal);
    } finally {
      release();
    }
  }
}

function dispatcherKey(accountId: string, webhookId: string): string {
  return `${accountId}\u0000${webhookId}`;
}

interface DispatcherHost {
  attempt(row: OutboxRow): Promise<'done' | 'retry' | 'stopped'>;
  stopping(): boolean;
  onError(err: unknown): void;
  /** The dispatcher holds nothing and the outbox had nothing more for it: it may be forgotten. */
  idle(): void;
}

/** One subscription's lanes (one per session) and its bounded window onto the outbox. */
class Dispatcher {
  /** Highest outbox id scanned for this subscription. */
  #loadedUpTo = 0;
  #lanes = new Map<string, Lane>();
  #rows = 0;
  /** The last scan reached the end of the outbox: nothing more until notified. */
  #exhausted = false;
  #loading = false;
  #again = false;
  #gone = false;
  /** A failed outbox read is tried again by this timer. */
  #retryTimer?: NodeJS.Timeout;

  constructor(
    readonly accountId: string,
    readonly webhookId: string,
    private readonly outbox: WebhookOutbox,
    private readonly window: number,
    private readonly perSession: number,
    private readonly host: DispatcherHost,
  ) {}

  get rowsInMemory(): number {
    return this.#rows;
  }
  get laneCount(): number {
    return this.#lanes.size;
  }

  /** New rows may be in the outbox. */
  notify(): void {
    this.#exhausted = false;
    void this.#fill();
  }

  clearTimers(): void {
    for (const l of this.#lanes.values()) if (l.timer) clearTimeout(l.timer);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  reset(): void {
    this.clearTimers();
    this.#gone = true;
    this.#lanes.clear();
    this.#rows = 0;
  }

  /** Loads rows into lanes (serialised: one fill at a time, repeated while asked for). */
  async #fill(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return;
    }
    this.#loading = true;
    try {
      do {
        this.#again = false;
        if (this.#gone || this.host.stopping()) return;
        // Lanes that were cut short and have drained: read their next rows (up to loadedUpTo).
        for (const lane of this.#lanes.values()) {
          if (!lane.overflow || lane.rows.length > 0) continue;
          const limit = Math.min(this.perSession, this.window - this.#rows);
          if (limit <= 0) break;
          const rows = await this.outbox.pending(this.accountId, this.webhookId, lane.lastId, limit, { sessionId: lane.sessionId, upTo: this.#loadedUpTo });
          if (this.#gone) return;
          lane.overflow = rows.length === limit;
          for (const r of rows) this.#push(lane, r);
          if (lane.rows.length === 0) this.#lanes.delete(lane.sessionId);
          else this.#kick(lane);
        }
        while (!this.#exhausted && this.#rows < this.window) {
          const limit = Math.min(500, this.window - this.#rows);
          const rows = await this.outbox.pending(this.accountId, this.webhookId, this.#loadedUpTo, limit);
          if (this.#gone) return;
          for (const r of rows) {
            this.#loadedUpTo = r.id;
            let lane = this.#lanes.get(r.sessionId);
            if (!lane) {
              lane = { sessionId: r.sessionId, rows: [], lastId: 0, overflow: false, busy: false };
              this.#lanes.set(r.sessionId, lane);
            }
            if (lane.overflow || lane.rows.length >= this.perSession) {
              lane.overflow = true;
              continue;
            }
            this.#push(lane, r);
            if (lane.rows.length === 1) this.#kick(lane);
          }
          if (rows.length < limit) this.#exhausted = true;
        }
      } while (this.#again);
    } catch (err) {
      this.host.onError(err);
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.notify();
      }, WAKE_RETRY_MS).unref();
    } finally {
      this.#loading = false;
      this.#dropIfIdle();
    }
  }

  /** Idle: no lane (so nothing in flight, no retry timer), the last scan found the outbox's end, no read
   *  running or asked for. Rows fed later notify a new dispatcher, which scans the outbox afresh. */
  #dropIfIdle(): void {
    if (this.#gone || this.#loading || this.#again || !this.#exhausted || this.#lanes.size > 0 || this.#retryTimer || this.host.stopping()) return;
    this.#gone = true;
    this.host.idle();
  }

  #push(lane: Lane, r: OutboxRow): void {
    lane.rows.push(r);
    lane.lastId = r.id;
    this.#rows++;
  }

  /** Starts the lane's head if it is due and idle; otherwise arms a timer for when it is due. */
  #kick(lane: Lane): void {
    if (lane.busy || this.#gone || this.host.stopping()) return;
    const head = lane.rows[0];
    if (!head) return;
    const wait = head.nextAttemptAt - Date.now();
    if (wait > 0) {
      if (lane.timer && lane.timerAt === head.nextAttemptAt) return;
      if (lane.timer) clearTimeout(lane.timer);
      lane.timerAt = head.nextAttemptAt;
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        this.#kick(lane);
      }, wait);
      return;
    }
    lane.busy = true;
    void this.host.attempt(head).then(
      (result) => this.#settled(lane, result),
      (err) => {
        this.host.onError(err);
        this.#settled(lane, 'error');
      },
    );
  }

  #settled(lane: Lane, result: 'done' | 'retry' | 'stopped' | 'error'): void {
    lane.busy = false;
    if (this.#gone || this.#lanes.get(lane.sessionId) !== lane) return;
    if (result === 'done') {
      lane.rows.shift();
      this.#rows--;
    }
    if (result === 'stopped' || this.host.stopping()) return;
    if (result === 'error') {
      // An outbox write failed: try the same row again shortly rather than lose track of it.
      lane.rows[0]!.nextAttemptAt = Date.now() + WAKE_RETRY_MS;
    }
    if (lane.rows.length === 0 && !lane.overflow) this.#lanes.delete(lane.sessionId);
    // Refill drained lanes that were cut short, and read further once half the window is free.
    if (result === 'done' && (lane.rows.length === 0 || this.#rows <= this.window / 2)) void this.#fill();
    if (lane.rows.length > 0) this.#kick(lane);
    else this.#dropIfIdle();
  }
}

/**
 * Ringside's Prometheus metrics (prom-client, one registry per Ringside): almost every figure is read at
 * scrape time (`collect`) from counters the services already keep — the SIP stack's, the webhook engine's,
 * the outbox's, the RealTime socket server's — so metrics add no work to the SIP or media hot paths. Calls
 * are counted from durable facts (call-metrics.ts), append latency by the fact recorder. docs/metrics.md
 * lists every metric.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WebhookEngineStats } from '../../delivery/webhooks/webhook-engine.js';
import { CallMetrics } from './call-metrics.js';

/** The SIP stack's counters the metrics read (api/ does not import sip/: the shape is stated here, and
 *  app/ringside.ts hands the stack, which has it). */
export interface SipFigures {
  readonly counters: {
    transport: { received: number; sent: number; malformed: number; badRequestAnswered: number; dropped: number; misrouted: number };
    transactions: { clients: number; servers: number };
    strayResponses: number;
    timeouts: { B: number; F: number; H: number };
  };
  readonly connections: { tcp: number; tls: number; ws: number; wss: number };
  readonly messageCounts: { snapshot(): { direction: 'in' | 'out'; method: string; status?: number; count: number }[] };
}

/** What the metrics read at scrape time; each is cheap or async (SQLite counts, the media worker). */
export interface MetricsSources {
  sip: SipFigures;
  /** Registered contacts not yet expired. */
  registrations(): Promise<number>;
  /** The media worker's RTP port pool. */
  mediaPorts(): Promise<{ free: number; total: number }>;
  /** The media worker's RTP packet totals and its event loop's delay since the previous call (seconds). */
  mediaStats(): Promise<{ rtp: { relayed: number; received: number; sent: number; lost: number }; loopDelay: { mean: number; p99: number; max: number } }>;
  /** Facts handed to the log and not yet durable. */
  eventLogBacklog(): number;
  realtimeClients(): number;
  webhooks(): WebhookEngineStats;
  outbox(): Promise<{ pending: number; dead: number }>;
  /** INVITEs shed with 503 by the overload guard. */
  invitesShed(): number;
  /** How long a datagram now waits unread in the SIP UDP socket's receive buffer (ms; overload guard). */
  sipReceiveWaitMs(): number;
}

export class RingsideMetrics {
  readonly registry = new Registry();
  /** Feed of the fact recorder (observers). */
  readonly calls = new CallMetrics();
  readonly #appendSeconds: Histogram;
  #sources: MetricsSources | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const r = this.registry;
    const calls = this.calls;
    this.#appendSeconds = new Histogram({
      name: 'ringside_event_log_append_seconds',
      help: 'Time from handing facts to the event log until they are durable',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });
    new Counter({
      name: 'ringside_calls_started_total',
      help: 'Calls (sessions) started, by kind',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        this.reset();
        for (const [kind, n] of calls.counts.started) this.inc({ kind }, n);
      },
    });
    new Gauge({
      name: 'ringside_calls_active',
      help: 'Calls in progress, by kind',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        this.reset();
        for (const [kind, n] of calls.counts.active) this.set({ kind }, n);
      },
    });
    new Counter({
      name: 'ringside_calls_ended_total',
      help: 'Calls ended, by kind and result (answered, busy, noanswer, cancel, congestion, chanunavail, …, unanswered)',
      labelNames: ['kind', 'result'],
      registers: [r],
      collect() {
        this.reset();
        for (const [key, n] of calls.counts.ended) {
          const [kind = '', result = ''] = key.split(' ');
          this.inc({ kind, result }, n);
        }
      },
    });
    const source = (): MetricsSources | undefined => this.#sources;
    new Counter({
      name: 'ringside_sip_requests_total',
      help: 'SIP requests received (in) and sent (out, first transmissions), by method',
      labelNames: ['direction', 'method'],
      registers: [r],
      collect() {
        this.reset();
        for (const c of source()?.sip.messageCounts.snapshot() ?? []) if (c.status === undefined) this.inc({ direction: c.direction, method: c.method }, c.count);
      },
    });
    new Counter({
      name: 'ringside_sip_responses_total',
      help: 'SIP responses received (in) and sent (out, first transmissions), by the method they answer and status code',
      labelNames: ['direction', 'method', 'status'],
      registers: [r],
      collect() {
        this.reset();
        for (const c of source()?.sip.messageCounts.snapshot() ?? []) if (c.status !== undefined) this.inc({ direction: c.direction, method: c.method, status: String(c.status) }, c.count);
      },
    });
    new Counter({
      name: 'ringside_sip_transport_messages_total',
      help: 'SIP transport counters: received, sent (with retransmissions), malformed, bad_request_answered, dropped, misrouted, stray_response',
      labelNames: ['event'],
      registers: [r],
      collect() {
        this.reset();
        const c = source()?.sip.counters;
        if (!c) return;
        const t = c.transport;
        const events = { received: t.received, sent: t.sent, malformed: t.malformed, bad_request_answered: t.badRequestAnswered, dropped: t.dropped, misrouted: t.misrouted, stray_response: c.strayResponses };
        for (const [event, n] of Object.entries(events)) this.inc({ event }, n);
      },
    });
    new Gauge({
      name: 'ringside_sip_connections',
      help: 'Open SIP connections, by transport',
      labelNames: ['transport'],
      registers: [r],
      collect() {
        const c = source()?.sip.connections;
        if (c) for (const [transport, n] of Object.entries(c)) this.set({ transport }, n);
      },
    });
    new Counter({
      name: 'ringside_sip_transaction_timeouts_total',
      help: 'SIP transactions timed out, by timer: B (INVITE client), F (non-INVITE client), H (ACK never came)',
      labelNames: ['timer'],
      registers: [r],
      collect() {
        this.reset();
        const c = source()?.sip.counters;
        if (c) for (const [timer, n] of Object.entries(c.timeouts)) this.inc({ timer }, n);
      },
    });
    new Gauge({
      name: 'ringside_sip_transactions',
      help: 'Live SIP transactions, by role',
      labelNames: ['role'],
      registers: [r],
      collect() {
        const c = source()?.sip.counters;
        if (c) for (const [role, n] of Object.entries(c.transactions)) this.set({ role: role === 'clients' ? 'client' : 'server' }, n);
      },
    });
    new Counter({
      name: 'ringside_sip_invites_shed_total',
      help: 'New INVITEs refused 503 by the overload guard',
      registers: [r],
      collect() {
        this.reset();
        const s = source();
        if (s) this.inc(s.invitesShed());
      },
    });
    new Gauge({
      name: 'ringside_sip_receive_wait_seconds',
      help: "How long a datagram now waits unread in the SIP UDP socket's receive buffer (a probe's reading)",
      registers: [r],
      collect() {
        const s = source();
        if (s) this.set(s.sipReceiveWaitMs() / 1000);
      },
    });
    new Gauge({
      name: 'ringside_sip_registrations',
      help: 'Registered SIP contacts (bindings) not yet expired',
      registers: [r],
      async collect() {
        const s = source();
        if (s) this.set(await s.registrations());
      },
    });
    new Gauge({
      name: 'ringside_media_rtp_ports',
      help: 'RTP ports of the media worker, by state (in_use, free)',
      labelNames: ['state'],
      registers: [r],
      async collect() {
        const s = source();
        if (!s) return;
        const pool = await s.mediaPorts();
        this.set({ state: 'in_use' }, pool.total - pool.free);
        this.set({ state: 'free' }, pool.free);
      },
    });
    // One worker request per scrape serves both metrics below (prom-client collects them in turn).
    let mediaStats: ReturnType<MetricsSources['mediaStats']> | undefined;
    const readMediaStats = (): ReturnType<MetricsSources['mediaStats']> | undefined => {
      const s = source();
      if (!s) return undefined;
      mediaStats ??= s.mediaStats().finally(() => setImmediate(() => (mediaStats = undefined)));
      return mediaStats;
    };
    new Counter({
      name: 'ringside_rtp_packets_total',
      help: 'RTP packets of every leg since start: relayed (leg to leg), received, sent (relayed, played, mixed), lost (RFC 3550 A.3)',
      labelNames: ['event'],
      registers: [r],
      async collect() {
        this.reset();
        const m = await readMediaStats();
        if (m) for (const [event, n] of Object.entries(m.rtp)) this.inc({ event }, n);
      },
    });
    new Gauge({
      name: 'ringside_media_eventloop_delay_seconds',
      help: "The media worker thread's event-loop delay since the previous scrape: mean, p99, max",
      labelNames: ['stat'],
      registers: [r],
      async collect() {
        const m = await readMediaStats();
        if (m) for (const [stat, v] of Object.entries(m.loopDelay)) this.set({ stat }, v);
      },
    });
    new Gauge({
      name: 'ringside_event_log_backlog',
      help: 'Facts handed to the event log and not yet durable',
      registers: [r],
      collect() {
        const s = source();
        if (s) this.set(s.eventLogBacklog());
      },
    });
    new Gauge({
      name: 'ringside_realtime_clients',
      help: 'Clients connected to the RealTime WebSocket API',
      registers: [r],
      collect() {
        const s = source();
        if (s) this.set(s.realtimeClients());
      },
    });
    new Counter({
      name: 'ringside_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result: delivered, retried, dead_lettered',
      labelNames: ['result'],
      registers: [r],
      collect() {
        this.reset();
        const s = source();
        if (!s) return;
        const w = s.webhooks();
        this.inc({ result: 'delivered' }, w.delivered);
        this.inc({ result: 'retried' }, w.retried);
        this.inc({ result: 'dead_lettered' }, w.deadLettered);
      },
    });
    new Gauge({
      name: 'ringside_webhook_in_flight',
      help: 'Webhook requests in flight',
      registers: [r],
      collect() {
        const s = source();
        if (s) this.set(s.webhooks().inFlight);
      },
    });
    new Gauge({
      name: 'ringside_webhook_outbox',
      help: 'Webhook outbox rows by state: pending (to deliver) and dead (dead letters kept for replay)',
      labelNames: ['state'],
      registers: [r],
      async collect() {
        const s = source();
        if (!s) return;
        const c = await s.outbox();
        this.set({ state: 'pending' }, c.pending);
        this.set({ state: 'dead' }, c.dead);
      },
    });
  }

  /** For the fact recorder: one append's time until durable. */
  readonly appended = (seconds: number): void => {
    this.#appendSeconds.observe(seconds);
  };

  /** Connects the scrape-time sources, once every service is built. */
  bind(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** The exposition (Prometheus text format 0.0.4). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

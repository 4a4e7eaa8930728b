/** `GET /health`: liveness plus what an operator checks first (provisioning counts, log position), and the
 *  process's own gauges a soak watches for leaks (memory, event-loop delay, open descriptors, the RTP pool).
 *  Public, like any load balancer's health check. */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { EventLog } from '../../events/log/event-log.js';
import type { FactRecorder } from '../../dialects/fact-recorder.js';
import { errorReplies } from '../shared/api-error.js';
import { successBody } from '../shared/success-body.js';

/** The media engine's RTP port pool, in RTP/RTCP pairs (the unit it allocates). */
export interface MediaPortPool {
  free: number;
  total: number;
}

export interface HealthRouteOptions {
  store: Store;
  events: EventLog;
  recorder: Pick<FactRecorder, 'openSessions'>;
  /** The RTP pool's counts (the engine runs in a worker: one round trip). Without it, `media` is left out. */
  mediaPorts?: () => Promise<MediaPortPool>;
  /** The SIP overload guard's figures (sip/overload-guard.ts). Without it, `overload` is left out. */
  overload?: () => OverloadFigures;
  /** Whether text-to-speech works (media/tts-probe.ts, checked at start). Without it, `tts` is left out. */
  tts?: () => { available: boolean; engine: string; reason?: string };
}

export interface OverloadFigures {
  shedding: boolean;
  loopDelayMs: number;
  utilization: number;
  queueDepth: number;
  lateInvites: number;
  socketDelayMs: number;
  shed: number;
}

const count = { type: 'integer', minimum: 0 } as const;
const ms = { type: 'number', minimum: 0 } as const;

const health = successBody(
  {
    status: { type: 'string', enum: ['ok'] },
    uptimeSeconds: count,
    provisioning: {
      type: 'object',
      description: 'what the store holds (store.ts ProvisioningCounts)',
      properties: { accounts: count, users: count, numbers: count, lines: count, ringGroups: count, trunks: count, applications: count, webhooks: count, apiCredentials: count, flows: count },
      additionalProperties: true,
    },
    log: { type: 'object', required: ['lastPosition', 'openSessions'], properties: { lastPosition: count, openSessions: count } },
    sip: { type: 'object', required: ['registeredContacts'], properties: { registeredContacts: count } },
    process: {
      type: 'object',
      required: ['rssBytes', 'heapUsedBytes', 'eventLoopDelayMs', 'openFds'],
      properties: {
        rssBytes: count,
        heapUsedBytes: count,
        eventLoopDelayMs: {
          type: 'object',
          description: "the main thread's event-loop delay since the previous /health answer (or the start): the window is reset at each read",
          required: ['p50', 'p99', 'max', 'windowSeconds'],
          properties: { p50: ms, p99: ms, max: ms, windowSeconds: ms },
        },
        openFds: { type: ['integer', 'null'], minimum: 0, description: 'open file descriptors (/proc/self/fd); null where there is no /proc' },
      },
    },
    media: {
      type: 'object',
      description: 'the RTP port pool, in RTP/RTCP pairs',
      required: ['rtpPortPairsFree', 'rtpPortPairsTotal'],
      properties: { rtpPortPairsFree: count, rtpPortPairsTotal: count },
    },
    tts: {
      type: 'object',
      description: 'text-to-speech (spoken prompts, BXML SpeakSentence): checked at start; unavailable means calls that speak text get no audio for it',
      required: ['available', 'engine'],
      properties: { available: { type: 'boolean' }, engine: { type: 'string' }, reason: { type: 'string' } },
    },
    overload: {
      type: 'object',
      description: 'new calls are refused with 503 + Retry-After while `shedding` (docs/configuration.md, "Load")',
      required: ['shedding', 'loopDelayMs', 'utilization', 'queueDepth', 'lateInvites', 'socketDelayMs', 'shed'],
      properties: {
        shedding: { type: 'boolean', description: 'a bound is passed now (the loop bounds count only under SIP traffic)' },
        loopDelayMs: ms,
        utilization: { type: 'number', minimum: 0, maximum: 1, description: "the event loop's busy share over the last 0.5 s" },
        queueDepth: { ...count, description: 'event-log appends not yet durable' },
        lateInvites: { ...count, description: 'INVITEs read a third time before any final response over the last second (they waited ≥ 1.5 s unread)' },
        socketDelayMs: { ...ms, description: 'how long a datagram now waits unread in the SIP UDP socket receive buffer (measured by a probe)' },
        shed: { ...count, description: 'new INVITEs refused with 503 since start' },
      },
    },
  },
  { optional: ['media', 'overload', 'tts'] },
);

/** Open descriptors of this process, less the one reading the directory; null off Linux. */
function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

export async function healthRoutes(app: FastifyInstance, { store, events, recorder, mediaPorts, overload, tts }: HealthRouteOptions): Promise<void> {
  const started = Date.now();
  // 10 ms sampling: fine enough for a p99 that matters to SIP timers (T1 = 500 ms), cheap enough to leave on.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let windowStart = performance.now();
  app.addHook('onClose', async () => delay.disable());
  const readDelay = () => {
    const toMs = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
    const now = performance.now();
    const out = { p50: toMs(delay.percentile(50)), p99: toMs(delay.percentile(99)), max: toMs(delay.max), windowSeconds: Math.round(now - windowStart) / 1000 };
    delay.reset();
    windowStart = now;
    return out;
  };
  app.get('/health', { config: { auth: 'public' }, schema: { response: { 200: health, ...errorReplies } } }, async () => {
    const mem = process.memoryUsage();
    return {
      success: true,
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      provisioning: await store.counts(),
      log: { lastPosition: await events.lastPosition(), openSessions: recorder.openSessions },
      sip: { registeredContacts: await store.countSipBindings(Date.now()) },
      process: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, eventLoopDelayMs: readDelay(), openFds: openFds() },
      ...(mediaPorts ? { media: await mediaPorts().then((p) => ({ rtpPortPairsFree: p.free, rtpPortPairsTotal: p.total })) } : {}),
      ...(overload ? { overload: overload() } : {}),
      ...(tts ? { tts: tts() } : {}),
    };
  });
}

/**
 * Ringside's REST API: one encapsulated fastify plugin per family (ARCHITECTURE.md, "Layers"), mounted once
 * by app/ringside.ts on the server of http-server.ts:
 *
 *   await http.register(ringsideApi, services)
 *
 * | family | folder | routes |
 * |---|---|---|
 * | realtime-compatible (spec realtime §5) | realtime/ | /auth/login, /auth/refresh, /voice/originate, /sms/send, /mms/send, /mms/component/…, /sms/opt-outs…, /reports/call-data… |
 * | admin/provisioning (docs/webhooks.md) | admin/ | /health, /webhooks…, /webhooks/dead-letters…, /events, /events/stream |
 * | provisioning (docs/provisioning.md) | provisioning/ | /provisioning/users…, /numbers…, /lines…, /ring-groups…, /trunks…, /api-credentials… |
 * | carrier-facing (docs/messaging.md) | carrier/ | /carrier/messages |
 * | recordings (docs/switch.md) | recordings/ | /recordings/{id}.wav |
 * | call-centre-compatible (spec teltel §7; docs/call-centre.md) | teltel/ | /v2/calls/callback (its events are the teltel webhooks, delivery/webhooks/) |
 * | voice-API-compatible (spec bandwidth §0, §3; docs/voice-api.md) | voice/ | /v1/users/{userId}/applications…, /phoneNumbers…, /calls…, /recordings…, /media/…, /bridges… |
 * | metrics (docs/metrics.md) | metrics/ | /metrics |
 * | console (docs/console.md) | console/ | /console/session, /console/calls…, /console/devices; the built console itself at / |
 * | agents (docs/call-centre.md) | agents/ | /agents, /agents/{userId}/presence |
 * | dialer (docs/call-centre.md, "Autodialer") | dialer/ | /campaigns…, /campaigns/{id}/contacts… |
 * | reference (docs/api-reference.md) | openapi/ | /openapi.json, /docs, /schemas/events… (registered first: it sees every route) |
 *
 * Every route has request and response schemas (shared schemas by `$ref`: `api-error`, `request-param`,
 * and each family's own), declares who may call it (`config.auth`, shared/auth-plugin.ts) and answers
 * errors by throwing `ApiError` (shared/api-error.ts), which http-server.ts's error handler writes — except
 * the voice-API and call-centre families, which answer in their providers' error shapes (`voice-api-error`,
 * `teltel-api-error`) from their own scoped error handlers (voice/voice-api.ts, teltel/teltel-api.ts).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import type { EventLog } from '../events/log/event-log.js';
import type { WebhookEngine } from '../delivery/webhooks/webhook-engine.js';
import type { MessagingService } from '../messaging/messaging-service.js';
import type { MmsMediaStore } from '../messaging/mms-media-store.js';
import { requestParamSchema } from './shared/request-params.js';
import { realtimeApi, type RealtimeApiOptions } from './realtime/realtime-api.js';
import { adminApi, type AdminApiOptions } from './admin/admin-api.js';
import { carrierApi } from './carrier/carrier-api.js';
import { provisioningApi, type ProvisioningApiOptions } from './provisioning/provisioning-api.js';
import { recordingsApi, type RecordingSource } from './recordings/recordings-api.js';
import { voiceApi } from './voice/voice-api.js';
import type { RateLimitOptions } from './voice/voice-rate-limit.js';
import type { VoiceControl } from '../switch/voice/voice-control.js';
import { metricsApi, type MetricsApiOptions } from './metrics/metrics-api.js';
import { teltelApi } from './teltel/teltel-api.js';
import { consoleApi, type ConsoleCalls } from './console/console-api.js';
import { consoleAssets } from './console/console-assets.js';
import { agentsApi } from './agents/agents-api.js';
import { dialerApi } from './dialer/dialer-api.js';
import { apiReference } from './openapi/api-reference.js';
import { packageInfo } from '../util/package-info.js';

/** Every service a route of some family uses, by name. */
export interface ApiServices {
  store: Store;
  /** The event log (event history, health). */
  events: EventLog;
  /** The fact recorder (health: open sessions). */
  recorder: AdminApiOptions['recorder'];
  webhooks: WebhookEngine;
  messaging: MessagingService;
  mmsMedia: MmsMediaStore;
  /** The switch (originate; the console's live calls, hangup and transfer; who of the agents is busy). */
  calls: RealtimeApiOptions['calls'] & ConsoleCalls;
  /** Where the built console is (default: dist/console in Ringside's package). */
  consoleDir?: string;
  /** The media engine (recordings). */
  recordings: RecordingSource;
  /** The media engine's RTP port pool (health). */
  mediaPorts?: AdminApiOptions['mediaPorts'];
  /** The SIP overload guard's figures (health). */
  overload?: AdminApiOptions['overload'];
  /** Whether text-to-speech works (health). */
  tts?: AdminApiOptions['tts'];
  /** SSE tuning of the event history. */
  eventStream?: AdminApiOptions['eventStream'];
  /** The switch's voice-API call control; without it the voice family's call-control routes answer 503. */
  voice?: VoiceControl;
  /** The voice family's per-account request rate (default 50/s, bursts of 100). */
  voiceRateLimit?: RateLimitOptions;
  /** Prometheus metrics (`GET /metrics`); without them the route is not mounted. */
  metrics?: MetricsApiOptions;
  /** The public base URL, the OpenAPI document's server (read per request: fixed once listening). */
  publicUrl?: () => string;
  /** Told of every accepted provisioning write (REST). */
  provisioningChanged?: ProvisioningApiOptions['changed'];
}

export async function ringsideApi(app: FastifyInstance, s: ApiServices): Promise<void> {
  // Before everything: the console's SPA fallback learns every API path as the families mount (docs/console.md).
  await app.register(consoleAssets, { dir: s.consoleDir ?? join(packageInfo().root, 'dist', 'console') });
  // First: the OpenAPI document is generated from every route registered after it.
  await app.register(apiReference, { publicUrl: s.publicUrl ?? (() => ''), version: packageInfo().version });
  app.addSchema(requestParamSchema);
  await app.register(realtimeApi, { store: s.store, messaging: s.messaging, mmsMedia: s.mmsMedia, calls: s.calls });
  await app.register(adminApi, { store: s.store, events: s.events, recorder: s.recorder, webhooks: s.webhooks, ...(s.mediaPorts ? { mediaPorts: s.mediaPorts } : {}), ...(s.overload ? { overload: s.overload } : {}), ...(s.tts ? { tts: s.tts } : {}), ...(s.eventStream ? { eventStream: s.eventStream } : {}) });
  await app.register(provisioningApi, { store: s.store, ...(s.provisioningChanged ? { changed: s.provisioningChanged } : {}) });
  await app.register(carrierApi, { store: s.store, messaging: s.messaging });
  await app.register(teltelApi, { store: s.store, calls: s.calls });
  await app.register(recordingsApi, { store: s.store, recordings: s.recordings });
  await app.register(voiceApi, { store: s.store, events: s.events, ...(s.voice ? { voice: s.voice } : {}), ...(s.voiceRateLimit ? { rateLimit: s.voiceRateLimit } : {}), messaging: s.messaging, mmsMedia: s.mmsMedia });
  if (s.metrics) await app.register(metricsApi, s.metrics);
  await app.register(consoleApi, { store: s.store, calls: s.calls });
  await app.register(agentsApi, { store: s.store, calls: s.calls });
  await app.register(dialerApi, { store: s.store });
}

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
 * | carrier-facing (docs/messaging.md) | carrier/ | /carrier/messages |
 * | recordings (docs/switch.md) | recordings/ | /recordings/{id}.wav |
 * | call-centre-compatible (spec teltel) | — | none: teltel is delivered by webhooks (delivery/webhooks/); its callback endpoint (§7) is not built |
 * | voice-API-compatible (spec bandwidth) | voice/ (next) | its call-control REST comes with the voice API: mount it here |
 *
 * Every route has request and response schemas (shared schemas by `$ref`: `api-error`, `request-param`,
 * and each family's own), declares who may call it (`config.auth`, shared/auth-plugin.ts) and answers
 * errors by throwing `ApiError` (shared/api-error.ts), which http-server.ts's error handler writes.
 */
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
import { recordingsApi, type RecordingSource } from './recordings/recordings-api.js';

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
  /** The switch (originate). */
  calls: RealtimeApiOptions['calls'];
  /** The media engine (recordings). */
  recordings: RecordingSource;
  /** The media engine's RTP port pool (health). */
  mediaPorts?: AdminApiOptions['mediaPorts'];
  /** The SIP overload guard's figures (health). */
  overload?: AdminApiOptions['overload'];
  /** SSE tuning of the event history. */
  eventStream?: AdminApiOptions['eventStream'];
}

export async function ringsideApi(app: FastifyInstance, s: ApiServices): Promise<void> {
  app.addSchema(requestParamSchema);
  await app.register(realtimeApi, { store: s.store, messaging: s.messaging, mmsMedia: s.mmsMedia, calls: s.calls });
  await app.register(adminApi, { store: s.store, events: s.events, recorder: s.recorder, webhooks: s.webhooks, ...(s.mediaPorts ? { mediaPorts: s.mediaPorts } : {}), ...(s.overload ? { overload: s.overload } : {}), ...(s.eventStream ? { eventStream: s.eventStream } : {}) });
  await app.register(carrierApi, { store: s.store, messaging: s.messaging });
  await app.register(recordingsApi, { store: s.store, recordings: s.recordings });
}

/**
 * The admin/provisioning family: Ringside's own REST for operators and integrations — webhook
 * subscriptions, dead letters and their replay, event history (REST and SSE), health (docs/webhooks.md,
 * "REST reference" and "Event history"). Credentials are checked before the body is read, and requests are
 * validated strictly: unknown properties are refused and the 400 names the field (strict-validation.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { EventLog } from '../../events/log/event-log.js';
import type { WebhookEngine } from '../../delivery/webhooks/webhook-engine.js';
import { authPlugin } from '../shared/auth-plugin.js';
import { strictValidator } from './strict-validation.js';
import { webhookViewSchema } from './webhook-view.js';
import { deadLetterViewSchema } from './dead-letter-view.js';
import { loggedEventViewSchema } from './logged-event-view.js';
import { healthRoutes, type HealthRouteOptions } from './health-routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { eventHistoryRoutes, type EventStreamOptions } from './event-history-routes.js';

export interface AdminApiOptions {
  store: Store;
  events: EventLog;
  recorder: HealthRouteOptions['recorder'];
  /** The RTP port pool (health). */
  mediaPorts?: HealthRouteOptions['mediaPorts'];
  /** The SIP overload guard's figures (health). */
  overload?: HealthRouteOptions['overload'];
  /** Whether text-to-speech works (health). */
  tts?: HealthRouteOptions['tts'];
  webhooks: WebhookEngine;
  /** SSE tuning (tests shorten the keep-alive). */
  eventStream?: EventStreamOptions;
}

export async function adminApi(app: FastifyInstance, options: AdminApiOptions): Promise<void> {
  const { store, events, recorder, webhooks } = options;
  for (const schema of [webhookViewSchema, deadLetterViewSchema, loggedEventViewSchema]) app.addSchema(schema);
  app.setValidatorCompiler(strictValidator);
  await app.register(authPlugin, { store, stage: 'onRequest' });
  await app.register(healthRoutes, { store, events, recorder, ...(options.mediaPorts ? { mediaPorts: options.mediaPorts } : {}), ...(options.overload ? { overload: options.overload } : {}), ...(options.tts ? { tts: options.tts } : {}) });
  await app.register(webhookRoutes, { store, engine: webhooks });
  await app.register(deadLetterRoutes, { engine: webhooks });
  await app.register(eventHistoryRoutes, { events, ...options.eventStream });
}

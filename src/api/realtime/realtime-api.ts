/**
 * The realtime-compatible family: the call-tracking provider's REST (spec realtime §5), so a client written
 * for it changes only its base URL — login and refresh (§5.2), originate (§5.3), send SMS and MMS (§5.4,
 * §5.5), reports and message components (§5.6), and the account's opt-out list (docs/messaging.md).
 *
 * Parameters come from the query string, a form, multipart or JSON body alike (§5.1, shared/request-params.ts),
 * so the routes check them and answer in the provider's words; credentials are checked after the body is
 * parsed, the order this family has always answered in.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { MessagingService } from '../../messaging/messaging-service.js';
import type { MmsMediaStore } from '../../messaging/mms-media-store.js';
import { authPlugin } from '../shared/auth-plugin.js';
import { multipartParams } from '../shared/multipart-params.js';
import { messageComponentSchema, reportEntrySchema } from './report-entry.js';
import { authRoutes } from './auth-routes.js';
import { messagingRoutes } from './messaging-routes.js';
import { optOutRoutes } from './opt-out-routes.js';
import { reportRoutes } from './report-routes.js';
import { originateRoutes, type OriginateRouteOptions } from './originate-routes.js';

export interface RealtimeApiOptions {
  store: Store;
  messaging: MessagingService;
  /** Where MMS media parts are kept. */
  mmsMedia: MmsMediaStore;
  calls: OriginateRouteOptions['calls'];
}

export async function realtimeApi(app: FastifyInstance, options: RealtimeApiOptions): Promise<void> {
  const { store, messaging, mmsMedia, calls } = options;
  for (const schema of [messageComponentSchema, reportEntrySchema]) app.addSchema(schema);
  await app.register(authPlugin, { store, stage: 'preHandler' });
  // §5.1: multipart/form-data bodies too, on every route.
  multipartParams(app);
  await app.register(authRoutes, { store });
  await app.register(messagingRoutes, { store, messaging, media: mmsMedia });
  await app.register(optOutRoutes, { store });
  await app.register(reportRoutes, { store });
  await app.register(originateRoutes, { calls });
}

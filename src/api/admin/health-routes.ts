/** `GET /health`: liveness plus what an operator checks first (provisioning counts, log position). Public,
 *  like any load balancer's health check. */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { EventLog } from '../../events/log/event-log.js';
import type { FactRecorder } from '../../dialects/fact-recorder.js';
import { errorReplies } from '../shared/api-error.js';
import { successBody } from '../shared/success-body.js';

export interface HealthRouteOptions {
  store: Store;
  events: EventLog;
  recorder: Pick<FactRecorder, 'openSessions'>;
}

const count = { type: 'integer', minimum: 0 } as const;

const health = successBody({
  status: { type: 'string', enum: ['ok'] },
  uptimeSeconds: count,
  provisioning: {
    type: 'object',
    description: 'what the store holds (store.ts ProvisioningCounts)',
    properties: { accounts: count, users: count, numbers: count, lines: count, ringGroups: count, trunks: count, applications: count, webhooks: count, apiCredentials: count },
    additionalProperties: true,
  },
  log: { type: 'object', required: ['lastPosition', 'openSessions'], properties: { lastPosition: count, openSessions: count } },
  sip: { type: 'object', required: ['registeredContacts'], properties: { registeredContacts: count } },
});

export async function healthRoutes(app: FastifyInstance, { store, events, recorder }: HealthRouteOptions): Promise<void> {
  const started = Date.now();
  app.get('/health', { config: { auth: 'public' }, schema: { response: { 200: health, ...errorReplies } } }, async () => ({
    success: true,
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    provisioning: await store.counts(),
    log: { lastPosition: await events.lastPosition(), openSessions: recorder.openSessions },
    sip: { registeredContacts: await store.countSipBindings(Date.now()) },
  }));
}

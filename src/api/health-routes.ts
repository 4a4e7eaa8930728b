import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import type { EventLog } from '../events/log/event-log.js';
import type { FactRecorder } from '../dialects/fact-recorder.js';

/** `GET /health`: liveness plus what an operator checks first (provisioning counts, log position). */
export function registerHealthRoutes(app: FastifyInstance, deps: { store: Store; log: EventLog; recorder: FactRecorder }): void {
  const started = Date.now();
  app.get('/health', async () => ({
    success: true,
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    provisioning: await deps.store.counts(),
    log: { lastPosition: await deps.log.lastPosition(), openSessions: deps.recorder.openSessions },
    sip: { registeredContacts: await deps.store.countSipBindings(Date.now()) },
  }));
}

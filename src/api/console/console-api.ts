/**
 * The console's own REST (docs/console.md, "Backend"): who is logged in, the calls in progress with their
 * legs (hang up, blind transfer), the registered devices. Every route is scoped to the principal's account;
 * a `user`-role principal (or one restricted to its own records) sees only what concerns it, and hanging up
 * or transferring needs an account-wide one. Credentials are checked before the body is read, and requests
 * are validated strictly as the admin family's are (admin/strict-validation.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { authPlugin } from '../shared/auth-plugin.js';
import { strictValidator } from '../admin/strict-validation.js';
import { liveCallSchema } from './live-call-view.js';
import { deviceSchema } from './device-view.js';
import { sessionRoutes } from './session-routes.js';
import { callRoutes, type ConsoleCalls } from './call-routes.js';
import { deviceRoutes } from './device-routes.js';

export type { ConsoleCalls } from './call-routes.js';

export interface ConsoleApiOptions {
  store: Store;
  /** The switch: its live sessions, hangup and transfer. */
  calls: ConsoleCalls;
}

export async function consoleApi(app: FastifyInstance, { store, calls }: ConsoleApiOptions): Promise<void> {
  for (const schema of [liveCallSchema, deviceSchema]) app.addSchema(schema);
  app.setValidatorCompiler(strictValidator);
  await app.register(authPlugin, { store, stage: 'onRequest' });
  await app.register(sessionRoutes, { store });
  await app.register(callRoutes, { calls });
  await app.register(deviceRoutes, { store });
}

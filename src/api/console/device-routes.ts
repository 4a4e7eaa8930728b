/**
 * `GET /console/devices`: the account's registered SIP devices, from the bindings the registrar keeps in the
 * store (so every node of a cluster shows the same list). Expired bindings the registrar has not yet removed
 * are left out. A principal without an account-wide role sees only its own user's devices.
 */
import type { FastifyInstance } from 'fastify';
import type { Store, UserRecord } from '../../store/store.js';
import { hasElevatedRole } from '../../auth/principal.js';
import { errorReplies } from '../shared/api-error.js';
import { ANY_ACCOUNT_PRINCIPAL } from '../admin/admin-auth.js';
import { principalOf } from '../shared/auth-plugin.js';
import { DEVICE_SCHEMA_ID, deviceView } from './device-view.js';

const devicesBody = {
  type: 'object',
  required: ['devices'],
  properties: { devices: { type: 'array', items: { $ref: `${DEVICE_SCHEMA_ID}#` }, description: 'by user, then as registered' } },
} as const;

export async function deviceRoutes(app: FastifyInstance, { store }: { store: Store }): Promise<void> {
  app.get('/console/devices', { config: { auth: ANY_ACCOUNT_PRINCIPAL }, schema: { summary: 'Registered SIP devices', response: { 200: devicesBody, ...errorReplies } } }, async (req) => {
    const p = principalOf(req);
    const users: UserRecord[] = hasElevatedRole(p) ? await store.listUsers(p.accountId) : p.kind === 'user' ? [p.user] : [];
    const now = Date.now();
    const devices = [];
    for (const user of users) {
      if (!user.sip) continue;
      for (const b of await store.loadSipBindings(String(user.id))) if (b.expiresAt > now) devices.push(deviceView(user, b));
    }
    return { devices };
  });
}

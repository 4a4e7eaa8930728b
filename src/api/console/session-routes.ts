/**
 * `GET /console/session`: who the console is logged in as (a user: a bearer token from `POST /auth/login`,
 * or a user's Basic login), with their account — what the console decides its screens from. The server
 * decides what each route shows anyway.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { ANY_ACCOUNT_PRINCIPAL } from '../admin/admin-auth.js';
import { principalOf } from '../shared/auth-plugin.js';

const sessionBody = {
  type: 'object',
  required: ['user', 'account'],
  properties: {
    user: {
      type: 'object',
      required: ['id', 'name', 'email', 'role', 'ownRecordsOnly'],
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string', enum: ['admin', 'manager', 'user'] },
        ownRecordsOnly: { type: 'boolean', description: 'sees only its own records, whatever its role' },
        extension: { type: 'string' },
      },
    },
    account: {
      type: 'object',
      required: ['id', 'name', 'timezone'],
      properties: { id: { type: 'string' }, name: { type: 'string' }, timezone: { type: 'string', description: 'IANA time zone' } },
    },
  },
} as const;

export async function sessionRoutes(app: FastifyInstance, { store }: { store: Store }): Promise<void> {
  app.get('/console/session', { config: { auth: ANY_ACCOUNT_PRINCIPAL }, schema: { summary: 'Who is logged in', response: { 200: sessionBody, ...errorReplies } } }, async (req) => {
    const p = principalOf(req);
    if (p.kind !== 'user') throw new ApiError(403, 'forbidden', 'the console session is a user\'s: log in with POST /auth/login (voice-API credentials have no user)');
    const account = await store.getAccount(p.accountId);
    if (!account) throw new ApiError(404, 'not_found', `account ${p.accountId} is gone`);
    const u = p.user;
    return {
      user: { id: u.id, name: u.name, email: u.email, role: u.role, ownRecordsOnly: u.ownRecordsOnly, ...(u.extension !== undefined ? { extension: u.extension } : {}) },
      account: { id: account.id, name: account.name, timezone: account.timezone },
    };
  });
}

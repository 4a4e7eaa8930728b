/**
 * The account's text opt-out list over REST (docs/messaging.md, "Opt-out"): any user of the account reads
 * it; managers and admins edit it. Numbers that texted STOP are on it already.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/store.js';
import { normalizeNumber } from '../../messaging/text-limits.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { ACCOUNT_SCHEMES, principalOf, type RouteAuth } from '../shared/auth-plugin.js';
import { params, providerParams } from '../shared/request-params.js';
import { successBody } from '../shared/success-body.js';

export interface OptOutRouteOptions {
  store: Store;
}

const READ: RouteAuth = { schemes: ACCOUNT_SCHEMES };
const EDIT: RouteAuth = { schemes: ACCOUNT_SCHEMES, elevated: 'editing the opt-out list needs the manager or admin role' };

const number = { type: 'string', description: 'E.164' } as const;

const optOut = {
  type: 'object',
  required: ['number', 'keyword', 'source', 'created'],
  properties: {
    number,
    keyword: { type: 'string', description: 'what was texted (STOP, …), or API' },
    source: { type: 'string', description: 'the report id of the text that opted out, or api' },
    created: { type: 'string', description: 'ISO 8601' },
  },
} as const;

export async function optOutRoutes(app: FastifyInstance, { store }: OptOutRouteOptions): Promise<void> {
  app.get('/sms/opt-outs', { config: { auth: READ }, schema: { response: { 200: successBody({ data: { type: 'array', items: optOut } }), ...errorReplies } } }, async (req) => {
    const principal = principalOf(req);
    const list = await store.listOptOuts(principal.accountId);
    return { success: true, data: list.map((o) => ({ number: o.number, keyword: o.keyword, source: o.source, created: new Date(o.createdAt).toISOString() })) };
  });

  const added = successBody({ number, added: { type: 'boolean', description: 'false when it was on the list already (200 instead of 201)' } });
  app.post(
    '/sms/opt-outs',
    { config: { auth: EDIT }, schema: { ...providerParams({ number: { description: '10-digit or E.164 phone number (required)' } }), response: { 200: added, 201: added, ...errorReplies } } },
    async (req, reply) => {
      const principal = principalOf(req);
      const n = normalizeNumber(params(req).number ?? '');
      if (!n) throw new ApiError(400, 'bad_number', 'number must be a 10-digit or E.164 phone number');
      const isNew = await store.addOptOut({ accountId: principal.accountId, number: n, keyword: 'API', source: 'api', createdAt: Date.now() });
      return reply.code(isNew ? 201 : 200).send({ success: true, number: n, added: isNew });
    },
  );

  app.delete(
    '/sms/opt-outs/:number',
    { config: { auth: EDIT }, schema: { params: { type: 'object', required: ['number'], properties: { number: { type: 'string', description: '10-digit or E.164' } } }, response: { 200: successBody({ number }), ...errorReplies } } },
    async (req: FastifyRequest<{ Params: { number: string } }>) => {
      const principal = principalOf(req);
      const n = normalizeNumber(req.params.number);
      if (!n || !(await store.removeOptOut(principal.accountId, n))) throw new ApiError(404, 'not_found', `${req.params.number} is not on the opt-out list`);
      return { success: true, number: n };
    },
  );
}

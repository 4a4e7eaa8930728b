/**
 * The calls in progress (`GET /console/calls`) and what an account-wide principal may do to one: hang it up
 * (`POST /console/calls/{sessionId}/hangup`) or blind-transfer its caller (`…/transfer`), as a REFER from
 * the other party would (switch/routing/transfer.ts). A session is found only in the principal's account;
 * in a cluster, only on the node that runs it (docs/console.md).
 */
import type { FastifyInstance } from 'fastify';
import type { Switch } from '../../switch/switch.js';
import { hasElevatedRole } from '../../auth/principal.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { ANY_ACCOUNT_PRINCIPAL, ELEVATED_ONLY } from '../admin/admin-auth.js';
import { principalOf } from '../shared/auth-plugin.js';
import { BODY_OPTIONAL } from '../openapi/route-docs.js';
import { LIVE_CALL_SCHEMA_ID, concernsUser, liveCallView } from './live-call-view.js';

/** What the console's call routes ask of the switch. */
export type ConsoleCalls = Pick<Switch, 'live' | 'hangUp' | 'transfer'>;

const callsBody = {
  type: 'object',
  required: ['calls'],
  properties: { calls: { type: 'array', items: { $ref: `${LIVE_CALL_SCHEMA_ID}#` }, description: 'oldest first' } },
} as const;

const sessionParams = {
  type: 'object',
  required: ['sessionId'],
  properties: { sessionId: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'a session id from GET /console/calls' } },
} as const;

/** Nothing to say: an empty JSON object, or no body at all. */
const noBody = { type: 'object', additionalProperties: false, properties: {} } as const;

const transferBody = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: { to: { type: 'string', pattern: '^\\+?[0-9]{1,32}$', description: 'an extension, a PIN or an E.164 number' } },
} as const;

const elevated = { auth: ELEVATED_ONLY };

export async function callRoutes(app: FastifyInstance, { calls }: { calls: ConsoleCalls }): Promise<void> {
  const notLive = (accountId: string, sessionId: string) => new ApiError(404, 'not_found', `no call in progress with session id ${sessionId} in account ${accountId}`);

  app.get('/console/calls', { config: { auth: ANY_ACCOUNT_PRINCIPAL }, schema: { summary: 'Calls in progress, with their legs', response: { 200: callsBody, ...errorReplies } } }, async (req) => {
    const p = principalOf(req);
    let sessions = calls.live.list(p.accountId);
    if (!hasElevatedRole(p)) sessions = p.kind === 'user' ? sessions.filter((s) => concernsUser(s, p.user.id)) : [];
    return { calls: sessions.map(liveCallView) };
  });

  app.post(
    '/console/calls/:sessionId/hangup',
    {
      config: elevated,
      schema: { summary: 'Hang a call up', params: sessionParams, body: noBody, [BODY_OPTIONAL]: true, response: { 204: { description: 'hung up: every leg is being ended', type: 'null' }, ...errorReplies } },
      // No body at all is the usual request: it is checked as the empty object it means.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { sessionId } = req.params as { sessionId: string };
      if (!calls.hangUp(p.accountId, sessionId)) throw notLive(p.accountId, sessionId);
      req.log.info({ sessionId, accountId: p.accountId }, 'call hung up from the console');
      return reply.code(204).send();
    },
  );

  app.post(
    '/console/calls/:sessionId/transfer',
    { config: elevated, schema: { summary: "Blind-transfer a call's caller", params: sessionParams, body: transferBody, response: { 202: { description: 'the target is ringing in a new session; the other party is hung up', type: 'null' }, ...errorReplies } } },
    async (req, reply) => {
      const p = principalOf(req);
      const { sessionId } = req.params as { sessionId: string };
      const { to } = req.body as { to: string };
      const result = await calls.transfer(p.accountId, sessionId, to);
      if (result === 'gone') throw notLive(p.accountId, sessionId);
      if (result === 'nobody') throw new ApiError(422, 'unroutable', `'${to}' reaches nobody in account ${p.accountId} (no such extension or PIN, or no trunk for a number)`);
      if (result === 'unanswered') throw new ApiError(409, 'conflict', 'only a call in conversation (answered, two parties) can be transferred');
      if (result === 'application') throw new ApiError(409, 'conflict', 'a voice-API call is steered by its application (POST /v1/users/{userId}/calls/{callId} with a transfer)');
      return reply.code(202).send();
    },
  );
}

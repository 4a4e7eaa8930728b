/**
 * Agents (docs/call-centre.md, "Agents"): every user of the account with their presence (`GET /agents`),
 * and setting one (`PUT /agents/{userId}/presence`). An account-wide principal (manager or admin without
 * own-records-only, voice-API credentials) sees and sets everyone of its account; any other user sees and
 * sets only itself (403 for another user of the account). A user of another account, or none, is 404.
 * Credentials are checked before the body is read; requests are validated strictly as the admin family's
 * are (admin/strict-validation.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { AgentPresence, Store, UserRecord } from '../../store/store.js';
import type { LiveSessions } from '../../switch/live-sessions.js';
import { hasElevatedRole, type Principal } from '../../auth/principal.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { authPlugin, principalOf } from '../shared/auth-plugin.js';
import { strictValidator } from '../admin/strict-validation.js';
import { ANY_ACCOUNT_PRINCIPAL } from '../admin/admin-auth.js';
import { AGENT_SCHEMA_ID, SETTABLE_PRESENCES, agentSchema, agentView, busySince } from './agent-view.js';

export interface AgentsApiOptions {
  store: Store;
  /** The switch (its calls in progress: who is busy), read per request; its agent pool is told of a
   *  presence written, so a waiting queue caller or campaign contact gets the agent at once. */
  calls: { readonly live: Pick<LiveSessions, 'list'>; readonly agents?: { presenceChanged(accountId: string): void } };
  /** The clock presence changes are stamped with (tests). */
  now?: () => number;
}

const agentsBody = {
  type: 'object',
  required: ['agents'],
  properties: { agents: { type: 'array', items: { $ref: `${AGENT_SCHEMA_ID}#` }, description: 'by user id' } },
} as const;

const userParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the user (`userId` of GET /agents)' } },
} as const;

const presenceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['presence'],
  properties: { presence: { type: 'string', enum: [...SETTABLE_PRESENCES], description: 'busy is not set: it follows the calls' } },
} as const;

export async function agentsApi(app: FastifyInstance, { store, calls, now = Date.now }: AgentsApiOptions): Promise<void> {
  app.addSchema(agentSchema);
  app.setValidatorCompiler(strictValidator);
  await app.register(authPlugin, { store, stage: 'onRequest' });

  /** The principal's user, when it is one. */
  const ownUser = (p: Principal): UserRecord | undefined => (p.kind === 'user' ? p.user : undefined);

  app.get('/agents', { config: { auth: ANY_ACCOUNT_PRINCIPAL }, schema: { summary: 'Agents and their presence', response: { 200: agentsBody, ...errorReplies } } }, async (req) => {
    const p = principalOf(req);
    const me = ownUser(p);
    const users = hasElevatedRole(p) ? await store.listUsers(p.accountId) : me && me.accountId === p.accountId ? [me] : [];
    const records = new Map((await store.listAgentPresence(p.accountId)).map((r) => [r.userId, r]));
    const busy = busySince(calls.live.list(p.accountId));
    return { agents: users.map((u) => agentView(u, records.get(u.id), busy.get(u.id))) };
  });

  app.put(
    '/agents/:userId/presence',
    { config: { auth: ANY_ACCOUNT_PRINCIPAL }, schema: { summary: "Set an agent's presence", params: userParams, body: presenceBody, response: { 200: { $ref: `${AGENT_SCHEMA_ID}#` }, ...errorReplies } } },
    async (req) => {
      const p = principalOf(req);
      const { userId } = req.params as { userId: number };
      const { presence } = req.body as { presence: AgentPresence };
      const user = await store.getUser(userId);
      if (!user || user.accountId !== p.accountId) throw new ApiError(404, 'not_found', `no user ${userId} in account ${p.accountId}`);
      if (!hasElevatedRole(p) && ownUser(p)?.id !== user.id) throw new ApiError(403, 'forbidden', "only your own presence: another user's needs the manager or admin role (without own-records-only)");
      const record = { accountId: user.accountId, userId: user.id, presence, since: now() };
      await store.setAgentPresence(record);
      calls.agents?.presenceChanged(user.accountId);
      req.log.info({ userId, presence, accountId: p.accountId }, 'agent presence set');
      return agentView(user, record, busySince(calls.live.list(p.accountId)).get(user.id));
    },
  );
}

/**
 * Dead letters over REST (docs/webhooks.md, "REST reference"): list, replay (one or all), discard. Scoped
 * to the principal's account: another account's dead letters are 404.
 */
import type { FastifyInstance } from 'fastify';
import type { WebhookEngine } from '../../delivery/webhooks/webhook-engine.js';
import { ROUTED_TARGET_ID_PATTERN } from '../../delivery/webhooks/callback-router.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { principalOf } from '../shared/auth-plugin.js';
import { pageBody, successBody } from '../shared/success-body.js';
import { ELEVATED_ONLY } from './admin-auth.js';
import { DEAD_LETTER_SCHEMA_ID, deadLetterView } from './dead-letter-view.js';
import { webhookIdSchema } from './webhook-view.js';

/** A subscription id, or a voice-API callback target's (`voice-call:c-…`, docs/webhooks.md "Voice-API callbacks"). */
const targetIdSchema = { type: 'string', pattern: `(${webhookIdSchema.pattern})|(${ROUTED_TARGET_ID_PATTERN})` } as const;

// Integers are bounded: ajv counts `1e309` (Infinity) as one, which SQLite cannot bind (found by test/fuzz).
const deadLetterParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } } } as const;

export interface DeadLetterRouteOptions {
  engine: WebhookEngine;
}

export async function deadLetterRoutes(app: FastifyInstance, { engine }: DeadLetterRouteOptions): Promise<void> {
  const config = { auth: ELEVATED_ONLY };

  app.get(
    '/webhooks/dead-letters',
    {
      config,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { webhook_id: targetIdSchema, after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: {
          200: pageBody('deadLetters', { $ref: `${DEAD_LETTER_SCHEMA_ID}#` }),
          ...errorReplies,
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query as { webhook_id?: string; after: number; limit: number };
      const rows = await engine.listDeadLetters(p.accountId, { after: q.after, limit: q.limit, ...(q.webhook_id ? { webhookId: q.webhook_id } : {}) });
      return { success: true, deadLetters: rows.map(deadLetterView), next: rows.at(-1)?.id ?? q.after, more: rows.length === q.limit };
    },
  );

  app.post(
    '/webhooks/dead-letters/replay',
    {
      config,
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { webhook_id: targetIdSchema } },
        response: { 200: successBody({ replayed: { type: 'integer' } }), ...errorReplies },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query as { webhook_id?: string };
      const rows = await engine.replayAll(p.accountId, q.webhook_id);
      return { success: true, replayed: rows.length };
    },
  );

  app.post(
    '/webhooks/dead-letters/:id/replay',
    {
      config,
      schema: {
        params: deadLetterParams,
        response: {
          200: successBody({ replayed: { type: 'integer' }, pendingId: { type: 'integer', description: 'the new outbox entry' } }),
          ...errorReplies,
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { id } = req.params as { id: number };
      const rows = await engine.replay(p.accountId, [id]);
      if (rows.length === 0) throw notFound(id, p.accountId);
      return { success: true, replayed: 1, pendingId: rows[0]!.id };
    },
  );

  app.delete(
    '/webhooks/dead-letters/:id',
    {
      config,
      schema: { params: deadLetterParams, response: { 200: successBody({ discarded: { type: 'integer' } }), ...errorReplies } },
    },
    async (req) => {
      const p = principalOf(req);
      const { id } = req.params as { id: number };
      if (!(await engine.discardDeadLetter(p.accountId, id))) throw notFound(id, p.accountId);
      return { success: true, discarded: id };
    },
  );
}

function notFound(id: number, accountId: string): ApiError {
  return new ApiError(404, 'not_found', `no dead letter ${id} in account ${accountId}`);
}

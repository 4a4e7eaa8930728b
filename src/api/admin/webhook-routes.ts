/**
 * Webhook subscriptions over REST (docs/webhooks.md, "REST reference"). Every route needs an elevated
 * principal and sees only its own account. Subscriptions from the configuration file are read-only here
 * (409): the file is the source of truth for them and replaces them at each start.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Store, WebhookRecord } from '../../store/store.js';
import type { WebhookEngine } from '../../delivery/webhooks/webhook-engine.js';
import { allDialects } from '../../dialects/all-dialects.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { principalOf } from '../shared/auth-plugin.js';
import { successBody } from '../shared/success-body.js';
import { ELEVATED_ONLY } from './admin-auth.js';
import { WEBHOOK_SCHEMA_ID, webhookIdSchema, webhookView } from './webhook-view.js';

const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 } as const;

const webhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'dialect'],
  properties: {
    id: webhookIdSchema,
    url: httpUrl,
    fallbackUrl: httpUrl,
    secret: { type: 'string', minLength: 8, maxLength: 256 },
    dialect: { enum: ['realtime', 'teltel', 'bandwidth'] },
    method: { enum: ['POST', 'GET'], default: 'POST' },
    events: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, uniqueItems: true, maxItems: 200, default: [] },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: webhookIdSchema } } as const;

const webhook = { $ref: `${WEBHOOK_SCHEMA_ID}#` } as const;
const oneWebhook = successBody({ webhook });

/** One delivery of the ping (webhook-engine.ts `PingResult`), in the order the engine builds it. */
const pingAttempt = {
  type: 'object',
  required: ['url', 'ok', 'durationMs'],
  properties: {
    url: { type: 'string' },
    ok: { type: 'boolean' },
    durationMs: { type: 'number' },
    status: { type: 'integer', description: 'the HTTP status, when the receiver answered' },
    error: { type: 'string' },
  },
} as const;

type WebhookBody = {
  id?: string;
  url: string;
  fallbackUrl?: string;
  secret?: string;
  dialect: WebhookRecord['dialect'];
  method: 'POST' | 'GET';
  events: string[];
};

export interface WebhookRouteOptions {
  store: Store;
  engine: WebhookEngine;
}

export async function webhookRoutes(app: FastifyInstance, { store, engine }: WebhookRouteOptions): Promise<void> {
  const config = { auth: ELEVATED_ONLY };

  const find = async (accountId: string, id: string) => (await store.listWebhooks(accountId)).find((w) => w.id === id);
  const found = async (accountId: string, id: string) => {
    const hook = await find(accountId, id);
    if (!hook) throw new ApiError(404, 'not_found', `no webhook '${id}' in account ${accountId}`);
    return hook;
  };

  app.get(
    '/webhooks',
    { config, schema: { response: { 200: successBody({ webhooks: { type: 'array', items: webhook } }), ...errorReplies } } },
    async (req) => {
      const p = principalOf(req);
      return { success: true, webhooks: (await store.listWebhooks(p.accountId)).map(webhookView) };
    },
  );

  app.post('/webhooks', { config, schema: { body: webhookBody, response: { 201: oneWebhook, ...errorReplies } } }, async (req, reply) => {
    const p = principalOf(req);
    const body = req.body as WebhookBody;
    checkEventNames(body);
    const id = body.id ?? `wh-${randomBytes(6).toString('hex')}`;
    const existing = await find(p.accountId, id);
    if (existing) throw new ApiError(409, 'conflict', `webhook '${id}' already exists${existing.source === 'config' ? ' (from the configuration file)' : ''}; use PUT /webhooks/${id} to change it`);
    const record = toRecord(p.accountId, id, body);
    await store.putWebhook(record);
    engine.invalidate(p.accountId);
    return reply.code(201).send({ success: true, webhook: webhookView(record) });
  });

  app.get('/webhooks/:id', { config, schema: { params: idParams, response: { 200: oneWebhook, ...errorReplies } } }, async (req) => {
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    return { success: true, webhook: webhookView(await found(p.accountId, id)) };
  });

  app.put('/webhooks/:id', { config, schema: { params: idParams, body: webhookBody, response: { 200: oneWebhook, ...errorReplies } } }, async (req) => {
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    const body = req.body as WebhookBody;
    if (body.id !== undefined && body.id !== id) throw new ApiError(400, 'bad_request', `body.id '${body.id}' does not match the URL's webhook id '${id}'`);
    const hook = await found(p.accountId, id);
    if (hook.source === 'config') throw readOnly(id);
    checkEventNames(body);
    const record = toRecord(p.accountId, id, body);
    await store.putWebhook(record);
    engine.invalidate(p.accountId);
    return { success: true, webhook: webhookView(record) };
  });

  app.delete(
    '/webhooks/:id',
    {
      config,
      schema: {
        params: idParams,
        response: { 200: successBody({ deleted: { type: 'string' }, purgedEvents: { type: 'integer', description: 'queued events and dead letters deleted with it' } }), ...errorReplies },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { id } = req.params as { id: string };
      const hook = await found(p.accountId, id);
      if (hook.source === 'config') throw readOnly(id);
      await store.deleteWebhook(p.accountId, id);
      const purged = await engine.subscriptionDeleted(p.accountId, id);
      return { success: true, deleted: id, purgedEvents: purged };
    },
  );

  app.post(
    '/webhooks/:id/ping',
    {
      config,
      schema: {
        params: idParams,
        response: {
          200: successBody({ delivered: { type: 'boolean' }, eventId: { type: 'string' }, primary: pingAttempt, fallback: pingAttempt }, { optional: ['fallback'] }),
          ...errorReplies,
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { id } = req.params as { id: string };
      const result = await engine.ping(await found(p.accountId, id));
      return { success: true, delivered: result.primary.ok || result.fallback?.ok === true, ...result };
    },
  );
}

function readOnly(id: string): ApiError {
  return new ApiError(409, 'read_only', `webhook '${id}' comes from the configuration file and is read-only over REST; change it in the file`);
}

function toRecord(accountId: string, id: string, b: WebhookBody): WebhookRecord {
  const r: WebhookRecord = { id, accountId, source: 'api', url: b.url, dialect: b.dialect, method: b.method, events: b.events };
  if (b.fallbackUrl !== undefined) r.fallbackUrl = b.fallbackUrl;
  if (b.secret !== undefined) r.secret = b.secret;
  return r;
}

/** Event names must be the dialect's own (a typo would silently deliver nothing). */
function checkEventNames(b: WebhookBody): void {
  const dialect = allDialects.find((d) => d.name === b.dialect);
  if (!dialect) return;
  const unknown = b.events.filter((e) => !dialect.eventNames.includes(e));
  if (unknown.length === 0) return;
  throw new ApiError(400, 'unknown_event', `body.events: ${unknown.map((e) => `'${e}'`).join(', ')} ${unknown.length === 1 ? 'is not a' : 'are not'} ${b.dialect} event name${unknown.length === 1 ? '' : 's'}`);
}

/**
 * Webhook subscriptions and dead letters over REST (docs/webhooks.md, "REST reference"). Every route needs
 * an elevated principal (manager or admin without own-records-only, or voice-API credentials) and sees only
 * its own account. Subscriptions from the configuration file are read-only here (409): the file is the
 * source of truth for them and replaces them at each start.
 */
import { randomBytes } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { Store, WebhookRecord } from '../store/store.js';
import type { OutboxRow } from '../store/webhook-outbox.js';
import type { WebhookEngine } from '../delivery/webhooks/webhook-engine.js';
import { redact } from '../delivery/webhooks/request-builder.js';
import { allDialects } from '../dialects/all-dialects.js';
import { AuthError, authenticate, hasElevatedRole, type Principal } from './authenticate.js';

// ---- strict validation, shared with event-history-routes.ts -------------------------------------------

// ajv-formats is CommonJS; under NodeNext its plugin function is the namespace's `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
const bodyAjv = addFormats(new Ajv({ useDefaults: true, coerceTypes: false, removeAdditional: false, strict: false }));
const queryAjv = addFormats(new Ajv({ useDefaults: true, coerceTypes: true, removeAdditional: false, strict: false }));

export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  readonly statusCode = 400;
  readonly code = 'bad_request';
}

/** Unlike fastify's defaults, unknown body properties are an error (not silently dropped), and the message
 *  names the field and what is allowed, so the client can fix its request from the 400 alone. */
const strictCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validate = (httpPart === 'body' ? bodyAjv : queryAjv).compile(schema as object);
  return (data: unknown) => (validate(data) ? { value: data } : { error: new RequestValidationError(describeSchemaError(validate.errors ?? [], httpPart ?? 'request')) });
};

export function describeSchemaError(errors: readonly ErrorObject[], part: string): string {
  const e = errors[0];
  if (!e) return `${part} is invalid`;
  const where = part + e.instancePath.replace(/\//g, '.');
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown property '${String(p.additionalProperty)}'`;
    case 'required':
      return `${where}: missing required property '${String(p.missingProperty)}'`;
    case 'enum':
      return `${where} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `${where} must be a valid ${String(p.format)}`;
    case 'pattern':
      return /url$/i.test(where) ? `${where} must be an http(s) URL` : `${where} must match ${String(p.pattern)}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/** Route options applying the strict validation to a schema. */
export function strictSchema(schema: FastifySchema) {
  return {
    schema,
    validatorCompiler: strictCompiler,
    schemaErrorFormatter: (errors: unknown, dataVar: string) => new RequestValidationError(describeSchemaError(errors as ErrorObject[], dataVar)),
  };
}

// ---- authentication -----------------------------------------------------------------------------------

const principals = new WeakMap<FastifyRequest, Principal>();

/** `onRequest` hook: authenticate (401) and, when `elevated`, require an account-wide role (403). Runs
 *  before body validation, so an unauthenticated client learns nothing about the API's shapes. */
export function authHook(store: Store, elevated: boolean) {
  return async (req: FastifyRequest): Promise<void> => {
    const p = await authenticate(req, store);
    if (elevated && !hasElevatedRole(p)) throw new AuthError(403, 'forbidden', 'this API needs the manager or admin role (without own-records-only) or voice-API credentials');
    principals.set(req, p);
  };
}

export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req);
  if (!p) throw new AuthError(401, 'not_authenticated', 'not authenticated');
  return p;
}

export function fail(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).send({ success: false, error, message });
}

// ---- routes -------------------------------------------------------------------------------------------

const idSchema = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } as const;
const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 } as const;

const webhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'dialect'],
  properties: {
    id: idSchema,
    url: httpUrl,
    fallbackUrl: httpUrl,
    secret: { type: 'string', minLength: 8, maxLength: 256 },
    dialect: { enum: ['realtime', 'teltel', 'bandwidth'] },
    method: { enum: ['POST', 'GET'], default: 'POST' },
    events: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, uniqueItems: true, maxItems: 200, default: [] },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: idSchema } } as const;
const deadLetterParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

type WebhookBody = {
  id?: string;
  url: string;
  fallbackUrl?: string;
  secret?: string;
  dialect: WebhookRecord['dialect'];
  method: 'POST' | 'GET';
  events: string[];
};

export interface WebhookRouteDeps {
  store: Store;
  engine: WebhookEngine;
}

export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const { store, engine } = deps;
  const auth = { onRequest: authHook(store, true) };

  const find = async (accountId: string, id: string) => (await store.listWebhooks(accountId)).find((w) => w.id === id);

  app.get('/webhooks', auth, async (req) => {
    const p = principalOf(req);
    return { success: true, webhooks: (await store.listWebhooks(p.accountId)).map(view) };
  });

  app.post('/webhooks', { ...auth, ...strictSchema({ body: webhookBody }) }, async (req, reply) => {
    const p = principalOf(req);
    const body = req.body as WebhookBody;
    const bad = unknownEvents(body);
    if (bad) return fail(reply, 400, 'unknown_event', bad);
    const id = body.id ?? `wh-${randomBytes(6).toString('hex')}`;
    const existing = await find(p.accountId, id);
    if (existing) return fail(reply, 409, 'conflict', `webhook '${id}' already exists${existing.source === 'config' ? ' (from the configuration file)' : ''}; use PUT /webhooks/${id} to change it`);
    const record = toRecord(p.accountId, id, body);
    await store.putWebhook(record);
    engine.invalidate(p.accountId);
    return reply.code(201).send({ success: true, webhook: view(record) });
  });

  app.get('/webhooks/:id', { ...auth, ...strictSchema({ params: idParams }) }, async (req, reply) => {
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    const hook = await find(p.accountId, id);
    if (!hook) return fail(reply, 404, 'not_found', `no webhook '${id}' in account ${p.accountId}`);
    return { success: true, webhook: view(hook) };
  });

  app.put('/webhooks/:id', { ...auth, ...strictSchema({ params: idParams, body: webhookBody }) }, async (req, reply) => {
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    const body = req.body as WebhookBody;
    if (body.id !== undefined && body.id !== id) return fail(reply, 400, 'bad_request', `body.id '${body.id}' does not match the URL's webhook id '${id}'`);
    const hook = await find(p.accountId, id);
    if (!hook) return fail(reply, 404, 'not_found', `no webhook '${id}' in account ${p.accountId}`);
    if (hook.source === 'config') return readOnly(reply, id);
    const bad = unknownEvents(body);
    if (bad) return fail(reply, 400, 'unknown_event', bad);
    const record = toRecord(p.accountId, id, body);
    await store.putWebhook(record);
    engine.invalidate(p.accountId);
    return { success: true, webhook: view(record) };
  });

  app.delete('/webhooks/:id', { ...auth, ...strictSchema({ params: idParams }) }, async (req, reply) => {
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    const hook = await find(p.accountId, id);
    if (!hook) return fail(reply, 404, 'not_found', `no webhook '${id}' in account ${p.accountId}`);
    if (hook.source === 'config') return readOnly(reply, id);
    await store.deleteWebhook(p.accountId, id);
    const purged = await engine.subscriptionDeleted(p.accountId, id);
    return { success: true, deleted: id, purgedEvents: purged };
  });

  app.post('/webhooks/:id/ping', { ...auth, ...strictSchema({ params: idParams }) }, async (req, reply) => {
    const p = principalOf(req);
    const { id } = req.params as { id: string };
    const hook = await find(p.accountId, id);
    if (!hook) return fail(reply, 404, 'not_found', `no webhook '${id}' in account ${p.accountId}`);
    const result = await engine.ping(hook);
    return { success: true, delivered: result.primary.ok || result.fallback?.ok === true, ...result };
  });

  app.get(
    '/webhooks/dead-letters',
    {
      ...auth,
      ...strictSchema({
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { webhook_id: idSchema, after: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
      }),
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
    { ...auth, ...strictSchema({ querystring: { type: 'object', additionalProperties: false, properties: { webhook_id: idSchema } } }) },
    async (req) => {
      const p = principalOf(req);
      const q = req.query as { webhook_id?: string };
      const rows = await engine.replayAll(p.accountId, q.webhook_id);
      return { success: true, replayed: rows.length };
    },
  );

  app.post('/webhooks/dead-letters/:id/replay', { ...auth, ...strictSchema({ params: deadLetterParams }) }, async (req, reply) => {
    const p = principalOf(req);
    const { id } = req.params as { id: number };
    const rows = await engine.replay(p.accountId, [id]);
    if (rows.length === 0) return fail(reply, 404, 'not_found', `no dead letter ${id} in account ${p.accountId}`);
    return { success: true, replayed: 1, pendingId: rows[0]!.id };
  });

  app.delete('/webhooks/dead-letters/:id', { ...auth, ...strictSchema({ params: deadLetterParams }) }, async (req, reply) => {
    const p = principalOf(req);
    const { id } = req.params as { id: number };
    if (!(await engine.discardDeadLetter(p.accountId, id))) return fail(reply, 404, 'not_found', `no dead letter ${id} in account ${p.accountId}`);
    return { success: true, discarded: id };
  });
}

function readOnly(reply: FastifyReply, id: string) {
  return fail(reply, 409, 'read_only', `webhook '${id}' comes from the configuration file and is read-only over REST; change it in the file`);
}

function toRecord(accountId: string, id: string, b: WebhookBody): WebhookRecord {
  const r: WebhookRecord = { id, accountId, source: 'api', url: b.url, dialect: b.dialect, method: b.method, events: b.events };
  if (b.fallbackUrl !== undefined) r.fallbackUrl = b.fallbackUrl;
  if (b.secret !== undefined) r.secret = b.secret;
  return r;
}

/** What REST shows of a subscription: never the secret, and URL credentials masked. */
function view(w: WebhookRecord) {
  return {
    id: w.id,
    url: redact(w.url),
    ...(w.fallbackUrl ? { fallbackUrl: redact(w.fallbackUrl) } : {}),
    dialect: w.dialect,
    method: w.method,
    events: w.events,
    hasSecret: Boolean(w.secret),
    source: w.source,
  };
}

function deadLetterView(r: OutboxRow) {
  return {
    id: r.id,
    webhookId: r.webhookId,
    eventId: r.eventId,
    event: r.name,
    dialect: r.dialect,
    sessionId: r.sessionId,
    position: r.position,
    attempts: r.attempts,
    firstAttemptAt: r.firstAttemptAt === undefined ? null : new Date(r.firstAttemptAt).toISOString(),
    deadAt: r.deadAt === undefined ? null : new Date(r.deadAt).toISOString(),
    lastStatus: r.lastStatus ?? null,
    lastError: r.lastError ?? null,
    payload: JSON.parse(r.payload) as unknown,
  };
}

/** Event names must be the dialect's own (a typo would silently deliver nothing). */
function unknownEvents(b: WebhookBody): string | undefined {
  const dialect = allDialects.find((d) => d.name === b.dialect);
  if (!dialect) return undefined;
  const unknown = b.events.filter((e) => !dialect.eventNames.includes(e));
  if (unknown.length === 0) return undefined;
  return `body.events: ${unknown.map((e) => `'${e}'`).join(', ')} ${unknown.length === 1 ? 'is not a' : 'are not'} ${b.dialect} event name${unknown.length === 1 ? '' : 's'}`;
}

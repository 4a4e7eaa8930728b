/**
 * Applications (spec bandwidth §3.1): where a number's incoming calls and texts are announced. Made here
 * they are kept across restarts (`source: 'api'`); those of the configuration file are read-only over REST
 * (409 `application-read-only`), as the file replaces them at each start.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ApplicationRecord, Store } from '../../store/store.js';
import { contextOf, userUrl } from './voice-context.js';
import { VoiceApiError, invalidField, notFound } from './voice-error.js';
import { linkNext, slicePage, type PageParams } from './voice-paging.js';
import { callbackTimeout, httpMethod, httpUrl, listQuery, pathParams } from './voice-schemas.js';
import { applicationSchema, applicationView } from './voice-views.js';
import { created, emptyOk, ok, okList, sendCreated, sendOk } from './voice-replies.js';

const fields = {
  name: { type: 'string', minLength: 1, maxLength: 128 },
  incomingCallUrl: httpUrl,
  incomingCallUrlCallbackTimeout: callbackTimeout,
  incomingCallFallbackUrl: httpUrl,
  incomingMessageUrl: httpUrl,
  incomingMessageUrlCallbackTimeout: callbackTimeout,
  incomingMessageFallbackUrl: httpUrl,
  callbackHttpMethod: httpMethod,
  autoAnswer: { type: 'boolean' },
} as const;

const createBody = { type: 'object', additionalProperties: false, required: ['name'], properties: fields } as const;
const updateBody = { type: 'object', additionalProperties: false, properties: fields } as const;

interface ApplicationBody {
  name?: string;
  incomingCallUrl?: string;
  incomingCallUrlCallbackTimeout?: number;
  incomingCallFallbackUrl?: string;
  incomingMessageUrl?: string;
  incomingMessageUrlCallbackTimeout?: number;
  incomingMessageFallbackUrl?: string;
  callbackHttpMethod?: 'GET' | 'POST';
  autoAnswer?: boolean;
}

/** A new application id: `a-` and 80 random bits. */
const newApplicationId = () => `a-${randomBytes(10).toString('hex')}`;

type Params = { userId: string; applicationId: string };

export async function applicationRoutes(app: FastifyInstance, { store }: { store: Store }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  const one = pathParams('applicationId');

  const found = async (accountId: string, id: string): Promise<ApplicationRecord> => {
    const a = await store.getApplication(accountId, id);
    if (!a) throw notFound('application-not-found', 'application', id);
    return a;
  };
  const writable = (a: ApplicationRecord): ApplicationRecord => {
    if ((a.source ?? 'config') === 'config') throw new VoiceApiError(409, 'conflict', 'application-read-only', `application '${a.id}' comes from the configuration file; change it there`, [{ name: 'id', value: a.id }]);
    return a;
  };

  app.post('/:userId/applications', { config, schema: { params: pathParams(), body: createBody, response: created } }, async (req, reply) => {
    const c = contextOf(req);
    const id = newApplicationId();
    const record = merge({ id, accountId: c.accountId, source: 'api', name: '', callbackHttpMethod: 'POST', callbackTimeoutMs: 10000, autoAnswer: true }, req.body as ApplicationBody);
    await store.putApplication(record);
    return sendCreated(reply, userUrl(c, 'applications', id));
  });

  app.get('/:userId/applications', { config, schema: { params: pathParams(), querystring: listQuery(), response: okList(applicationSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.query as PageParams;
    const { items, more } = slicePage(await store.listApplications(c.accountId), p);
    linkNext(req, reply, c, p, more);
    return items.map(applicationView);
  });

  app.get('/:userId/applications/:applicationId', { config, schema: { params: one, response: ok(applicationSchema) } }, async (req) => {
    const c = contextOf(req);
    return applicationView(await found(c.accountId, (req.params as Params).applicationId));
  });

  app.post('/:userId/applications/:applicationId', { config, schema: { params: one, body: updateBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const current = writable(await found(c.accountId, (req.params as Params).applicationId));
    await store.putApplication(merge({ ...current }, req.body as ApplicationBody));
    return sendOk(reply);
  });

  app.delete('/:userId/applications/:applicationId', { config, schema: { params: one, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const current = writable(await found(c.accountId, (req.params as Params).applicationId));
    await store.deleteApplication(c.accountId, current.id);
    return sendOk(reply);
  });
}

/** Applies the fields sent onto `a` (spec bandwidth §0: only sent fields change), then checks the whole. */
function merge(a: ApplicationRecord, b: ApplicationBody): ApplicationRecord {
  const set = <K extends keyof ApplicationRecord>(k: K, v: ApplicationRecord[K] | undefined) => {
    if (v !== undefined) a[k] = v;
  };
  set('name', b.name);
  set('incomingCallUrl', b.incomingCallUrl);
  set('incomingCallFallbackUrl', b.incomingCallFallbackUrl);
  set('incomingMessageUrl', b.incomingMessageUrl);
  set('incomingMessageFallbackUrl', b.incomingMessageFallbackUrl);
  set('callbackHttpMethod', b.callbackHttpMethod);
  set('autoAnswer', b.autoAnswer);
  // Ringside keeps one callback timeout per application: both fields set it, and may not disagree.
  const call = b.incomingCallUrlCallbackTimeout;
  const message = b.incomingMessageUrlCallbackTimeout;
  if (call !== undefined && message !== undefined && call !== message) {
    throw invalidField('incomingMessageUrlCallbackTimeout', message, 'Ringside keeps one callback timeout per application: incomingCallUrlCallbackTimeout and incomingMessageUrlCallbackTimeout must be equal when both are sent');
  }
  set('callbackTimeoutMs', call ?? message);
  if (a.incomingCallUrl === undefined && a.incomingMessageUrl === undefined) {
    throw invalidField('incomingCallUrl', undefined, "an application needs 'incomingCallUrl' or 'incomingMessageUrl' (spec bandwidth §3.1)");
  }
  // spec bandwidth §1.2: a fallback needs the matching primary URL.
  if (a.incomingCallFallbackUrl !== undefined && a.incomingCallUrl === undefined) throw invalidField('incomingCallFallbackUrl', a.incomingCallFallbackUrl, "'incomingCallFallbackUrl' needs 'incomingCallUrl'");
  if (a.incomingMessageFallbackUrl !== undefined && a.incomingMessageUrl === undefined) throw invalidField('incomingMessageFallbackUrl', a.incomingMessageFallbackUrl, "'incomingMessageFallbackUrl' needs 'incomingMessageUrl'");
  return a;
}

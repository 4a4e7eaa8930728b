/**
 * The call-centre-compatible family (spec teltel §7, its v2 REST conventions): today the callback API,
 * `POST /v2/calls/callback` (callback-routes.ts). Its events are the teltel webhooks (delivery/webhooks/).
 *
 * The family is encapsulated and answers in its provider's words only: `X-API-KEY` (api-key.ts) checked
 * before the body is read (401 `{"errors":[…]}`); schemas checked with every failure collected (422, one
 * `errors[]` entry each); its own error handler writes every error in that shape (teltel-error.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Ajv } from 'ajv';
import type { Store } from '../../store/store.js';
import { principalOfApiKey } from './api-key.js';
import { callbackRoutes, type CallbackRouteOptions } from './callback-routes.js';
import { TeltelApiError, schemaProblems, teltelErrorSchema, toTeltelError } from './teltel-error.js';

export interface TeltelApiOptions {
  store: Store;
  calls: CallbackRouteOptions['calls'];
}

// allErrors: a client learns every problem of its request at once (spec teltel §7: one entry per problem).
const ajv = new Ajv({ allErrors: true, coerceTypes: false, useDefaults: true, strict: false });

export async function teltelApi(app: FastifyInstance, { store, calls }: TeltelApiOptions): Promise<void> {
  app.addSchema(teltelErrorSchema);
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
  app.setValidatorCompiler(({ schema }) => {
    const validate = ajv.compile(schema as object);
    return (data: unknown) => (validate(data) ? { value: data } : { error: new TeltelApiError(422, schemaProblems(validate.errors ?? [])) });
  });
  // Credentials before the body is read: an unauthenticated client learns nothing of the API's shapes.
  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    req.principal = await principalOfApiKey(req.headers['x-api-key'], store, req.socket.remoteAddress ?? '');
  });
  app.setErrorHandler((err, req, reply) => {
    const e = toTeltelError(err);
    if (e.statusCode >= 500 && !(err instanceof TeltelApiError)) req.log.error({ err, url: req.url }, 'call-centre API request failed');
    return reply.code(e.statusCode).headers(e.headers).send(e.body());
  });
  await app.register(callbackRoutes, { store, calls });
}

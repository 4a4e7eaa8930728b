/**
 * Phone numbers (spec bandwidth §3.1): the account's numbers as provisioned, and their link to an
 * application. `{numberId}` is `n-` plus the E.164 digits, or the URL-encoded E.164 number itself.
 * Numbers come from provisioning (the configuration file), so allocating or releasing one over REST is
 * refused with 403 `number-allocation-unavailable` / `number-release-unavailable`.
 */
import type { FastifyInstance } from 'fastify';
import type { NumberRecord, Store } from '../../store/store.js';
import { contextOf } from './voice-context.js';
import { VoiceApiError, invalidField, notFound } from './voice-error.js';
import { linkNext, slicePage, type PageParams } from './voice-paging.js';
import { e164, listQuery, pathParams } from './voice-schemas.js';
import { numberOfId, phoneNumberSchema, phoneNumberView } from './voice-views.js';
import { created, emptyOk, ok, okList, sendOk } from './voice-replies.js';

const updateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['applicationId'],
  properties: { applicationId: { type: 'string', maxLength: 128, description: 'the application to link; "" unlinks' } },
} as const;

const allocateBody = {
  type: 'object',
  properties: { number: e164, name: { type: 'string' }, applicationId: { type: 'string' }, fallbackNumber: { type: 'string' } },
} as const;

type Params = { userId: string; numberId: string };

export async function phoneNumberRoutes(app: FastifyInstance, { store }: { store: Store }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };
  const one = pathParams('numberId');

  const found = async (accountId: string, id: string): Promise<NumberRecord> => {
    const number = numberOfId(id);
    const n = number === undefined ? undefined : await store.findNumber(number);
    if (!n || n.accountId !== accountId) throw notFound('number-not-found', 'phone number', id);
    return n;
  };

  app.post('/:userId/phoneNumbers', { config, schema: { params: pathParams(), body: allocateBody, response: created } }, async () => {
    throw new VoiceApiError(403, 'forbidden', 'number-allocation-unavailable', "numbers are provisioned in Ringside's configuration file, not allocated over REST");
  });

  app.get('/:userId/phoneNumbers', { config, schema: { params: pathParams(), querystring: listQuery(), response: okList(phoneNumberSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const p = req.query as PageParams;
    const { items, more } = slicePage(await store.listNumbers(c.accountId), p);
    linkNext(req, reply, c, p, more);
    return items.map((n) => phoneNumberView(c, n));
  });

  app.get('/:userId/phoneNumbers/:numberId', { config, schema: { params: one, response: ok(phoneNumberSchema) } }, async (req) => {
    const c = contextOf(req);
    return phoneNumberView(c, await found(c.accountId, (req.params as Params).numberId));
  });

  app.post('/:userId/phoneNumbers/:numberId', { config, schema: { params: one, body: updateBody, response: emptyOk } }, async (req, reply) => {
    const c = contextOf(req);
    const n = await found(c.accountId, (req.params as Params).numberId);
    const { applicationId } = req.body as { applicationId: string };
    // The number exists; an application it cannot be linked to is a bad field, not a missing resource.
    if (applicationId !== '' && !(await store.getApplication(c.accountId, applicationId))) throw invalidField('applicationId', applicationId, `no application '${applicationId}' in this account`);
    await store.setNumberApplication(c.accountId, n.number, applicationId === '' ? undefined : applicationId);
    return sendOk(reply);
  });

  app.delete('/:userId/phoneNumbers/:numberId', { config, schema: { params: one, response: emptyOk } }, async (req) => {
    const c = contextOf(req);
    await found(c.accountId, (req.params as Params).numberId);
    throw new VoiceApiError(403, 'forbidden', 'number-release-unavailable', "numbers are provisioned in Ringside's configuration file, not released over REST");
  });
}

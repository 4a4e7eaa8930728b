/**
 * Texts over REST, in the call-tracking provider's shapes (spec realtime §5.4–5.6): send SMS and MMS, and
 * fetch an MMS component (docs/messaging.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/store.js';
import type { MessagingService } from '../../messaging/messaging-service.js';
import type { MmsMediaStore } from '../../messaging/mms-media-store.js';
import type { MediaPart } from '../../messaging/text-limits.js';
import type { Principal } from '../../auth/principal.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { ACCOUNT_SCHEMES, principalOf } from '../shared/auth-plugin.js';
import { accountIdParam, missing, params, providerParams, type ParamDoc } from '../shared/request-params.js';
import { successBody } from '../shared/success-body.js';
import { readMultipart } from '../shared/text-parts.js';

export interface MessagingRouteOptions {
  store: Store;
  messaging: MessagingService;
  media: MmsMediaStore;
}

const sendParamDocs: Record<string, ParamDoc> = {
  to_number: { description: '10-digit or E.164 number (required)' },
  payload: { description: 'the text (required unless media parts are sent)' },
  user_id: { description: 'optional integer: the user the text belongs to; decides the from-number' },
  pin: { description: "optional: the user's PIN, instead of user_id" },
  from_number: { description: 'optional: an active line number of the account' },
  ...accountIdParam,
};

const sent = successBody({
  uniqueId: { type: 'string', description: 'the report id; the events carry it' },
  medium: { type: 'string', enum: ['sms', 'mms'] },
  from: { type: 'string' },
  to: { type: 'string' },
});

const componentParams = (withAccount: boolean) => ({
  type: 'object',
  required: withAccount ? ['account_id', 'call_id', 'filename'] : ['call_id', 'filename'],
  properties: {
    ...(withAccount ? { account_id: { type: 'string' } } : {}),
    call_id: { type: 'string', description: "the message's uniqueId" },
    filename: { type: 'string', description: "from the message's components" },
  },
});

export async function messagingRoutes(app: FastifyInstance, { store, messaging, media }: MessagingRouteOptions): Promise<void> {
  const config = { auth: { schemes: ACCOUNT_SCHEMES } };

  app.post('/sms/send', { config, schema: { ...providerParams(sendParamDocs), response: { 200: sent, ...errorReplies } } }, async (req) => send(principalOf(req), params(req), [], 'sms'));

  // spec realtime §5.5: must be multipart/form-data, zero or more media parts; none → sent as SMS.
  app.post(
    '/mms/send',
    {
      config: { ...config, readsMultipart: true },
      schema: {
        body: {
          content: {
            'multipart/form-data': {
              // The parts are read by the route (shared/text-parts.ts), so the parsed body is empty.
              schema: {
                description: 'the send-SMS fields, and file parts of any field name (component[] suggested)',
                if: { type: 'object' },
                then: { type: 'object', properties: Object.fromEntries(Object.entries(sendParamDocs).map(([k, d]) => [k, { type: 'string', description: d.description }])), additionalProperties: true },
              },
            },
          },
        },
        response: { 200: sent, ...errorReplies },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      if (!req.isMultipart()) throw new ApiError(415, 'not_multipart', 'send-MMS takes multipart/form-data (fields and zero or more file parts)');
      const { fields, files } = await readMultipart(req);
      return send(principal, fields, files, 'mms');
    },
  );

  async function send(principal: Principal, p: Record<string, string | undefined>, parts: MediaPart[], requested: 'sms' | 'mms') {
    const absent = missing(p, ['to_number']);
    if (p.payload === undefined && parts.length === 0) absent.push('payload');
    if (absent.length) throw new ApiError(400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    if (p.account_id !== undefined && p.account_id !== principal.accountId) throw new ApiError(403, 'forbidden', `no access to account ${p.account_id}`);
    if (p.user_id !== undefined && !/^[0-9]+$/.test(p.user_id)) throw new ApiError(400, 'bad_parameter', 'user_id must be a number');
    const message = await messaging.send({
      accountId: principal.accountId,
      to: p.to_number!,
      body: p.payload ?? '',
      parts,
      via: 'api',
      requested,
      ...(p.user_id !== undefined ? { userId: Number(p.user_id) } : {}),
      ...(p.pin !== undefined ? { pin: p.pin } : {}),
      ...(p.from_number !== undefined ? { fromNumber: p.from_number } : {}),
    });
    return { success: true, uniqueId: message.id, medium: message.medium, from: message.from, to: message.to };
  }

  // spec realtime §5.6: stream one component; account id in the path or the query.
  const component = async (req: FastifyRequest<{ Params: { account_id?: string; call_id: string; filename: string } }>, reply: FastifyReply) => {
    const principal = principalOf(req);
    const accountId = req.params.account_id ?? params(req).account_id ?? principal.accountId;
    if (accountId !== principal.accountId) throw new ApiError(403, 'forbidden', `no access to account ${accountId}`);
    const entry = await store.getReportEntry(accountId, req.params.call_id);
    if (!entry || entry.kind !== 'message') throw new ApiError(404, 'not_found', `no message ${req.params.call_id}`);
    const c = entry.message.components.find((x) => x.filename === req.params.filename);
    const file = c && media.open(accountId, entry.message.id, c.filename);
    if (!c || !file) throw new ApiError(404, 'not_found', `message ${req.params.call_id} has no component '${req.params.filename}'`);
    return reply.header('content-type', c.contentType).header('content-length', file.size).send(file.stream);
  };
  const componentSchema = (withAccount: boolean) => ({
    params: componentParams(withAccount),
    querystring: providerParams(accountIdParam).querystring,
    response: {
      200: { description: 'the media part, with its own content type', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
      ...errorReplies,
    },
  });
  app.get('/mms/component/:call_id/:filename', { config, schema: componentSchema(false) }, component);
  app.get('/mms/component/:account_id/:call_id/:filename', { config, schema: componentSchema(true) }, component);
}

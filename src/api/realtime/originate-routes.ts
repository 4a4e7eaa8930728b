/**
 * Originate ("Initiate Voice Call", spec realtime §5.3; teltel §7 "callback"): `POST /voice/originate`.
 * Ringside dials `caller`, and when it answers, `callee` (docs/realtime-api.md, "Originate"). The answer
 * comes at once with the session id, which the `voice.originate.*` and `voice.outgoing.*` events carry
 * as `trackingId`.
 */
import type { FastifyInstance } from 'fastify';
import type { Switch } from '../../switch/switch.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { ACCOUNT_SCHEMES, principalOf } from '../shared/auth-plugin.js';
import { accountIdParam, missing, params, providerParams, wrongJsonType } from '../shared/request-params.js';
import { successBody } from '../shared/success-body.js';

export interface OriginateRouteOptions {
  calls: Pick<Switch, 'originate'>;
}

const originateParams = providerParams({
  caller: { description: 'required: an external number, a user PIN or extension, or a ring-group number' },
  callee: { description: 'required: the same kinds as caller' },
  user_id: { description: 'optional integer: the user the call record belongs to' },
  pin: { description: "optional: that user's PIN, instead of user_id" },
  trace_id: { description: 'optional, at most 256 characters: echoed in teltel data.callback.trace_id' },
  timeout: { description: "optional: seconds each side rings, 1–300 (Ringside's extension)" },
  ...accountIdParam,
});

const originated = successBody({
  trackingId: { type: 'string', description: 'the session every event of the originate carries' },
  uniqueId: { type: 'string', description: "the originate's report id" },
});

export async function originateRoutes(app: FastifyInstance, { calls }: OriginateRouteOptions): Promise<void> {
  app.post('/voice/originate', { config: { auth: { schemes: ACCOUNT_SCHEMES } }, schema: { ...originateParams, response: { 200: originated, ...errorReplies } } }, async (req) => {
    const principal = principalOf(req);
    const wrong = wrongJsonType(req, ['caller', 'callee'], 'a string (a number, PIN or extension)') ?? wrongJsonType(req, ['user_id', 'pin', 'trace_id', 'timeout', 'account_id'], 'a string or number');
    if (wrong) throw new ApiError(400, 'bad_parameter', wrong);
    const p = params(req);
    const absent = missing(p, ['caller', 'callee']);
    if (absent.length) throw new ApiError(400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    if (p.account_id !== undefined && p.account_id !== principal.accountId) throw new ApiError(403, 'forbidden', `no access to account ${p.account_id}`);
    if (p.user_id !== undefined && !/^[0-9]+$/.test(p.user_id)) throw new ApiError(400, 'bad_parameter', 'user_id must be a number');
    if (p.pin !== undefined && !/^[0-9]+$/.test(p.pin)) throw new ApiError(400, 'bad_parameter', 'pin must be digits');
    if (p.timeout !== undefined && !(/^[0-9]+$/.test(p.timeout) && Number(p.timeout) >= 1 && Number(p.timeout) <= 300))
      throw new ApiError(400, 'bad_parameter', 'timeout must be whole seconds from 1 to 300');
    if (p.trace_id !== undefined && p.trace_id.length > 256) throw new ApiError(400, 'bad_parameter', 'trace_id is longer than 256 characters');
    const r = await calls.originate({
      accountId: principal.accountId,
      caller: p.caller!,
      callee: p.callee!,
      ...(p.user_id !== undefined ? { userId: Number(p.user_id) } : {}),
      ...(p.pin !== undefined ? { pin: p.pin } : {}),
      ...(p.trace_id !== undefined ? { traceId: p.trace_id } : {}),
      ...(p.timeout !== undefined ? { ringSeconds: Number(p.timeout) } : {}),
    });
    if (!r.ok) throw new ApiError(r.status, r.error, r.message);
    return { success: true, trackingId: r.sessionId, uniqueId: r.callId };
  });
}

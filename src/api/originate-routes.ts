/**
 * Originate ("Initiate Voice Call", spec realtime §5.3; teltel §7 "callback"): `POST /voice/originate`.
 * Ringside dials `caller`, and when it answers, `callee` (docs/realtime-api.md, "Originate"). The answer
 * comes at once with the session id, which the `voice.originate.*` and `voice.outgoing.*` events carry
 * as `trackingId`.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import type { Switch } from '../switch/switch.js';
import { authenticate } from './authenticate.js';
import { params, missing } from './request-params.js';
import { fail } from './reply.js';

export interface OriginateRouteDeps {
  store: Store;
  calls: Switch;
}

export function registerOriginateRoutes(app: FastifyInstance, deps: OriginateRouteDeps): void {
  const { store, calls } = deps;

  app.post('/voice/originate', async (req, reply) => {
    const principal = await authenticate(req, store);
    const p = params(req);
    const absent = missing(p, ['caller', 'callee']);
    if (absent.length) return fail(reply, 400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    if (p.account_id !== undefined && p.account_id !== principal.accountId) return fail(reply, 403, 'forbidden', `no access to account ${p.account_id}`);
    if (p.user_id !== undefined && !/^[0-9]+$/.test(p.user_id)) return fail(reply, 400, 'bad_parameter', 'user_id must be a number');
    if (p.pin !== undefined && !/^[0-9]+$/.test(p.pin)) return fail(reply, 400, 'bad_parameter', 'pin must be digits');
    if (p.timeout !== undefined && !(/^[0-9]+$/.test(p.timeout) && Number(p.timeout) >= 1 && Number(p.timeout) <= 300))
      return fail(reply, 400, 'bad_parameter', 'timeout must be whole seconds from 1 to 300');
    if (p.trace_id !== undefined && p.trace_id.length > 256) return fail(reply, 400, 'bad_parameter', 'trace_id is longer than 256 characters');
    const r = await calls.originate({
      accountId: principal.accountId,
      caller: p.caller!,
      callee: p.callee!,
      ...(p.user_id !== undefined ? { userId: Number(p.user_id) } : {}),
      ...(p.pin !== undefined ? { pin: p.pin } : {}),
      ...(p.trace_id !== undefined ? { traceId: p.trace_id } : {}),
      ...(p.timeout !== undefined ? { ringSeconds: Number(p.timeout) } : {}),
    });
    if (!r.ok) return fail(reply, r.status, r.error, r.message);
    return { success: true, trackingId: r.sessionId, uniqueId: r.callId };
  });
}

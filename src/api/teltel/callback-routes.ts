/**
 * The callback API (click-to-call, spec teltel §7 "Proposed endpoint"): `POST /v2/calls/callback`. Ringside
 * reaches leg 1; if it answers, reaches leg 2 and bridges them. It is the switch's originate (switch.ts,
 * routing/originate.ts) with the request's own caller IDs: the teltel events say `type: callback`, `leg`
 * and `data.callback` (spec teltel §2.2, §2.3, §5.6); on the realtime side it is an originate.
 */
import type { FastifyInstance } from 'fastify';
import type { Switch } from '../../switch/switch.js';
import type { Store } from '../../store/store.js';
import { principalOf } from '../shared/auth-plugin.js';
import { checkCallback, type CallbackBody } from './callback-request.js';
import { TeltelApiError, invalidField, teltelErrorReplies, type TeltelProblem } from './teltel-error.js';

export interface CallbackRouteOptions {
  store: Store;
  calls: Pick<Switch, 'originate'>;
}

// The number's form is checked with the account's numbers (callback-request.ts), so every problem is told at once.
const number = (description: string) => ({ type: 'string', minLength: 1, maxLength: 32, description });

const callbackBody = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: {
    data: {
      type: 'object',
      required: ['leg_1_phone_number', 'leg_1_caller_id', 'leg_2_phone_number', 'leg_2_caller_id'],
      additionalProperties: false,
      properties: {
        leg_1_phone_number: number('Reached first: a SIP device number (extension, 1–6 digits; phase `localtosip`, leg `operator`) or a phone number, E.164 with or without `+` (through the trunk; `localtodid`, leg `contact`).'),
        leg_1_caller_id: number('What leg 1 sees as the caller: for a phone, one of the account\'s numbers; for a SIP device, an account number or extension, or leg 2\'s number.'),
        leg_2_phone_number: number('Reached once leg 1 answered, then bridged with it: the same kinds as leg 1.'),
        leg_2_caller_id: number('What leg 2 sees as the caller: the same rule as leg_1_caller_id, with leg 1\'s number allowed for a SIP device.'),
        trace_id: { type: 'string', maxLength: 256, description: 'Optional: echoed in every event\'s `data.callback.trace_id`.' },
      },
    },
  },
} as const;

const created = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'object',
      required: ['session_id', 'call_id'],
      properties: {
        session_id: { type: 'string', description: 'The `session_id` of every teltel event of the call (the realtime `trackingId`).' },
        call_id: { type: 'string', description: 'The `call_id` of those events.' },
      },
    },
  },
} as const;

/** The switch's refusal of one request field → the member it names. */
const FIELD_OF = { caller: 'leg_1_phone_number', callee: 'leg_2_phone_number', leg1CallerId: 'leg_1_caller_id', leg2CallerId: 'leg_2_caller_id' } as const;

export async function callbackRoutes(app: FastifyInstance, { store, calls }: CallbackRouteOptions): Promise<void> {
  app.post(
    '/v2/calls/callback',
    {
      // The family checks X-API-KEY itself (teltel-api.ts): an API credential, account-wide.
      config: { auth: { schemes: ['basic-api'] } },
      schema: {
        summary: 'Callback (click-to-call): reach leg 1, then leg 2, and bridge them',
        description: 'spec teltel §7. Answers at once with the session; the call runs on and is reported by the teltel webhooks (`type: callback`, `leg`, `data.callback`). Every problem with the request is one `errors[]` entry of a 422, a caller ID the account does not own included.',
        security: [{ teltelApiKey: [] }],
        body: callbackBody,
        response: { 201: created, ...teltelErrorReplies },
      },
    },
    async (req, reply) => {
      const { accountId } = principalOf(req);
      const body = (req.body as { data: CallbackBody }).data;
      const checked = await checkCallback(body, {
        numbers: (await store.listNumbers(accountId)).map((n) => n.number),
        hasExtension: async (digits) => (await store.findUserByExtension(accountId, digits)) !== undefined,
      });
      if (!checked.ok) throw new TeltelApiError(422, checked.problems);
      const { leg1, leg2, leg1CallerId, leg2CallerId } = checked.value;
      const r = await calls.originate({
        accountId,
        caller: leg1.number,
        callee: leg2.number,
        ...(body.trace_id !== undefined ? { traceId: body.trace_id } : {}),
        callback: {
          leg1CallerId,
          leg2CallerId,
          asGiven: { leg1Number: body.leg_1_phone_number, leg1CallerId: body.leg_1_caller_id, leg2Number: body.leg_2_phone_number, leg2CallerId: body.leg_2_caller_id },
        },
      });
      if (!r.ok) {
        const field = r.field ? FIELD_OF[r.field] : undefined;
        const problem: TeltelProblem = field ? invalidField(field, r.message) : { title: r.error === 'no_trunk' ? 'No trunk' : 'Cannot place the call', detail: r.message };
        // A request the switch refuses for one of its fields is invalid input; the rest keep their status.
        throw new TeltelApiError(field ? 422 : r.status, [problem]);
      }
      return reply.code(201).send({ data: { session_id: r.sessionId, call_id: r.callId } });
    },
  );
}

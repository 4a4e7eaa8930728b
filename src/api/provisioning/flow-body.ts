/**
 * The body of `POST`/`PUT /provisioning/flows` (docs/provisioning.md, "Call flows"): the flow schema of the
 * provisioning file (config/call-flow/flow-schema.ts), `id` optional (it is in the URL). The document
 * publishes that schema; the request is checked with validate-flow.ts's own reading of it, node by node,
 * so a 400 names the node and the field (`node 'menu' field 'keys/22': …`) where ajv's `oneOf` would
 * report every node kind the body is not. The graph rules and references are the store's cross-checks
 * (422, as for every resource).
 */
import { callFlowSchema } from '../../config/call-flow/flow-schema.js';
import { validateFlowDocument, type FlowContext } from '../../config/call-flow/validate-flow.js';

export const flowBodySchema = {
  ...callFlowSchema,
  required: callFlowSchema.required.filter((k) => k !== 'id'),
} as const;

/** Only the shape is judged here: every reference resolves and the timezone is valid (the store's
 *  cross-checks judge those against the account). */
const SHAPE_ONLY: FlowContext = { timezone: 'UTC', directory: { hasUser: () => true, hasRingGroup: () => true, canDial: () => true } };
/** Stands in for an `id` the body leaves out (PUT: the URL's; POST: refused as missing by the route). */
const ABSENT_ID = 'absent';

/** Why the body is not a flow (the validator's messages), or undefined when its shape is right. */
export function flowBodyProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object (a call flow)';
  const problems = validateFlowDocument({ id: ABSENT_ID, ...body }, SHAPE_ONLY).filter((p) => p.code === 'schema');
  return problems.length === 0 ? undefined : `body: ${problems.map((p) => p.message).join('; ')}`;
}

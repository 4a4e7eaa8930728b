/**
 * The call-centre API's error answer (spec teltel §7, the v2 conventions): `{"errors": [{"title", "detail",
 * "source"?}]}`, one entry per problem — `Invalid leg_1_phone_number` with what is wrong. The family's own
 * error handler (teltel-api.ts) writes every error of its routes in this shape: its own refusals, the
 * API-key check's 401/429, schema failures (422) and fastify's (malformed JSON, media type, body size).
 */
import type { ErrorObject } from 'ajv';

/** One problem (JSON:API error object, the members the v2 API uses). */
export interface TeltelProblem {
  title: string;
  detail: string;
  /** The request member at fault: `{"pointer": "/data/leg_1_phone_number"}` (RFC 6901). */
  source?: { pointer: string };
}

export class TeltelApiError extends Error {
  override readonly name = 'TeltelApiError';
  constructor(
    readonly statusCode: number,
    readonly problems: TeltelProblem[],
    /** Headers the answer carries (`Retry-After` on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(problems.map((p) => `${p.title}: ${p.detail}`).join('; '));
  }

  body(): { errors: TeltelProblem[] } {
    return { errors: this.problems };
  }
}

/** `Invalid <field>` about one member of the request's `data`. */
export function invalidField(field: string, detail: string): TeltelProblem {
  return { title: `Invalid ${field}`, detail, source: { pointer: `/data/${field}` } };
}

export const TELTEL_ERROR_SCHEMA_ID = 'teltel-api-error';

export const teltelErrorSchema = {
  $id: TELTEL_ERROR_SCHEMA_ID,
  description: 'Every failed call-centre API request (spec teltel §7): one entry per problem.',
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['title', 'detail'],
        properties: {
          title: { type: 'string', description: 'e.g. `Invalid leg_1_phone_number`, `Unauthorized`' },
          detail: { type: 'string', description: 'what is wrong, in words a client can act on' },
          source: { type: 'object', required: ['pointer'], properties: { pointer: { type: 'string', description: 'RFC 6901 pointer to the request member at fault' } } },
        },
      },
    },
  },
} as const;

/** The `response` entries every route of the family has besides its successes. */
export const teltelErrorReplies = {
  '4xx': { $ref: `${TELTEL_ERROR_SCHEMA_ID}#` },
  '5xx': { $ref: `${TELTEL_ERROR_SCHEMA_ID}#` },
} as const;

const MAX_PROBLEMS = 20;

/** Schema failures (the family's validator collects all of them) → one 422 entry each. */
export function schemaProblems(errors: readonly ErrorObject[]): TeltelProblem[] {
  const out: TeltelProblem[] = [];
  for (const e of errors) {
    const p = e.params as Record<string, unknown>;
    const path = e.instancePath.split('/').filter(Boolean);
    // The member at fault: the missing or unknown one, else where the value is.
    const member = e.keyword === 'required' ? String(p.missingProperty) : e.keyword === 'additionalProperties' ? String(p.additionalProperty) : path.at(-1);
    const field = member ?? 'body';
    const detail =
      e.keyword === 'required' ? 'is required'
      : e.keyword === 'additionalProperties' ? 'is not a member of this request'
      : e.keyword === 'type' ? `must be ${String(p.type) === 'object' ? 'an object' : `a ${String(p.type)}`}`
      : e.keyword === 'pattern' ? 'must be digits, optionally after a leading +: an E.164 number or a SIP device number'
      : e.keyword === 'maxLength' ? `must be at most ${String(p.limit)} characters`
      : e.keyword === 'minLength' ? 'must not be empty'
      : (e.message ?? 'is invalid');
    const pointer = e.keyword === 'required' || e.keyword === 'additionalProperties' ? `${e.instancePath}/${field}` : e.instancePath;
    out.push({ title: `Invalid ${field}`, detail, source: { pointer: pointer || '/' } });
  }
  if (out.length === 0) return [{ title: 'Invalid request', detail: 'the body does not match the request schema' }];
  // A body of a thousand unknown members gets a bounded answer.
  return out.length > MAX_PROBLEMS ? [...out.slice(0, MAX_PROBLEMS), { title: 'Too many problems', detail: `${out.length - MAX_PROBLEMS} more not listed` }] : out;
}

/** fastify's own refusals (body parsing) in the family's shape; anything else is a 500 whose detail stays in the log. */
export function toTeltelError(err: unknown): TeltelApiError {
  if (err instanceof TeltelApiError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: ErrorObject[] };
  if (e.validation) return new TeltelApiError(422, schemaProblems(e.validation));
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  if (status === 500) return new TeltelApiError(500, [{ title: 'Internal error', detail: 'the request failed; the details are in the server log' }]);
  const title = e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'Invalid JSON' : e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'Body too large' : e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Unsupported media type' : 'Bad request';
  return new TeltelApiError(status, [{ title, detail: e.message ?? title }]);
}

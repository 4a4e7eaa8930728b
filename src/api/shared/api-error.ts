/**
 * The one error answer of every REST family: `{"success": false, "error": <code>, "message": <what to fix>}`
 * (the call-tracking provider's shape, spec realtime §5.1). A route throws `ApiError`; the error handler of
 * http-server.ts is the one place that writes the answer, for these and for fastify's own errors alike.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** The HTTP status, sent as given (a deliberate 503 `no_trunk` is not an internal error). */
    readonly statusCode: number,
    /** The answer's `error`: a snake_case code a client can branch on. */
    readonly code: string,
    message: string,
    /** Headers the answer carries (`Retry-After` on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `$id` of the error body's schema, registered once by http-server.ts. */
export const API_ERROR_SCHEMA_ID = 'api-error';

export const apiErrorSchema = {
  $id: API_ERROR_SCHEMA_ID,
  description: 'Every failed REST request: what went wrong, in words a client can act on.',
  type: 'object',
  required: ['success', 'error', 'message'],
  properties: {
    success: { type: 'boolean', description: 'always false' },
    error: { type: 'string', description: 'snake_case code, e.g. missing_parameters, not_authenticated, not_found' },
    message: { type: 'string' },
  },
} as const;

/** The `response` entries every route has besides its successes. */
export const errorReplies = {
  '4xx': { $ref: `${API_ERROR_SCHEMA_ID}#` },
  '5xx': { $ref: `${API_ERROR_SCHEMA_ID}#` },
} as const;

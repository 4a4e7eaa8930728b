/**
 * The voice API's error answer (spec bandwidth §0): `{"category", "code", "message", "details": [{"name",
 * "value"}]}`. The family's own error handler (voice-api.ts) writes every error of its routes in this shape —
 * its own refusals, the switch's (`VoiceRefusal`), the auth plugin's 401s, and fastify's (malformed JSON,
 * media types, body size) — never in the `{success, error, message}` shape of Ringside's other families.
 */
import type { VoiceRefusal } from '../../switch/voice/voice-control.js';
import { ApiError } from '../shared/api-error.js';

export interface ErrorDetail {
  name: string;
  value: string;
}

/** spec bandwidth §0 categories (and `limit` for 429, the rate-limit samples' category). */
export type ErrorCategory =
  | 'authentication'
  | 'authorization'
  | 'not-found'
  | 'bad-request'
  | 'conflict'
  | 'forbidden'
  | 'unavailable'
  | 'limit'
  | 'backend';

export class VoiceApiError extends Error {
  override readonly name = 'VoiceApiError';
  constructor(
    readonly statusCode: number,
    readonly category: ErrorCategory,
    /** Kebab-case, spec bandwidth §0's words where it has one (`call-not-found`, `validation-error`). */
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Headers the answer carries (`X-RateLimit-Reset` on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { category: string; code: string; message: string; details: ErrorDetail[] } {
    return { category: this.category, code: this.code, message: this.message, details: this.details };
  }
}

export const VOICE_ERROR_SCHEMA_ID = 'voice-api-error';

export const voiceErrorSchema = {
  $id: VOICE_ERROR_SCHEMA_ID,
  description: 'Every failed voice-API request (spec bandwidth §0).',
  type: 'object',
  required: ['category', 'code', 'message', 'details'],
  properties: {
    category: { type: 'string', description: 'authentication, authorization, not-found, bad-request, conflict, forbidden, unavailable, limit, backend' },
    code: { type: 'string', description: 'kebab-case, e.g. call-not-found, validation-error, call-invalid-state' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'string' } } },
    },
  },
} as const;

/** The `response` entries every route of the family has besides its successes. */
export const voiceErrorReplies = {
  '4xx': { $ref: `${VOICE_ERROR_SCHEMA_ID}#` },
  '5xx': { $ref: `${VOICE_ERROR_SCHEMA_ID}#` },
} as const;

/** A rejected request field: 400 `validation-error` naming it (spec bandwidth §0). */
export function invalidField(name: string, value: unknown, message: string): VoiceApiError {
  return new VoiceApiError(400, 'bad-request', 'validation-error', message, [{ name, value: detailValue(value) }]);
}

/** An id the account does not have — unknown or another account's alike, so nothing leaks. */
export function notFound(code: string, what: string, id: string): VoiceApiError {
  return new VoiceApiError(404, 'not-found', code, `${what} '${id}' not found`, [{ name: 'id', value: id }]);
}

/** The switch's refusal, as it words it (voice-control.ts). */
export function refusalError(r: VoiceRefusal): VoiceApiError {
  return new VoiceApiError(r.status, r.category, r.code, r.message);
}

/** Routes that drive calls, when Ringside runs without the voice API's switch side. */
export function voiceUnavailable(): VoiceApiError {
  return new VoiceApiError(503, 'unavailable', 'unavailable', 'call control is not available on this server');
}

/** The category of a status, for errors that come without one. */
function categoryOf(status: number): ErrorCategory {
  if (status === 401) return 'authentication';
  if (status === 403) return 'authorization';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'limit';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'backend';
  return 'bad-request';
}

/** fastify's own refusals (body parsing), in the family's words. */
const FASTIFY_CODES: Record<string, [code: string, name: string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['validation-error', 'body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['validation-error', 'body'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['body-too-large', 'body'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported-media-type', 'Content-Type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['validation-error', 'Content-Length'],
};

/**
 * Whatever a route, hook or fastify threw, as the family's error. A 5xx that is not deliberate says
 * nothing of its cause (the handler logs it).
 */
export function toVoiceError(err: unknown, contentType?: string): VoiceApiError {
  if (err instanceof VoiceApiError) return err;
  // The auth plugin's 401 (shared/auth-plugin.ts): its snake_case code, kebab-cased; this family takes
  // only HTTP Basic token:secret (spec bandwidth §0), which the message says.
  if (err instanceof ApiError) {
    const message = err.statusCode === 401 ? `${err.message.replace(/ \(Bearer token or Basic credentials\)/, '')}: the voice API takes HTTP Basic with the API token as user name and the secret as password` : err.message;
    return new VoiceApiError(err.statusCode, categoryOf(err.statusCode), err.code.replace(/_/g, '-'), message, [], err.headers);
  }
  const e = err as { statusCode?: number; code?: string; message?: string };
  const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (status >= 500) return new VoiceApiError(500, 'backend', 'internal-error', 'internal error; see the server log');
  const known = FASTIFY_CODES[e.code ?? ''];
  const message = e.message ?? 'bad request';
  if (known) return new VoiceApiError(status, categoryOf(status), known[0], message, [{ name: known[1], value: known[1] === 'Content-Type' ? (contentType ?? '') : message }]);
  return new VoiceApiError(status, categoryOf(status), (e.code ?? 'bad-request').toLowerCase().replace(/_/g, '-'), message);
}

/** A detail's value is text: a JSON value as JSON, absent as empty. */
export function detailValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

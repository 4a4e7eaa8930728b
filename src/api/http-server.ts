/**
 * The HTTP server every API family (api/index.ts) and the WebSocket API mount on. Its error handler is the
 * one place that writes an error answer (shared/api-error.ts): a route's `ApiError` as thrown, fastify's
 * own errors and anything else thrown in the words the APIs use, and every 5xx that is not an `ApiError`
 * as an internal error (logged, never shown).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { Logger } from '../log/logger.js';
import { ApiError, apiErrorSchema } from './shared/api-error.js';
import { MessagingError } from '../messaging/errors.js';

/** fastify's own error codes, in the words the APIs use. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

export interface HttpServerOptions {
  logger: Logger;
  /** Largest request body accepted (bytes). */
  bodyLimit?: number;
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    // Per-request lines would drown the call logs: the HTTP layer logs warnings and errors only.
    loggerInstance: options.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Query strings and bodies from clients written for other platforms may repeat keys: keep them.
    routerOptions: { ignoreTrailingSlash: true },
    // Node answers an HTTP/1.1 request without Host with a bare 400 of its own; the hook below answers it
    // in the API's error body instead (found by test/fuzz).
    http: { requireHostHeader: false },
    // The router's own refusals (a path that does not decode, a parameter over its length) in the error
    // body every answer has, instead of fastify's `{error, code, statusCode}` (found by test/fuzz).
    frameworkErrors: (err, _req, reply) => sendError(reply, err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400, 'bad_url', err.message),
    // Requests Node's HTTP parser refuses before fastify sees them (malformed request line or headers,
    // headers too large, a request timeout) get the same body too (RFC 9110 15.5.1, RFC 6585 5).
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const [status, reason, error] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'request_timeout'] : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'headers_too_large'] : [400, 'Bad Request', 'bad_request'];
      const body = JSON.stringify({ success: false, error, message: status === 400 ? `malformed HTTP request (${err.code ?? 'parse error'})` : reason });
      if (socket.writable) socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      socket.destroy(err);
    },
  });
  // Bodies may be form-encoded as well as JSON (spec realtime §5.1).
  void app.register(formbody);
  // Multipart bodies (send-MMS, carrier webhooks) are read by the routes that take them, with limits.
  void app.register(multipart);
  // The error body's schema, which every route's `response` refers to (`errorReplies`).
  app.addSchema(apiErrorSchema);
  // RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request that lacks a Host header.
  // Thrown, not sent: the route's own error handler words it (the voice API answers in its provider's shape).
  app.addHook('onRequest', async (req) => {
    if (req.raw.httpVersion === '1.1' && req.headers.host === undefined) throw new ApiError(400, 'bad_request', 'an HTTP/1.1 request needs a Host header (RFC 9112 3.2)');
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not_found', `no route for ${req.method} ${req.url.split('?')[0]}`));
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string; validation?: unknown }, req, reply) => {
    if (err instanceof ApiError) return sendError(reply.headers(err.headers), err.statusCode, err.code, err.message);
    // A refused text names its rule, a 502 included (the carrier refused it: docs/messaging.md).
    if (err instanceof MessagingError) return sendError(reply, err.statusCode, err.code, err.message);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    const error = status >= 500 ? 'internal_error' : err.validation ? 'bad_request' : (FASTIFY_CODES[err.code ?? ''] ?? (err.code ?? 'bad_request').toLowerCase());
    const message = status >= 500 ? 'internal error; see the server log' : err.message;
    return sendError(reply, status, error, message);
  });
  return app;
}

function sendError(reply: FastifyReply, status: number, error: string, message: string): void {
  void reply.code(status).send({ success: false, error, message });
}

/**
 * The HTTP server every API family and the WebSocket API mount on. Errors leave as JSON that names the
 * problem; a route family may answer in its own dialect's error shape through its own handler.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { Logger } from '../log/logger.js';

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
  });
  // Bodies may be form-encoded as well as JSON (spec realtime §5.1).
  void app.register(formbody);
  // Multipart bodies (send-MMS, carrier webhooks) are read by the routes that take them, with limits.
  void app.register(multipart);
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ success: false, error: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` });
  });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    const error = status >= 500 ? 'internal_error' : err.validation ? 'bad_request' : (FASTIFY_CODES[err.code ?? ''] ?? (err.code ?? 'bad_request').toLowerCase());
    const message = status >= 500 ? 'internal error; see the server log' : err.message;
    void reply.code(status).send({ success: false, error, message });
  });
  return app;
}

/**
 * spec realtime §5.1: every call of the provider's REST takes `multipart/form-data` as well as form and JSON
 * bodies. fastify's multipart parser leaves the body unread, so this hook reads the fields of a multipart
 * request into `request.body` before validation, for every route but one that reads its parts itself
 * (`config.readsMultipart`, send-MMS). A malformed body is a 400 `bad_multipart` (text-parts.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { readMultipart } from './text-parts.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its multipart parts itself (files included); the family's hook leaves them. */
    readsMultipart?: boolean;
  }
}

export function multipartParams(app: FastifyInstance): void {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    if (!req.isMultipart() || req.routeOptions.config.readsMultipart === true) return;
    const { fields, files } = await readMultipart(req);
    if (files.length > 0) throw new ApiError(400, 'bad_parameter', `${req.routeOptions.url ?? 'this route'} takes fields only; file parts are for /mms/send`);
    req.body = fields;
  });
}

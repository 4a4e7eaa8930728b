/**
 * The admin family's request validation (docs/webhooks.md, "REST reference"). Unlike fastify's defaults,
 * unknown body and query properties are an error (not silently dropped), body values are never coerced, and
 * the message names the field and what is allowed, so the client can fix its request from the 400 alone:
 * `body.dialect must be one of "realtime", "teltel", "bandwidth"`, `querystring: unknown property 'colour'`.
 */
import { Ajv, type ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { ApiError } from '../shared/api-error.js';

// ajv-formats is CommonJS; under NodeNext its plugin function is the namespace's `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
const bodyAjv = addFormats(new Ajv({ useDefaults: true, coerceTypes: false, removeAdditional: false, strict: false }));
// Query strings and path parameters are text: `limit=5` is the integer 5.
const textAjv = addFormats(new Ajv({ useDefaults: true, coerceTypes: true, removeAdditional: false, strict: false }));

/** `app.setValidatorCompiler(strictValidator)`: a failed check is a 400 `bad_request` naming the field. */
export const strictValidator: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validate = (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
  return (data: unknown) => (validate(data) ? { value: data } : { error: new ApiError(400, 'bad_request', describeSchemaError(validate.errors ?? [], httpPart ?? 'request')) });
};

function describeSchemaError(errors: readonly ErrorObject[], part: string): string {
  const e = errors[0];
  if (!e) return `${part} is invalid`;
  const where = part + e.instancePath.replace(/\//g, '.');
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown property '${String(p.additionalProperty)}'`;
    case 'required':
      return `${where}: missing required property '${String(p.missingProperty)}'`;
    case 'enum':
      return `${where} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `${where} must be a valid ${String(p.format)}`;
    case 'pattern':
      return /url$/i.test(where) ? `${where} must be an http(s) URL` : `${where} must match ${String(p.pattern)}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

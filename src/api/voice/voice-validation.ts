/**
 * The voice API's request validation (spec bandwidth §0). Clients of this API send booleans and numbers as
 * JSON values or as strings (`"recordingEnabled": "true"`, `"callTimeout": "30"`) and enum-like values in
 * any case (`"callbackHttpMethod": "get"`): both are accepted (spec bandwidth §0 Proposed), the values
 * reaching the routes typed and canonical. Unknown fields are refused, and every refusal is a 400
 * `validation-error` whose `details` name the field.
 */
import { Ajv, type ErrorObject } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { VoiceApiError, detailValue } from './voice-error.js';

// ajv-formats is CommonJS; under NodeNext its plugin function is the namespace's `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
// `coerceTypes`: "true" → true, "10000" → 10000 (a query string is all text anyway).
const ajv = addFormats(new Ajv({ useDefaults: true, coerceTypes: true, removeAdditional: false, strict: false }));

export type VoiceSchema = { type?: unknown; enum?: unknown[]; properties?: Record<string, VoiceSchema>; items?: VoiceSchema };

/** `app.setValidatorCompiler(voiceValidator)` in the family's scope. */
export const voiceValidator: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const validate = ajv.compile(schema as object);
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
  return (data: unknown) => {
    canonicalizeVoiceValues(schema as VoiceSchema, data);
    if (validate(data)) return { value: data };
    return { error: describe(validate.errors ?? [], data, part) };
  };
};

/** Enum values matched case-insensitively become the enum's own spelling; "TRUE"/"False" become booleans'
 *  text, which ajv then coerces. In place, before validation. Also what openapi/request-check.ts applies to
 *  this family's bodies, so examples are held to the document as the server holds requests. */
export function canonicalizeVoiceValues(schema: VoiceSchema, data: unknown): void {
  if (!data || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    if (schema.items) for (const x of data) canonicalizeVoiceValues(schema.items, x);
    return;
  }
  const obj = data as Record<string, unknown>;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const v = obj[key];
    if (typeof v === 'string') {
      if (sub.enum) {
        const match = sub.enum.find((e) => typeof e === 'string' && e.toLowerCase() === v.toLowerCase());
        if (match !== undefined) obj[key] = match;
      } else if (sub.type === 'boolean' && /^(true|false)$/i.test(v)) {
        obj[key] = v.toLowerCase();
      }
    } else if (v && typeof v === 'object') {
      canonicalizeVoiceValues(sub, v);
    }
  }
}

/** The first error, naming the field (`prompt.sentence`) in `details` and the rule in the message. */
function describe(errors: readonly ErrorObject[], data: unknown, part: string): VoiceApiError {
  const e = errors[0];
  if (!e) return new VoiceApiError(400, 'bad-request', 'validation-error', `${part} is invalid`, [{ name: part, value: '' }]);
  const path = e.instancePath.split('/').slice(1);
  const p = e.params as Record<string, unknown>;
  const field = (extra?: string) => [...path, ...(extra === undefined ? [] : [extra])].join('.') || part;
  const at = (name: string) => valueAt(data, name === part ? [] : name.split('.'));
  const fail = (name: string, message: string) => new VoiceApiError(400, 'bad-request', 'validation-error', message, [{ name, value: detailValue(at(name)) }]);
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = field(String(p.additionalProperty));
      return fail(name, `unknown field '${name}'`);
    }
    case 'required': {
      const name = field(String(p.missingProperty));
      return fail(name, `'${name}' is required`);
    }
    case 'enum': {
      const name = field();
      return fail(name, `'${name}' must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    }
    case 'type': {
      const name = field();
      return fail(name, name === part ? `the ${part} must be a JSON object` : `'${name}' must be ${String(p.type)}`);
    }
    case 'pattern':
    case 'format': {
      const name = field();
      return fail(name, /url$/i.test(name) ? `'${name}' must be an http(s) URL` : `'${name}' has the wrong format (${String(p.pattern ?? p.format)})`);
    }
    default: {
      const name = field();
      return fail(name, `'${name}' ${e.message ?? 'is invalid'}`);
    }
  }
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * Request parameters as the call-tracking provider's REST API takes them (spec realtime §5.1): in the query
 * string, a form body or a JSON body, for the same route. A parameter may be in either part, so no schema of
 * one part can say it is required: the route checks presence and values itself, and answers the provider's
 * `missing_parameters` / `bad_parameter`. The schemas below name and describe the parameters and accept
 * whatever is accepted today; they never reject.
 */
import type { FastifyRequest } from 'fastify';

/** Values are strings; arrays keep their first value; null and objects count as absent. */
export function params(req: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const take = (src: unknown) => {
    if (!src || typeof src !== 'object') return;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const x = Array.isArray(v) ? v[0] : v;
      if (x === undefined || x === null || typeof x === 'object') continue;
      out[k] = String(x);
    }
  };
  take(req.query);
  take(req.body);
  return out;
}

/**
 * The first of `names` a JSON body gives as something other than a string, number or boolean, worded for
 * the client: `caller must be a string (…), not an array`. `params()` reads a list by its first value and
 * an object as absent, which suits repeated keys of a query or form but hides a wrong JSON type.
 */
export function wrongJsonType(req: FastifyRequest, names: readonly string[], expected: string): string | undefined {
  if (!(req.headers['content-type'] ?? '').toLowerCase().includes('json')) return undefined;
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  for (const name of names) {
    const v = (body as Record<string, unknown>)[name];
    if (v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') continue;
    return `${name} must be ${expected}, not ${v === null ? 'null' : Array.isArray(v) ? 'an array' : 'an object'}`;
  }
  return undefined;
}

export function missing(p: Record<string, string | undefined>, required: readonly string[]): string[] {
  return required.filter((k) => p[k] === undefined || p[k] === '');
}

export const REQUEST_PARAM_SCHEMA_ID = 'request-param';

/** One parameter, wherever it comes from. Registered once (api/index.ts) and referenced by `$ref`. */
export const requestParamSchema = {
  $id: REQUEST_PARAM_SCHEMA_ID,
  description:
    'Text in a query string or form body; any JSON value in a JSON body, read as its text (a list by its first value; null or an object counts as absent). Checked by the route, which names a missing or bad parameter in its answer.',
} as const;

export interface ParamDoc {
  /** What the parameter means, its documented type, and whether the route requires it. */
  description: string;
}

/** `account_id`, which every call of the family may pass (spec realtime §5.1: users of several accounts). */
export const accountIdParam: Record<'account_id', ParamDoc> = { account_id: { description: "optional; must be the principal's account" } };

/**
 * The `querystring` and `body` schemas of a route taking the provider's parameters. The body's apply only
 * when it is an object: an absent, multipart or other body passes, as it always has (the route reads it).
 */
export function providerParams(doc: Record<string, ParamDoc>) {
  const properties = Object.fromEntries(Object.entries(doc).map(([name, d]) => [name, { $ref: `${REQUEST_PARAM_SCHEMA_ID}#`, description: d.description }]));
  const parameters = { type: 'object', properties, additionalProperties: true } as const;
  return { querystring: parameters, body: { if: { type: 'object' }, then: parameters } } as const;
}

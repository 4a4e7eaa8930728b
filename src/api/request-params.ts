import type { FastifyRequest } from 'fastify';

/** Request parameters as the provider's REST API takes them: query string, then a JSON or form body
 *  (spec realtime §5.1). Values are strings; arrays keep their first value. */
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

export function missing(p: Record<string, string | undefined>, required: readonly string[]): string[] {
  return required.filter((k) => p[k] === undefined || p[k] === '');
}

/**
 * The schema of a success answer: `{"success": true, …}` (spec realtime §5.1), with the route's own
 * properties in the order the route writes them — fastify serializes by this schema, so a property missing
 * here would be dropped from the answer. Every property is required but the `optional` ones, which come
 * last: the serializer writes required properties first, so an optional one in the middle would move.
 */
export function successBody(properties: Record<string, object>, options: { optional?: readonly string[] } = {}) {
  const optional = options.optional ?? [];
  const keys = Object.keys(properties);
  if (keys.slice(keys.length - optional.length).some((k) => !optional.includes(k))) throw new Error(`successBody: optional properties (${optional.join(', ')}) must come last`);
  return {
    type: 'object',
    required: ['success', ...keys.filter((k) => !optional.includes(k))],
    properties: { success: { type: 'boolean', description: 'always true' }, ...properties },
  };
}

/** A page read by cursor: `{success, <list>: [...], next, more}`; the next page is `after=next`. */
export function pageBody(list: string, item: object) {
  return successBody({
    [list]: { type: 'array', items: item },
    next: { type: 'integer', description: 'the next page: after=next' },
    more: { type: 'boolean', description: 'whether there may be more after next' },
  });
}

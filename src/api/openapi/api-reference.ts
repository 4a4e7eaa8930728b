/**
 * The API's own description, generated from the routes' JSON Schemas (docs/api-reference.md):
 *
 *   GET /openapi.json                           the OpenAPI 3.1 document of every REST family
 *   GET /docs                                   its interactive reference (@fastify/swagger-ui, assets served locally)
 *   GET /schemas/events[/{dialect}/{name}.json] the JSON Schemas of every wire event (event-schemas.ts)
 *
 * Registered by api/index.ts before the families, not encapsulated: @fastify/swagger's onRoute hook then
 * sees every route the families mount. What a route's schema does not say (its tag, operationId, who may
 * call it, what its errors mean) is decided in route-docs.ts from what the route declares. These routes take
 * no credentials — they describe the API, they expose no data — and sit outside every family, so no
 * family's auth or rate limit applies to them.
 */
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { DialectName } from '../../dialects/dialect.js';
import { errorReplies } from '../shared/api-error.js';
import type { RouteAuth } from '../shared/auth-plugin.js';
import { ApiError } from '../shared/api-error.js';
import { BODY_OPTIONAL, ERROR_DESCRIPTIONS, FAMILY_TAGS, SECURITY_SCHEMES, authNote, familyOf, operationIdOf, securityOf, WEBSOCKET_PATHS } from './route-docs.js';
import { EVENT_DIALECTS, EVENT_SCHEMAS_PATH, eventComponents, eventSchemaIndex, eventWebhooks, publishedEventSchema } from './event-schemas.js';

export interface ApiReferenceOptions {
  /** The public base URL (settings `publicUrl`), read at each request: it may be fixed only once listening. */
  publicUrl: () => string;
  /** Ringside's version, the document's `info.version`. */
  version: string;
}

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';

type Doc = Record<string, unknown> & { servers?: { url: string; description?: string }[] };

async function apiReference(app: FastifyInstance, options: ApiReferenceOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ringside REST API',
        version: options.version,
        description: [
          'Every REST family Ringside serves, generated from the JSON Schemas its routes validate with. `webhooks` lists the events Ringside sends (call-centre webhooks, voice-API callbacks, RealTime events by webhook); each event\'s JSON Schema is also published at `/schemas/events/{dialect}/{name}.json` (index: `/schemas/events`).',
          '',
          `Not described here: ${WEBSOCKET_PATHS.map((w) => `\`${w.path}\` (${w.what})`).join('; ')} — WebSocket upgrades, which OpenAPI cannot describe; HEAD (the GET's answer without its body); \`/docs\` (this reference's own page).`,
        ].join('\n'),
      },
      tags: [...FAMILY_TAGS, ...Object.values(EVENT_DIALECTS).map((d) => ({ name: d.tag, description: d.description }))],
      components: { securitySchemes: SECURITY_SCHEMES, schemas: eventComponents() },
      webhooks: eventWebhooks(),
    } as never,
    // Shared schemas keep their `$id` as their name in `components.schemas` (`api-error`, `webhook`, …).
    refResolver: { buildLocalReference: (json: { $id?: unknown }, _base: unknown, _fragment: unknown, i: number) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: ({ schema, url, route }) => ({ schema: describeRoute(schema, url, route as RouteOptions), url }),
    transformObject: (documents) => finishDocument((documents as unknown as { openapiObject: Doc }).openapiObject) as never,
  });

  const docWithServers = (doc: Doc): Doc => {
    const publicUrl = options.publicUrl().replace(/\/+$/, '');
    // Without a public URL (a test's server), the document's own origin: OpenAPI's default server is `/`.
    return { ...doc, servers: [publicUrl ? { url: publicUrl, description: 'this Ringside (its public URL)' } : { url: '/' }] };
  };

  const reference = { config: { auth: 'public' as RouteAuth } };
  // The text (about 330 kB), written once per public URL rather than at every request.
  let served: { publicUrl: string; text: string } | undefined;
  app.get(OPENAPI_PATH, { ...reference, schema: { summary: 'This document', response: { 200: { description: 'the OpenAPI 3.1 document', type: 'object', additionalProperties: true }, ...errorReplies } } }, async (_req, reply) => {
    const publicUrl = options.publicUrl();
    if (served?.publicUrl !== publicUrl) served = { publicUrl, text: JSON.stringify(docWithServers(app.swagger() as unknown as Doc)) };
    // Sent as text: the document is not reshaped by a response serializer.
    return reply.type('application/json; charset=utf-8').send(served.text);
  });

  const indexSchema = {
    type: 'object',
    required: ['dialects'],
    properties: {
      dialects: {
        type: 'array',
        items: {
          type: 'object',
          required: ['dialect', 'description', 'events'],
          properties: {
            dialect: { type: 'string', enum: Object.keys(EVENT_DIALECTS) },
            description: { type: 'string' },
            events: { type: 'array', items: { type: 'object', required: ['name', 'url'], properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } } } },
          },
        },
      },
    },
  } as const;
  app.get(EVENT_SCHEMAS_PATH, { ...reference, schema: { summary: 'Every wire event with a published JSON Schema', response: { 200: indexSchema, ...errorReplies } } }, async () => eventSchemaIndex(options.publicUrl()));

  const params = {
    type: 'object',
    required: ['dialect', 'file'],
    properties: { dialect: { type: 'string', enum: Object.keys(EVENT_DIALECTS) }, file: { type: 'string', pattern: '^.+\\.json$', description: 'the event name and `.json`, e.g. `START.json`, `voice.incoming.start.json`' } },
  } as const;
  const eventSchemaResponse = { description: "the event's JSON Schema (draft-07)", type: 'object', additionalProperties: true } as const;
  app.get(`${EVENT_SCHEMAS_PATH}/:dialect/:file`, { ...reference, schema: { summary: "One wire event's JSON Schema", params, response: { 200: eventSchemaResponse, ...errorReplies } } }, async (req, reply) => {
    const { dialect, file } = req.params as { dialect: DialectName; file: string };
    const schema = publishedEventSchema(dialect, file.replace(/\.json$/, ''), options.publicUrl());
    if (!schema) throw new ApiError(404, 'not_found', `${dialect} has no event '${file.replace(/\.json$/, '')}'; see ${EVENT_SCHEMAS_PATH}`);
    return reply.type('application/schema+json').send(JSON.stringify(schema));
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    // The page reads its copy of the document at /docs/json: the same document, same servers.
    transformSpecification: (doc) => docWithServers(doc as Doc) as never,
  });
}
// Not encapsulated (what the fastify-plugin package marks): @fastify/swagger's onRoute hook must belong to
// the instance the families are registered on.
Object.assign(apiReference, { [Symbol.for('skip-override')]: true });
export { apiReference };

/** A route's schema with what the document needs besides: tag, operationId, security, error meanings. */
export function describeRoute(schema: FastifySchema | undefined, url: string, route: RouteOptions): FastifySchema {
  const s = { ...(schema ?? {}) } as FastifySchema & Record<string, unknown>;
  if (s.hide) return s;
  const family = familyOf(url);
  if (family) s.tags = [family];
  if (!s.operationId) s.operationId = operationIdOf(String(route.method), url);
  const auth = route.config?.auth;
  if (auth !== undefined && s.security === undefined) s.security = securityOf(auth);
  const note = auth === undefined ? undefined : authNote(auth);
  if (note) s.description = [s.description, note].filter(Boolean).join('\n\n');
  // The call-tracking family takes its parameters as JSON, a form or multipart fields (spec realtime §5.1,
  // docs/messaging.md); a carrier sends JSON or multipart (docs/messaging.md, "In from a carrier").
  if (family === 'realtime' && s.body && !s.consumes) s.consumes = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
  if (family === 'carrier' && s.body && !s.consumes) s.consumes = ['application/json', 'multipart/form-data'];
  // `{$ref, description}` (shared/request-params.ts): the resolver keeps the `$ref` alone, so the description
  // would be lost; as `{description, allOf: [{$ref}]}` it stays (and becomes the parameter's description).
  if (s.querystring) s.querystring = keepRefSiblings(s.querystring);
  if (s.body) s.body = keepRefSiblings(s.body);
  // Provider parameters (shared/request-params.ts) may all be in the query string: the body is optional.
  if (s.body && typeof s.body === 'object' && 'if' in s.body) s[BODY_OPTIONAL] = true;
  return s;
}

type Responses = Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;

/** An object schema (or `if/then` of one) whose properties are `{$ref, …}` → `{…, allOf: [{$ref}]}`. */
function keepRefSiblings(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = { ...s };
  if (s.then) out.then = keepRefSiblings(s.then);
  const properties = s.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, p]) => {
        const { $ref, ...rest } = p;
        return [name, typeof $ref === 'string' && Object.keys(rest).length ? { ...rest, allOf: [{ $ref }] } : p];
      }),
    );
  }
  return out;
}

/**
 * Once the document is generated: every `4XX`/`5XX` answer that is a shared error body gets that body's
 * meaning of its codes; an optional body is said to be optional.
 */
function finishDocument(doc: Doc): Doc {
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, { responses?: Responses; requestBody?: { required?: boolean } } & Record<string, unknown>>>)) {
    for (const operation of Object.values(item)) {
      if (operation[BODY_OPTIONAL]) {
        delete operation[BODY_OPTIONAL];
        if (operation.requestBody) operation.requestBody.required = false;
      }
      for (const range of ['4XX', '5XX'] as const) {
        const answer = operation.responses?.[range];
        const name = answer?.content?.['application/json']?.schema?.$ref?.replace('#/components/schemas/', '');
        if (answer && name !== undefined && name in ERROR_DESCRIPTIONS) answer.description = ERROR_DESCRIPTIONS[name as keyof typeof ERROR_DESCRIPTIONS][range];
      }
    }
  }
  return doc;
}

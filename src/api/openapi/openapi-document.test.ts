/**
 * The OpenAPI document (GET /openapi.json) is a valid OpenAPI 3.1 document that describes exactly the routes
 * fastify mounts — every one, with its method, and nothing that does not exist — with the exclusions of
 * route-docs.ts and no others; each operation says its family, its id and who may call it; the wire events
 * of every dialect are published and referenced. The API is mounted exactly as api/index.ts mounts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteOptions } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { createHttpServer } from '../http-server.js';
import { ringsideApi } from '../index.js';
import { silentLogger } from '../../log/logger.js';
import { allDialects } from '../../dialects/all-dialects.js';
import { realtimeSchemas } from '../../dialects/realtime/index.js';
import { teltelSchemas } from '../../dialects/teltel/index.js';
import { bandwidthSchemas } from '../../dialects/bandwidth/index.js';
import { FAMILY_TAGS, SECURITY_SCHEMES, UNDESCRIBED_ROUTES, familyOf, openApiPath, operationIdOf } from './route-docs.js';
import { eventComponentName, eventSchemaUrl } from './event-schemas.js';
import { UNTOUCHABLE_SERVICES } from './documented-requests.js';

const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

type Operation = { operationId?: string; tags?: string[]; security?: Record<string, string[]>[]; description?: string; responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>; requestBody?: unknown };
type Doc = { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, Operation>>; webhooks: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> }; tags: { name: string }[] };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The API mounted as app/ringside.ts mounts it, every route fastify registers, and the served document. */
async function mounted(publicUrl: () => string = () => 'https://pbx.example.com:8443') {
  const app = createHttpServer({ logger: silentLogger() });
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  await app.register(ringsideApi, { ...UNTOUCHABLE_SERVICES, publicUrl });
  await app.ready();
  return { app, routes };
}

async function servedDocument() {
  const { app, routes } = await mounted();
  const res = await app.inject('/openapi.json');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  return { app, routes, doc: res.json<Doc>() };
}

function operations(doc: Doc) {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op })));
}

test('the document is valid OpenAPI 3.1', async (t) => {
  const { app, doc } = await servedDocument();
  t.after(() => app.close());
  assert.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(doc as never);
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(validator.version, '3.1');
});

test('every mounted route is in the document with its method, nothing else is, and every exclusion is a declared one', async (t) => {
  const { app, routes, doc } = await servedDocument();
  t.after(() => app.close());
  const described = new Set(operations(doc).map(({ path, method }) => `${method.toUpperCase()} ${path}`));
  const expected = new Set<string>();
  const excludedBy = new Map<string, string[]>();
  for (const r of routes) {
    for (const method of [r.method].flat().map(String)) {
      const rule = UNDESCRIBED_ROUTES.find((u) => u.match(method, r.url));
      if (rule) {
        excludedBy.set(rule.why, [...(excludedBy.get(rule.why) ?? []), `${method} ${r.url}`]);
        continue;
      }
      const key = `${method} ${openApiPath(r.url)}`;
      expected.add(key);
      assert.ok(described.has(key), `${key} is mounted but not in the document`);
    }
  }
  for (const key of described) assert.ok(expected.has(key), `${key} is in the document but no such route is mounted`);
  assert.equal(described.size, expected.size);
  // Every exclusion rule still excludes something (a stale rule would hide a route silently one day) …
  for (const u of UNDESCRIBED_ROUTES) assert.ok((excludedBy.get(u.why) ?? []).length > 0, `exclusion never used: ${u.why}`);
  // … and a HEAD is left out only where its GET is described.
  for (const head of excludedBy.get(UNDESCRIBED_ROUTES[0]!.why) ?? []) {
    const url = head.slice('HEAD '.length);
    if (url.startsWith('/docs')) continue;
    assert.ok(described.has(`GET ${openApiPath(url)}`), `${head}: its GET is described`);
  }
  // The families of api/index.ts are all there.
  const tagged = new Set(operations(doc).flatMap(({ op }) => op.tags ?? []));
  for (const family of ['realtime', 'admin', 'voice', 'carrier', 'recordings', 'metrics', 'reference']) assert.ok(tagged.has(family), `family ${family}`);
  assert.ok(expected.size >= 81, `all operations seen (${expected.size})`);
});

test('each operation has one family tag, a unique stable operationId, the security of its config.auth and described errors', async (t) => {
  const { app, routes, doc } = await servedDocument();
  t.after(() => app.close());
  const familyNames = new Set<string>(FAMILY_TAGS.map((f) => f.name));
  const ids = new Set<string>();
  const byKey = new Map(routes.map((r) => [`${String(r.method).toLowerCase()} ${openApiPath(r.url)}`, r]));
  for (const { path, method, op } of operations(doc)) {
    const where = `${method.toUpperCase()} ${path}`;
    const route = byKey.get(`${method} ${path}`)!;
    assert.deepEqual(op.tags, [familyOf(route.url)], `${where}: its family's tag`);
    assert.ok(familyNames.has(op.tags![0]!), `${where}: a declared tag`);
    assert.equal(op.operationId, operationIdOf(method, route.url), `${where}: operationId from method + path`);
    assert.ok(!ids.has(op.operationId!), `${where}: operationId ${op.operationId} is unique`);
    ids.add(op.operationId!);
    assert.ok(Array.isArray(op.security), `${where}: says who may call it`);
    for (const requirement of op.security!) for (const name of Object.keys(requirement)) assert.ok(name in SECURITY_SCHEMES && name in doc.components.securitySchemes, `${where}: scheme ${name} is declared`);
    const auth = route.config?.auth;
    const schemes = op.security!.flatMap((s) => Object.keys(s)).sort();
    if (path === '/metrics') assert.deepEqual(op.security, [{ metricsToken: [] }, {}], 'metrics: its token, or loopback');
    else if (auth === 'public') assert.deepEqual(op.security, [], `${where}: public`);
    else if (op.tags![0] === 'voice') assert.deepEqual(schemes, ['voiceApiBasic'], `${where}: voice-API credentials only`);
    else if (op.tags![0] === 'call-centre') assert.deepEqual(op.security, [{ teltelApiKey: [] }], `${where}: X-API-KEY only`);
    else if (op.tags![0] === 'carrier') assert.deepEqual(op.security, [{ carrierBasic: [] }, {}], `${where}: trunk credentials or address`);
    else assert.deepEqual(schemes, ['bearerToken', 'integrator', 'userBasic', 'voiceApiBasic'], `${where}: every account scheme`);
    if (auth !== undefined && auth !== 'public' && auth.elevated) assert.match(op.description ?? '', /elevated principal/, `${where}: says it needs an elevated role`);
    const errorBody = op.tags![0] === 'voice' ? 'voice-api-error' : op.tags![0] === 'call-centre' ? 'teltel-api-error' : 'api-error';
    for (const range of ['4XX', '5XX']) {
      assert.equal(op.responses[range]?.content?.['application/json']?.schema?.$ref, `#/components/schemas/${errorBody}`, `${where}: ${range} is the ${errorBody} body`);
      assert.ok(((op.responses[range] as { description?: string }).description ?? '').length > 40, `${where}: ${range} says what the codes mean`);
    }
  }
  for (const [name, item] of Object.entries(doc.webhooks)) {
    const id = item.post?.operationId;
    assert.ok(id && !ids.has(id), `webhook ${name}: unique operationId`);
    ids.add(id);
  }
  // The routes of the reference take no credentials, and the public ones are the ones declared public.
  for (const path of ['/openapi.json', '/schemas/events', '/schemas/events/{dialect}/{file}']) assert.deepEqual(doc.paths[path]?.get?.security, [], path);
});

test("servers is the configured public URL, read when the document is asked for; /openapi.json, /docs and /schemas need no credentials", async (t) => {
  let publicUrl = '';
  const { app } = await mounted(() => publicUrl);
  t.after(() => app.close());
  assert.deepEqual((await app.inject('/openapi.json')).json<Doc>().servers, [{ url: '/' }], 'no public URL yet: the document\'s own origin');
  publicUrl = 'https://pbx.example.com/';
  const doc = (await app.inject('/openapi.json')).json<Doc>();
  assert.deepEqual(doc.servers.map((s) => s.url), ['https://pbx.example.com']);
  assert.deepEqual((await app.inject('/docs/json')).json<Doc>().servers.map((s) => s.url), ['https://pbx.example.com'], 'the reference page reads the same document');
  assert.ok(!JSON.stringify(doc).includes('127.0.0.1'), 'no hard-coded loopback address');
  // No Authorization header anywhere below; repeated well past any rate a family has.
  for (let i = 0; i < 3; i++) {
    for (const url of ['/openapi.json', '/docs', '/docs/json', '/docs/static/swagger-ui-bundle.js', '/schemas/events', '/schemas/events/teltel/START.json']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    }
  }
  const page = (await app.inject('/docs')).body;
  assert.doesNotMatch(page, /https?:\/\/(?!www\.w3\.org)[^"' ]*\.(js|css)/, 'the reference page loads no asset from elsewhere');
});

test('every event each dialect can emit has a published JSON Schema, listed in the index, in components and in webhooks', async (t) => {
  const { app, doc } = await servedDocument();
  t.after(() => app.close());
  const sources: Record<string, Record<string, object>> = { realtime: realtimeSchemas, teltel: teltelSchemas, bandwidth: bandwidthSchemas };
  const index = (await app.inject('/schemas/events')).json<{ dialects: { dialect: string; events: { name: string; url: string }[] }[] }>();
  assert.deepEqual(index.dialects.map((d) => d.dialect), allDialects.map((d) => d.name));
  const ajv = addFormats(new Ajv({ strict: false }));
  let count = 0;
  for (const d of allDialects) {
    const listed = index.dialects.find((x) => x.dialect === d.name)!.events;
    assert.deepEqual(listed.map((e) => e.name), [...d.eventNames], `${d.name}: the index lists every event name`);
    for (const name of d.eventNames) {
      const url = eventSchemaUrl(d.name, name, 'https://pbx.example.com:8443');
      assert.equal(listed.find((e) => e.name === name)!.url, url);
      const res = await app.inject(new URL(url).pathname);
      assert.equal(res.statusCode, 200, `${url}`);
      assert.match(String(res.headers['content-type']), /^application\/schema\+json/);
      const published = res.json<Record<string, unknown>>();
      assert.equal(published.$id, url, `${d.name} ${name}: $id is its own URL`);
      assert.equal(published.$schema, 'http://json-schema.org/draft-07/schema#');
      const { $id: _a, $schema: _b, title: _c, ...rules } = published;
      const { $id: _d, $schema: _e, title: _f, ...source } = sources[d.name]![name] as Record<string, unknown>;
      assert.deepEqual(rules, JSON.parse(JSON.stringify(source)), `${d.name} ${name}: the schema the dialect's tests validate with`);
      ajv.compile(published);
      const key = eventComponentName(d.name, name);
      const component = doc.components.schemas[key]!;
      assert.ok(component, `${key} in components.schemas`);
      assert.deepEqual((component.externalDocs as { url: string }).url, eventSchemaUrl(d.name, name), `${key} points at its published URL`);
      const body = (doc.webhooks[key]?.post?.requestBody as { content: Record<string, { schema: { $ref: string } }> }).content['application/json']!.schema.$ref;
      assert.equal(body, `#/components/schemas/${key}`, `webhooks.${key}`);
      count++;
    }
  }
  assert.equal(Object.keys(doc.webhooks).length, count, 'webhooks: the events, nothing else');
  assert.equal(count, 23 + 7 + bandwidthSchemasCount());
  assert.equal((await app.inject('/schemas/events/teltel/NOPE.json')).statusCode, 404);
  assert.equal((await app.inject('/schemas/events/smtp/START.json')).statusCode, 400);
  assert.equal((await app.inject('/schemas/events/teltel/constructor.json')).statusCode, 404);
});

function bandwidthSchemasCount(): number {
  return allDialects.find((d) => d.name === 'bandwidth')!.eventNames.length;
}

/**
 * Every API route, as app/ringside.ts mounts them, has request and response schemas and declares who may
 * call it; and a response schema never changes what a client gets (the serializer drops properties a
 * schema lacks and writes required ones first). A new route without them fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyContextConfig, type RouteOptions } from 'fastify';
import { createHttpServer } from './http-server.js';
import { ringsideApi, type ApiServices } from './index.js';
import { UNTOUCHABLE_SERVICES, untouchable } from './openapi/documented-requests.js';
import { silentLogger } from '../log/logger.js';
import { authPlugin } from './shared/auth-plugin.js';
import { messageComponentSchema, reportEntrySchema, reportView } from './realtime/report-entry.js';
import { deadLetterView, deadLetterViewSchema } from './admin/dead-letter-view.js';
import { webhookView, webhookViewSchema } from './admin/webhook-view.js';
import { logEntry } from '../events/log/log-entry.js';
import { loggedEventView, loggedEventViewSchema } from './admin/logged-event-view.js';
import type { ReportEntry, Store, WebhookRecord } from '../store/store.js';
import { CONSOLE_ROUTES, REFERENCE_UI_ROUTES } from './openapi/route-docs.js';

const services: ApiServices = UNTOUCHABLE_SERVICES;

async function mountedRoutes() {
  const app = createHttpServer({ logger: silentLogger() });
  const routes: { route: RouteOptions; shared: Map<string, unknown> }[] = [];
  // `this` is the route's own (encapsulated) instance: the shared schemas its family sees.
  app.addHook('onRoute', function (route) {
    routes.push({ route, shared: new Map(Object.entries(this.getSchemas())) });
  });
  await app.register(ringsideApi, services);
  await app.ready();
  await app.close();
  // The reference UI's page and assets (@fastify/swagger-ui) and the console's are no API routes (openapi/route-docs.ts).
  return routes.filter((r) => ![REFERENCE_UI_ROUTES, CONSOLE_ROUTES].some((u) => u.match(String(r.route.method), r.route.url)));
}

type Schema = Record<string, unknown>;

/** Calls `visit` on every (sub)schema of a response schema, following `$ref`s to shared schemas. */
function walk(schema: unknown, shared: Map<string, unknown>, visit: (s: Schema, where: string) => void, where: string, seen = new Set<unknown>()): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as Schema;
  if (typeof s.$ref === 'string') {
    const id = s.$ref.replace(/#$/, '');
    assert.ok(shared.has(id), `${where}: $ref ${s.$ref} is not a registered schema`);
    return walk(shared.get(id), shared, visit, `${where} → ${id}`, seen);
  }
  visit(s, where);
  for (const [k, v] of Object.entries((s.properties ?? {}) as Schema)) walk(v, shared, visit, `${where}.${k}`, seen);
  for (const key of ['items', 'then', 'else', 'additionalProperties']) walk(s[key], shared, visit, `${where}[${key}]`, seen);
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const [i, sub] of ((s[key] ?? []) as unknown[]).entries()) walk(sub, shared, visit, `${where}[${key}${i}]`, seen);
  for (const [type, c] of Object.entries((s.content ?? {}) as Record<string, { schema?: unknown }>)) walk(c.schema, shared, visit, `${where}(${type})`, seen);
}

test('every route has request and response schemas and declares its auth', async () => {
  const routes = (await mountedRoutes()).map((r) => r.route);
  const api = routes.filter((r) => r.method !== 'HEAD');
  assert.ok(api.length >= 28, `all routes seen (${api.length})`);
  for (const r of routes) {
    const where = `${String(r.method)} ${r.url}`;
    assert.ok(r.config?.auth, `${where}: config.auth`);
    const response = r.schema?.response as Record<string, unknown> | undefined;
    assert.ok(response, `${where}: schema.response`);
    assert.ok(Object.keys(response).some((code) => /^2/.test(code)), `${where}: a 2xx response schema`);
    // The voice-API family answers errors in its provider's shape (spec bandwidth §0, voice/voice-error.ts).
    const errorBody = r.url.startsWith('/v1/users/') ? 'voice-api-error#' : 'api-error#';
    for (const code of ['4xx', '5xx']) assert.deepEqual(response[code], { $ref: errorBody }, `${where}: ${code} is the error body`);
    const names = [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
    if (names.length) {
      const params = r.schema?.params as { properties?: Record<string, unknown>; required?: string[] } | undefined;
      for (const n of names) {
        assert.ok(params?.properties?.[n], `${where}: schema.params describes :${n}`);
        assert.ok(params?.required?.includes(n), `${where}: :${n} is required`);
      }
    }
    if (r.method === 'POST' || r.method === 'PUT') assert.ok(r.schema?.body || r.url.endsWith('/ping') || r.url.endsWith('/replay'), `${where}: schema.body`);
  }
});

test('a route that declares no auth, or mixes the carrier with account schemes, fails at registration', async () => {
  const configs: FastifyContextConfig[] = [{}, { auth: { schemes: ['carrier', 'bearer'] } }];
  for (const config of configs) {
    const app = Fastify();
    const mount = async () => {
      await app.register(async (family) => {
        await family.register(authPlugin, { store: untouchable<Store>('store'), stage: 'onRequest' });
        family.get('/x', { config }, async () => ({}));
      });
      await app.ready();
    };
    await assert.rejects(mount, /config\.auth|carrier scheme/);
    await app.close().catch(() => undefined);
  }
});

test('response schemas keep the order a route writes: required properties are a prefix', async () => {
  for (const { route: r, shared } of await mountedRoutes()) {
    for (const [code, schema] of Object.entries((r.schema?.response ?? {}) as Record<string, unknown>)) {
      walk(schema, shared, (s, where) => {
        const keys = Object.keys((s.properties ?? {}) as Schema);
        const required = (s.required ?? []) as string[];
        assert.deepEqual(keys.slice(0, required.length), required, `${where}: required ${JSON.stringify(required)} is not a prefix of ${JSON.stringify(keys)}`);
      }, `${String(r.method)} ${r.url} ${code}`);
    }
  }
});

test('open and optional-heavy views serialize exactly as JSON.stringify writes them', async () => {
  const call: ReportEntry = {
    kind: 'call',
    call: {
      id: '1763737200.42.1', accountId: 'a', sessionId: '5f0c', direction: 'originate', sessionKind: 'originate', parentId: '1763737200.41.9',
      from: '+15550100', to: '1101', lineId: 'main', lineName: 'Main', lineNumber: '+15550100', userId: 501, userIds: [501, 503],
      startedAt: 1.7e12, answeredAt: 1.7e12 + 4000, endedAt: 1.7e12 + 9000, duration: 9, billableSeconds: 5, disposition: 'answered', hasVoicemail: false,
      recordingUrl: 'http://r/x.wav', hangupBy: { kind: 'sip', number: '101', userId: 501 }, cause: 'normal',
      callback: { leg1Number: '1101', leg1CallerId: '+15550100', leg2Number: '+15557654321', leg2CallerId: '+15550100', traceId: 'crm-1' },
      legs: [
        { legId: '5f0c.1', role: 'operator', direction: 'out', partyKind: 'sip', number: '101', name: 'Alice', userId: 501, result: 'ANSWER', createdAt: 1.7e12, answeredAt: 1.7e12 + 4000, endedAt: 1.7e12 + 9000, endedBy: 'local', cause: 'normal' },
        { legId: '5f0c.2', role: 'contact', direction: 'out', partyKind: 'phone', number: '+15557654321', result: 'BUSY', sipStatus: 486, createdAt: 1.7e12 },
      ],
    },
  };
  const text: ReportEntry = {
    kind: 'message',
    message: { id: 'm1', accountId: 'a', direction: 'outgoing', medium: 'mms', from: '+15550100', to: '+15557654321', body: 'hi', userId: 501, components: [{ filename: 'p.png', contentType: 'image/png', size: 8 }], status: 'failed', error: 'carrier said no', via: 'api', createdAt: 1.7e12 },
  };
  const hook: WebhookRecord = { id: 'crm', accountId: 'a', source: 'api', url: 'https://u:p@crm.test/', fallbackUrl: 'https://backup.test/', dialect: 'teltel', method: 'POST', events: ['START'], secret: 'abcdefgh' };
  const dead = deadLetterView({ id: 7, webhookId: 'crm', eventId: 'e1', name: 'START', dialect: 'teltel', sessionId: 's1', position: 12, attempts: 3, firstAttemptAt: 1.7e12, lastStatus: 503, payload: '{"event":"START","nested":{"a":[1,2]}}' } as never);
  const logged = loggedEventView(logEntry({ position: 3, id: 'e2', dialect: 'bandwidth', name: 'answer', sessionId: 's2', accountId: 'a', userIds: [], loggedAt: 1.7e12, payloadJson: JSON.stringify({ eventType: 'answer', extra: { deep: [true, null] } }) }));
  const cases: [string, unknown][] = [
    ['report-entry#', reportView(call)],
    ['report-entry#', reportView(text)],
    ['report-entry#', { ...reportView(text), added_later: { x: 1 } }],
    ['webhook#', webhookView(hook)],
    ['webhook#', webhookView({ ...hook, fallbackUrl: undefined } as never)],
    ['dead-letter#', dead],
    ['logged-event#', logged],
  ];
  const app = Fastify();
  for (const s of [messageComponentSchema, reportEntrySchema, webhookViewSchema, deadLetterViewSchema, loggedEventViewSchema]) app.addSchema(s);
  for (const [i, [ref, value]] of cases.entries()) app.get(`/${i}`, { schema: { response: { 200: { $ref: ref } } } }, async () => value);
  for (const [i, [ref, value]] of cases.entries()) assert.equal((await app.inject(`/${i}`)).body, JSON.stringify(value), `${ref} case ${i}`);
  await app.close();
});

/**
 * Test support (in src/ beside voice/voice-test-harness.ts, which uses it: src/ builds on its own, as the
 * Dockerfile builds it). Holds the REST tests' own requests to the OpenAPI document (docs/api-reference.md): while a test runs,
 * every request it makes with `fetch` that Ringside accepted (2xx) is checked against the document, as a
 * client generated from the document would send it. A request the server takes but the document refuses
 * (or does not know) fails the test there, naming the problem.
 *
 * The document is the one `GET /openapi.json` serves, built once per process from the API mounted exactly as
 * api/index.ts mounts it (services that must not be touched: only the routes are needed), so a test that
 * mounts one family alone is still checked against the whole document.
 */
import assert from 'node:assert/strict';
import { createHttpServer } from '../http-server.js';
import { ringsideApi, type ApiServices } from '../index.js';
import { silentLogger } from '../../log/logger.js';
import { RingsideMetrics } from '../metrics/ringside-metrics.js';
import { OpenApiRequestChecker, type DocumentedRequest } from './request-check.js';

/** Services that must not be touched while routes are registered: any use throws. */
export function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_t, key) => {
      throw new Error(`${name}.${String(key)} used while mounting the API`);
    },
  });
}

export const UNTOUCHABLE_SERVICES: ApiServices = {
  store: untouchable('store'),
  events: untouchable('events'),
  recorder: untouchable('recorder'),
  webhooks: untouchable('webhooks'),
  messaging: untouchable('messaging'),
  mmsMedia: untouchable('mmsMedia'),
  calls: untouchable('calls'),
  recordings: untouchable('recordings'),
  metrics: { metrics: new RingsideMetrics() },
};

let document: Promise<Record<string, unknown>> | undefined;

/** The OpenAPI document of the whole API, as served at `/openapi.json`. */
export function apiDocument(): Promise<Record<string, unknown>> {
  document ??= (async () => {
    const app = createHttpServer({ logger: silentLogger() });
    await app.register(ringsideApi, UNTOUCHABLE_SERVICES);
    const res = await app.inject('/openapi.json');
    await app.close();
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Record<string, unknown>>();
  })();
  return document;
}

let checker: Promise<OpenApiRequestChecker> | undefined;

export function apiChecker(): Promise<OpenApiRequestChecker> {
  checker ??= apiDocument().then((doc) => new OpenApiRequestChecker(doc));
  return checker;
}

/** The request `fetch` was given, as the checker reads it; undefined when its body is a stream. */
export function describeFetch(input: string | URL | Request, init: RequestInit = {}): DocumentedRequest | undefined {
  if (input instanceof Request) return undefined;
  const url = new URL(String(input));
  const headers = new Headers(init.headers);
  const request: DocumentedRequest = { method: (init.method ?? 'GET').toUpperCase(), url: url.pathname + url.search };
  const body = init.body;
  if (body === undefined || body === null) return request;
  if (typeof body === 'string') {
    const type = headers.get('content-type') ?? 'text/plain';
    request.contentType = type;
    request.body = /json/i.test(type) ? (JSON.parse(body) as unknown) : /x-www-form-urlencoded/i.test(type) ? Object.fromEntries(new URLSearchParams(body)) : body;
  } else if (body instanceof URLSearchParams) {
    request.contentType = 'application/x-www-form-urlencoded';
    request.body = Object.fromEntries(body);
  } else if (body instanceof FormData) {
    // Fields as text; file parts are bytes the schema does not describe field by field.
    request.contentType = 'multipart/form-data';
    request.body = Object.fromEntries([...body.entries()].filter(([, v]) => typeof v === 'string'));
  } else return undefined;
  return request;
}

/**
 * For the rest of test `t`: every accepted request `fetch` sends to `origin` (or to any loopback HTTP
 * server when not given) is checked against the document. Returns how many were checked so far.
 */
export async function checkRequestsAgainstDocument(t: { after(fn: () => unknown): void }, origin?: () => string): Promise<{ count(): number; requests: string[] }> {
  const check = await apiChecker();
  const original = globalThis.fetch;
  const requests: string[] = [];
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await original(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const ours = origin ? url.origin === origin() : /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(url.origin);
    if (ours && res.ok) {
      const request = describeFetch(input, init);
      if (request) {
        assert.deepEqual(check.problems(request), [], `an accepted request the OpenAPI document refuses: ${request.method} ${request.url}`);
        requests.push(`${request.method} ${check.operation(request.method, request.url.split('?')[0]!)?.template}`);
      }
    }
    return res;
  };
  t.after(() => {
    globalThis.fetch = original;
  });
  return { count: () => requests.length, requests };
}

/** One accepted request, held to the document (for requests a test sends other than with `fetch`). */
export async function assertDocumented(request: DocumentedRequest): Promise<void> {
  assert.deepEqual((await apiChecker()).problems(request), [], `an accepted request the OpenAPI document refuses: ${request.method} ${request.url}`);
}

/**
 * The REST routes exactly as Ringside mounts them, with their schemas: the API is registered on a fresh
 * HTTP server with services that throw if touched (as src/api/route-schemas.test.ts does), and each
 * route's method, URL, schemas, declared auth and the shared schemas its family sees are kept. The
 * campaign then fuzzes the live child process by these.
 */
import type { RouteOptions } from 'fastify';
import { createHttpServer } from '../../../src/api/http-server.js';
import { ringsideApi, type ApiServices } from '../../../src/api/index.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { Schema } from './json-schema-gen.js';

export interface ApiRoute {
  method: string;
  url: string;
  auth: 'public' | { schemes: readonly string[]; elevated?: string };
  schema: { body?: unknown; querystring?: unknown; params?: unknown; headers?: unknown };
  /** `$ref` → schema, as the route's family sees them. */
  shared: Map<string, Schema>;
}

function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_t, key) => {
      throw new Error(`${name}.${String(key)} used while mounting the API`);
    },
  });
}

export async function apiRoutes(): Promise<ApiRoute[]> {
  const names = ['store', 'events', 'recorder', 'webhooks', 'messaging', 'mmsMedia', 'calls', 'recordings'] as const;
  const services = Object.fromEntries(names.map((n) => [n, untouchable(n)])) as unknown as ApiServices;
  const app = createHttpServer({ logger: silentLogger() });
  const routes: ApiRoute[] = [];
  app.addHook('onRoute', function (route: RouteOptions) {
    if (route.method === 'HEAD') return;
    const shared = new Map(Object.entries(this.getSchemas() as Record<string, Schema>));
    // HEAD answers have no body to hold to the error shape; a route may list it beside GET (@fastify/static's
    // assets of /docs do).
    for (const method of (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD')) {
      routes.push({ method, url: route.url, auth: (route.config as { auth?: ApiRoute['auth'] } | undefined)?.auth ?? 'public', schema: (route.schema ?? {}) as ApiRoute['schema'], shared });
    }
  });
  await app.register(ringsideApi, services);
  await app.ready();
  await app.close();
  return routes;
}

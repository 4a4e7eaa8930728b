/**
 * The built console (docs/console.md, "How it is served"): the single-page app Vite writes to
 * `dist/console` (`npm run build`), served at `/` on the API's port.
 *
 * - `/` and any other GET that no route takes, asks for HTML (a browser navigating) and is not under an API
 *   path: `index.html`, `Cache-Control: no-cache` (the app routes on the client);
 * - files of the build (`/assets/<name>-<hash>.js` …): hashed ones under `/assets/` with
 *   `Cache-Control: public, max-age=31536000, immutable` (a new build has new names), others `no-cache`;
 * - anything else is the API's own 404, so an unknown API path never turns into a page;
 * - no build: `GET /` answers 503 with a sentence saying to run `npm run build`.
 *
 * The directory is read at each request, so a build made while Ringside runs is served at once. Registered
 * by api/index.ts before the families, not encapsulated: its onRoute hook learns every API path's first
 * segment as the families mount them. Its routes are no API (no credentials, hidden from the OpenAPI
 * document: openapi/route-docs.ts `CONSOLE_ROUTES`).
 */
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import { errorReplies } from '../shared/api-error.js';

export interface ConsoleAssetsOptions {
  /** The build's directory (Vite's outDir). */
  dir: string;
}

/** What a route of the console's own says in its config, so the hook below tells them from the API's. */
const CONSOLE_ROUTE = 'consoleAsset';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route serving the built console (api/console/console-assets.ts), not an API route. */
    [CONSOLE_ROUTE]?: true;
  }
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';
const NO_BUILD = 'The Ringside console is not built. Run `npm run build` (it builds the console into dist/console with Vite), then reload this page.\n';

/** The first segment of a path: `/webhooks/:id` → `webhooks`. */
function firstSegment(url: string): string {
  return url.split('?')[0]!.split('/')[1] ?? '';
}

async function consoleAssets(app: FastifyInstance, { dir }: ConsoleAssetsOptions): Promise<void> {
  const root = resolve(dir);
  // The API's top-level paths (`auth`, `webhooks`, `v1`, `console`, …), learnt as the families mount them.
  const apiSegments = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.[CONSOLE_ROUTE]) return;
    const segment = firstSegment(route.url);
    if (segment !== '') apiSegments.add(segment);
  });

  const indexHtml = async (reply: FastifyReply) => {
    if (!(await isFile(join(root, 'index.html')))) return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', NO_CACHE).send(NO_BUILD);
    return reply.header('cache-control', NO_CACHE).sendFile('index.html', root, { cacheControl: false });
  };

  /** A file of the build the path names (never outside it, never a dotfile), or undefined. */
  const buildFile = async (path: string): Promise<string | undefined> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    const file = resolve(root, '.' + decoded);
    if (!file.startsWith(root + sep) || decoded.split('/').some((s) => s.startsWith('.'))) return undefined;
    return (await isFile(file)) ? file.slice(root.length + 1) : undefined;
  };

  const wantsHtml = (req: FastifyRequest) => /\btext\/html\b/i.test(req.headers.accept ?? '');

  await app.register(async (assets) => {
    await assets.register(fastifyStatic, { serve: false });
    const config = { auth: 'public' as const, [CONSOLE_ROUTE]: true as const };
    // No credentials and no API schema: these serve the console's files (hidden from the OpenAPI document).
    const schema = { hide: true, response: { 200: { description: 'a file of the built console', type: 'string' }, ...errorReplies } };

    assets.get('/', { config, schema }, async (_req, reply) => indexHtml(reply));

    assets.get('/*', { config, schema }, async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (apiSegments.has(firstSegment(path))) return reply.callNotFound();
      const file = await buildFile(path);
      if (file !== undefined) {
        const hashed = file.startsWith(`assets${sep}`);
        return reply.header('cache-control', hashed ? IMMUTABLE : NO_CACHE).sendFile(file, root, { cacheControl: false });
      }
      // SPA routing: a page of the app the browser asks for by its path.
      if (wantsHtml(req) && !/\.[A-Za-z0-9]{1,8}$/.test(path)) return indexHtml(reply);
      return reply.callNotFound();
    });
  });
}
// Not encapsulated (what the fastify-plugin package marks): the onRoute hook must see the families' routes.
Object.assign(consoleAssets, { [Symbol.for('skip-override')]: true });
export { consoleAssets };

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

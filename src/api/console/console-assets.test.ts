/**
 * The built console at / (docs/console.md, "How it is served"), mounted as api/index.ts mounts it: index.html
 * never cached, hashed assets cached for a year, SPA routing for a browser's navigations only, the API's own
 * 404 for unknown API paths and for anything else, nothing outside the build, and a clear 503 before the
 * first build. The build directory is a temporary one holding what Vite writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer } from '../http-server.js';
import { ringsideApi } from '../index.js';
import { UNTOUCHABLE_SERVICES } from '../openapi/documented-requests.js';
import { silentLogger } from '../../log/logger.js';

const INDEX = '<!doctype html><html><body><div id="app"></div><script type="module" src="/assets/index-Bx7Qz1aQ.js"></script></body></html>';
const SCRIPT = 'console.log("console")';
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

async function mounted(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-console-'));
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(ringsideApi, { ...UNTOUCHABLE_SERVICES, consoleDir: join(dir, 'console') });
  await app.ready();
  t.after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const build = () => {
    mkdirSync(join(dir, 'console', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'console', 'index.html'), INDEX);
    writeFileSync(join(dir, 'console', 'assets', 'index-Bx7Qz1aQ.js'), SCRIPT);
    writeFileSync(join(dir, 'console', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'console', '.env'), 'SECRET=1');
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  };
  return { app, build };
}

test('before the first build, GET / says to run npm run build (503, text)', async (t) => {
  const { app } = await mounted(t);
  for (const url of ['/', '/live-calls']) {
    const res = await app.inject({ url, headers: html });
    assert.equal(res.statusCode, 503, url);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(res.body, /npm run build/);
  }
});

test('the build is served with its caching headers, and read at each request (a build made while running is served)', async (t) => {
  const { app, build } = await mounted(t);
  assert.equal((await app.inject('/')).statusCode, 503);
  build();
  const index = await app.inject({ url: '/', headers: html });
  assert.equal(index.statusCode, 200);
  assert.equal(index.body, INDEX);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  const asset = await app.inject('/assets/index-Bx7Qz1aQ.js');
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.body, SCRIPT);
  assert.match(String(asset.headers['content-type']), /javascript/);
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.ok(asset.headers.etag, 'an ETag for revalidation');
  const icon = await app.inject('/favicon.svg');
  assert.equal(icon.statusCode, 200);
  assert.equal(icon.headers['cache-control'], 'no-cache', 'an unhashed file is revalidated');
  const head = await app.inject({ method: 'HEAD', url: '/' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, '');
});

test('SPA routing: a browser navigation to an app path gets index.html; API paths, files and non-HTML requests keep their 404', async (t) => {
  const { app, build } = await mounted(t);
  build();
  for (const url of ['/live-calls', '/history/2026-12-07', '/devices?user=2']) {
    const res = await app.inject({ url, headers: html });
    assert.equal(res.statusCode, 200, url);
    assert.equal(res.body, INDEX, url);
    assert.equal(res.headers['cache-control'], 'no-cache', url);
  }
  const notFound = async (url: string, headers: Record<string, string> = html) => {
    const res = await app.inject({ url, headers });
    assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
    assert.equal(res.json().error, 'not_found', url);
  };
  // Unknown paths under the API's families stay the API's 404, even for a browser.
  for (const url of ['/webhooks/x/y', '/console/nothing', '/events/stream/x', '/reports/nothing', '/openapi.json/x', '/schemas/x/y/z', '/metrics/x']) await notFound(url);
  await notFound('/live-calls', { accept: 'application/json' });
  await notFound('/assets/missing-Zz9.js');
  await notFound('/assets/missing-Zz9.js', html);
  // Nothing outside the build, no dotfiles.
  for (const url of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/.env']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 404, url);
    assert.doesNotMatch(res.body, /outside the build|SECRET/, url);
  }
  // The voice family's unknown paths answer what they answered before the console existed.
  const voice = await app.inject({ url: '/v1/users/u-1/nothing', headers: html });
  assert.deepEqual(voice.json(), { success: false, error: 'not_found', message: 'no route for GET /v1/users/u-1/nothing' });
  // API routes are untouched.
  assert.equal((await app.inject({ url: '/openapi.json', headers: html })).statusCode, 200);
  assert.equal((await app.inject({ url: '/webhooks', headers: html })).statusCode, 401);
  assert.equal((await app.inject({ method: 'POST', url: '/live-calls', headers: html })).statusCode, 404, 'only GET navigations');
});

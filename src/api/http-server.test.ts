/**
 * Answers the HTTP server writes before any route runs — the router's refusals and Node's HTTP parser's —
 * are the API's error body too (`{success:false, error, message}`, JSON). Each case is an input the fuzz
 * campaign (test/fuzz) found answered in fastify's or Node's own shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from './http-server.js';
import { silentLogger } from '../log/logger.js';

/** Writes `raw` on a fresh connection and returns the first answer's status, content type and body. */
function rawRequest(port: number, raw: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(raw);
      setTimeout(() => sock.end(), 100);
    });
    let got = '';
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('close', () => {
      const sep = got.indexOf('\r\n\r\n');
      const head = got.slice(0, sep);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? got.length);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1]), type: /content-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '', body: got.slice(sep + 4, sep + 4 + length) });
    });
  });
}

function assertApiError(res: { status: number; type: string; body: string }, status: number, error: string): void {
  assert.equal(res.status, status, res.body);
  assert.match(res.type, /^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(body.success, false);
  assert.equal(body.error, error);
  assert.equal(typeof body.message, 'string');
}

test('router refusals and HTTP parser errors are answered in the API error body', async (t) => {
  const app = createHttpServer({ logger: silentLogger() });
  app.get('/things/:id', async (req) => ({ id: (req.params as { id: string }).id }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const port = (app.server.address() as AddressInfo).port;

  // A path parameter that does not decode (%C0%AF is an overlong "/"): FST_ERR_BAD_URL.
  assertApiError(await rawRequest(port, 'GET /things/%C0%AF HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'bad_url');
  // A parameter over fastify's maxParamLength (100): FST_ERR_MAX_PARAM_LENGTH, 414.
  assertApiError(await rawRequest(port, `GET /things/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'bad_url');
  // Malformed HTTP (two Content-Length headers), refused by Node's parser: fastify's clientErrorHandler.
  assertApiError(await rawRequest(port, 'GET /things/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'), 400, 'bad_request');
  // Headers larger than Node's limit: 431.
  assertApiError(await rawRequest(port, `GET /things/1 HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large');
  // HTTP/1.1 without Host: still 400 (RFC 9112 3.2), no longer Node's bare one.
  assertApiError(await rawRequest(port, 'GET /things/1 HTTP/1.1\r\n\r\n'), 400, 'bad_request');
  // And the valid request still works, HTTP/1.0 without Host included.
  assert.equal((await rawRequest(port, 'GET /things/7 HTTP/1.1\r\nHost: x\r\n\r\n')).body, '{"id":"7"}');
  assert.equal((await rawRequest(port, 'GET /things/8 HTTP/1.0\r\n\r\n')).body, '{"id":"8"}');
});

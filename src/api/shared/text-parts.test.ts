/**
 * A malformed multipart body is the client's fault: readMultipart answers 400 `bad_multipart`, never lets
 * busboy's error through as a 500 (found by test/fuzz: "Unexpected end of multipart data" was a 500).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpServer } from '../http-server.js';
import { silentLogger } from '../../log/logger.js';
import { readMultipart } from './text-parts.js';

test('malformed multipart bodies are 400 bad_multipart; a good one is read', async (t) => {
  const app = createHttpServer({ logger: silentLogger() });
  app.post('/parts', async (req) => {
    const { fields, files } = await readMultipart(req);
    return { fields, files: files.length };
  });
  await app.ready();
  t.after(() => app.close());
  const post = (body: string, boundary = 'fuzz') => app.inject({ method: 'POST', url: '/parts', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.from(body, 'latin1') });
  for (const body of ['--fuzz\r\n\r\n', '--fuzz--', 'garbage', '--fuzz\r\nContent-Disposition: form-data; name="to"\r\n\r\n+1555', '--fuzz\r\nNo-Colon\r\n\r\nx\r\n--fuzz--\r\n']) {
    const res = await post(body);
    assert.ok(res.statusCode === 400 || res.statusCode === 200, `${JSON.stringify(body)} → ${res.statusCode} ${res.body}`);
    if (res.statusCode === 400) assert.equal(res.json().error, 'bad_multipart', res.body);
  }
  const truncated = await post('--fuzz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG');
  assert.equal(truncated.statusCode, 400, truncated.body);
  assert.equal(truncated.json().error, 'bad_multipart');
  const good = await post('--fuzz\r\nContent-Disposition: form-data; name="to"\r\n\r\n+15557654321\r\n--fuzz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--fuzz--\r\n');
  assert.equal(good.statusCode, 200, good.body);
  assert.deepEqual(good.json(), { fields: { to: '+15557654321' }, files: 1 });
});

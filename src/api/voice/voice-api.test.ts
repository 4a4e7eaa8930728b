/**
 * The voice API's REST conventions (spec bandwidth §0) and its applications and phone numbers (§3.1):
 * authentication and the user check, the provider's error shape for every refusal (malformed JSON and
 * unknown fields included), 201 + Location, 200 never 204, Link paging, the rate limit, values as strings.
 * Over a real socket, store and log; the switch is a recording double (voice-test-harness.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACME, OTHER, basic, harness, providerError } from './voice-test-harness.js';

test('credentials: Basic token:secret only, 401 in the provider shape; another user id is 403', async (t) => {
  const h = await harness(t);
  const none = providerError(await h.call('GET', '/v1/users/u-acme/calls', { auth: null }), 401, 'not-authenticated');
  assert.equal(none.category, 'authentication');
  providerError(await h.call('GET', '/v1/users/u-acme/calls', { auth: basic('t-acme', 'wrong') }), 401, 'invalid-credentials');
  // A user's login is not voice-API credentials.
  providerError(await h.call('GET', '/v1/users/u-acme/calls', { auth: basic('ada@acme.test', 'ada-pass-1') }), 401, 'invalid-credentials');
  providerError(await h.call('GET', '/v1/users/u-acme/calls', { auth: 'Bearer abc' }), 401, 'not-authenticated');
  // Before the body is read: a bad body from an unauthenticated client is still a 401.
  providerError(await h.call('POST', '/v1/users/u-acme/calls', { auth: null, body: '{not json' }), 401, 'not-authenticated');

  const theirs = providerError(await h.call('GET', '/v1/users/u-other/calls', { auth: ACME }), 403, 'access-denied');
  assert.equal(theirs.category, 'authorization');
  assert.deepEqual(theirs.details, [{ name: 'userId', value: 'u-other' }]);
  providerError(await h.call('GET', '/v1/users/u-nobody/applications', { auth: ACME }), 403, 'access-denied');
  providerError(await h.call('POST', '/v1/users/u-acme/applications', { auth: OTHER, body: { name: 'x', incomingCallUrl: 'http://a.test/' } }), 403, 'access-denied');
  assert.equal((await h.call('GET', '/v1/users/u-other/applications', { auth: OTHER })).status, 200);
});

test('malformed JSON, unknown fields, wrong types and unknown routes: provider-shaped errors naming the field', async (t) => {
  const h = await harness(t);
  const bad = providerError(await h.call('POST', '/v1/users/u-acme/applications', { body: '{"name": "x",' }), 400, 'validation-error');
  assert.equal(bad.category, 'bad-request');
  assert.equal(bad.details[0]!.name, 'body');
  const unknown = providerError(await h.acme('POST', '/applications', { name: 'x', incomingCallUrl: 'http://a.test/', colour: 'red' }), 400, 'validation-error');
  assert.deepEqual(unknown.details, [{ name: 'colour', value: 'red' }]);
  assert.match(unknown.message, /unknown field 'colour'/);
  const missing = providerError(await h.acme('POST', '/applications', { incomingCallUrl: 'http://a.test/' }), 400, 'validation-error');
  assert.deepEqual(missing.details, [{ name: 'name', value: '' }]);
  const type = providerError(await h.acme('POST', '/applications', { name: 'x', incomingCallUrl: 'http://a.test/', autoAnswer: 'maybe' }), 400, 'validation-error');
  assert.deepEqual(type.details, [{ name: 'autoAnswer', value: 'maybe' }]);
  const url = providerError(await h.acme('POST', '/applications', { name: 'x', incomingCallUrl: 'ftp://a.test/' }), 400, 'validation-error');
  assert.equal(url.details[0]!.name, 'incomingCallUrl');
  const query = providerError(await h.acme('GET', '/applications?size=5000'), 400, 'validation-error');
  assert.deepEqual(query.details, [{ name: 'size', value: '5000' }]);
  const media = providerError(await h.call('POST', '/v1/users/u-acme/applications', { body: 'name=x', contentType: 'text/csv' }), 415, 'unsupported-media-type');
  assert.deepEqual(media.details, [{ name: 'Content-Type', value: 'text/csv' }]);
  const route = providerError(await h.acme('GET', '/nothing-here'), 404, 'resource-not-found');
  assert.equal(route.category, 'not-found');
});

test('applications: 201 + Location, provider field names, strings for booleans and numbers, 200 (never 204) on update and delete', async (t) => {
  const h = await harness(t);
  const made = await h.acme('POST', '/applications', {
    name: 'IVR',
    incomingCallUrl: 'https://app.test/calls',
    incomingCallUrlCallbackTimeout: '5000',
    incomingCallFallbackUrl: 'https://backup.test/calls',
    callbackHttpMethod: 'get',
    autoAnswer: 'false',
  });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.text, '');
  const location = made.headers.get('location')!;
  assert.match(location, new RegExp(`^${h.base}/v1/users/u-acme/applications/a-[0-9a-f]{20}$`), 'an absolute URL from the request host; id a- + 80 random bits');
  const id = location.split('/').pop()!;

  const got = await h.call('GET', new URL(location).pathname);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, {
    id,
    name: 'IVR',
    incomingCallUrl: 'https://app.test/calls',
    incomingCallUrlCallbackTimeout: 5000,
    incomingCallFallbackUrl: 'https://backup.test/calls',
    callbackHttpMethod: 'GET',
    autoAnswer: false,
  });
  const stored = await h.store.getApplication('acme', id);
  assert.equal(stored?.source, 'api');
  assert.equal(stored?.callbackTimeoutMs, 5000);

  // Only the fields sent change; the answer is an empty 200.
  const updated = await h.acme('POST', `/applications/${id}`, { incomingMessageUrl: 'https://app.test/texts', autoAnswer: true });
  assert.equal(updated.status, 200);
  assert.equal(updated.text, '');
  assert.equal(updated.headers.get('content-length'), '0');
  const after = (await h.acme('GET', `/applications/${id}`)).json as Record<string, unknown>;
  assert.equal(after.name, 'IVR');
  assert.equal(after.autoAnswer, true);
  assert.equal(after.incomingMessageUrl, 'https://app.test/texts');
  assert.equal(after.incomingMessageUrlCallbackTimeout, 5000, 'one timeout per application');

  const list = await h.acme('GET', '/applications');
  assert.deepEqual((list.json as { id: string }[]).map((a) => a.id).sort(), [id, 'cfg-app'].sort());

  const deleted = await h.acme('DELETE', `/applications/${id}`);
  assert.equal(deleted.status, 200);
  assert.equal(deleted.text, '');
  providerError(await h.acme('GET', `/applications/${id}`), 404, 'application-not-found');
  providerError(await h.acme('DELETE', `/applications/${id}`), 404, 'application-not-found');

  // Defaults: POST method, 10 s, autoAnswer on.
  const plain = await h.acme('POST', '/applications', { name: 'Texts', incomingMessageUrl: 'https://app.test/t' });
  const view = (await h.call('GET', new URL(plain.headers.get('location')!).pathname)).json as Record<string, unknown>;
  assert.equal(view.callbackHttpMethod, 'POST');
  assert.equal(view.autoAnswer, true);
  assert.equal(view.incomingMessageUrlCallbackTimeout, 10000);
  assert.equal(view.incomingCallUrlCallbackTimeout, undefined, 'no call URL, no call timeout');
  // The provider's lenient values above ('5000', 'get', 'false') included: accepted as the document describes.
  for (const op of ['POST /v1/users/{userId}/applications', 'GET /v1/users/{userId}/applications/{applicationId}']) assert.ok(h.documented.includes(op), `${op}: as the OpenAPI document describes it`);
});

test('applications: rules of the provider and of the configuration file', async (t) => {
  const h = await harness(t);
  const neither = providerError(await h.acme('POST', '/applications', { name: 'x' }), 400, 'validation-error');
  assert.equal(neither.details[0]!.name, 'incomingCallUrl');
  const fallback = providerError(await h.acme('POST', '/applications', { name: 'x', incomingMessageUrl: 'http://a.test/', incomingCallFallbackUrl: 'http://b.test/' }), 400, 'validation-error');
  assert.equal(fallback.details[0]!.name, 'incomingCallFallbackUrl');
  const timeout = providerError(await h.acme('POST', '/applications', { name: 'x', incomingCallUrl: 'http://a.test/', incomingCallUrlCallbackTimeout: 10001 }), 400, 'validation-error');
  assert.deepEqual(timeout.details, [{ name: 'incomingCallUrlCallbackTimeout', value: '10001' }]);
  // The file's applications are read-only here: the file replaces them at each start.
  const ro = providerError(await h.acme('POST', '/applications/cfg-app', { name: 'renamed' }), 409, 'application-read-only');
  assert.equal(ro.category, 'conflict');
  providerError(await h.acme('DELETE', '/applications/cfg-app'), 409, 'application-read-only');
  // Another account's application is not found, never forbidden.
  const theirs = await h.call('POST', '/v1/users/u-other/applications', { auth: OTHER, body: { name: 'theirs', incomingCallUrl: 'http://o.test/' } });
  const theirId = theirs.headers.get('location')!.split('/').pop()!;
  providerError(await h.acme('GET', `/applications/${theirId}`), 404, 'application-not-found');
});

test('phone numbers: the account\'s numbers, by id or E.164, linked and unlinked; allocation refused', async (t) => {
  const h = await harness(t);
  const list = await h.acme('GET', '/phoneNumbers');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json, [
    { id: 'n-15550100', number: '+15550100', name: 'Main', applicationId: 'cfg-app', application: `${h.base}/v1/users/u-acme/applications/cfg-app`, numberState: 'enabled' },
    { id: 'n-15550101', number: '+15550101', name: 'Sales', numberState: 'enabled' },
    { id: 'n-15550102', number: '+15550102', numberState: 'enabled' },
  ]);
  assert.deepEqual((await h.acme('GET', '/phoneNumbers/%2B15550101')).json, (await h.acme('GET', '/phoneNumbers/n-15550101')).json);
  providerError(await h.acme('GET', '/phoneNumbers/n-15550200'), 404, 'number-not-found');
  providerError(await h.acme('GET', '/phoneNumbers/%2B15550200'), 404, 'number-not-found');
  providerError(await h.acme('GET', '/phoneNumbers/sales'), 404, 'number-not-found');

  const linked = await h.acme('POST', '/phoneNumbers/n-15550101', { applicationId: 'cfg-app' });
  assert.equal(linked.status, 200);
  assert.equal(linked.text, '');
  assert.equal((await h.store.findNumber('+15550101'))?.application, 'cfg-app');
  assert.equal(((await h.acme('GET', '/phoneNumbers/n-15550101')).json as Record<string, unknown>).applicationId, 'cfg-app');
  assert.equal((await h.acme('POST', '/phoneNumbers/%2B15550101', { applicationId: '' })).status, 200, '"" unlinks');
  assert.equal((await h.store.findNumber('+15550101'))?.application, undefined);
  const unknownApp = providerError(await h.acme('POST', '/phoneNumbers/n-15550101', { applicationId: 'a-nope' }), 400, 'validation-error');
  assert.deepEqual(unknownApp.details, [{ name: 'applicationId', value: 'a-nope' }]);

  const alloc = providerError(await h.acme('POST', '/phoneNumbers', { number: '+15550199' }), 403, 'number-allocation-unavailable');
  assert.equal(alloc.category, 'forbidden');
  providerError(await h.acme('DELETE', '/phoneNumbers/n-15550101'), 403, 'number-release-unavailable');
});

test('lists page by page and size, with Link rel="next" while a next page exists', async (t) => {
  const h = await harness(t);
  for (let i = 0; i < 4; i++) await h.acme('POST', '/applications', { name: `app ${i}`, incomingCallUrl: 'http://a.test/' });
  // 5 applications (4 + the file's), size 2: pages 0, 1, 2.
  const seen: string[] = [];
  let next: string | undefined = `${h.base}/v1/users/u-acme/applications?size=2`;
  const links: string[] = [];
  while (next) {
    const page = await h.call('GET', new URL(next).pathname + new URL(next).search);
    assert.equal(page.status, 200);
    seen.push(...(page.json as { id: string }[]).map((a) => a.id));
    const link = page.headers.get('link');
    next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    if (link) links.push(link);
  }
  assert.equal(links.length, 2);
  assert.equal(links[0], `<${h.base}/v1/users/u-acme/applications?size=2&page=1>; rel="next"`);
  assert.equal(new Set(seen).size, 5);
  assert.equal(((await h.acme('GET', '/applications?page=2&size=2')).json as unknown[]).length, 1);
  assert.equal((await h.acme('GET', '/applications?page=2&size=2')).headers.get('link'), null);
  assert.equal(((await h.acme('GET', '/applications')).json as unknown[]).length, 5, 'default size 25');
});

test('URLs use the server publicUrl when it is set', async (t) => {
  const h = await harness(t, { publicUrl: 'https://voice.example.test/ringside/' });
  const made = await h.acme('POST', '/applications', { name: 'x', incomingCallUrl: 'http://a.test/' });
  assert.match(made.headers.get('location')!, /^https:\/\/voice\.example\.test\/ringside\/v1\/users\/u-acme\/applications\/a-/);
});

test('rate limit: past the account\'s bucket, 429 with X-RateLimit-Reset (epoch ms); other accounts unaffected', async (t) => {
  const h = await harness(t, { rateLimit: { perSecond: 0.5, burst: 2 } });
  assert.equal((await h.acme('GET', '/applications')).status, 200);
  assert.equal((await h.acme('GET', '/applications')).status, 200);
  const before = Date.now();
  const limited = await h.acme('GET', '/applications');
  const e = providerError(limited, 429, 'too-many-requests');
  assert.equal(e.category, 'limit');
  const reset = Number(limited.headers.get('x-ratelimit-reset'));
  assert.ok(Number.isInteger(reset) && reset > before && reset <= before + 2100, `reset ${reset} is epoch ms within 2 s`);
  assert.equal((await h.call('GET', '/v1/users/u-other/applications', { auth: OTHER })).status, 200);
});

test('an HTTP/1.1 request without Host is a 400 in the provider shape (found by the fuzz campaign: it was a 500)', async (t) => {
  const h = await harness(t);
  const { connect } = await import('node:net');
  const port = Number(new URL(h.base).port);
  const raw = await new Promise<string>((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(`GET /v1/users/u-acme/applications HTTP/1.1\r\nAuthorization: ${ACME}\r\n\r\n`));
    let data = '';
    sock.on('data', (d) => (data += d.toString('utf8')));
    sock.on('end', () => resolve(data));
    setTimeout(() => (sock.destroy(), resolve(data)), 2000);
  });
  assert.match(raw, /^HTTP\/1\.1 400 /);
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
  assert.deepEqual({ category: body.category, code: body.code }, { category: 'bad-request', code: 'bad-request' });
});

test('guessing secrets: past 20 failed checks from an address, 429 in the provider shape with X-RateLimit-Reset, no scrypt', async (t) => {
  const h = await harness(t);
  for (let i = 0; i < 20; i++) providerError(await h.call('GET', '/v1/users/u-acme/calls', { auth: basic('t-acme', `guess-${i}`) }), 401, 'invalid-credentials');
  const blocked = await h.call('GET', '/v1/users/u-acme/calls', { auth: basic('t-acme', 'guess-x') });
  const e = providerError(blocked, 429, 'too-many-failures');
  assert.equal(e.category, 'limit');
  const reset = Number(blocked.headers.get('x-ratelimit-reset'));
  assert.ok(reset > Date.now() && reset <= Date.now() + 60_000, `X-RateLimit-Reset ${reset}`);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
});

test('an HTTP/1.0 request without Host gets URLs on the address it arrived at', async (t) => {
  const h = await harness(t);
  const { connect } = await import('node:net');
  const port = Number(new URL(h.base).port);
  const body = JSON.stringify({ name: 'no host', incomingCallUrl: 'http://app.test/in' });
  const raw = await new Promise<string>((resolve) => {
    const sock = connect(port, '127.0.0.1', () =>
      sock.write(`POST /v1/users/u-acme/applications HTTP/1.0\r\nAuthorization: ${ACME}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    );
    let data = '';
    sock.on('data', (d) => (data += d.toString('utf8')));
    sock.on('end', () => resolve(data));
    setTimeout(() => (sock.destroy(), resolve(data)), 2000);
  });
  assert.match(raw, /^HTTP\/1\.1 201 /);
  assert.match(raw, new RegExp(`\\r\\nlocation: http://127\\.0\\.0\\.1:${port}/v1/users/u-acme/applications/a-[0-9a-f]+\\r\\n`, 'i'));
});

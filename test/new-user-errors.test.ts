/**
 * The REST errors a new user hit (issue 15, "Errors a new user hit"), each against a real Ringside over real
 * sockets: a text to a carrier that does not answer, multipart bodies, framework and HTTP-parser errors in
 * the error shape of the family asked, originate with a wrong type, `Authorization: Integrator`, and
 * text-to-speech in /health.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startInProcess, login } from './support/in-process.js';
import { freePort } from './sip/support/sipp.js';

function config(carrierPort: number): string {
  return `
trunks:
  - { name: carrier, host: 127.0.0.1, port: ${carrierPort} }
accounts:
  - id: demo
    name: Demo
    trunk: carrier
    textFromNumber: "+15550100"
    voiceApi: { userId: u-demo, apiToken: t-demo, apiSecret: s-demo }
    numbers: [{ number: "+15550100" }]
    users:
      - { id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: alice-sip-101 } }
      - { id: 502, name: Bob, email: bob@demo.test, password: bob-pass, role: user, extension: "102", pin: "1102" }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501] } }
  - id: other
    name: Other
    numbers: [{ number: "+15550200" }]
    users:
      - { id: 601, name: Olga, email: olga@other.test, password: olga-pass, role: admin, extension: "101", pin: "2101" }
    lines:
      - { id: main, name: Main, number: "+15550200", ring: { strategy: ring-all, users: [601] } }
`;
}

type T = Parameters<typeof startInProcess>[0];

async function setup(t: T, env: NodeJS.ProcessEnv = {}) {
  // Nothing listens on the carrier's port: a MESSAGE to it gets no answer (UDP), as with a carrier down.
  const r = await startInProcess(t, config(await freePort()), { env });
  const base = `http://127.0.0.1:${r.httpPort}`;
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  return { r, base, token };
}

test('/sms/send with the carrier down: 502 carrier_failed within the carrier timeout, and the text is reported failed', async (t) => {
  const { base, token } = await setup(t, { RINGSIDE_TEXT_CARRIER_TIMEOUT: '2' });
  const started = Date.now();
  const res = await fetch(`${base}/sms/send`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ to_number: '+15557654321', payload: 'anyone there?', user_id: '501' }) });
  const elapsed = Date.now() - started;
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 502, JSON.stringify(body));
  assert.equal(body.error, 'carrier_failed');
  assert.match(String(body.message), /the carrier did not answer within 2 s/);
  assert.ok(elapsed >= 1900 && elapsed < 4000, `answered after ${elapsed} ms`);
  const today = new Date().toISOString().slice(0, 10);
  const list = (await (await fetch(`${base}/reports/call-data?start_date=${today}&end_date=${today}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: Record<string, unknown>[] };
  assert.deepEqual(list.data.map((e) => [e.type, e.to, e.status]), [['sms', '+15557654321', 'failed']]);
});

test('the default carrier timeout answers well before Timer F (32 s)', async (t) => {
  const { base, token } = await setup(t);
  const started = Date.now();
  const res = await fetch(`${base}/sms/send`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ to_number: '+15557654321', payload: 'anyone there?', user_id: '501' }) });
  assert.equal(res.status, 502);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 7900 && elapsed < 10_000, `answered after ${elapsed} ms`);
});

test('multipart/form-data /auth/login (spec realtime §5.1) logs in; a malformed multipart body is a 400 in the error shape', async (t) => {
  const { base, token } = await setup(t);
  const form = new FormData();
  form.set('username', 'alice@demo.test');
  form.set('password', 'alice-pass');
  const res = await fetch(`${base}/auth/login`, { method: 'POST', body: form });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(typeof body.token, 'string');
  for (const path of ['/auth/login', '/sms/send', '/mms/send']) {
    const bad = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=XX' }, body: '--XX\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice' });
    assert.equal(bad.status, 400, path);
    const b = (await bad.json()) as Record<string, unknown>;
    assert.equal(b.success, false, path);
    assert.equal(b.error, 'bad_multipart', path);
    assert.match(String(b.message), /malformed multipart body/, path);
  }
});

test('framework errors in the error shape: 404, 413, 415, malformed JSON; the voice API keeps its provider shape', async (t) => {
  const { base } = await setup(t);
  const post = (path: string, type: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  const expect = async (res: Response, status: number, error: string) => {
    const b = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, status, JSON.stringify(b));
    assert.deepEqual(Object.keys(b).sort(), ['error', 'message', 'success']);
    assert.equal(b.success, false);
    assert.equal(b.error, error);
  };
  await expect(await fetch(`${base}/no/such/route`), 404, 'not_found');
  await expect(await post('/auth/login', 'application/json', '{"username":'), 400, 'bad_json');
  await expect(await post('/auth/login', 'text/xml', '<login/>'), 415, 'unsupported_media_type');
  await expect(await post('/auth/login', 'application/json', JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })), 413, 'body_too_large');
  const voice = await fetch(`${base}/v1/users/u-demo/calls`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('t-demo:s-demo').toString('base64')}`, 'content-type': 'application/json' }, body: '{' });
  assert.equal(voice.status, 400);
  const vb = (await voice.json()) as Record<string, unknown>;
  assert.equal(vb.category, 'bad-request');
  assert.equal(vb.success, undefined);
});

test("431 from Node's HTTP parser (headers too large) is written with the JSON error body", async (t) => {
  const { r } = await setup(t);
  const raw = await new Promise<string>((resolve, reject) => {
    const s = connect(r.httpPort, '127.0.0.1', () => s.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  assert.match(raw, /content-type: application\/json/i);
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
  assert.deepEqual(body, { success: false, error: 'headers_too_large', message: 'Request Header Fields Too Large' });
});

test('originate refuses a caller that is not a string, naming its type (an object is not "missing")', async (t) => {
  const { base, token } = await setup(t);
  const originate = async (body: unknown) => {
    const res = await fetch(`${base}/voice/originate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const list = await originate({ caller: ['102'], callee: '103' });
  assert.equal(list.status, 400);
  assert.equal(list.body.error, 'bad_parameter');
  assert.equal(list.body.message, 'caller must be a string (a number, PIN or extension), not an array');
  const object = await originate({ caller: '102', callee: { a: 1 } });
  assert.equal(object.status, 400);
  assert.equal(object.body.error, 'bad_parameter');
  assert.equal(object.body.message, 'callee must be a string (a number, PIN or extension), not an object');
  const absent = await originate({ caller: '102' });
  assert.equal(absent.body.error, 'missing_parameters');
});

test('Authorization: Integrator base64(user:pass) (spec realtime §5.1) with account_id is accepted; without it, or for another account, refused', async (t) => {
  const { base } = await setup(t);
  const integrator = `Integrator ${Buffer.from('alice@demo.test:alice-pass').toString('base64')}`;
  const today = new Date().toISOString().slice(0, 10);
  const get = (query: string, auth = integrator) => fetch(`${base}/reports/call-data?start_date=${today}&end_date=${today}${query}`, { headers: { authorization: auth } });
  const ok = await get('&account_id=demo');
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual(((await ok.json()) as { data: unknown[] }).data, []);
  const none = await get('');
  assert.equal(none.status, 400);
  assert.equal(((await none.json()) as { error: string }).error, 'missing_parameters');
  const other = await get('&account_id=other');
  assert.equal(other.status, 403);
  const wrong = await get('&account_id=demo', `Integrator ${Buffer.from('alice@demo.test:nope').toString('base64')}`);
  assert.equal(wrong.status, 401);
  // account_id in a JSON body counts too.
  const sent = await fetch(`${base}/voice/originate`, { method: 'POST', headers: { authorization: integrator, 'content-type': 'application/json' }, body: JSON.stringify({ account_id: 'demo', caller: ['x'], callee: '101' }) });
  assert.equal(((await sent.json()) as { error: string }).error, 'bad_parameter', 'authenticated, then refused for the caller');
});

test('/health tells whether text-to-speech works', async (t) => {
  const { base } = await setup(t);
  const h = (await (await fetch(`${base}/health`)).json()) as { tts?: { available: boolean; engine: string } };
  assert.deepEqual(h.tts, { available: true, engine: 'espeak-ng' });
});

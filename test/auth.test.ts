import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRingside } from './support/ringside-process.js';

test('login, refresh and their errors (spec realtime §5.2)', async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  t.after(() => r.stop());
  const post = (path: string, body: string, type = 'application/json') => fetch(r.url(path), { method: 'POST', headers: { 'content-type': type }, body });

  const login = await post('/auth/login', JSON.stringify({ username: 'alice@demo.test', password: 'alice-pass' }));
  assert.equal(login.status, 200);
  const a = (await login.json()) as Record<string, unknown>;
  assert.equal(a.success, true);
  assert.equal(a.tokenLifetime, 3600);
  for (const k of ['guid', 'token', 'tokenExpiration', 'refreshToken', 'refreshTokenExpiration']) assert.equal(typeof a[k], 'string', k);
  assert.match(String(a.tokenExpiration), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

  const form = await post('/auth/login', 'username=bob%40demo.test&password=bob-pass', 'application/x-www-form-urlencoded');
  assert.equal(form.status, 200);

  const only = (await (await post('/auth/login', JSON.stringify({ username: 'bob@demo.test', password: 'bob-pass', auth_only: 1 }))).json()) as Record<string, unknown>;
  assert.deepEqual(only, { success: true });

  const wrong = await post('/auth/login', JSON.stringify({ username: 'alice@demo.test', password: 'nope' }));
  assert.equal(wrong.status, 401);
  assert.deepEqual(await wrong.json(), { success: false, error: 'invalid_credentials', message: 'user name or password is wrong' });

  const none = await post('/auth/login', '{}');
  assert.equal(none.status, 400);
  assert.match(((await none.json()) as { message: string }).message, /username, password/);

  const bad = await post('/auth/login', '{"username": ');
  assert.equal(bad.status, 400);
  const badBody = (await bad.json()) as { success: boolean; error: string; message: string };
  assert.equal(badBody.success, false);
  assert.equal(badBody.error, 'bad_json');
  assert.match(badBody.message, /JSON/);

  const otherAccount = await post('/auth/login', JSON.stringify({ username: 'alice@demo.test', password: 'alice-pass', account_id: 'elsewhere' }));
  assert.equal(otherAccount.status, 403);

  const refreshed = (await (await post('/auth/refresh', JSON.stringify({ refresh_token: a.refreshToken }))).json()) as Record<string, unknown>;
  assert.equal(refreshed.success, true);
  assert.equal(refreshed.guid, a.guid);
  assert.notEqual(refreshed.token, a.token);
  const reused = await post('/auth/refresh', JSON.stringify({ refresh_token: a.refreshToken }));
  assert.equal(reused.status, 401, 'the old refresh token stops working');
});

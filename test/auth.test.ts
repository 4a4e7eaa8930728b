import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRingside } from './support/ringside-process.js';
import { startInProcess } from './support/in-process.js';
import { TestSocket } from './support/ws-client.js';

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

/**
 * Expiry and refresh with a moved clock (node:test mocks `Date`; only while the checks run, so timers and
 * the rest of the process keep real time). Lifetimes: token 1 h, refresh token 30 days (auth-routes.ts).
 */
test('expired tokens are refused on REST and WebSocket; refresh issues new ones and each refresh token works once', async (t) => {
  const r = await startInProcess(t, `
accounts:
  - id: acme
    name: Acme
    users:
      - { id: 11, name: Alice, email: alice@acme.test, password: alice-pass, pin: "1111", role: admin }
`);
  const base = `http://127.0.0.1:${r.httpPort}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const rest = async (token: string) => {
    const res = await fetch(`${base}/events?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const wsAuth = async (token: string) => {
    const s = await TestSocket.open(r.httpPort);
    t.after(() => s.close());
    return { socket: s, answer: await s.request({ type: 'authrequest', token }, 'authresponse') };
  };
  const loginAt = Date.now();
  const first = await post('/auth/login', { username: 'alice@acme.test', password: 'alice-pass' });
  assert.equal(first.status, 200);
  const token = String(first.body.token);
  const refreshToken = String(first.body.refreshToken);
  assert.equal(first.body.tokenLifetime, 3600);
  const expiresAt = Date.parse(String(first.body.tokenExpiration));
  assert.ok(Math.abs(expiresAt - (loginAt + 3600_000)) < 2000, 'the token expires an hour after login');
  assert.ok(Math.abs(Date.parse(String(first.body.refreshTokenExpiration)) - (loginAt + 30 * 86400_000)) < 2000, 'the refresh token after 30 days');
  assert.equal((await rest(token)).status, 200);
  const live = await wsAuth(token);
  assert.equal(live.answer.success, true);

  const expired = { success: false, error: 'invalid_token', message: 'the bearer token is unknown or expired; log in again or refresh it' };
  const at = (ms: number) => mock.timers.enable({ apis: ['Date'], now: ms });
  t.after(() => mock.timers.reset());

  // One second before expiry the token still works; one second after it does not, on either API.
  at(expiresAt - 1000);
  assert.equal((await rest(token)).status, 200);
  mock.timers.reset();
  at(expiresAt + 1000);
  assert.deepEqual(await rest(token), { status: 401, body: expired });
  const late = await wsAuth(token);
  assert.deepEqual(late.answer, { type: 'authresponse', success: false, error: 'invalid_token', message: 'the token is unknown or expired; log in again or refresh it' });
  assert.equal(late.socket.closed, undefined, 'the socket stays open for a retry (spec realtime §2.2 Proposed)');
  // A socket authenticated before expiry stays authenticated (spec realtime §2.2: until it closes).
  assert.equal((await live.socket.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);

  // Refresh: a new token and refresh token, the same session; the expired token stays dead.
  const second = await post('/auth/refresh', { refresh_token: refreshToken });
  assert.equal(second.status, 200);
  assert.equal(second.body.guid, first.body.guid);
  const token2 = String(second.body.token);
  assert.notEqual(token2, token);
  assert.ok(Math.abs(Date.parse(String(second.body.tokenExpiration)) - (expiresAt + 1000 + 3600_000)) < 2000, 'an hour from the refresh');
  assert.equal((await rest(token2)).status, 200);
  assert.equal((await wsAuth(token2)).answer.success, true);
  assert.equal((await rest(token)).status, 401);
  // The old refresh token worked once.
  assert.deepEqual(await post('/auth/refresh', { refresh_token: refreshToken }), {
    status: 401,
    body: { success: false, error: 'invalid_refresh_token', message: 'the refresh token is unknown, expired or already used' },
  });

  // Two refreshes racing with the same refresh token: exactly one wins.
  const race = await Promise.all([post('/auth/refresh', { refresh_token: second.body.refreshToken }), post('/auth/refresh', { refresh_token: second.body.refreshToken })]);
  assert.deepEqual(race.map((x) => x.status).sort(), [200, 401]);
  const winner = race.find((x) => x.status === 200)!.body;
  // A refresh also retires the token it replaces.
  assert.equal((await rest(token2)).status, 401);
  assert.equal((await rest(String(winner.token))).status, 200);

  // The refresh token itself expires 30 days after it was issued.
  mock.timers.reset();
  at(Date.parse(String(winner.refreshTokenExpiration)) + 1000);
  assert.equal((await post('/auth/refresh', { refresh_token: winner.refreshToken })).status, 401);
  assert.equal((await rest(String(winner.token))).status, 401);
  mock.timers.reset();
});

/**
 * The callback API's REST (spec teltel §7, docs/call-centre.md): `X-API-KEY` (401 in the family's
 * `errors[]` shape), every problem of a request one 422 entry — a caller ID the account does not own
 * included — and what the switch is asked for a good one. A real SqliteStore (credentials, numbers,
 * extensions); the switch's originate records what it is asked (the call itself is
 * test/switch/callback-api.test.ts's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseConfig } from '../../config/load-config.js';
import { createHttpServer } from '../http-server.js';
import { silentLogger } from '../../log/logger.js';
import type { OriginateRequest, OriginateResult } from '../../switch/routing/originate.js';
import { teltelApi } from './teltel-api.js';
import { callbackNumber } from './callback-request.js';

const user = (id: number, name: string, ext: string) =>
  `      - { id: ${id}, name: ${name}, email: ${name.toLowerCase()}@x.test, password: pw-${id}, role: admin, extension: "${ext}", pin: "9${ext}", sip: { username: "${ext}", password: sip-${id} } }\n`;
const CONFIG =
  'accounts:\n' +
  '  - id: acme\n    name: Acme\n    numbers: [{ number: "+37167000000" }]\n    apiCredentials: [{ token: tok-acme, secret: sec-acme }]\n    users:\n' +
  user(1, 'Alice', '101') +
  '  - id: beta\n    name: Beta\n    numbers: [{ number: "+37167000999" }]\n    apiCredentials: [{ token: tok-beta, secret: sec-beta }]\n    users:\n' +
  user(9, 'Eve', '901');

const KEY = 'tok-acme:sec-acme';
const GOOD = { leg_1_phone_number: '37126666666', leg_1_caller_id: '37167000000', leg_2_phone_number: '101', leg_2_caller_id: '37126666666', trace_id: 'crm-7781' };

async function harness(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-callback-api-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG));
  const asked: OriginateRequest[] = [];
  let answer: OriginateResult = { ok: true, sessionId: 'f00d', callId: 'c-1' };
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(teltelApi, { store, calls: { originate: async (req) => (asked.push(req), answer) } });
  await app.ready();
  t.after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // key null: no X-API-KEY header at all.
  const post = async (body: unknown, key: string | null = KEY, contentType = 'application/json') => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/calls/callback',
      headers: { ...(key !== null ? { 'x-api-key': key } : {}), 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.statusCode, body: res.json() as { data?: Record<string, string>; errors?: { title: string; detail: string; source?: { pointer: string } }[] } };
  };
  return { post, asked, setAnswer: (a: OriginateResult) => (answer = a) };
}

const titles = (b: { errors?: { title: string }[] }) => (b.errors ?? []).map((e) => e.title);

test('a good request: 201 {data: {session_id, call_id}}, the switch asked for an originate with the request\'s caller IDs and echo', async (t) => {
  const h = await harness(t);
  const res = await h.post({ data: GOOD });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.deepEqual(res.body, { data: { session_id: 'f00d', call_id: 'c-1' } });
  assert.deepEqual(h.asked, [
    {
      accountId: 'acme',
      caller: '+37126666666',
      callee: '101',
      traceId: 'crm-7781',
      callback: { leg1CallerId: '+37167000000', leg2CallerId: '+37126666666', asGiven: { leg1Number: '37126666666', leg1CallerId: '37167000000', leg2Number: '101', leg2CallerId: '37126666666' } },
    },
  ]);
  // Operator first, shown an account extension; no trace_id; + forms.
  const second = await h.post({ data: { leg_1_phone_number: '101', leg_1_caller_id: '101', leg_2_phone_number: '+37126666666', leg_2_caller_id: '+37167000000' } });
  assert.equal(second.status, 201, JSON.stringify(second.body));
  assert.equal(h.asked[1]!.traceId, undefined);
  assert.deepEqual([h.asked[1]!.caller, h.asked[1]!.callee], ['101', '+37126666666']);
});

test('X-API-KEY: missing, malformed, unknown, a wrong secret, another header → 401 in the errors[] shape; nothing dialled', async (t) => {
  const h = await harness(t);
  for (const key of [null, '', 'tok-acme', 'tok-acme:wrong', 'nobody:sec-acme', 'sec-acme:tok-acme']) {
    const res = await h.post({ data: GOOD }, key);
    assert.equal(res.status, 401, `${String(key)}: ${JSON.stringify(res.body)}`);
    assert.deepEqual(titles(res.body), ['Unauthorized']);
    assert.ok(res.body.errors![0]!.detail.length > 10);
  }
  // Credentials are checked before the body is read: a bad body without a key is still 401.
  assert.equal((await h.post('{not json', null)).status, 401);
  assert.deepEqual(h.asked, []);
});

test('422: each bad member is one errors[] entry naming it; all of them at once', async (t) => {
  const h = await harness(t);
  const cases: [Record<string, unknown>, string[]][] = [
    [{ ...GOOD, leg_1_phone_number: undefined }, ['Invalid leg_1_phone_number']],
    [{ ...GOOD, leg_1_caller_id: undefined }, ['Invalid leg_1_caller_id']],
    [{ ...GOOD, leg_2_phone_number: undefined }, ['Invalid leg_2_phone_number']],
    [{ ...GOOD, leg_2_caller_id: undefined }, ['Invalid leg_2_caller_id']],
    [{ ...GOOD, leg_1_phone_number: 'sip:alice' }, ['Invalid leg_1_phone_number']],
    [{ ...GOOD, leg_2_phone_number: '12345678' + '9'.repeat(20) }, ['Invalid leg_2_phone_number']],
    [{ ...GOOD, leg_1_phone_number: '1234567890' }, ['Invalid leg_1_phone_number']],
    [{ ...GOOD, leg_1_phone_number: 37126666666 }, ['Invalid leg_1_phone_number']],
    [{ ...GOOD, trace_id: 'x'.repeat(257) }, ['Invalid trace_id']],
    [{ ...GOOD, trace_id: 7 }, ['Invalid trace_id']],
    [{ ...GOOD, colour: 'red' }, ['Invalid colour']],
    // A caller ID the account does not own: another account's number, shown to a phone.
    [{ ...GOOD, leg_1_caller_id: '37167000999' }, ['Invalid leg_1_caller_id']],
    // An extension cannot be shown to a phone; a SIP device may not be shown a stranger's number.
    [{ ...GOOD, leg_1_caller_id: '101' }, ['Invalid leg_1_caller_id']],
    [{ ...GOOD, leg_2_caller_id: '37129999999' }, ['Invalid leg_2_caller_id']],
    [{ ...GOOD, leg_2_caller_id: '901' }, ['Invalid leg_2_caller_id']],
    [{ leg_1_phone_number: 'x', leg_1_caller_id: '37167000999', leg_2_phone_number: '101', leg_2_caller_id: '555' }, ['Invalid leg_1_phone_number', 'Invalid leg_1_caller_id', 'Invalid leg_2_caller_id']],
    [{}, ['Invalid leg_1_phone_number', 'Invalid leg_1_caller_id', 'Invalid leg_2_phone_number', 'Invalid leg_2_caller_id']],
  ];
  for (const [data, expected] of cases) {
    const res = await h.post({ data });
    assert.equal(res.status, 422, `${JSON.stringify(data)}: ${JSON.stringify(res.body)}`);
    assert.deepEqual(titles(res.body).sort(), [...expected].sort(), JSON.stringify(data));
    for (const e of res.body.errors!) {
      assert.ok(e.detail.length > 5, e.detail);
      assert.equal(e.source?.pointer, `/data/${e.title.replace('Invalid ', '')}`);
    }
  }
  const foreign = await h.post({ data: { ...GOOD, leg_1_caller_id: '37167000999' } });
  assert.match(foreign.body.errors![0]!.detail, /not a number of this account/);
  assert.deepEqual(h.asked, [], 'nothing was dialled for a bad request');
});

test('a body that is not the request shape never crashes: 422 or 400 in the errors[] shape', async (t) => {
  const h = await harness(t);
  for (const body of [{}, { data: null }, { data: 'x' }, { data: [] }, [], null, 'null', '"x"', 42]) {
    const res = await h.post(body);
    assert.equal(res.status, 422, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.ok(res.body.errors!.length >= 1);
  }
  const many = await h.post({ data: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x${i}`, i])) });
  assert.equal(many.status, 422);
  assert.equal(many.body.errors!.length, 21, 'a bounded answer');
  assert.equal(many.body.errors!.at(-1)!.title, 'Too many problems');
  const broken = await h.post('{"data":', KEY);
  assert.deepEqual([broken.status, titles(broken.body)], [400, ['Invalid JSON']]);
  const form = await h.post('a=b', KEY, 'application/x-www-form-urlencoded');
  assert.equal(form.status, 422, JSON.stringify(form.body));
  assert.deepEqual(titles(form.body).sort(), ['Invalid a', 'Invalid data']);
  const text = await h.post('hello', KEY, 'text/plain');
  assert.ok(text.status === 415 || text.status === 422, JSON.stringify(text));
  assert.ok(text.body.errors!.length >= 1);
  assert.deepEqual(h.asked, []);
});

test("the switch's refusals: of a field → 422 naming it; of the account (no trunk) → its status", async (t) => {
  const h = await harness(t);
  h.setAnswer({ ok: false, status: 400, error: 'unknown_target', message: 'callee 102: no user PIN, ring group or extension with that number in this account', field: 'callee' });
  const unknown = await h.post({ data: { ...GOOD, leg_2_phone_number: '102' } });
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body.errors, [{ title: 'Invalid leg_2_phone_number', detail: 'callee 102: no user PIN, ring group or extension with that number in this account', source: { pointer: '/data/leg_2_phone_number' } }]);
  h.setAnswer({ ok: false, status: 503, error: 'no_trunk', message: 'an external number needs a trunk, and the account has none' });
  const noTrunk = await h.post({ data: GOOD });
  assert.deepEqual([noTrunk.status, titles(noTrunk.body)], [503, ['No trunk']]);
});

test('callback numbers: extensions, E.164 with or without +, 00, North American 10 digits; junk refused', () => {
  assert.deepEqual(callbackNumber('101'), { kind: 'sip', number: '101' });
  assert.deepEqual(callbackNumber('37126666666'), { kind: 'phone', number: '+37126666666' });
  assert.deepEqual(callbackNumber('+37126666666'), { kind: 'phone', number: '+37126666666' });
  assert.deepEqual(callbackNumber('0037126666666'), { kind: 'phone', number: '+37126666666' });
  assert.deepEqual(callbackNumber('5557654321'), { kind: 'phone', number: '+15557654321' });
  assert.deepEqual(callbackNumber('15557654321'), { kind: 'phone', number: '+15557654321' });
  for (const junk of ['', '+', '1234567890', '0123456', '12*4', 'abc', '1'.repeat(16), '+0123456789']) assert.equal(callbackNumber(junk), undefined, junk);
});

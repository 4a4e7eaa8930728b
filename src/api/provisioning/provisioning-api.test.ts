/**
 * The provisioning REST over fastify inject with a real SQLite store: each resource's CRUD, ETag/If-Match,
 * 409/422 refusals that change nothing, roles, account scoping, strict validation, and no secret in answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../http-server.js';
import { parseConfig } from '../../config/load-config.js';
import { silentLogger } from '../../log/logger.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { provisioningApi } from './provisioning-api.js';
import { assertDocumented } from '../openapi/documented-requests.js';
import type { DocumentedRequest } from '../openapi/request-check.js';

const CONFIG = `
trunks:
  - { name: carrier, host: sip.carrier.test, auth: { username: acme, password: trunk-secret-1 } }
accounts:
  - id: acme
    name: Acme
    trunk: carrier
    users:
      - { id: 11, name: Ada, email: ada@acme.test, password: ada-pass-1, role: admin, pin: "1111", extension: "101", sip: { username: ada, password: ada-sip-1 } }
      - { id: 12, name: Bo, email: bo@acme.test, password: bo-pass-12, role: user, pin: "1212", extension: "102" }
      - { id: 13, name: Max, email: max@acme.test, password: max-pass-13, role: manager, pin: "1313" }
    numbers:
      - { number: "+15550100" }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [11] } }
    ringGroups:
      - { id: sales, name: Sales, number: "200", members: [11] }
    apiCredentials:
      - { token: acme-api-token, secret: acme-api-secret }
  - id: other
    name: Other
    users:
      - { id: 21, name: Oz, email: oz@other.test, password: oz-pass-21, role: admin, pin: "2121" }
`;

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const ADA = basic('ada@acme.test', 'ada-pass-1');
const BO = basic('bo@acme.test', 'bo-pass-12');
const MAX = basic('max@acme.test', 'max-pass-13');
const API = basic('acme-api-token', 'acme-api-secret');
const OZ = basic('oz@other.test', 'oz-pass-21');

interface Answer {
  status: number;
  json: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: string;
}

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'rs-prov-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG));
  const app: FastifyInstance = createHttpServer({ logger: silentLogger() });
  await app.register(provisioningApi, { store });
  await app.ready();
  const documented: DocumentedRequest[] = [];
  t.after(async () => {
    for (const request of documented) await assertDocumented(request);
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const call = async (method: string, url: string, auth = ADA, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    // Every accepted request must be one the OpenAPI document describes (docs/api-reference.md).
    if (body !== undefined && (JSON.stringify(body) ?? '').length > 0) documented.push({ method, url, body: JSON.parse(JSON.stringify(body)) as unknown });
    else documented.push({ method, url });
    const r = await app.inject({ method: method as 'GET', url, headers: { ...(auth ? { authorization: auth } : {}), ...headers }, ...(body === undefined ? {} : { payload: body as object }) });
    if (r.statusCode >= 300) documented.pop();
    return { status: r.statusCode, json: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {}, headers: r.headers, body: r.body };
  };
  return { store, call };
}

const NEW_USER = { name: 'Cy', email: 'cy@acme.test', password: 'cy-pass-14', role: 'user', pin: '1414', extension: '104', sip: { username: 'cy', password: 'cy-sip-pass' } };

test('users: create, read, replace (password kept when omitted), delete; secrets never answered', async (t) => {
  const { store, call } = await setup(t);
  const created = await call('POST', '/provisioning/users', ADA, NEW_USER);
  assert.equal(created.status, 201, created.body);
  const id = created.json.id as number;
  assert.equal(id, 22, 'next free id across accounts');
  assert.equal(created.headers.location, `/provisioning/users/${id}`);
  assert.match(String(created.headers.etag), /^"[^"]+"$/);
  assert.deepEqual(created.json.sip, { username: 'cy' });
  assert.doesNotMatch(created.body, /cy-pass-14|cy-sip-pass|scrypt/);

  const list = await call('GET', '/provisioning/users');
  assert.deepEqual((list.json.users as { id: number }[]).map((u) => u.id), [11, 12, 13, id]);
  assert.doesNotMatch(list.body, /password|scrypt|ada-sip-1/i);

  const got = await call('GET', `/provisioning/users/${id}`);
  assert.equal(got.headers.etag, created.headers.etag);
  const { password: _p, ...withoutPassword } = NEW_USER;
  const replaced = await call('PUT', `/provisioning/users/${id}`, ADA, { ...withoutPassword, name: 'Cyrus', sip: { username: 'cy' } }, { 'if-match': String(got.headers.etag) });
  assert.equal(replaced.status, 200, replaced.body);
  assert.equal(replaced.json.name, 'Cyrus');
  assert.notEqual(replaced.headers.etag, got.headers.etag);
  const stored = (await store.getUser(id))!;
  assert.ok(await store.verifyUserPassword(stored, 'cy-pass-14'), 'login password kept');
  assert.equal(stored.sip?.password, 'cy-sip-pass', 'SIP password kept');

  const stale = await call('DELETE', `/provisioning/users/${id}`, ADA, undefined, { 'if-match': String(got.headers.etag) });
  assert.equal(stale.status, 412);
  assert.equal(stale.json.error, 'precondition_failed');
  assert.ok(await store.getUser(id), 'nothing changed');
  assert.equal((await call('DELETE', `/provisioning/users/${id}`, ADA, undefined, { 'if-match': String(replaced.headers.etag) })).status, 204);
  assert.equal((await call('GET', `/provisioning/users/${id}`)).status, 404);
});

test('stale If-Match on PUT is 412 and changes nothing', async (t) => {
  const { store, call } = await setup(t);
  const before = await call('GET', '/provisioning/users/12');
  const r = await call('PUT', '/provisioning/users/12', ADA, { name: 'Bob', email: 'bo@acme.test', pin: '1212', role: 'user' }, { 'if-match': '"not-the-tag"' });
  assert.equal(r.status, 412);
  assert.equal((await store.getUser(12))!.name, 'Bo');
  assert.equal((await call('GET', '/provisioning/users/12')).headers.etag, before.headers.etag);
});

test('409 conflict for a duplicate extension, e-mail, SIP username; 422 for a dangling reference; nothing half-applied', async (t) => {
  const { store, call } = await setup(t);
  const dupExt = await call('POST', '/provisioning/users', ADA, { ...NEW_USER, extension: '101' });
  assert.equal(dupExt.status, 409);
  assert.equal(dupExt.json.error, 'conflict');
  assert.match(String(dupExt.json.message), /extension.*'101'/);
  assert.equal((await call('POST', '/provisioning/users', ADA, { ...NEW_USER, email: 'oz@other.test' })).status, 409, 'e-mails are unique across accounts');
  assert.equal((await call('POST', '/provisioning/users', ADA, { ...NEW_USER, sip: { username: 'ada', password: 'xxxxxx' } })).status, 409);
  assert.equal((await call('POST', '/provisioning/users', ADA, { ...NEW_USER, extension: '200' })).status, 409, 'a ring group number is a short number too');
  assert.equal((await store.listUsers('acme')).length, 3, 'no refused user was stored');

  const line = { id: 'support', name: 'Support', number: '+15550100', ring: { strategy: 'ring-all', users: [11] } };
  const dupNumber = await call('POST', '/provisioning/lines', ADA, line);
  assert.equal(dupNumber.status, 409, 'one line per number');
  const dangling = await call('POST', '/provisioning/lines', ADA, { ...line, number: '+15550199' });
  assert.equal(dangling.status, 422);
  assert.equal(dangling.json.error, 'invalid_reference');
  assert.match(String(dangling.json.message), /\+15550199/);
  await call('POST', '/provisioning/numbers', ADA, { number: '+15550199' });
  const ghost = await call('POST', '/provisioning/lines', ADA, { ...line, number: '+15550199', ring: { strategy: 'ring-all', users: [99] } });
  assert.equal(ghost.status, 422);
  assert.match(String(ghost.json.message), /ring\/users\/0.*99/);
  const otherAccountsUser = await call('POST', '/provisioning/ring-groups', ADA, { id: 'g2', name: 'G2', number: '300', members: [21] });
  assert.equal(otherAccountsUser.status, 422, "another account's user is no member");

  const stillRung = await call('DELETE', '/provisioning/users/11');
  assert.equal(stillRung.status, 422, 'a line still rings user 11');
  assert.equal(stillRung.json.error, 'invalid_reference');
  assert.ok(await store.getUser(11));
  assert.equal((await call('DELETE', '/provisioning/numbers/%2B15550100')).status, 422, 'line main advertises it');
  assert.equal((await call('DELETE', '/provisioning/ring-groups/sales')).status, 204, 'no line uses it');
});

test('numbers, lines, ring groups: CRUD; a number shows the line advertising it', async (t) => {
  const { call } = await setup(t);
  const n = await call('POST', '/provisioning/numbers', ADA, { number: '+15550111', name: 'Second' });
  assert.equal(n.status, 201, n.body);
  assert.equal(n.headers.location, '/provisioning/numbers/%2B15550111');
  assert.deepEqual(n.json, { number: '+15550111', sms: true, name: 'Second' });
  const l = await call('POST', '/provisioning/lines', ADA, { id: 'second', name: 'Second', number: '+15550111', ring: { strategy: 'ring-group', ringGroup: 'sales' } });
  assert.equal(l.status, 201, l.body);
  assert.equal((l.json.voicemail as { maxSeconds: number }).maxSeconds, 120, 'the file defaults apply');
  assert.equal((await call('GET', '/provisioning/numbers/%2B15550111')).json.lineId, 'second');
  const put = await call('PUT', '/provisioning/lines/second', API, { name: 'Second line', number: '+15550111', ring: { strategy: 'forward', forwardTo: ['+15557654321'] } });
  assert.equal(put.status, 200, put.body);
  assert.equal(put.json.id, 'second');
  const g = await call('PUT', '/provisioning/ring-groups/sales', MAX, { name: 'Sales', number: '201', members: [11, 12] });
  assert.equal(g.status, 200, g.body);
  assert.deepEqual(g.json.members, [11, 12]);
  assert.deepEqual(((await call('GET', '/provisioning/ring-groups')).json.ringGroups as { number: string }[]).map((x) => x.number), ['201']);
  assert.equal((await call('DELETE', '/provisioning/lines/second')).status, 204);
  assert.equal((await call('GET', '/provisioning/numbers/%2B15550111')).json.lineId, undefined);
  assert.equal((await call('DELETE', '/provisioning/numbers/%2B15550111')).status, 204);
  assert.deepEqual(((await call('GET', '/provisioning/lines')).json.lines as { id: string }[]).map((x) => x.id), ['main']);
});

test('trunks: admin only (manager and API credentials 403), auth password write-only and kept', async (t) => {
  const { store, call } = await setup(t);
  assert.equal((await call('GET', '/provisioning/trunks', MAX)).status, 403);
  assert.equal((await call('GET', '/provisioning/trunks', MAX)).json.error, 'forbidden');
  assert.equal((await call('POST', '/provisioning/trunks', MAX, { name: 'x', host: 'x.test' })).status, 403);
  const list = await call('GET', '/provisioning/trunks');
  assert.equal(list.status, 200);
  assert.doesNotMatch(list.body, /trunk-secret-1/);
  const put = await call('PUT', '/provisioning/trunks/carrier', ADA, { host: 'sip2.carrier.test', auth: { username: 'acme' } });
  assert.equal(put.status, 200, put.body);
  assert.equal((await store.getTrunk('carrier'))!.auth!.password, 'trunk-secret-1');
  assert.equal((await call('DELETE', '/provisioning/trunks/carrier')).status, 422, "account acme's trunk");
  assert.equal((await call('POST', '/provisioning/trunks', ADA, { name: 'spare', host: 'spare.test' })).status, 201);
  assert.equal((await call('DELETE', '/provisioning/trunks/spare')).status, 204);
});

test('only an admin makes or changes an admin; the voice-API credentials are the file\'s', async (t) => {
  const { store, call } = await setup(t);
  const asAdmin = await call('POST', '/provisioning/users', MAX, { ...NEW_USER, role: 'admin' });
  assert.equal(asAdmin.status, 403);
  assert.equal((await call('PUT', '/provisioning/users/13', MAX, { name: 'Max', email: 'max@acme.test', pin: '1313', role: 'admin' })).status, 403, 'no self-promotion');
  assert.equal((await call('DELETE', '/provisioning/users/11', API)).status, 403, 'API credentials cannot remove an admin');
  assert.equal((await call('POST', '/provisioning/users', MAX, NEW_USER)).status, 201, 'a manager makes users');
  assert.equal((await call('POST', '/provisioning/users', ADA, { ...NEW_USER, email: 'cz@acme.test', extension: '105', pin: '1515', sip: undefined, role: 'admin' })).status, 201);
  await store.changeProvisioning({ resource: 'apiCredentials', op: 'create', accountId: 'acme', value: { token: 'voice-token', secret: 'voice-secret', name: 'voiceApi' } });
  assert.equal((await call('DELETE', '/provisioning/api-credentials/voice-token')).status, 409);
});

test('API credentials: generated token and secret, the secret answered once, and they work', async (t) => {
  const { store, call } = await setup(t);
  const made = await call('POST', '/provisioning/api-credentials', ADA, { name: 'crm' });
  assert.equal(made.status, 201, made.body);
  const { token, secret } = made.json as { token: string; secret: string };
  assert.ok(token && secret);
  assert.equal((await call('GET', '/provisioning/users', basic(token, secret))).status, 200, 'the new credential authenticates');
  const again = await call('GET', `/provisioning/api-credentials/${token}`);
  assert.deepEqual(again.json, { token, name: 'crm' });
  assert.doesNotMatch((await call('GET', '/provisioning/api-credentials')).body, new RegExp(secret));
  assert.equal((await call('POST', '/provisioning/api-credentials', ADA, { token: 'acme-api-token' })).status, 409);
  assert.equal((await call('DELETE', `/provisioning/api-credentials/${token}`)).status, 204);
  assert.equal(await store.findApiCredential(token), undefined);
});

test('roles and scoping: user role 403, another account 404, unknown field 400', async (t) => {
  const { call } = await setup(t);
  const user = await call('GET', '/provisioning/users', BO);
  assert.equal(user.status, 403);
  assert.equal(user.json.error, 'forbidden');
  assert.equal((await call('GET', '/provisioning/users', '')).status, 401);
  assert.equal((await call('GET', '/provisioning/users/21')).status, 404, "another account's user");
  assert.equal((await call('PUT', '/provisioning/users/21', ADA, { name: 'Oz', email: 'oz@other.test', pin: '2121' })).status, 404);
  assert.equal((await call('DELETE', '/provisioning/users/21')).status, 404);
  assert.equal((await call('GET', '/provisioning/users/11', OZ)).status, 404);
  assert.deepEqual(((await call('GET', '/provisioning/users', OZ)).json.users as { id: number }[]).map((u) => u.id), [21]);
  const unknown = await call('POST', '/provisioning/users', ADA, { ...NEW_USER, colour: 'blue' });
  assert.equal(unknown.status, 400);
  assert.match(String(unknown.json.message), /unknown property 'colour'/);
  const mismatch = await call('PUT', '/provisioning/users/12', ADA, { id: 13, name: 'Bo', email: 'bo@acme.test', pin: '1212' });
  assert.equal(mismatch.status, 400);
  assert.equal((await call('POST', '/provisioning/users', ADA, { ...NEW_USER, password: undefined })).status, 422, 'a new user needs a password');
});

const FLOW = {
  id: 'ivr',
  name: 'Main IVR',
  start: 'menu',
  nodes: {
    menu: { type: 'menu', prompt: { text: 'Press 1 for sales, 2 for Ada' }, keys: { '1': 'sales', '2': 'ada' }, timeout: 'bye' },
    sales: { type: 'dial', target: { ringGroup: 'sales' }, noAnswer: 'mailbox' },
    ada: { type: 'dial', target: { number: '101' }, noAnswer: 'mailbox' },
    mailbox: { type: 'voicemail', mailboxUser: 11 },
    bye: { type: 'hangup' },
  },
};

test('flows: create, read, list, replace with If-Match, delete; a line runs one; account-scoped', async (t) => {
  const { store, call } = await setup(t);
  const created = await call('POST', '/provisioning/flows', MAX, FLOW);
  assert.equal(created.status, 201, created.body);
  assert.equal(created.headers.location, '/provisioning/flows/ivr');
  assert.deepEqual(created.json, FLOW, 'answered as written');
  assert.deepEqual((await store.getFlow('acme', 'ivr'))?.nodes, FLOW.nodes);
  assert.deepEqual((await call('GET', '/provisioning/flows', API)).json, { flows: [FLOW] });
  const got = await call('GET', '/provisioning/flows/ivr');
  assert.equal(got.headers.etag, created.headers.etag);

  const line = await call('PUT', '/provisioning/lines/main', ADA, { name: 'Main', number: '+15550100', ring: { strategy: 'flow', flow: 'ivr' } });
  assert.equal(line.status, 200, line.body);
  assert.deepEqual((line.json.ring as { flow?: string }).flow, 'ivr');
  const missing = await call('PUT', '/provisioning/lines/main', ADA, { name: 'Main', number: '+15550100', ring: { strategy: 'flow', flow: 'night' } });
  assert.equal(missing.status, 422);
  assert.equal(missing.json.error, 'invalid_reference');
  assert.match(String(missing.json.message), /ring\/flow: no flow 'night'/);

  const stillRun = await call('DELETE', '/provisioning/flows/ivr');
  assert.equal(stillRun.status, 422, 'line main runs it: as deleting a user a line rings');
  assert.equal(stillRun.json.error, 'invalid_reference');
  assert.match(String(stillRun.json.message), /line 'main' ring\/flow: no flow 'ivr'/);

  const renamed = { ...FLOW, name: 'Main menu', nodes: { ...FLOW.nodes, menu: { ...FLOW.nodes.menu, retries: 1 } } };
  assert.equal((await call('PUT', '/provisioning/flows/ivr', ADA, renamed, { 'if-match': '"stale"' })).status, 412);
  const put = await call('PUT', '/provisioning/flows/ivr', ADA, { ...renamed, id: undefined }, { 'if-match': String(got.headers.etag) });
  assert.equal(put.status, 200, put.body);
  assert.equal(put.json.name, 'Main menu');
  assert.notEqual(put.headers.etag, got.headers.etag);
  assert.deepEqual(Object.keys((await store.getFlow('acme', 'ivr'))!), ['id', 'name', 'start', 'nodes', 'accountId'], 'stored in the file\'s order, the id from the URL first');

  assert.equal((await call('GET', '/provisioning/flows/ivr', OZ)).status, 404, "another account's flow");
  assert.equal((await call('DELETE', '/provisioning/flows/ivr', OZ)).status, 404);
  assert.equal((await call('POST', '/provisioning/flows', OZ, { ...FLOW, nodes: { bye: { type: 'hangup' } }, start: 'bye' })).status, 201, 'flow ids are per account');
  assert.equal((await call('GET', '/provisioning/flows', BO)).status, 403, 'user role');
  assert.equal((await call('POST', '/provisioning/flows', ADA, FLOW)).status, 409, 'the id is taken');

  assert.equal((await call('PUT', '/provisioning/lines/main', ADA, { name: 'Main', number: '+15550100', ring: { strategy: 'ring-all', users: [11] } })).status, 200);
  assert.equal((await call('DELETE', '/provisioning/flows/ivr', ADA, undefined, { 'if-match': String(put.headers.etag) })).status, 204);
  assert.equal((await call('GET', '/provisioning/flows/ivr')).status, 404);
  assert.equal((await store.counts()).flows, 1);
});

test('flows: a bad shape is a 400 naming the node; a graph or reference problem a 422 naming the node and output; nothing stored', async (t) => {
  const { store, call } = await setup(t);
  const shape = async (body: unknown, message: RegExp) => {
    const r = await call('POST', '/provisioning/flows', ADA, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.body}`);
    assert.equal(r.json.error, 'bad_request');
    assert.match(String(r.json.message), message);
  };
  await shape({ ...FLOW, nodes: { ...FLOW.nodes, menu: { ...FLOW.nodes.menu, colour: 'red' } } }, /node 'menu': unknown key 'colour'/);
  await shape({ ...FLOW, nodes: { ...FLOW.nodes, menu: { ...FLOW.nodes.menu, keys: { '22': 'sales' } } } }, /node 'menu' field 'keys\/22'/);
  await shape({ ...FLOW, nodes: { ...FLOW.nodes, sales: { type: 'dial', target: { ringGroup: 'sales', users: [11] } } } }, /node 'sales' field 'target': needs exactly one of/);
  await shape({ ...FLOW, nodes: { ...FLOW.nodes, x: { type: 'teleport' } } }, /node 'x' field 'type'/);
  await shape({ ...FLOW, id: undefined }, /missing required property 'id'/);
  await shape({ ...FLOW, colour: 'red' }, /unknown key 'colour'/);

  const graph = async (body: unknown, error: string, message: RegExp) => {
    const r = await call('POST', '/provisioning/flows', ADA, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.body}`);
    assert.equal(r.json.error, error);
    assert.match(String(r.json.message), message);
  };
  await graph({ ...FLOW, nodes: { ...FLOW.nodes, menu: { ...FLOW.nodes.menu, keys: { '1': 'sales', '3': 'nowhere' } } } }, 'invalid', /^flow 'ivr': node 'menu' output 'keys\/3': no node 'nowhere'$/);
  await graph({ ...FLOW, nodes: { ...FLOW.nodes, lost: { type: 'hangup' } } }, 'invalid', /node 'lost': not reachable from start 'menu'/);
  await graph({ ...FLOW, start: 'hours', nodes: { ...FLOW.nodes, hours: { type: 'time', weekly: [], open: 'menu', closed: 'hours' } } }, 'invalid', /node 'hours' output 'closed': cycle without a wait/);
  await graph({ ...FLOW, nodes: { ...FLOW.nodes, mailbox: { type: 'voicemail', mailboxUser: 21 } } }, 'invalid_reference', /node 'mailbox' field 'mailboxUser': no user 21/);
  await graph({ ...FLOW, nodes: { ...FLOW.nodes, ada: { type: 'forward', number: '+15550100' } } }, 'invalid_reference', /node 'ada' field 'number': number '\+15550100' cannot be dialled/);
  assert.deepEqual(await store.listFlows('acme'), [], 'nothing stored');

  assert.equal((await call('POST', '/provisioning/flows', ADA, FLOW)).status, 201);
  const gone = await call('DELETE', '/provisioning/ring-groups/sales');
  assert.equal(gone.status, 422, 'a flow dials the ring group');
  assert.match(String(gone.json.message), /flow 'ivr': node 'sales' field 'target': no ring group 'sales'/);
});

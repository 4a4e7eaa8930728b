/**
 * Texts end to end over loopback: sipp as the carrier (SIP MESSAGE in from 127.0.0.2, and receiving the
 * outgoing ones), sipp as a registered user's phone, REST sends, the MMS component endpoint, the opt-out
 * flow; each asserted on the events a real WebSocket client receives on its streams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import { startInProcess, login } from '../support/in-process.js';
import { assertDocumented, checkRequestsAgainstDocument } from '../../src/api/openapi/documented-requests.js';
import { TestSocket } from '../support/ws-client.js';
import { freePort } from '../sip/support/sipp.js';
import { CARRIER_IP, sipp, type Sipp } from '../support/sipp-calls.js';
import type { Ringside } from '../../src/app/ringside.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const skip = missingTool('sipp', 'sip-tester');

function config(carrierPort: number): string {
  return `
trunks:
  - { name: carrier, host: ${CARRIER_IP}, port: ${carrierPort} }
accounts:
  - id: demo
    name: Demo
    trunk: carrier
    textFromNumber: "+15550100"
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    users:
      - { id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: alice-sip-101 } }
      - { id: 502, name: Bob, email: bob@demo.test, password: bob-pass, role: user, extension: "102", pin: "1102", phoneNumber: "+15550101" }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501] } }
      - { id: sales, name: Sales, number: "+15550101", ring: { strategy: ring-all, users: [501, 502] } }
`;
}

type T = Parameters<typeof startInProcess>[0];

/** Starts the carrier's receiving side in the background; resolves when sipp is done. */
function carrierReceiving(t: T, port: number): Promise<Sipp> {
  return sipp(t, 'carrier-receives.xml', '', { dir: SCENARIOS, from: CARRIER_IP, port, timeoutSec: 15 });
}

async function setup(t: T) {
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort));
  // Every REST request Ringside accepts in these tests must be one the OpenAPI document describes.
  const { requests: documented } = await checkRequestsAgainstDocument(t, () => `http://127.0.0.1:${r.httpPort}`);
  const ws = await TestSocket.open(r.httpPort);
  t.after(() => ws.close());
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  await ws.request({ type: 'authrequest', token }, 'authresponse');
  assert.equal((await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);
  // User streams: Alice's (admin, line Main) and Bob's (his own number is +15550101).
  const users: Record<string, TestSocket> = {};
  for (const [name, email, pass] of [['alice', 'alice@demo.test', 'alice-pass'], ['bob', 'bob@demo.test', 'bob-pass']] as const) {
    const u = await TestSocket.open(r.httpPort);
    t.after(() => u.close());
    await u.request({ type: 'authrequest', token: await login(r, email, pass) }, 'authresponse');
    assert.equal((await u.request({ type: 'startusereventrequest' }, 'startusereventresponse')).success, true);
    users[name] = u;
  }
  const target = `127.0.0.1:${r.sip.port}`;
  return { r, ws, token, carrierPort, target, alice: users.alice!, bob: users.bob!, documented };
}

const topic = (e: Record<string, unknown>) => `${String(e.category)}.${String(e.subCategory)}.${String(e.eventName)}`;

async function restSend(r: Ringside, token: string, path: string, body: Record<string, string> | FormData) {
  const isForm = body instanceof FormData;
  const res = await fetch(`http://127.0.0.1:${r.httpPort}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(isForm ? {} : { 'content-type': 'application/json' }) },
    body: isForm ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('an SMS from the carrier becomes messaging.incoming.sms and a report entry', { skip }, async (t) => {
  const { r, ws, token, target, alice, bob } = await setup(t);
  const s = await sipp(t, 'carrier-sms-in.xml', target, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: '+15550101', from: '+15557654321', text: 'Is the house still for sale?' } });
  assert.equal(s.run.code, 0, s.run.stdout + s.run.stderr);
  await ws.until((f) => f.some((e) => e.type === 'accountevent'));
  const ev = ws.events('accountevent')[0]!;
  assert.equal(topic(ev), 'messaging.incoming.sms');
  assert.equal(ev.from, '+15557654321');
  assert.equal(ev.to, '+15550101');
  assert.equal(ev.body, 'Is the house still for sale?');
  assert.equal(ev.lineId, 'sales');
  assert.equal(ev.userId, '502', 'the number is Bob\'s own');
  await bob.until((f) => f.some((e) => e.type === 'userevent'));
  assert.deepEqual(bob.events('userevent').map(topic), ['messaging.incoming.sms'], 'on Bob\'s user stream');
  assert.equal(bob.events('userevent')[0]!.uniqueId, ev.uniqueId);
  assert.deepEqual(alice.events('userevent'), [], 'not on Alice\'s user stream');
  const report = (await (await fetch(`http://127.0.0.1:${r.httpPort}/reports/call-data/${String(ev.uniqueId)}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: Record<string, unknown>[] };
  assert.equal(report.data[0]?.message, 'Is the house still for sale?');
  assert.equal(report.data[0]?.direction, 'incoming');
});

test('a text to a number Ringside does not have is refused with 404 and stores nothing', { skip }, async (t) => {
  const { r, token, target } = await setup(t);
  const s = await sipp(t, 'carrier-sms-refused.xml', target, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: '+15559999999', from: '+15557654321', text: 'hello' } });
  assert.equal(s.run.code, 0, s.run.stdout + s.run.stderr);
  const today = new Date().toISOString().slice(0, 10);
  const list = (await (await fetch(`http://127.0.0.1:${r.httpPort}/reports/call-data?start_date=${today}&end_date=${today}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: unknown[] };
  assert.deepEqual(list.data, []);
});

test('an MMS from the carrier: event with components, and the component endpoint returns the exact bytes', { skip }, async (t) => {
  const { r, ws, token, target } = await setup(t);
  const s = await sipp(t, 'carrier-mms-in.xml', target, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: '+15550100', from: '+15557654321' } });
  assert.equal(s.run.code, 0, s.run.stdout + s.run.stderr);
  await ws.until((f) => f.some((e) => e.type === 'accountevent'));
  const ev = ws.events('accountevent')[0]!;
  assert.equal(topic(ev), 'messaging.incoming.mms');
  assert.equal(ev.body, 'Look at this');
  const png = Buffer.from(PNG_BASE64, 'base64');
  assert.deepEqual(ev.components, [{ filename: 'dot.png', contentType: 'image/png', size: png.length }]);
  for (const path of [`/mms/component/${String(ev.uniqueId)}/dot.png`, `/mms/component/demo/${String(ev.uniqueId)}/dot.png`]) {
    const res = await fetch(`http://127.0.0.1:${r.httpPort}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
  }
  const missing = await fetch(`http://127.0.0.1:${r.httpPort}/mms/component/${String(ev.uniqueId)}/other.png`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(missing.status, 404);
});

test('REST send SMS reaches the carrier as a MESSAGE and emits messaging.outgoing.sms', { skip }, async (t) => {
  const { r, ws, token, carrierPort, alice, bob, documented } = await setup(t);
  const carrier = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const sent = await restSend(r, token, '/sms/send', { to_number: '5557654321', payload: 'Your showing is at 3pm', user_id: '501' });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body.success, true);
  const c = await carrier;
  assert.equal(c.run.code, 0, c.run.stdout + c.run.stderr);
  assert.match(c.messages, /MESSAGE sip:\+15557654321@127\.0\.0\.2/);
  assert.match(c.messages, /From: <sip:\+15550100@/);
  assert.match(c.messages, /Your showing is at 3pm/);
  await ws.until((f) => f.some((e) => e.type === 'accountevent'));
  const ev = ws.events('accountevent')[0]!;
  assert.equal(topic(ev), 'messaging.outgoing.sms');
  assert.equal(ev.uniqueId, sent.body.uniqueId);
  assert.equal(ev.to, '+15557654321');
  assert.equal(ev.userId, '501');
  await alice.until((f) => f.some((e) => e.type === 'userevent'));
  assert.deepEqual(alice.events('userevent').map(topic), ['messaging.outgoing.sms'], 'the named user sees it on their stream');
  assert.deepEqual(bob.events('userevent'), []);

  // From-number resolution: Bob's own line number; a given from_number that is an active line.
  const carrier2 = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const asBob = await restSend(r, token, '/sms/send', { to_number: '+15557654321', payload: 'from Bob', pin: '1102' });
  assert.equal(asBob.body.from, '+15550101');
  assert.match((await carrier2).messages, /From: <sip:\+15550101@/);
  const carrier3 = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const given = await restSend(r, token, '/sms/send', { to_number: '+15557654321', payload: 'from Sales', from_number: '+15550101' });
  assert.equal(given.body.from, '+15550101');
  assert.equal((await carrier3).run.code, 0);
  for (const op of ['POST /auth/login', 'POST /sms/send']) assert.ok(documented.includes(op), `${op}: accepted, and as the OpenAPI document describes it`);
});

test('a text the carrier refuses: 502 carrier_failed, no sent event, the report entry says failed', { skip }, async (t) => {
  const { r, ws, token, carrierPort } = await setup(t);
  const carrier = sipp(t, 'carrier-refuses.xml', '', { dir: SCENARIOS, from: CARRIER_IP, port: carrierPort, timeoutSec: 15 });
  await new Promise((res) => setTimeout(res, 300));
  const refused = await restSend(r, token, '/sms/send', { to_number: '+15557654321', payload: 'Open house on Sunday', user_id: '501' });
  assert.equal((await carrier).run.code, 0);
  assert.equal(refused.status, 502, JSON.stringify(refused.body));
  assert.equal(refused.body.success, false);
  assert.equal(refused.body.error, 'carrier_failed');
  assert.match(String(refused.body.message), /the carrier did not accept the text/);
  const today = new Date().toISOString().slice(0, 10);
  const list = (await (await fetch(`http://127.0.0.1:${r.httpPort}/reports/call-data?start_date=${today}&end_date=${today}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: Record<string, unknown>[] };
  assert.deepEqual(
    list.data.map((e) => [e.type, e.to, e.status]),
    [['sms', '+15557654321', 'failed']],
  );
  assert.deepEqual(ws.events('accountevent'), [], 'a refused text emits no sent event');
});

test('REST send MMS: multipart in, multipart MESSAGE out, messaging.outgoing.mms; no media → SMS', { skip }, async (t) => {
  const { r, ws, token, carrierPort } = await setup(t);
  const carrier = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const form = new FormData();
  form.set('to_number', '+15557654321');
  form.set('payload', 'Floor plan attached');
  const png = Buffer.from(PNG_BASE64, 'base64');
  form.set('component[]', new Blob([png], { type: 'image/png' }), 'plan.png');
  const sent = await restSend(r, token, '/mms/send', form);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  assert.equal(sent.body.medium, 'mms');
  const c = await carrier;
  assert.equal(c.run.code, 0, c.run.stdout + c.run.stderr);
  assert.match(c.messages, /Content-Type: multipart\/mixed;boundary=/);
  assert.ok(c.messages.includes(PNG_BASE64.slice(0, 40)), 'the image travels base64-encoded');
  await ws.until((f) => f.some((e) => e.type === 'accountevent'));
  const ev = ws.events('accountevent')[0]!;
  assert.equal(topic(ev), 'messaging.outgoing.mms');
  assert.deepEqual(ev.components, [{ filename: 'plan.png', contentType: 'image/png', size: png.length }]);

  const carrier2 = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const plain = new FormData();
  plain.set('to_number', '+15557654321');
  plain.set('payload', 'no pictures');
  const sms = await restSend(r, token, '/mms/send', plain);
  assert.equal(sms.body.medium, 'sms');
  assert.equal((await carrier2).run.code, 0);
  await ws.until((f) => f.filter((e) => e.type === 'accountevent').length === 2);
  assert.equal(topic(ws.events('accountevent')[1]!), 'messaging.outgoing.sms');
});

test('STOP opts out (incoming.sms then update.opt-out); sending to it is refused; START opts back in', { skip }, async (t) => {
  const { r, ws, token, target } = await setup(t);
  const stop = await sipp(t, 'carrier-sms-in.xml', target, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: '+15550100', from: '+15557654321', text: ' Stop ' } });
  assert.equal(stop.run.code, 0, stop.run.stdout + stop.run.stderr);
  await ws.until((f) => f.filter((e) => e.type === 'accountevent').length === 2);
  const [sms, optOut] = ws.events('accountevent');
  assert.equal(topic(sms!), 'messaging.incoming.sms');
  assert.equal(topic(optOut!), 'messaging.update.opt-out');
  assert.equal(optOut!.optOutNumber, '+15557654321');

  const refused = await restSend(r, token, '/sms/send', { to_number: '+15557654321', payload: 'Still interested?' });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, 'opted_out');
  assert.match(String(refused.body.message), /opted out.*nothing was sent/);
  const list = (await (await fetch(`http://127.0.0.1:${r.httpPort}/sms/opt-outs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: { number: string }[] };
  assert.deepEqual(list.data.map((o) => o.number), ['+15557654321']);

  const start = await sipp(t, 'carrier-sms-in.xml', target, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: '+15550100', from: '+15557654321', text: 'START' } });
  assert.equal(start.run.code, 0);
  const after = (await (await fetch(`http://127.0.0.1:${r.httpPort}/sms/opt-outs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: unknown[] };
  assert.deepEqual(after.data, []);
  await ws.until((f) => f.filter((e) => e.type === 'accountevent').length === 3);
  assert.equal(topic(ws.events('accountevent')[2]!), 'messaging.incoming.sms', 'opting in emits only the text itself');
});

test('the opt-out list is editable over REST by managers', { skip }, async (t) => {
  const { r, token } = await setup(t);
  const base = `http://127.0.0.1:${r.httpPort}/sms/opt-outs`;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  assert.equal((await fetch(base, { method: 'POST', headers: auth, body: JSON.stringify({ number: '5557654321' }) })).status, 201);
  assert.equal((await fetch(base, { method: 'POST', headers: auth, body: JSON.stringify({ number: 'nope' }) })).status, 400);
  assert.equal((await fetch(`${base}/+15557654321`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status, 200);
  assert.equal((await fetch(`${base}/+15557654321`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status, 404);
  const bob = await login(r, 'bob@demo.test', 'bob-pass');
  assert.equal((await fetch(base, { method: 'POST', headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' }, body: JSON.stringify({ number: '5557654321' }) })).status, 403);
});

test('a registered user\'s phone sends a text out: digest challenge, carrier receives it, event has the user', { skip }, async (t) => {
  const { ws, target, carrierPort } = await setup(t);
  const carrier = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const phone = await sipp(t, 'device-sms-out.xml', target, { dir: SCENARIOS, keys: { to: '+15557654321', text: 'On my way' }, extra: ['-s', '101', '-au', '101', '-ap', 'alice-sip-101'] });
  assert.equal(phone.run.code, 0, phone.run.stdout.slice(-3000) + phone.run.stderr + phone.messages);
  const c = await carrier;
  assert.equal(c.run.code, 0, c.run.stdout + c.run.stderr);
  assert.match(c.messages, /On my way/);
  await ws.until((f) => f.some((e) => e.type === 'accountevent'));
  const ev = ws.events('accountevent')[0]!;
  assert.equal(topic(ev), 'messaging.outgoing.sms');
  assert.equal(ev.userId, '501');
  assert.equal(ev.from, '+15550100', 'Alice has no own number: the account text-from number');
});

test('bad REST sends get precise errors and nothing is sent or stored', { skip }, async (t) => {
  const { r, token } = await setup(t);
  const missing = await restSend(r, token, '/sms/send', { payload: 'x' });
  assert.equal(missing.status, 400);
  assert.match(String(missing.body.message), /to_number/);
  const badTo = await restSend(r, token, '/sms/send', { to_number: '12', payload: 'x' });
  assert.equal(badTo.body.error, 'bad_number');
  const badFrom = await restSend(r, token, '/sms/send', { to_number: '+15557654321', payload: 'x', from_number: '+15550999' });
  assert.equal(badFrom.body.error, 'bad_from_number');
  const long = await restSend(r, token, '/sms/send', { to_number: '+15557654321', payload: 'x'.repeat(2000) });
  assert.equal(long.status, 413);
  const form = new FormData();
  form.set('to_number', '+15557654321');
  form.set('component[]', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'a.exe');
  const exe = await restSend(r, token, '/mms/send', form);
  assert.equal(exe.status, 415);
  assert.equal(exe.body.error, 'unsupported_media_type');
  const notMultipart = await restSend(r, token, '/mms/send', { to_number: '+15557654321', payload: 'x' });
  assert.equal(notMultipart.status, 415);
  const today = new Date().toISOString().slice(0, 10);
  const list = (await (await fetch(`http://127.0.0.1:${r.httpPort}/reports/call-data?start_date=${today}&end_date=${today}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: unknown[] };
  assert.deepEqual(list.data, []);
  assert.deepEqual(readdirSync(join(r.settings.dataDir, 'media')), []);
});

test('an inbound text reaches the owning user\'s registered phone (baresip) as a SIP MESSAGE', { skip: skip || missingTool('baresip', 'baresip') }, async (t) => {
  const { r, target } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'ringside-baresip-msg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'accounts'), `<sip:101@${target};transport=udp>;auth_pass=alice-sip-101;regint=60\n`);
  // No audio: the account loader and the menu, which prints the texts the phone receives through the
  // stdio UI (which needs a pipe, not /dev/null, on standard input).
  writeFileSync(join(dir, 'config'), 'module_path /usr/lib/baresip/modules\nsip_listen 127.0.0.1:0\nmodule stdio.so\nmodule_app account.so\nmodule_app menu.so\n');
  const proc = spawn('baresip', ['-f', dir, '-t', '6'], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => proc.kill('SIGKILL'));
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const phone = new Promise<{ stdout: string; stderr: string }>((resolve) => proc.once('close', () => resolve({ stdout: out, stderr: '' })));
  const deadline = Date.now() + 5000;
  while ((await r.store.loadSipBindings('501')).length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  assert.equal((await r.store.loadSipBindings('501')).length, 1, 'the phone registered');
  const s = await sipp(t, 'carrier-sms-in.xml', target, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: '+15550100', from: '+15557654321', text: 'Call me back' } });
  assert.equal(s.run.code, 0, s.run.stdout + s.run.stderr);
  const p = await phone;
  assert.match(p.stdout + p.stderr, /Call me back/, p.stdout + p.stderr);
});

test('carriers that deliver texts by HTTP: JSON with base64 media, authenticated by trunk address', { skip }, async (t) => {
  const { r, ws, token } = await setup(t);
  const post = (body: unknown, localAddress?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: r.httpPort, path: '/carrier/messages', method: 'POST', headers: { 'content-type': 'application/json' }, ...(localAddress ? { localAddress } : {}) }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      }, reject);
    });
  const denied = await post({ from: '+15557654321', to: '+15550100', text: 'hi' });
  assert.equal(denied.status, 401, 'not from the trunk address');
  const photo = { from: '+15557654321', to: '+15550100', text: 'photo', media: [{ contentType: 'image/png', filename: 'p.png', data: PNG_BASE64 }] };
  const ok = await post(photo, CARRIER_IP);
  assert.equal(ok.status, 200, ok.body);
  await assertDocumented({ method: 'POST', url: '/carrier/messages', contentType: 'application/json', body: photo });
  const id = (JSON.parse(ok.body) as { uniqueId: string }).uniqueId;
  await ws.until((f) => f.some((e) => e.type === 'accountevent'));
  assert.equal(topic(ws.events('accountevent')[0]!), 'messaging.incoming.mms');
  const res = await fetch(`http://127.0.0.1:${r.httpPort}/mms/component/${id}/p.png`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(PNG_BASE64, 'base64'));
  const bad = await post({ from: '+15557654321', to: '+15550100', media: 'nope' }, CARRIER_IP);
  assert.equal(bad.status, 400);
  assert.match(bad.body, /"error":"bad_media"/);
});

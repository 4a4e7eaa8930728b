/**
 * The console's backend against a running Ringside (docs/console.md), with real SIP peers (sipp; the
 * approach of test/switch/calls.test.ts): a carrier call to a line ringing Alice's registered phone shows
 * in `GET /console/calls` within a second of its INVITE, with its legs; hanging it up from the console
 * sends BYE to both parties and the call leaves the list; a blind transfer from the console moves the
 * caller to Bob's phone and hangs Alice's up; registered devices are listed; a `user`-role token sees only
 * its own; and the built console's fallback does not swallow the API. The facts each session recorded keep
 * the order the switch guarantees (session-checker.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { startInProcess, login } from '../support/in-process.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { CARRIER_IP, freePort, logged, ok, register, sipp, sleep, type Sipp, type T } from '../switch/support/harness.js';
import type { Ringside } from '../../src/app/ringside.js';

const skip = missingTool('sipp', 'sip-tester');

interface LiveLeg { legId: string; role: string; partyKind: string; number: string; state: string; userId?: number; name?: string }
interface LiveCall { sessionId: string; kind: string; direction: string; from: string; to: string; state: string; startedAt: number; answeredAt?: number; lineId?: string; legs: LiveLeg[] }

async function setup(t: T) {
  const carrierPort = await freePort();
  const r = await startInProcess(t, callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
      - ${BOB}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 20, fallback: hangup } }
`));
  return { r, target: `127.0.0.1:${r.sip.port}`, alice: await login(r, 'alice@demo.test', 'alice-pass'), bob: await login(r, 'bob@demo.test', 'bob-pass') };
}

async function api(r: Ringside, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: string; json: () => Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${r.httpPort}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const liveCalls = async (r: Ringside, token: string) => (await api(r, token, 'GET', '/console/calls')).json().calls as LiveCall[];

/** Polls the live calls every 20 ms until `until` holds; returns them and when it held. */
async function waitCalls(r: Ringside, token: string, until: (calls: LiveCall[]) => boolean, timeoutMs: number, what: string): Promise<{ calls: LiveCall[]; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const calls = await liveCalls(r, token);
    if (until(calls)) return { calls, at: Date.now() };
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(calls)}`);
    await sleep(20);
  }
}

/** A phone registered as `username` answering one call and waiting for Ringside's BYE (uas-answers.xml). */
async function phone(t: T, target: string, username: string, password: string): Promise<{ port: number; done: Promise<Sipp> }> {
  const port = await freePort();
  await register(t, target, port, username, password);
  const done = sipp(t, 'uas-answers.xml', '', { port, keys: { rtp_port: '9' }, extra: ['-mp', String(await freePort())], timeoutSec: 20 });
  await sleep(300);
  return { port, done };
}

/** The carrier calls +15550100 and waits for Ringside's BYE (carrier-call-waits-bye.xml), in the background. */
function carrierCall(t: T, target: string): Promise<Sipp> {
  return sipp(t, 'carrier-call-waits-bye.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' }, extra: ['-mp', String(30000 + Math.floor(Math.random() * 5000) * 2)], timeoutSec: 20 });
}

test('a sipp call shows in live calls within 1 s of its INVITE with its legs; hang up from the console BYEs both parties; devices and a user\'s view', { skip }, async (t) => {
  const { r, target, alice, bob } = await setup(t);
  const alicePhone = await phone(t, target, '101', 'alice-sip-101');
  const bobPort = await freePort();
  await register(t, target, bobPort, '102', 'bob-sip-102');

  // Registered devices: Alice (admin) sees both, Bob only his.
  const devices = (await api(r, alice, 'GET', '/console/devices')).json().devices as { userId: number; source: string; transport: string; extension?: string }[];
  assert.deepEqual(devices.map((d) => [d.userId, d.extension, d.transport, d.source]), [[501, '101', 'udp', `127.0.0.1:${alicePhone.port}`], [502, '102', 'udp', `127.0.0.1:${bobPort}`]]);
  const bobsDevices = (await api(r, bob, 'GET', '/console/devices')).json().devices as { userId: number }[];
  assert.deepEqual(bobsDevices.map((d) => d.userId), [502]);

  const carrier = carrierCall(t, target);
  const seen = await waitCalls(r, alice, (c) => c.length === 1, 5000, 'the call shows');
  const call = seen.calls[0]!;
  assert.ok(seen.at - call.startedAt < 1000, `listed ${seen.at - call.startedAt} ms after its INVITE was taken`);
  assert.equal(call.kind, 'inbound');
  assert.equal(call.direction, 'incoming');
  assert.equal(call.from, '+15557654321');
  assert.equal(call.to, '+15550100');
  assert.equal(call.lineId, 'main');
  const answered = await waitCalls(r, alice, (c) => c[0]?.state === 'answered', 5000, 'the call is answered');
  const legs = answered.calls[0]!.legs;
  assert.deepEqual(legs.map((l) => [l.role, l.partyKind, l.number, l.state, l.userId]), [['caller', 'phone', '+15557654321', 'answered', undefined], ['callee', 'sip', '101', 'answered', 501]]);
  assert.equal(legs[0]!.name, 'Pat Caller');

  // Bob (role user) is not on this call: he sees none of it, and may not hang it up.
  assert.deepEqual(await liveCalls(r, bob), []);
  assert.equal((await api(r, bob, 'POST', `/console/calls/${call.sessionId}/hangup`)).status, 403);

  const hangup = await api(r, alice, 'POST', `/console/calls/${call.sessionId}/hangup`);
  assert.equal(hangup.status, 204, hangup.body);
  ok(await carrier, 'the carrier got BYE');
  ok(await alicePhone.done, "Alice's phone got BYE");
  await waitCalls(r, alice, (c) => c.length === 0, 3000, 'the call leaves the list');
  assert.equal((await api(r, alice, 'POST', `/console/calls/${call.sessionId}/hangup`)).status, 404, 'no longer live');
  const { facts } = await logged(r, call.sessionId);
  const ended = facts.at(-1)!;
  assert.equal(ended.type, 'session.ended');
  assert.equal(ended.type === 'session.ended' && ended.cause, 'normal');
});

test('a blind transfer from the console: the caller rings Bob in a new session, Alice is hung up; then the console hangs up the new call', { skip }, async (t) => {
  const { r, target, alice, bob } = await setup(t);
  const alicePhone = await phone(t, target, '101', 'alice-sip-101');
  const bobPhone = await phone(t, target, '102', 'bob-sip-102');
  const carrier = carrierCall(t, target);
  const { calls } = await waitCalls(r, alice, (c) => c[0]?.state === 'answered', 5000, 'the call is answered');
  const first = calls[0]!;

  const unroutable = await api(r, alice, 'POST', `/console/calls/${first.sessionId}/transfer`, { to: '199' });
  assert.equal(unroutable.status, 422, unroutable.body);
  const moved = await api(r, alice, 'POST', `/console/calls/${first.sessionId}/transfer`, { to: '102' });
  assert.equal(moved.status, 202, moved.body);
  ok(await alicePhone.done, "Alice's phone got BYE");
  const { calls: after } = await waitCalls(r, alice, (c) => c.length === 1 && c[0]!.sessionId !== first.sessionId && c[0]!.state === 'answered' && c[0]!.legs.length === 2, 5000, 'the call continues with Bob');
  const second = after[0]!;
  assert.deepEqual(second.legs.map((l) => [l.role, l.number, l.state]), [['caller', '+15557654321', 'answered'], ['callee', '102', 'answered']]);
  assert.equal((await logged(r, first.sessionId)).facts.at(-1)!.type, 'session.ended');
  // Bob (role user) now sees the call: it reaches his phone.
  assert.deepEqual((await liveCalls(r, bob)).map((c) => c.sessionId), [second.sessionId]);

  assert.equal((await api(r, alice, 'POST', `/console/calls/${second.sessionId}/hangup`)).status, 204);
  ok(await carrier, 'the carrier got BYE');
  ok(await bobPhone.done, "Bob's phone got BYE");
  await waitCalls(r, alice, (c) => c.length === 0, 3000, 'no call left');
  await logged(r, second.sessionId);
});

test('the built console\'s fallback leaves the API alone on a running Ringside', async (t) => {
  const { r } = await setup(t);
  const base = `http://127.0.0.1:${r.httpPort}`;
  const html = { accept: 'text/html' };
  const page = await fetch(`${base}/live-calls`, { headers: html });
  // Built (npm run build) or not: the page, or the sentence saying to build it.
  if (page.status === 503) assert.match(await page.text(), /npm run build/);
  else {
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(await page.text(), /<html/i);
  }
  for (const path of ['/webhooks/x/y', '/console/nothing', '/events/x/y/z']) {
    const res = await fetch(`${base}${path}`, { headers: html });
    assert.equal(res.status, 404, path);
    assert.equal(((await res.json()) as { error: string }).error, 'not_found', path);
  }
  const webhooks = await fetch(`${base}/webhooks`, { headers: html });
  assert.equal(webhooks.status, 401, 'the API route, not the page');
});

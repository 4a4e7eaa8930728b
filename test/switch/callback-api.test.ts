/**
 * The callback API (click-to-call, spec teltel §7; docs/call-centre.md) end to end over loopback:
 * `POST /v2/calls/callback` with `X-API-KEY`, Ringside reaches leg 1 (a number through the sipp carrier on
 * 127.0.0.2), then leg 2 (a registered sipp phone, or a ring group of one), and bridges them. The teltel
 * events are read where a CRM reads them: a real HTTP receiver subscribed through `POST /webhooks`
 * (dialect teltel), asserted field by field against spec teltel §5.6, and checked against the §6
 * invariants (dialects/teltel/invariants.ts). Every sipp is killed and Ringside stopped in `t.after`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, freePort, logged, ok, phoneAnswering, register, registeredPhone, rest, setup, teltelNames, type T } from './support/harness.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { Receiver } from '../webhooks/support.js';
import { teltelProblems } from '../../src/dialects/teltel/invariants.js';
import { checkRequestsAgainstDocument } from '../../src/api/openapi/documented-requests.js';
import type { Fact } from '../../src/events/model/facts.js';

const skip = missingTool('sipp', 'sip-tester');

const KEY = 'crm-token:crm-secret';

function config(carrierPort: number): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    apiCredentials: [{ token: crm-token, secret: crm-secret }]
    users:
      - ${ALICE}
      - ${BOB}
    ringGroups:
      - { id: desk, name: Desk, number: "100", strategy: ring-all, members: [502], timeoutSeconds: 2 }
`);
}

type Payload = Record<string, unknown>;

/** Ringside, the carrier's port, and a receiver subscribed to the account's teltel events by REST. */
async function start(t: T) {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  // Every request Ringside accepts is one the OpenAPI document describes (docs/api-reference.md).
  const { requests: documented } = await checkRequestsAgainstDocument(t, () => `http://127.0.0.1:${s.r.httpPort}`);
  const hooks = await Receiver.start(t);
  const made = await rest(s.r, s.token, 'POST', '/webhooks', { url: hooks.url('/teltel'), dialect: 'teltel' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return { ...s, carrierPort, hooks, documented };
}

async function callback(s: Awaited<ReturnType<typeof start>>, data: Record<string, string>): Promise<{ sessionId: string; callId: string }> {
  const res = await fetch(`http://127.0.0.1:${s.r.httpPort}/v2/calls/callback`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
  const body = (await res.json()) as { data: { session_id: string; call_id: string } };
  assert.equal(res.status, 201, JSON.stringify(body));
  return { sessionId: body.data.session_id, callId: body.data.call_id };
}

/** The session's teltel events as the receiver got them (once its COMPLETED arrived), in order, each
 *  once; checked against spec teltel §6 and against the log's copy. */
async function delivered(s: Awaited<ReturnType<typeof start>>, sessionId: string): Promise<Payload[]> {
  const mine = () => {
    const seen = new Set<string>();
    return s.hooks.requests.map((r) => JSON.parse(r.body) as Payload).filter((p) => p.session_id === sessionId && !seen.has(String(p.id)) && seen.add(String(p.id)));
  };
  await s.hooks.waitFor(() => mine().some((p) => p.event === 'COMPLETED'), 20_000, 'COMPLETED by webhook');
  const events = mine();
  for (const r of s.hooks.requests) assert.equal(r.url, '/teltel');
  assert.deepEqual(teltelProblems(events.map((p) => ({ name: String(p.event), id: String(p.id), payload: p }))), [], 'spec teltel §6 invariants');
  const { teltel } = await logged(s.r, sessionId);
  assert.deepEqual(events, teltel, 'delivered exactly as logged');
  return events;
}

/** `EVENT phase/leg P=n` per event: the lines of spec teltel §5.6. */
const lines = (events: Payload[]) => events.map((e) => `${teltelNames([e])[0]} ${String(e.phase)}/${String(e.leg)} P=${String(e.participants)}`);

const legsCreated = (facts: Fact[]) => facts.filter((f): f is Extract<Fact, { type: 'leg.created' }> => f.type === 'leg.created');

test('callback: the contact (leg 1, a number) answers, then the operator (leg 2, extension 101) answers and hangs up — spec teltel §5.6 field by field', { skip }, async (t) => {
  const s = await start(t);
  const alicePort = await freePort();
  await register(t, s.target, alicePort, '101', 'alice-sip-101');
  const contact = await phoneAnswering(t, 'uas-answers.xml', s.carrierPort, 9, CARRIER_IP);
  const alice = await phoneAnswering(t, 'uas-answers-hangs-up.xml', alicePort, 9);
  // As a CRM writes it (spec teltel §7): E.164 without +; leg 1 shown the account's second number.
  const request = { leg_1_phone_number: '37126666666', leg_1_caller_id: '15550101', leg_2_phone_number: '101', leg_2_caller_id: '37126666666', trace_id: 'crm-7781' };
  const { sessionId, callId } = await callback(s, request);
  const c = await contact.done;
  ok(c, 'the contact (carrier)');
  const a = await alice.done;
  ok(a, "Alice's phone");
  assert.match(c.messages, /INVITE sip:\+37126666666@127\.0\.0\.2/, 'leg 1 dialled through the trunk');
  assert.match(c.messages, /From: <sip:\+15550101@/, "leg 1 sees the request's caller ID, not the account default");
  assert.match(a.messages, /From: <sip:\+37126666666@/, "the operator sees the contact's number");

  const events = await delivered(s, sessionId);
  assert.deepEqual(lines(events), [
    'START localtodid/contact P=0',
    'RING localtodid/contact P=0',
    'RINGRESULT:ANSWER localtodid/contact P=0',
    'READY localtodid/contact P=0',
    'RING localtosip/operator P=0',
    'RINGRESULT:ANSWER localtosip/operator P=0',
    'READY localtosip/operator P=0',
    'JOIN localtodid/contact P=1',
    'JOIN localtosip/operator P=2',
    'LEAVE localtosip/operator P=1',
    'LEAVE localtodid/contact P=0',
    'COMPLETED localtosip/operator P=0',
  ]);
  const callbackEcho = { leg_1_phone_number: '37126666666', leg_1_caller_id: '15550101', leg_2_phone_number: '101', leg_2_caller_id: '37126666666', trace_id: 'crm-7781' };
  for (const e of events) {
    assert.equal(e.session_id, sessionId);
    assert.equal(e.call_id, callId);
    assert.equal(e.accountcode, 'demo');
    assert.equal(e.direction, 'outbound');
    assert.equal(e.type, 'callback');
    assert.equal(e.subtype, undefined);
    assert.match(String(e.id), /^[0-9a-f-]{36}$/);
    assert.match(String(e.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual((e.data as Payload).callback, callbackEcho, `${String(e.event)}: data.callback echoes the request`);
  }
  const [, ring1, result1, ready1, ring2, result2, ready2, join1, join2, leave2, leave1, done] = events as [Payload, ...Payload[]];
  // RING/RINGRESULT pairs by data.dial_id, naming whom they dial (spec teltel §2.3 extension).
  assert.equal((ring1!.data as Payload).dial_id, (result1!.data as Payload).dial_id);
  assert.deepEqual((ring1!.data as Payload).target, { type: 'phone', number: '+37126666666' });
  assert.equal((ring2!.data as Payload).dial_id, (result2!.data as Payload).dial_id);
  assert.notEqual((ring1!.data as Payload).dial_id, (ring2!.data as Payload).dial_id);
  assert.deepEqual((ring2!.data as Payload).target, { type: 'sip', number: '101', user: 501 });
  assert.deepEqual([result1!.state, result2!.state], ['ANSWER', 'ANSWER']);
  assert.deepEqual([ready1!.subject_type, ready1!.subject, ready1!.subject_user], ['phone', '+37126666666', undefined]);
  assert.deepEqual([ready2!.subject_type, ready2!.subject, ready2!.subject_user], ['sip', '101', 501]);
  assert.deepEqual([join1!.subject, join2!.subject, leave2!.subject, leave1!.subject], ['+37126666666', '101', '101', '+37126666666']);
  assert.deepEqual([done!.hanged_by, done!.hanged_value, done!.hanged_user, done!.is_answered], ['sip', '101', 501, true]);
  for (const e of [ring1, result1, ring2, result2]) assert.equal(e!.subject, undefined);
  assert.ok(events.slice(0, -1).every((e) => e.hanged_by === undefined && e.is_answered === undefined));
  assert.ok(s.documented.includes('POST /v2/calls/callback'), `checked against the OpenAPI document: ${s.documented.join(', ')}`);
});

test('callback: leg 1 busy — leg 2 is never dialled, the session completes', { skip }, async (t) => {
  const s = await start(t);
  // Alice is registered: were leg 2 dialled, her binding would be rung (and the facts would show it).
  await register(t, s.target, await freePort(), '101', 'alice-sip-101');
  const contact = await phoneAnswering(t, 'uas-busy.xml', s.carrierPort, 9, CARRIER_IP);
  const request = { leg_1_phone_number: '+37126666666', leg_1_caller_id: '+15550100', leg_2_phone_number: '101', leg_2_caller_id: '+37126666666' };
  const { sessionId } = await callback(s, request);
  ok(await contact.done, 'the contact (carrier, busy)');
  const events = await delivered(s, sessionId);
  assert.deepEqual(lines(events), ['START localtodid/contact P=0', 'RING localtodid/contact P=0', 'RINGRESULT:BUSY localtodid/contact P=0', 'COMPLETED localtodid/contact P=0']);
  const done = events.at(-1)!;
  assert.deepEqual([done.hanged_by, done.hanged_value, done.hanged_user, done.is_answered], ['local', '+15550100', undefined, false]);
  for (const e of events) assert.deepEqual((e.data as Payload).callback, request, 'no trace_id asked, none echoed');
  const { facts } = await logged(s.r, sessionId);
  assert.deepEqual(legsCreated(facts).map((l) => [l.role, l.party.number]), [['contact', '+37126666666']], 'leg 2 never dialled');
});

test('callback: leg 2 (a ring group) does not answer — the contact got READY but no JOIN, Ringside hangs it up', { skip }, async (t) => {
  const s = await start(t);
  const bob = await registeredPhone(t, s.target, '102', 'bob-sip-102', 'uas-rings.xml');
  const contact = await phoneAnswering(t, 'uas-answers.xml', s.carrierPort, 9, CARRIER_IP);
  const request = { leg_1_phone_number: '37126666666', leg_1_caller_id: '15550100', leg_2_phone_number: '100', leg_2_caller_id: '37126666666', trace_id: 't-2' };
  const started = Date.now();
  const { sessionId } = await callback(s, request);
  const c = await contact.done;
  ok(c, 'the contact (carrier), hung up by Ringside');
  assert.match(c.messages, /BYE sip:/, 'Ringside sent the contact a BYE');
  ok(await bob.done, "Bob's phone (rang, cancelled)");
  const events = await delivered(s, sessionId);
  assert.deepEqual(lines(events), [
    'START localtodid/contact P=0',
    'RING localtodid/contact P=0',
    'RINGRESULT:ANSWER localtodid/contact P=0',
    'READY localtodid/contact P=0',
    'RING localtosip/operator P=0',
    'RINGRESULT:NOANSWER localtosip/operator P=0',
    'COMPLETED localtosip/operator P=0',
  ]);
  assert.deepEqual((events[4]!.data as Payload).target, { type: 'sip', number: '100' });
  const done = events.at(-1)!;
  assert.deepEqual([done.hanged_by, done.hanged_value, done.is_answered], ['local', '+15550100', true]);
  assert.ok(Date.now() - started < 15_000, "leg 2 rang for the group's timeout (2 s), not the default minute");
  for (const e of events) assert.deepEqual((e.data as Payload).callback, request);
});

/**
 * Call flows end to end (issue 14 "Prove it"; docs/call-centre.md "Call flows"): sipp as the carrier and as
 * the phones, lines whose ring strategy is `flow`. A menu answered by one RFC 4733 key and one SIP INFO key
 * leads to a dial nobody answers, then voicemail; a playaudio-only flow (READY, no RING, no JOIN); office
 * hours judged by the switch's clock, which the test sets (the same call open, then closed); a queue with
 * two callers and one agent (the second hears music until the agent is free). Every session's facts are
 * checked against the switch's order, its teltel events line by line (spec teltel §5 form) and against
 * the §6 invariants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import type { Fact } from '../../src/events/model/facts.js';
import type { Ringside } from '../../src/app/ringside.js';
import { startInProcess, login } from '../support/in-process.js';
import { TestSocket } from '../support/ws-client.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { sessionProblems } from '../support/session-checker.js';
import { line } from '../support/teltel-projection-check.js';
import { teltelProblems } from '../../src/dialects/teltel/invariants.js';
import { encodePcm16Wav, parseWav, wavSamples } from '../../src/media/wav.js';
import { synthesizeTone } from '../../src/media/tones.js';
import { CARRIER_IP, freePort, ok, phoneAnswering, register, sipp, sleep, topic, type T } from './support/harness.js';
import { answeringScenario, carrierScenario, scenarioDir, type Step } from './support/scenario-builder.js';
import { createSocket } from 'node:dgram';

const skip = missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');

const CALLER = '+15557654321';

function config(carrierPort: number): string {
  return callConfig(carrierPort, `
    timezone: Europe/Riga
    numbers: [{ number: "+15550100" }, { number: "+15550101" }, { number: "+15550102" }, { number: "+15550103" }]
    users:
      - ${ALICE}
      - ${BOB}
    lines:
      - { id: ivr, name: IVR, number: "+15550100", ring: { strategy: flow, flow: ivr } }
      - { id: hello, name: Hello, number: "+15550101", ring: { strategy: flow, flow: hello } }
      - { id: hours, name: Hours, number: "+15550102", ring: { strategy: flow, flow: hours } }
      - { id: support, name: Support, number: "+15550103", ring: { strategy: flow, flow: support } }
    flows:
      - id: ivr
        name: Menu to Alice, then her voicemail
        start: welcome
        nodes:
          welcome: { type: menu, prompt: { text: "Press 1." }, keys: { "1": choose }, timeoutSeconds: 4 }
          choose: { type: menu, prompt: { text: "Press 2." }, keys: { "2": alice }, timeoutSeconds: 4 }
          alice: { type: dial, target: { users: [501] }, timeoutSeconds: 2, noAnswer: message }
          message: { type: voicemail, mailboxUser: 501 }
      - id: hello
        name: Hello only
        start: hello
        nodes:
          hello: { type: playaudio, prompt: { text: "Hello." } }
      - id: hours
        name: Office hours
        start: check
        nodes:
          check: { type: time, weekly: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }], open: bob, closed: closed }
          bob: { type: dial, target: { users: [502] }, answer: thanks }
          thanks: { type: playaudio, prompt: { text: "Thank you." } }
          closed: { type: hangup }
      - id: support
        name: Support queue
        start: wait
        nodes:
          wait: { type: queue, agents: { users: [502] }, music: { file: moh.wav }, announceEverySeconds: 0, maxWaitSeconds: 30 }
`);
}

/** Ringside on the flows config, its clock the test's; a WebSocket on the account stream. */
async function start(t: T, clock: { ms: number } = { ms: Date.now() }) {
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort), { now: () => clock.ms });
  const ws = await TestSocket.open(r.httpPort);
  t.after(() => ws.close());
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  await ws.request({ type: 'authrequest', token }, 'authresponse');
  assert.equal((await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);
  return { r, ws, target: `127.0.0.1:${r.sip.port}`, carrierPort, clock };
}

/** The carrier calling `number` from CALLER: answered, then `steps`, then BYE (or Ringside's), or refused. */
function carrierCalls(t: T, target: string, number: string, o: Parameters<typeof carrierScenario>[0], keys: Record<string, string> = {}) {
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario(o) });
  return sipp(t, 'carrier.xml', target, { dir, from: CARRIER_IP, service: number, keys: { from: CALLER, ...keys }, extra: ['-mp', String(40000 + Math.floor(Math.random() * 10000) * 2)], timeoutSec: 30 });
}

/** The sessions in the teltel log, in the order they started, once `count` have COMPLETED (bounded). */
async function completedSessions(r: Ringside, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const events = (await r.events.read(0, { dialects: ['teltel'] }, 1000)).map((e) => e.payload);
    const ids = [...new Set(events.map((e) => String(e.session_id)))];
    if (ids.length >= count && ids.every((id) => events.some((e) => e.session_id === id && e.event === 'COMPLETED'))) return ids;
    if (Date.now() > deadline) assert.fail(`${count} completed sessions expected: ${JSON.stringify(events.map(line0))}`);
    await sleep(100);
  }
}

const line0 = (p: Record<string, unknown>) => line({ name: String(p.event), payload: p } as Parameters<typeof line>[0]);

/** A session's facts (checked against the switch's order) and its teltel events, checked against spec
 *  teltel §6, as timeline lines. */
async function session(r: Ringside, sessionId: string): Promise<{ facts: Fact[]; teltel: Record<string, unknown>[]; lines: string[] }> {
  const facts = await r.events.sessionFacts(sessionId);
  assert.deepEqual(sessionProblems(facts), [], JSON.stringify(facts, null, 1));
  const entries = await r.events.read(0, { dialects: ['teltel'], sessionId }, 100);
  const teltel = entries.map((e) => e.payload);
  assert.deepEqual(teltelProblems(entries.map((e) => ({ name: e.name, id: String(e.payload.id), payload: e.payload }))), [], 'spec teltel §6');
  // Field by field beyond the timeline lines: an ordinary inbound call's common attributes (spec teltel §2.1).
  for (const e of teltel) {
    assert.equal(e.accountcode, 'demo');
    assert.equal(e.session_id, sessionId);
    assert.equal(e.direction, 'inbound');
    assert.equal(e.type, 'standard');
    assert.equal(e.call_id, teltel[0]!.call_id);
    assert.ok(!('leg' in e) && !('subtype' in e), 'no leg or subtype on an inbound call (§6 rule 6)');
  }
  return { facts, teltel, lines: teltel.map(line0) };
}

/** A UDP socket on the carrier's address standing in for a caller's RTP port: counts what Ringside sends it. */
async function carrierRtpSink(t: T): Promise<{ port: number; packets: () => number }> {
  const sock = createSocket('udp4');
  let n = 0;
  sock.on('message', () => n++);
  const port = await new Promise<number>((res) => sock.bind(0, CARRIER_IP, () => res(sock.address().port)));
  t.after(() => sock.close());
  return { port, packets: () => n };
}

const ofType = <K extends Fact['type']>(facts: Fact[], type: K) => facts.filter((f): f is Extract<Fact, { type: K }> => f.type === type);
const rms = (s: Int16Array) => Math.sqrt(s.reduce((a, x) => a + x * x, 0) / Math.max(1, s.length));

test('a menu (a key by RFC 4733, one by SIP INFO) leads to a dial nobody answers, then voicemail', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  const alicePort = await freePort();
  await register(t, target, alicePort, '101', 'alice-sip-101');
  const alice = await phoneAnswering(t, 'uas-rings.xml', alicePort, await freePort(), '127.0.0.1', 25);
  // Menu 1 (key 1 by RFC 4733), menu 2 (key 2 by INFO), Alice rings 2 s, the greeting and beep ~5 s; then
  // the caller speaks (sipp's g711a.pcap, 4.7 s) and hangs up.
  const steps: Step[] = [{ pauseMs: 600 }, { digits: '1' }, { pauseMs: 900 }, { info: '2' }, { pauseMs: 8000 }, { audio: 'g711a' }, { pauseMs: 5500 }];
  ok(await carrierCalls(t, target, '+15550100', { steps }), 'caller');
  ok(await alice.done, 'Alice (rings, cancelled)');
  const [sessionId] = await completedSessions(r, 1);
  const { facts, lines } = await session(r, sessionId!);
  const aliceLeg = ofType(facts, 'leg.created').find((f) => f.user?.id === '501')!.legId;
  assert.deepEqual(lines, [
    'START didtodid P=0',
    `READY didtodid P=0 phone:${CALLER}`,
    `RING didtosip P=0 dial=${aliceLeg}`,
    `RINGRESULT didtosip P=0 dial=${aliceLeg} state=NOANSWER`,
    `COMPLETED didtosip P=0 hanged_by=phone hanged_value=${CALLER} is_answered=false`,
  ]);
  const keys = ofType(facts, 'dtmf').map((f) => [f.digit, f.via]);
  assert.deepEqual(keys, [['1', 'rfc4733'], ['2', 'sip-info']]);
  assert.deepEqual(ofType(facts, 'leg.failed').map((f) => [f.legId, f.result]), [[aliceLeg, 'NOANSWER']]);
  assert.equal(ofType(facts, 'voicemail.started')[0]!.mailboxUserId, '501');
  const types = facts.map((f) => f.type);
  assert.ok(types.indexOf('leg.media-ready') < types.indexOf('dtmf'), 'the menu answered the caller first');
  assert.ok(types.indexOf('leg.failed') < types.indexOf('voicemail.started'), 'voicemail after the dial');
  const rec = ofType(facts, 'recording.finished')[0];
  assert.ok(rec, 'a voicemail was recorded');
  assert.equal(rec.purpose, 'voicemail');
  const wav = parseWav(Buffer.from(await (await fetch(rec.url)).arrayBuffer()));
  assert.ok(rms(wavSamples(wav)) > 200, 'the message holds the caller\'s audio');
  const started = facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.deepEqual(started.userIds, ['501'], 'the session concerns the users the flow reaches');
  await ws.until((f) => f.some((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end'), 5000, 'voice.incoming.end');
  assert.deepEqual(ws.events('accountevent').map(topic), ['voice.incoming.start', 'voice.incoming.end']);
});

test('a flow that only plays audio: START, READY didtodid, COMPLETED by Ringside; no RING, no JOIN', { skip }, async (t) => {
  const { r, target } = await start(t);
  ok(await carrierCalls(t, target, '+15550101', { end: 'wait-bye' }), 'caller');
  const [sessionId] = await completedSessions(r, 1);
  const { facts, teltel, lines } = await session(r, sessionId!);
  assert.deepEqual(lines, ['START didtodid P=0', `READY didtodid P=0 phone:${CALLER}`, 'COMPLETED didtodid P=0 hanged_by=local hanged_value=+15550101 is_answered=false']);
  assert.deepEqual(facts.map((f) => f.type), ['session.started', 'leg.created', 'leg.answered', 'leg.media-ready', 'leg.ended', 'session.ended']);
  assert.deepEqual(ofType(facts, 'leg.ended').map((f) => [f.by, f.cause]), [['local', 'normal']]);
  assert.ok(Date.parse(String(teltel.at(-1)!.timestamp)) - Date.parse(String(teltel[1]!.timestamp)) >= 500, 'the prompt played before the hangup');
});

test('office hours by the switch\'s clock: the same call rings Bob at 10:00 (a dial before any answer, as a line; `answer` goes on when he hangs up) and is refused at 17:30 Riga time', { skip }, async (t) => {
  const clock = { ms: Date.parse('2026-12-07T08:00:00Z') }; // Monday 10:00 in Riga (UTC+2)
  const { r, target } = await start(t, clock);
  const bobPort = await freePort();
  await register(t, target, bobPort, '102', 'bob-sip-102');
  const dir = scenarioDir(t, { 'bob.xml': answeringScenario({ steps: [{ pauseMs: 1000 }], end: 'bye' }) });
  const bob = sipp(t, 'bob.xml', '', { dir, port: bobPort, extra: ['-mp', String(await freePort())], timeoutSec: 20 });
  await sleep(300);
  const caller = await carrierCalls(t, target, '+15550102', { end: 'wait-bye' });
  ok(caller, 'open');
  ok(await bob, 'Bob');
  assert.match(caller.messages, /SIP\/2\.0 180 /, 'the unanswered caller got 180 while Bob rang');
  clock.ms = Date.parse('2026-12-07T15:30:00Z'); // Monday 17:30 in Riga
  ok(await carrierCalls(t, target, '+15550102', { refused: 480 }), 'closed: refused');
  const [open, closed] = await completedSessions(r, 2);
  const o = await session(r, open!);
  const bobLeg = ofType(o.facts, 'leg.created').find((f) => f.user?.id === '502')!.legId;
  // spec teltel §5.1: the flow dialled before answering, so the caller's READY follows the callee's.
  assert.deepEqual(o.lines, [
    'START didtodid P=0',
    `RING didtosip P=0 dial=${bobLeg}`,
    `RINGRESULT didtosip P=0 dial=${bobLeg} state=ANSWER`,
    'READY didtosip P=0 sip:102 user=502',
    `READY didtosip P=0 phone:${CALLER}`,
    `JOIN didtosip P=1 phone:${CALLER}`,
    'JOIN didtosip P=2 sip:102 user=502',
    'LEAVE didtosip P=1 sip:102 user=502',
    `LEAVE didtosip P=0 phone:${CALLER}`,
    // Bob hung up first; the flow's `answer` output played "Thank you." and then Ringside hung up.
    'COMPLETED didtosip P=0 hanged_by=local hanged_value=+15550102 is_answered=true',
  ]);
  assert.deepEqual(ofType(o.facts, 'leg.ended').map((f) => [f.legId === bobLeg ? 'bob' : 'caller', f.by]), [['bob', 'remote'], ['caller', 'local']]);
  const c = await session(r, closed!);
  assert.deepEqual(c.lines, ['START didtodid P=0', 'COMPLETED didtodid P=0 hanged_by=local hanged_value=+15550102 is_answered=false']);
  assert.deepEqual(c.facts.map((f) => f.type), ['session.started', 'leg.created', 'leg.ended', 'session.ended'], 'never answered');
});

test('a queue with two callers and one agent: the second hears music until the agent is free, then connects; a third gives up waiting', { skip }, async (t) => {
  const { r, ws, target } = await start(t);
  // Music on hold from the media directory (a file the queue names).
  writeFileSync(join(r.settings.dataDir, 'media', 'moh.wav'), encodePcm16Wav(synthesizeTone({ frequencies: [440], durationMs: 1000, level: 0.2 }), 8000));
  // Bob answers each call offered to him and hangs up after 2.5 s: two calls, one at a time.
  const bobPort = await freePort();
  await register(t, target, bobPort, '102', 'bob-sip-102');
  const dir = scenarioDir(t, { 'agent.xml': answeringScenario({ steps: [{ pauseMs: 2500 }], end: 'bye' }) });
  const bob = sipp(t, 'agent.xml', '', { dir, port: bobPort, extra: ['-m', '2', '-mp', String(await freePort())], timeoutSec: 25 });
  await sleep(300);
  const first = carrierCalls(t, target, '+15550103', { end: 'wait-bye' });
  await sleep(700);
  const sink = await carrierRtpSink(t);
  const second = carrierCalls(t, target, '+15550103', { end: 'wait-bye', rtpPortKey: true }, { rtp_port: String(sink.port) });
  await sleep(300);
  // A third caller waits behind the second and gives up after 1.5 s: it leaves the queue, nothing else moves.
  const third = carrierCalls(t, target, '+15550103', { steps: [{ pauseMs: 1500 }], end: 'bye' });
  ok(await first, 'first caller');
  ok(await second, 'second caller');
  ok(await third, 'third caller');
  ok(await bob, 'Bob (two calls)');
  const [a, b, c] = await completedSessions(r, 3);
  const first_ = await session(r, a!);
  const second_ = await session(r, b!);
  const third_ = await session(r, c!);
  assert.deepEqual(third_.lines, ['START didtodid P=0', `READY didtodid P=0 phone:${CALLER}`, `COMPLETED didtodid P=0 hanged_by=phone hanged_value=${CALLER} is_answered=false`]);
  for (const s of [first_, second_]) {
    const bobLeg = ofType(s.facts, 'leg.created').find((f) => f.user?.id === '502')!.legId;
    assert.deepEqual(s.lines, [
      'START didtodid P=0',
      `READY didtodid P=0 phone:${CALLER}`,
      `RING didtosip P=0 dial=${bobLeg}`,
      `RINGRESULT didtosip P=0 dial=${bobLeg} state=ANSWER`,
      'READY didtosip P=0 sip:102 user=502',
      `JOIN didtosip P=1 phone:${CALLER}`,
      'JOIN didtosip P=2 sip:102 user=502',
      'LEAVE didtosip P=1 sip:102 user=502',
      `LEAVE didtosip P=0 phone:${CALLER}`,
      'COMPLETED didtosip P=0 hanged_by=sip hanged_value=102 hanged_user=502 is_answered=true',
    ]);
  }
  const at = (s: { teltel: Record<string, unknown>[] }, name: string) => Date.parse(String(s.teltel.find((e) => e.event === name)!.timestamp));
  assert.ok(at(second_, 'RING') >= at(first_, 'LEAVE'), 'the agent was offered the second caller only once free');
  assert.ok(at(second_, 'RING') - at(second_, 'READY') >= 1500, 'the second caller waited, answered, in the queue');
  // The realtime stream (spec realtime §3): each connected caller's session is answered by Bob.
  await ws.until((f) => f.filter((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end').length >= 3, 5000, 'three voice.incoming.end');
  const realtime = (id: string) => ws.events('accountevent').filter((e) => e.trackingId === id);
  const connected = [['voice.incoming.start', undefined], ['voice.incoming.answer', '502'], ['voice.incoming.end', '502']];
  assert.deepEqual([a, b, c].map((id) => realtime(id!).map((e) => [topic(e), e.userId])), [connected, connected, [['voice.incoming.start', undefined], ['voice.incoming.end', undefined]]]);
  // Bob sends no audio: everything the second caller received came from Ringside while it waited.
  assert.ok(sink.packets() > 75, `the second caller heard music while waiting (${sink.packets()} packets)`);
});

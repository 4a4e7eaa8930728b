/**
 * baresip as a user's registered phone, end to end through the switch (the "sipp as carrier and
 * `baresip` as a registered phone"):
 *
 * - baresip 1.0 registers as Alice (SIP user 101, digest MD5) from its own `sip_listen` port, so the
 *   registrar's binding source is where Ringside sends her calls (test/switch/support/baresip-phone.ts
 *   drives it through ctrl_tcp and keeps its `-s` SIP trace).
 * - The carrier is sipp on 127.0.0.2, whose SDP names a media port the test holds on 127.0.0.2: that socket
 *   decodes what Ringside relays to it and answers with a 1000 Hz tone, while baresip says 440 Hz. So each
 *   side must hear the other's tone, and only it, through Ringside's anchored, transcoding media.
 *
 * Each test checks the SIP exchange at baresip, the audio at both ends, the events a real WebSocket client
 * receives on the account stream (realtime), the teltel projection in the log, the session's facts
 * (`sessionProblems`) and the call's report entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import type { Fact } from '../../src/events/model/facts.js';
import { CARRIER_IP, endedSession, factTypes, freePort, logged, ok, phoneAnswering, reportEntry, setup, sipp, teltelNames, topic, type T } from './support/harness.js';
import { BaresipPhone, carrierMedia, waitFor } from './support/baresip-phone.js';
import { rms, tonePower } from '../media/support/audio-analysis.js';
import { callConfig, ALICE, BOB_WITH_NUMBER } from '../support/call-config.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('baresip', 'baresip');

/** The calls test's account (test/switch/calls.test.ts), with one line ringing Alice for up to 20 s. */
function config(carrierPort: number): string {
  return callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    users:
      - ${ALICE}
      - ${BOB_WITH_NUMBER}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 20, fallback: hangup } }
`);
}

const PHONE_HZ = 440;
const CARRIER_HZ = 1000;

/** Ringside, the account stream, and baresip registered as Alice. */
async function start(t: T) {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  const phone = await BaresipPhone.start(t, { registrar: s.target, username: '101', password: 'alice-sip-101', toneHz: PHONE_HZ });
  await waitFor(async () => (await s.r.store.loadSipBindings('501')).length === 1, 15_000, 'baresip registered as Alice', () => phone.output.slice(-3000));
  const media = await carrierMedia(t, CARRIER_IP, CARRIER_HZ);
  return { ...s, carrierPort, phone, media };
}

/** The fields of a realtime event that say which call, which line, which user and which leg. */
const keyFields = (e: Record<string, unknown>) => ({
  topic: topic(e),
  trackingId: e.trackingId,
  uniqueId: e.uniqueId,
  direction: e.direction,
  from: e.from,
  to: e.to,
  lineId: e.lineId,
  userId: e.userId,
  legId: e.legId,
});

/** `lines` holds every pattern, in this order (other lines, e.g. retransmissions, may come between). */
function assertInOrder(lines: string[], patterns: RegExp[], what: string): void {
  let i = 0;
  for (const line of lines) if (i < patterns.length && patterns[i]!.test(line)) i++;
  assert.equal(i, patterns.length, `${what}: missing ${String(patterns[i])} in order; saw:\n${lines.join('\n')}`);
}

/** The tone a side heard: it must carry `want` and not the tone it sent itself, for at least `minMs`. */
function assertHears(samples: Int16Array, want: number, other: number, minMs: number, what: string): void {
  const loudFrames = Array.from({ length: Math.floor(samples.length / 160) }, (_, i) => samples.subarray(i * 160, i * 160 + 160)).filter((f) => rms(f) > 1000).length;
  const [p, q] = [tonePower(samples, want), tonePower(samples, other)];
  assert.ok(loudFrames * 20 >= minMs, `${what}: ${loudFrames * 20} ms of audio (of ${samples.length / 8} ms), want ≥ ${minMs} ms`);
  assert.ok(p > 100 * q, `${what}: ${want} Hz power ${p.toFixed(0)} vs ${other} Hz ${q.toFixed(0)}`);
}

const legCreated = (facts: Fact[], role: 'caller' | 'callee') => facts.find((f) => f.type === 'leg.created' && f.role === role) as Extract<Fact, { type: 'leg.created' }>;

test('baresip registered as Alice answers a carrier call; audio flows both ways; the carrier hangs up', { skip, timeout: 120_000 }, async (t) => {
  const { r, ws, token, target, phone, media } = await start(t);
  const started = Date.now();
  const carrier = await sipp(t, 'carrier-call-own-media.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321', rtp_port: String(media.port) }, timeoutSec: 30 });
  ok(carrier, 'carrier');
  const established = await phone.waitEvent('CALL_ESTABLISHED', 5000);
  assert.equal(established.direction, 'incoming');
  assert.equal(established.peeruri, 'sip:+15557654321@127.0.0.1', 'baresip sees the original caller');
  assert.equal(established.peerdisplayname, 'Pat Caller');
  await phone.waitEvent('CALL_CLOSED', 10_000);
  const callMs = Date.now() - started;
  await phone.stop(); // unregisters; closes the audio dumps
  await waitFor(async () => (await r.store.loadSipBindings('501')).length === 0, 5000, 'baresip unregistered');
  assertInOrder(
    phone.sipStartLines,
    [/^REGISTER /, /^SIP\/2\.0 401 /, /^REGISTER /, /^SIP\/2\.0 200 /, /^INVITE sip:101-/, /^SIP\/2\.0 180 /, /^SIP\/2\.0 200 /, /^ACK sip:101-/, /^BYE sip:101-/, /^SIP\/2\.0 200 /],
    'baresip\'s SIP exchange',
  );

  // Audio: Ringside offered baresip PCMU first (its choice), answered the carrier's PCMA: transcoded.
  assert.deepEqual([...media.payloadTypes], [8], 'the carrier hears PCMA, its first choice');
  assert.ok(media.packets() > 100, `baresip's audio reached the carrier through Ringside (${media.packets()} packets)`);
  assertHears(media.heard(), PHONE_HZ, CARRIER_HZ, 2000, 'the carrier');
  assertHears(phone.heard(), CARRIER_HZ, PHONE_HZ, 2000, 'baresip');

  const { sessionId, topics, events } = await endedSession(ws, 'incoming');
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const [caller, alice] = [legCreated(facts, 'caller'), legCreated(facts, 'callee')];
  assert.deepEqual(alice.party, { kind: 'sip', number: '101', userId: '501', name: 'Alice' });
  const call = { trackingId: sessionId, uniqueId: events[0]!.uniqueId, direction: 'incoming', from: '+15557654321', to: '+15550100', lineId: 'main' };
  assert.deepEqual(events.map(keyFields), [
    { topic: 'voice.incoming.start', ...call, userId: undefined, legId: undefined },
    { topic: 'voice.incoming.answer', ...call, userId: '501', legId: alice.legId },
    { topic: 'voice.incoming.end', ...call, userId: '501', legId: undefined },
  ]);
  assert.deepEqual(events[1]!.userData, { id: '501', pin: '1101', name: 'Alice', username: 'alice@demo.test' });
  assert.equal(events[2]!.disposition, 'answered');
  assert.equal(events[2]!.isMissedCall, false);
  assert.ok(Number(events[2]!.billableSeconds) >= 3, `talked ~4 s: ${String(events[2]!.billableSeconds)}`);

  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready', 'leg.answered', 'leg.media-ready',
    'leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended',
  ]);
  const codecs = facts.filter((f) => f.type === 'leg.media-ready').map((f) => (f as Extract<Fact, { type: 'leg.media-ready' }>).codec);
  assert.deepEqual(codecs, ['PCMU', 'PCMA'], 'baresip speaks PCMU, the carrier PCMA');
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'phone', number: '+15557654321', name: 'Pat Caller' });
  assert.equal(end.hangupLegId, caller.legId, 'the carrier hung up');

  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  assert.ok(teltel.every((e) => e.session_id === sessionId && e.direction === 'inbound'));
  const ring = teltel[1]!.data as Record<string, unknown>;
  assert.deepEqual(ring, { dial_id: alice.legId, target: { type: 'sip', number: '101', user: 501 } });
  assert.deepEqual(teltel.slice(3, 5).map((e) => [e.subject_type, e.subject]), [['sip', '101'], ['phone', '+15557654321']]);
  assert.deepEqual(
    { hanged_by: teltel.at(-1)!.hanged_by, hanged_value: teltel.at(-1)!.hanged_value, is_answered: teltel.at(-1)!.is_answered },
    { hanged_by: 'phone', hanged_value: '+15557654321', is_answered: true },
  );

  const entry = await reportEntry(r, token, String(events[0]!.uniqueId));
  assert.deepEqual(
    (entry.legs as Record<string, unknown>[]).map((l) => [l.leg_id, l.role, l.party_type, l.number, l.user_id, l.result, l.ended_by]),
    [
      [caller.legId, 'caller', 'phone', '+15557654321', null, null, 'remote'],
      [alice.legId, 'callee', 'sip', '101', 501, 'ANSWER', 'local'],
    ],
  );
  assert.equal(entry.answered_by_user_id, 501);
  t.diagnostic(`call (carrier's INVITE to baresip's CALL_CLOSED) ${callMs} ms; ${media.packets()} packets at the carrier`);
});

test('baresip dials an external number: digest on the INVITE, the carrier answers, audio flows, baresip hangs up', { skip, timeout: 120_000 }, async (t) => {
  const { r, ws, token, target, carrierPort, phone, media } = await start(t);
  // The carrier's UAS: its SDP names the test's media port on 127.0.0.2 (-mi), PCMU only.
  const far = await phoneAnswering(t, 'uas-answers.xml', carrierPort, media.port, CARRIER_IP, 40);
  const started = Date.now();
  const dial = await phone.command('dial', `sip:+15557770001@${target}`);
  assert.equal(dial.ok, true, JSON.stringify(dial));
  const established = await phone.waitEvent('CALL_ESTABLISHED', 15_000);
  assert.equal(established.direction, 'outgoing');
  // Two seconds of conversation, as the carrier sees it.
  await waitFor(() => media.packets() >= 100, 15_000, 'baresip\'s audio at the carrier', () => `${media.packets()} packets`);
  const hangup = await phone.command('hangup');
  assert.equal(hangup.ok, true, JSON.stringify(hangup));
  await phone.waitEvent('CALL_CLOSED', 10_000);
  const c = await far.done;
  ok(c, 'carrier (answered, got Ringside\'s BYE)');
  const callMs = Date.now() - started;
  await phone.stop();
  assert.match(c.messages, /INVITE sip:\+15557770001@127\.0\.0\.2/, 'through the trunk');
  assert.match(c.messages, /From: <sip:\+15550100@/, 'Alice has no own number: the account default caller ID');

  // Ringside challenged the INVITE (401, digest MD5 as for REGISTER) and baresip answered it.
  assertInOrder(
    phone.sipStartLines,
    [/^INVITE sip:\+15557770001@/, /^SIP\/2\.0 401 /, /^ACK sip:\+15557770001@/, /^INVITE sip:\+15557770001@/, /^SIP\/2\.0 200 /, /^ACK /, /^BYE /, /^SIP\/2\.0 200 /],
    'baresip\'s SIP exchange',
  );
  assert.match(phone.output, /WWW-Authenticate: Digest realm="ringside", nonce="[^"]+", algorithm=MD5, qop="auth"/);
  assert.match(phone.output, /INVITE sip:\+15557770001@[^\r\n]+\r?\n(?:[^\r\n]+\r?\n)*?Authorization: Digest username="101", realm="ringside"/, 'the second INVITE carries credentials');

  assert.deepEqual([...media.payloadTypes], [0], 'the carrier answered PCMU only');
  assertHears(media.heard(), PHONE_HZ, CARRIER_HZ, 1500, 'the carrier');
  assertHears(phone.heard(), CARRIER_HZ, PHONE_HZ, 1500, 'baresip');

  const { sessionId, topics, events } = await endedSession(ws, 'outgoing');
  assert.deepEqual(topics, ['voice.outgoing.start', 'voice.outgoing.answer', 'voice.outgoing.end']);
  const { facts, teltel } = await logged(r, sessionId);
  const [alice, carrierLeg] = [legCreated(facts, 'caller'), legCreated(facts, 'callee')];
  assert.deepEqual(carrierLeg.party, { kind: 'phone', number: '+15557770001' });
  assert.equal(carrierLeg.callerId, '+15550100');
  const call = { trackingId: sessionId, uniqueId: events[0]!.uniqueId, direction: 'outgoing', from: '101', to: '+15557770001', lineId: 'main', userId: '501' };
  assert.deepEqual(events.map(keyFields), [
    { topic: 'voice.outgoing.start', ...call, legId: undefined },
    { topic: 'voice.outgoing.answer', ...call, legId: carrierLeg.legId },
    { topic: 'voice.outgoing.end', ...call, legId: undefined },
  ]);
  assert.equal(events[2]!.disposition, 'answered');

  const session = facts[0] as Extract<Fact, { type: 'session.started' }>;
  assert.equal(session.kind, 'outbound');
  assert.equal(session.line?.id, 'main', 'the caller ID +15550100 is the main line\'s number');
  assert.deepEqual(factTypes(facts), [
    'session.started', 'leg.created', 'leg.created', 'leg.ringing', 'leg.answered', 'leg.media-ready', 'leg.answered', 'leg.media-ready',
    'leg.joined', 'leg.joined', 'leg.left', 'leg.left', 'leg.ended', 'leg.ended', 'session.ended',
  ]);
  const end = facts.at(-1) as Extract<Fact, { type: 'session.ended' }>;
  assert.deepEqual(end.hangupBy, { kind: 'sip', number: '101', userId: '501', name: 'Alice' }, 'Alice hung up');
  assert.equal(end.hangupLegId, alice.legId);
  const endedBy = facts.filter((f) => f.type === 'leg.ended').map((f) => [(f as Extract<Fact, { type: 'leg.ended' }>).legId, (f as Extract<Fact, { type: 'leg.ended' }>).by]);
  assert.deepEqual(endedBy, [[alice.legId, 'remote'], [carrierLeg.legId, 'local']]);

  assert.deepEqual(teltelNames(teltel), ['START', 'RING', 'RINGRESULT:ANSWER', 'READY', 'READY', 'JOIN', 'JOIN', 'LEAVE', 'LEAVE', 'COMPLETED']);
  assert.ok(teltel.every((e) => e.session_id === sessionId && e.direction === 'outbound'));
  assert.equal((teltel[1]!.data as { target: { number: string } }).target.number, '+15557770001');
  assert.deepEqual(
    { hanged_by: teltel.at(-1)!.hanged_by, hanged_value: teltel.at(-1)!.hanged_value, is_answered: teltel.at(-1)!.is_answered },
    { hanged_by: 'sip', hanged_value: '101', is_answered: true },
  );

  const entry = await reportEntry(r, token, String(events[0]!.uniqueId));
  assert.deepEqual(
    (entry.legs as Record<string, unknown>[]).map((l) => [l.leg_id, l.role, l.party_type, l.number, l.user_id, l.result, l.ended_by]),
    [
      [alice.legId, 'caller', 'sip', '101', 501, null, 'remote'],
      [carrierLeg.legId, 'callee', 'phone', '+15557770001', null, 'ANSWER', 'local'],
    ],
  );
  assert.equal(entry.user_id, 501);
  t.diagnostic(`call (dial to the carrier's BYE) ${callMs} ms; ${media.packets()} packets at the carrier`);
});

/**
 * A user registered on a browser (SIP over WebSocket) and on a SIP phone (sipp over UDP) at once, reached
 * by an originate (`POST /voice/originate`, caller = her PIN): an originate's side is ONE leg whose INVITE
 * is forked to each of her devices (a line call gives each device its own leg instead), and each kind of
 * device gets its own offer (src/switch/fork-media.ts) — WebRTC
 * (UDP/TLS/RTP/SAVPF, a=fingerprint, a=ice-lite) to the browser, RTP/AVP to the phone. Either may answer:
 * the phone (the browser's fork is cancelled, 487), or the browser, here werift's full RTCPeerConnection
 * answering the INVITE's offer as a browser would, whose ICE and DTLS then complete against the endpoint
 * the leg adopted (the phone's fork is cancelled). After each call no media endpoint is left (port pool).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { missingTool } from '../support/tools.js';
import { aliceLineConfig } from '../support/call-config.js';
import { CARRIER_IP, ok, phoneAnswering, registeredPhone, sleep } from '../support/sipp-calls.js';
import { WsSipPhone } from '../support/ws-sip-phone.js';
import { logged, rest, setup, topic } from '../switch/support/harness.js';
import type { TestSocket } from '../support/ws-client.js';
import { MediaEngineClient } from '../../src/media/media-engine-client.js';
import type { Fact } from '../../src/events/model/facts.js';
import type { Ringside } from '../../src/app/ringside.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';
import { freePort } from '../sip/support/sipp.js';

const skip = missingTool('sipp', 'sip-tester');

const config = (carrierPort: number): string => aliceLineConfig(carrierPort, 10);

/** Originates Alice (PIN 1101) → the carrier's number; resolves with the session id. */
async function originate(s: Awaited<ReturnType<typeof setup>>): Promise<string> {
  const res = await rest(s.r, s.token, 'POST', '/voice/originate', { caller: '1101', callee: '5557654321' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return String(res.body.trackingId);
}

async function originateEnded(ws: TestSocket, sessionId: string): Promise<string[]> {
  const mine = () => ws.events('accountevent').filter((e) => e.trackingId === sessionId);
  await ws.until(() => mine().some((e) => topic(e) === 'voice.originate.end'), 15_000, 'voice.originate.end');
  return mine().map(topic);
}

/** Alice's leg: one leg, whatever devices it forked to. */
function aliceLeg(facts: Fact[]): { created: number; codec: string | undefined } {
  const created = facts.filter((f): f is Extract<Fact, { type: 'leg.created' }> => f.type === 'leg.created');
  const first = created[0]!.legId;
  const ready = facts.find((f): f is Extract<Fact, { type: 'leg.media-ready' }> => f.type === 'leg.media-ready' && f.legId === first);
  return { created: created.length, codec: ready?.codec };
}

async function portsInUse(r: Ringside): Promise<number> {
  assert.ok(r.media instanceof MediaEngineClient);
  const p = await r.media.portPool();
  return p.total - p.free;
}

/** The pool back where it started (closing an endpoint is asynchronous). */
async function portsBackTo(r: Ringside, start: number): Promise<void> {
  let n = await portsInUse(r);
  for (let i = 0; i < 100 && n !== start; i++) {
    await sleep(50);
    n = await portsInUse(r);
  }
  assert.equal(n, start, 'no media endpoint left');
}

/** Alice on a browser and on a sipp phone (`scenario`), both bindings stored. */
async function aliceTwice(t: Parameters<typeof setup>[0], r: Ringside, target: string, scenario: string) {
  const browser = await WsSipPhone.open(`ws://127.0.0.1:${r.httpPort}/sip`);
  t.after(() => browser.close());
  assert.equal((await browser.register('101', 'alice-sip-101', 'ringside.test')).status, 200);
  const phone = await registeredPhone(t, target, '101', 'alice-sip-101', scenario);
  const bindings = await r.sip.registrar.lookup('501');
  assert.deepEqual(bindings.map((b) => String(b.destination.protocol)).sort(), ['udp', 'ws'], 'Alice has two devices');
  return { browser, phone };
}

function assertOffers(browserInvite: string, phoneInvite: string): void {
  for (const re of [/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m, /^a=fingerprint:sha-256 [0-9A-F:]+\r?$/m, /^a=ice-lite\r?$/m, /^a=setup:actpass\r?$/m]) assert.match(browserInvite, re, 'the browser is offered WebRTC');
  assert.match(phoneInvite, /^m=audio \d+ RTP\/AVP /m, 'the SIP phone is offered plain RTP');
  assert.doesNotMatch(phoneInvite, /a=fingerprint|a=ice-lite|SAVPF/);
  const port = (sdp: string) => /^m=audio (\d+) /m.exec(sdp)![1];
  assert.notEqual(port(browserInvite), port(phoneInvite), 'two endpoints, one per kind');
}

test('browser + SIP phone: each is offered its own kind of SDP; the SIP phone answers, the browser fork is cancelled (487), no endpoint left', { skip }, async (t) => {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  const { r, ws, target } = s;
  const start = await portsInUse(r);
  const { browser, phone } = await aliceTwice(t, r, target, 'uas-answers.xml');

  const carrier = await phoneAnswering(t, 'uas-answers-late-hangs-up.xml', carrierPort, 9, CARRIER_IP);
  const sessionId = await originate(s);
  const invite = (await browser.request('INVITE', 10_000)) as SipRequest;
  const toTag = 'browser1';
  browser.answer(invite, 180, 'Ringing', toTag);
  const cancel = (await browser.request('CANCEL', 10_000)) as SipRequest;
  assert.equal(cancel.callId, invite.callId);
  browser.answer(cancel, 200, 'OK', toTag);
  browser.answer(invite, 487, 'Request Terminated', toTag);
  const ack = await browser.request('ACK');
  assert.equal(ack.callId, invite.callId, 'the 487 is ACKed');

  const p = await phone.done;
  ok(p, 'SIP phone');
  ok((await carrier.done), 'carrier');
  const phoneInvite = p.messages.split(/-{10,}/).find((m) => /INVITE sip:/.test(m) && /m=audio/.test(m))!;
  assertOffers(browser.raw.find((m) => m.startsWith('INVITE'))!, phoneInvite);

  assert.ok((await originateEnded(ws, sessionId)).includes('voice.originate.answer'));
  const { facts } = await logged(r, sessionId);
  const alice = aliceLeg(facts);
  assert.equal(alice.created, 2, 'Alice is one leg (forked to her two devices), the carrier the other');
  assert.equal(alice.codec, 'PCMU', 'the leg kept the plain endpoint (the phone answered PCMU)');
  await portsBackTo(r, start);
});

test('browser + SIP phone: the browser (werift RTCPeerConnection) answers, ICE and DTLS complete on the adopted WebRTC endpoint, the SIP phone is cancelled, no endpoint left', { skip }, async (t) => {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  const { r, ws, target } = s;
  const start = await portsInUse(r);
  const { browser, phone } = await aliceTwice(t, r, target, 'uas-rings.xml');
  const pc = new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  t.after(() => pc.close());

  const carrier = await phoneAnswering(t, 'uas-answers-late-hangs-up.xml', carrierPort, 9, CARRIER_IP);
  const sessionId = await originate(s);
  const invite = (await browser.request('INVITE', 10_000)) as SipRequest;
  const offer = invite.body.toString('utf8');
  const toTag = 'browser2';
  browser.answer(invite, 180, 'Ringing', toTag);
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete') await new Promise<void>((res) => pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && res()));
  const answer = pc.localDescription!.sdp;
  assert.match(answer, /UDP\/TLS\/RTP\/SAVPF/);
  browser.answer(invite, 200, 'OK', toTag, answer);
  const ack = await browser.request('ACK');
  assert.equal(ack.callId, invite.callId);
  for (let i = 0; i < 200 && pc.connectionState !== 'connected'; i++) await sleep(25);
  assert.equal(pc.connectionState, 'connected', 'ICE and DTLS-SRTP completed with the leg\'s WebRTC endpoint');

  const p = await phone.done;
  ok(p, 'the SIP phone was cancelled (CANCEL, 487, ACK)');
  const phoneInvite = p.messages.split(/-{10,}/).find((m) => /INVITE sip:/.test(m) && /m=audio/.test(m))!;
  assertOffers(offer, phoneInvite);

  const bye = await browser.request('BYE', 15_000);
  assert.equal(bye.callId, invite.callId);
  browser.answer(bye, 200, 'OK', toTag);
  ok(await carrier.done, 'carrier');
  assert.ok((await originateEnded(ws, sessionId)).includes('voice.originate.answer'));
  const { facts } = await logged(r, sessionId);
  const alice = aliceLeg(facts);
  assert.equal(alice.created, 2, 'Alice is one leg (forked to her two devices), the carrier the other');
  assert.equal(alice.codec, 'opus', 'the leg adopted the WebRTC endpoint (the browser answered Opus)');
  await portsBackTo(r, start);
});

/**
 * SIP over WebSocket (RFC 7118) end to end: a real WebSocket client (the `ws` package) speaking SIP as a
 * browser phone does registers as Alice on the HTTP port at /sip, is called by a sipp carrier through a
 * ring-all line, answers, gets the ACK and the BYE — all over its one WebSocket connection. Upgrades
 * without the `sip` subprotocol are refused, malformed SIP is answered 400 or dropped and counted, and the
 * RealTime WebSocket at `/` keeps working beside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { missingTool } from '../support/tools.js';
import { startInProcess, login } from '../support/in-process.js';
import { TestSocket } from '../support/ws-client.js';
import { aliceLineConfig } from '../support/call-config.js';
import { CARRIER_IP, ok, sipp, sleep } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';
import { pcmuAnswer, webrtcAnswer, WsSipPhone } from '../support/ws-sip-phone.js';
import { endedSession } from '../switch/support/harness.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';

const skip = missingTool('sipp', 'sip-tester');

const config = (carrierPort: number): string => aliceLineConfig(carrierPort, 10);

test('a WebSocket phone registers with digest, is called by a sipp carrier over its own connection, answers; ACK and BYE arrive; the RealTime socket still works', { skip }, async (t) => {
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort));
  const realtime = await TestSocket.open(r.httpPort);
  t.after(() => realtime.close());
  await realtime.request({ type: 'authrequest', token: await login(r, 'alice@demo.test', 'alice-pass') }, 'authresponse');
  assert.equal((await realtime.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);

  const phone = await WsSipPhone.open(`ws://127.0.0.1:${r.httpPort}/sip`);
  t.after(() => phone.close());
  assert.equal(phone.ws.protocol, 'sip', 'the server answered with the sip subprotocol (RFC 7118 §4)');
  const reg = await phone.register('101', 'alice-sip-101', 'ringside.test');
  assert.equal(reg.status, 200, phone.raw.join('\n'));
  assert.match(reg.headers.get('contact') ?? '', /\.invalid;transport=ws>/);
  const [binding] = await r.sip.registrar.lookup('501');
  assert.equal(binding?.destination.protocol, 'ws');
  assert.match(binding?.destination.connectionId ?? '', /^ws-/);

  const carrier = sipp(t, 'carrier-call-hangs-up.xml', `127.0.0.1:${r.sip.port}`, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } });
  const invite = (await phone.request('INVITE', 10_000)) as SipRequest;
  const inviteText = phone.raw.find((m) => m.startsWith('INVITE'))!;
  assert.match(invite.uri, new RegExp(`^sip:${phone.contactUser}@${phone.host}`), 'the Request-URI is the registered Contact');
  assert.match(inviteText, /\r\nVia: SIP\/2\.0\/WS [^\r]+/i, 'Via names the WS transport (RFC 7118 §5)');
  assert.match(invite.headers.get('contact') ?? '', /;transport=ws>/);
  assert.doesNotMatch(invite.headers.get('contact') ?? '', /127\.0\.0\.1:0/);
  // A WebSocket contact is a browser: it is offered WebRTC media (docs/media.md), and answers as one.
  const offer = invite.body.toString();
  for (const re of [/m=audio \d+ UDP\/TLS\/RTP\/SAVPF /, /a=ice-lite/, /a=fingerprint:sha-256 /, /a=setup:actpass/]) assert.match(offer, re);
  const browser = await webrtcAnswer(t, offer);
  const toTag = 'wsphone1';
  phone.answer(invite, 180, 'Ringing', toTag);
  phone.answer(invite, 200, 'OK', toTag, browser.sdp);
  const ack = await phone.request('ACK');
  assert.equal(ack.callId, invite.callId);
  for (let i = 0; i < 100 && browser.pc.connectionState !== 'connected'; i++) await sleep(50);
  assert.equal(browser.pc.connectionState, 'connected', 'ICE and DTLS completed with Ringside\'s media');
  const bye = await phone.request('BYE', 15_000);
  assert.equal(bye.callId, invite.callId);
  phone.answer(bye, 200, 'OK', toTag);
  ok(await carrier, 'carrier');
  const session = await endedSession(realtime, 'incoming');
  assert.ok(session.topics.includes('voice.incoming.answer') || session.topics.some((x) => x.includes('answer')), `the call was answered: ${session.topics.join(', ')}`);

  // RFC 7118 §5: when the connection closes, the binding is dead.
  await phone.close();
  for (let i = 0; i < 50 && (await r.sip.registrar.lookup('501')).length > 0; i++) await sleep(20);
  assert.deepEqual(await r.sip.registrar.lookup('501'), []);
});

test('a WebSocket phone calls out through the carrier: digest on the INVITE, 200 and ACK, its BYE ends both legs', { skip }, async (t) => {
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort));
  const carrier = sipp(t, 'uas-answers.xml', '', { from: CARRIER_IP, port: carrierPort, keys: { rtp_port: '9' } });
  await sleep(300);
  const phone = await WsSipPhone.open(`ws://127.0.0.1:${r.httpPort}/sip`);
  t.after(() => phone.close());
  const call = await phone.call('5557654321', 'ringside.test', '101', 'alice-sip-101', pcmuAnswer(9));
  assert.equal(call.final.status, 200, phone.raw.map((m) => m.split('\r\n')[0]).join(' | '));
  assert.match(call.final.headers.get('contact') ?? '', /;transport=ws>/, 'Ringside answers a WebSocket caller with a ws Contact');
  await sleep(300);
  assert.equal((await call.bye()).status, 200);
  const c = await carrier;
  ok(c, 'carrier');
  assert.match(c.messages, /INVITE sip:\+15557654321@127\.0\.0\.2/);
});

test('an upgrade at /sip without the sip subprotocol is refused; /nowhere is 404; the RealTime path still upgrades', async (t) => {
  const r = await startInProcess(t, config(9));
  const refused = await new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${r.httpPort}/sip`);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('upgraded without the sip subprotocol')));
    ws.once('error', () => {});
  });
  assert.equal(refused, 400);
  assert.equal(r.sip.stack.counters.transport.wsUpgradesRefused, 1);
  const other = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${r.httpPort}/nowhere`, 'sip');
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => {});
  });
  assert.equal(other, 404);
  const realtime = await TestSocket.open(r.httpPort);
  await realtime.request({ type: 'authrequest', token: await login(r, 'alice@demo.test', 'alice-pass') }, 'authresponse');
  realtime.close();
});

test('one address may hold RINGSIDE_SIP_WS_MAX_PER_ADDRESS SIP WebSockets: the next is refused 503 until one closes', async (t) => {
  const r = await startInProcess(t, config(9), { env: { RINGSIDE_SIP_WS_MAX_PER_ADDRESS: '2' } });
  const url = `ws://127.0.0.1:${r.httpPort}/sip`;
  const [a, b] = [await WsSipPhone.open(url), await WsSipPhone.open(url)];
  t.after(() => b.close());
  const third = () =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, 'sip');
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('error', () => {});
    });
  assert.equal(await third(), 503);
  await a.close();
  let status = 0;
  for (let i = 0; i < 50 && (status = await third()) !== 101; i++) await sleep(20);
  assert.equal(status, 101, 'a closed connection frees its place');
});

test('malformed SIP over WebSocket: answered 400 when it can be, else dropped and counted; the connection and Ringside live on', async (t) => {
  const r = await startInProcess(t, config(9));
  const phone = await WsSipPhone.open(`ws://127.0.0.1:${r.httpPort}/sip`);
  t.after(() => phone.close());
  const before = r.sip.stack.counters.transport;
  phone.send('this is not SIP at all');
  phone.send(Buffer.alloc(300, 0xff).toString('latin1'));
  const via = `SIP/2.0/WS ${phone.host};branch=z9hG4bKbad1`;
  phone.send(`OPTIONS sip:ringside.test SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: bad1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`);
  const bad = await phone.next((m) => m.kind === 'response', 5000, '400');
  assert.equal(bad.kind === 'response' && bad.status, 400);
  // Still usable: a well-formed OPTIONS is answered on the same connection.
  phone.send(`OPTIONS sip:ringside.test SIP/2.0\r\nVia: SIP/2.0/WS ${phone.host};branch=z9hG4bKok1\r\nFrom: <sip:x@y>;tag=2\r\nTo: <sip:a@b>\r\nCall-ID: ok1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n`);
  const okRes = await phone.response('OPTIONS');
  assert.equal(okRes.status, 200, 'Content-Length is optional over WebSocket (one message per frame, RFC 7118 §5)');
  const after = r.sip.stack.counters.transport;
  assert.equal(after.malformed - before.malformed, 3);
  assert.equal(after.dropped - before.dropped, 2);
  assert.equal(after.badRequestAnswered - before.badRequestAnswered, 1);
  // An oversized frame closes that connection (1009) and nothing else.
  const big = await WsSipPhone.open(`ws://127.0.0.1:${r.httpPort}/sip`);
  big.send('X'.repeat(70 * 1024));
  for (let i = 0; i < 100 && !big.closed; i++) await sleep(20);
  assert.equal(big.closed, true);
  assert.equal(phone.closed, false);
  const health = await fetch(`http://127.0.0.1:${r.httpPort}/health`);
  assert.equal(health.status, 200);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'sdp-transform';
import { applyAnswer, createAnswer, createOffer, parseRemoteSdp, type LocalMedia } from './sdp-negotiator.js';
import { CodecMismatchError, SdpError } from './errors.js';

const local: LocalMedia = { address: '192.0.2.10', port: 20000, sessionId: '42', sessionVersion: 1 };

function offer(lines: string): string {
  return ['v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', ...lines.trim().split('\n').map((l) => l.trim())].join('\r\n') + '\r\n';
}

test('our offer lists PCMU, PCMA and telephone-event 0-16 with ptime 20', () => {
  const s = parse(createOffer(local));
  const m = s.media[0]!;
  assert.equal(s.origin.sessionVersion, 1);
  assert.equal(s.connection?.ip, '192.0.2.10');
  assert.equal(m.port, 20000);
  assert.equal(m.protocol, 'RTP/AVP');
  assert.equal(String(m.payloads), '0 8 101');
  assert.deepEqual(m.fmtp, [{ payload: 101, config: '0-16' }]);
  assert.equal(m.ptime, 20);
  assert.equal(m.direction, 'sendrecv');
  assert.equal(parse(createOffer({ ...local, direction: 'sendonly' })).media[0]!.direction, 'sendonly');
});

test('answer: first offered codec we support, offerer PT numbers, one audio codec + telephone-event', () => {
  const o = offer(`m=audio 4000 RTP/AVP 18 8 0 96
    a=rtpmap:96 telephone-event/8000
    a=fmtp:96 0-15`);
  const { sdp, negotiated } = createAnswer(o, local);
  assert.equal(negotiated.codec, 'PCMA');
  assert.equal(negotiated.payloadType, 8);
  assert.equal(negotiated.telephoneEventPt, 96);
  assert.deepEqual(negotiated.remote, { address: '198.51.100.7', port: 4000 });
  assert.equal(negotiated.direction, 'sendrecv');
  const m = parse(sdp).media[0]!;
  assert.equal(String(m.payloads), '8 96');
  assert.equal(m.rtp.find((r) => r.payload === 96)?.codec, 'telephone-event');
});

test('answer without telephone-event when the offer has none; static PTs without rtpmap', () => {
  const { negotiated, sdp } = createAnswer(offer('m=audio 4000 RTP/AVP 0'), local);
  assert.equal(negotiated.codec, 'PCMU');
  assert.equal(negotiated.telephoneEventPt, null);
  assert.equal(String(parse(sdp).media[0]!.payloads), '0');
});

test('codec mismatch is a named error with both codec lists', () => {
  const o = offer(`m=audio 4000 RTP/AVP 18 9 101
    a=rtpmap:101 telephone-event/8000`);
  assert.throws(
    () => createAnswer(o, local),
    (e: unknown) => e instanceof CodecMismatchError && e.offered.join() === 'G729,G722' && /no common audio codec/.test(e.message),
  );
});

test('hold: sendonly offer → recvonly answer; inactive → inactive; c=0.0.0.0 is hold (RFC 3264 8.4)', () => {
  assert.equal(createAnswer(offer('m=audio 4000 RTP/AVP 0\na=sendonly'), local).negotiated.direction, 'recvonly');
  assert.equal(createAnswer(offer('m=audio 4000 RTP/AVP 0\na=inactive'), local).negotiated.direction, 'inactive');
  assert.equal(createAnswer(offer('m=audio 4000 RTP/AVP 0\na=recvonly'), local).negotiated.direction, 'sendonly');
  const old = offer('m=audio 4000 RTP/AVP 0').replace(/c=IN IP4 198.51.100.7/, 'c=IN IP4 0.0.0.0');
  assert.equal(createAnswer(old, local).negotiated.direction, 'recvonly');
  assert.equal(parse(createAnswer(offer('m=audio 4000 RTP/AVP 0\na=sendonly'), local).sdp).media[0]!.direction, 'recvonly');
});

test('other streams are rejected with port 0 in the same order (RFC 3264 6)', () => {
  const o = offer(`m=video 5000 RTP/AVP 31
    m=audio 4000 RTP/AVP 0
    m=audio 4002 RTP/AVP 8`);
  const a = parse(createAnswer(o, local).sdp);
  assert.deepEqual(a.media.map((m) => [m.type, m.port]), [['video', 0], ['audio', 20000], ['audio', 0]]);
});

test('no usable audio (SRTP only, or none) is an SdpError', () => {
  assert.throws(() => createAnswer(offer('m=audio 4000 RTP/SAVP 0'), local), SdpError);
  assert.throws(() => parseRemoteSdp('hello'), SdpError);
});

test('applying an answer to our offer', () => {
  const ours = { ...local, direction: 'sendonly' as const };
  const ans = offer('m=audio 4000 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000\na=recvonly\na=rtcp:4005');
  const n = applyAnswer(ans, ours);
  assert.equal(n.codec, 'PCMA');
  assert.equal(n.direction, 'sendonly');
  assert.equal(n.rtcpPort, 4005);
  assert.throws(() => applyAnswer(offer('m=audio 4000 RTP/AVP 18'), local), CodecMismatchError);
});

test('a numeric encoding name in a=rtpmap is a codec we do not have, not a TypeError (found by test/fuzz)', () => {
  // sdp-transform parses `8000` as a number; describe() called toLowerCase() on it.
  const numeric = offer('m=audio 4000 RTP/AVP 96 0\na=rtpmap:96 8000\na=rtpmap:0 PCMU/8000');
  assert.deepEqual(parseRemoteSdp(numeric).media.codecs.map((c) => c.name), ['8000', 'PCMU']);
  assert.equal(createAnswer(numeric, local).negotiated.codec, 'PCMU');
  assert.throws(() => applyAnswer(offer('m=audio 4000 RTP/AVP 96\na=rtpmap:96 8000'), local), CodecMismatchError);
});

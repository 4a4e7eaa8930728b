import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtmfDetector, dtmfEventPackets, encodeTelephoneEvent, eventForDigit, parseTelephoneEvent, digitForEvent, type DetectedDigit } from './dtmf-rfc4733.js';
import type { RtpPacket } from './rtp-packet.js';

function pkt(payload: Uint8Array, timestamp: number, marker = false, ssrc = 1, seq = 0): RtpPacket {
  return { payloadType: 101, marker, sequenceNumber: seq, timestamp, ssrc, csrcs: [], payload };
}

test('event payload parse/encode (RFC 4733 2.3)', () => {
  const bytes = encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 });
  assert.deepEqual([...bytes], [11, 0x8a, 0x03, 0x20]);
  assert.deepEqual(parseTelephoneEvent(bytes), { event: 11, end: true, volume: 10, duration: 800 });
  assert.equal(parseTelephoneEvent(new Uint8Array(3)), null);
  assert.equal(digitForEvent(10), '*');
  assert.equal(eventForDigit('#'), 11);
  assert.equal(eventForDigit('d'), 15);
  assert.throws(() => eventForDigit('x'), RangeError);
});

test('generation: marker on the first packet, growing duration, three end packets', () => {
  const ps = dtmfEventPackets('5', { durationMs: 100 });
  const evs = ps.map((p) => parseTelephoneEvent(p.payload)!);
  assert.equal(ps[0]!.marker, true);
  assert.ok(ps.slice(1).every((p) => !p.marker));
  assert.deepEqual(evs.map((e) => e.duration), [160, 320, 480, 640, 800, 800, 800]);
  assert.deepEqual(evs.map((e) => e.end), [false, false, false, false, true, true, true]);
  assert.ok(evs.every((e) => e.event === 5));
});

test('detector: one digit per event, end retransmissions ignored, duration reported', () => {
  const got: DetectedDigit[] = [];
  const d = new DtmfDetector((x) => got.push(x));
  for (const [i, digit] of ['1', '#'].entries()) {
    for (const p of dtmfEventPackets(digit, { durationMs: 120 })) d.feed(pkt(p.payload, 1000 + i * 5000, p.marker));
  }
  d.close();
  assert.deepEqual(got, [
    { digit: '1', durationMs: 120 },
    { digit: '#', durationMs: 120 },
  ]);
});

test('detector: same digit twice in a row is two events (different timestamps)', () => {
  const got: string[] = [];
  const d = new DtmfDetector((x) => got.push(x.digit));
  for (const ts of [100, 2000]) for (const p of dtmfEventPackets('7')) d.feed(pkt(p.payload, ts, p.marker));
  d.close();
  assert.deepEqual(got, ['7', '7']);
});

test('detector: lost end packets → reported when the next event starts, or after the timeout', async () => {
  const got: string[] = [];
  const d = new DtmfDetector((x) => got.push(x.digit), { endTimeoutMs: 50 });
  const noEnd = (digit: string, ts: number): void => {
    for (const p of dtmfEventPackets(digit).filter((p) => !parseTelephoneEvent(p.payload)!.end)) d.feed(pkt(p.payload, ts, p.marker));
  };
  noEnd('3', 0);
  noEnd('4', 4000);
  assert.deepEqual(got, ['3']);
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(got, ['3', '4']);
  d.close();
});

test('detector: a digit whose packets are reordered or duplicated is still reported once', () => {
  const got: string[] = [];
  const d = new DtmfDetector((x) => got.push(x.digit));
  const ps = dtmfEventPackets('9', { durationMs: 80 });
  const order = [1, 0, 2, 2, 3, 5, 4, 4];
  for (const i of order) d.feed(pkt(ps[i]!.payload, 777, ps[i]!.marker));
  d.close();
  assert.deepEqual(got, ['9']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtpPacket, sequenceDiff, serializeRtpPacket, timestampDiff } from './rtp-packet.js';
import { buildRtcpReport, parseRtcpCompound } from './rtcp-packet.js';
import { RtpReceiverStats } from './rtp-receiver-stats.js';
import { RtpSender } from './rtp-sender.js';

test('RTP header round trip', () => {
  const payload = new Uint8Array([1, 2, 3, 4]);
  const buf = serializeRtpPacket({ payloadType: 8, marker: true, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef }, payload);
  const p = parseRtpPacket(buf);
  assert.ok(p);
  assert.equal(p.payloadType, 8);
  assert.equal(p.marker, true);
  assert.equal(p.sequenceNumber, 65535);
  assert.equal(p.timestamp, 0xfffffff0);
  assert.equal(p.ssrc, 0xdeadbeef);
  assert.deepEqual([...p.payload], [1, 2, 3, 4]);
});

test('RTP parser skips CSRCs, header extension and padding; rejects non-RTP', () => {
  const b = Buffer.alloc(12 + 4 + 8 + 3 + 2);
  b[0] = 0x80 | 0x20 | 0x10 | 1; // V=2, P, X, CC=1
  b[1] = 0;
  b.writeUInt32BE(7, 12); // CSRC
  b.writeUInt16BE(0xbede, 16);
  b.writeUInt16BE(1, 18); // one word of extension
  b.set([9, 9, 9], 24); // payload
  b[b.length - 1] = 2; // two octets of padding
  const p = parseRtpPacket(b);
  assert.ok(p);
  assert.deepEqual(p.csrcs, [7]);
  assert.deepEqual([...p.payload], [9, 9, 9]);
  assert.equal(parseRtpPacket(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), null);
  assert.equal(parseRtpPacket(Buffer.from([0x80, 200, 0, 6])), null);
});

test('sequence and timestamp differences wrap', () => {
  assert.equal(sequenceDiff(65535, 0), 1);
  assert.equal(sequenceDiff(0, 65535), -1);
  assert.equal(timestampDiff(0xffffff60, 0), 160);
});

test('receiver stats count loss across a sequence wrap (RFC 3550 A.1, A.3)', () => {
  const s = new RtpReceiverStats(1, 65530);
  let seq = 65530;
  for (let i = 0; i < 20; i++, seq = (seq + 1) & 0xffff) {
    if (i === 8 || i === 9) continue; // lose two
    s.update(seq, i * 160, i * 160 + 1000);
  }
  assert.equal(s.expected, 20 - 0); // highest seen is the 20th
  assert.equal(s.received, 18);
  assert.equal(s.cumulativeLost, 2);
  const block = s.reportBlock(Date.now());
  assert.equal(block.cumulativeLost, 2);
  assert.equal(block.fractionLost, Math.floor((2 * 256) / 20));
  assert.equal(block.highestSequence, 65536 + 13);
  assert.equal(block.jitter, 0);
});

test('RTCP SR + SDES and RR round trip', () => {
  const report = { ssrc: 5, fractionLost: 12, cumulativeLost: -3, highestSequence: 70000, jitter: 44, lastSr: 123, delaySinceLastSr: 456 };
  const sr = buildRtcpReport({ ssrc: 9, cname: 'x@ringside', sender: { ntpSeconds: 1, ntpFraction: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5 }, reports: [report] });
  assert.equal(sr.length % 4, 0);
  const parsed = parseRtcpCompound(sr);
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0]!.type, 200);
  assert.deepEqual(parsed[0]!.sender, { ntpSeconds: 1, ntpFraction: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5 });
  assert.deepEqual(parsed[0]!.reports[0], report);
  const rr = parseRtcpCompound(buildRtcpReport({ ssrc: 9, cname: 'c', reports: [report] }));
  assert.equal(rr[0]!.type, 201);
  assert.equal(rr[0]!.sender, undefined);
});

test('the sender keeps one SSRC, +1 sequence and continuous timestamps across source changes', () => {
  const s = new RtpSender({ ssrc: 42 });
  const a1 = s.next('relay:1', 1000, 160, 0);
  const a2 = s.next('relay:1', 1160, 160, 20);
  assert.equal(a1.marker, true);
  assert.equal(a2.marker, false);
  assert.equal((a2.sequenceNumber - a1.sequenceNumber) & 0xffff, 1);
  assert.equal((a2.timestamp - a1.timestamp) >>> 0, 160);
  // New source 100 ms later with an unrelated timeline: timestamp advances by the wall-clock gap.
  const b1 = s.next('player:1', 999_999, 160, 120);
  assert.equal(b1.marker, true);
  assert.equal((b1.timestamp - a2.timestamp) >>> 0, 800);
  // Immediate switch: never less than the previous packet's duration.
  const c1 = s.next('relay:2', 5, 160, 120);
  assert.equal((c1.timestamp - b1.timestamp) >>> 0, 160);
  assert.equal((c1.sequenceNumber - a1.sequenceNumber) & 0xffff, 3);
});

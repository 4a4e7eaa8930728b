import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alawToLinearSample,
  decodeG711,
  encodeG711,
  linearToAlawSample,
  linearToMulawSample,
  mulawToLinearSample,
  transcodeG711,
} from './g711.js';

// Reference points that follow from the G.711 tables: digital zero, and the segment end points.
test('µ-law maps zero and the extremes as G.711 Table 2a says', () => {
  assert.equal(linearToMulawSample(0), 0xff);
  assert.equal(mulawToLinearSample(0xff), 0);
  assert.equal(mulawToLinearSample(0x7f), 0); // negative zero
  assert.equal(mulawToLinearSample(0x80), 32124);
  assert.equal(mulawToLinearSample(0x00), -32124);
  assert.equal(linearToMulawSample(32767), 0x80);
  assert.equal(linearToMulawSample(-32768), 0x00);
});

test('A-law maps zero and the extremes as G.711 Table 1a says (even bits inverted)', () => {
  assert.equal(linearToAlawSample(0), 0xd5);
  assert.equal(alawToLinearSample(0xd5), 8);
  assert.equal(alawToLinearSample(0x55), -8);
  assert.equal(alawToLinearSample(0xaa), 32256);
  assert.equal(alawToLinearSample(0x2a), -32256);
  assert.equal(linearToAlawSample(32767), 0xaa);
  assert.equal(linearToAlawSample(-32768), 0x2a);
});

test('every code word survives decode → encode, both laws', () => {
  for (let b = 0; b < 256; b++) {
    const mu = linearToMulawSample(mulawToLinearSample(b));
    assert.equal(mu, b === 0x7f ? 0xff : b, `µ-law 0x${b.toString(16)}`);
    assert.equal(linearToAlawSample(alawToLinearSample(b)), b, `A-law 0x${b.toString(16)}`);
  }
});

test('µ-law: decoded values are monotonic and each segment has 16 steps of size 2^(seg+3)', () => {
  for (let seg = 0; seg < 8; seg++) {
    for (let m = 0; m < 15; m++) {
      const code = ~((seg << 4) | m) & 0xff; // positive, inverted on the line
      const next = ~((seg << 4) | (m + 1)) & 0xff;
      assert.equal(mulawToLinearSample(next) - mulawToLinearSample(code), 1 << (seg + 3));
    }
  }
});

test('A-law: segment 0 and 1 have step 16, then the step doubles each segment', () => {
  for (let seg = 0; seg < 8; seg++) {
    const step = seg === 0 ? 16 : 16 << (seg - 1);
    for (let m = 0; m < 15; m++) {
      const code = (0x80 | (seg << 4) | m) ^ 0x55;
      const next = (0x80 | (seg << 4) | (m + 1)) ^ 0x55;
      assert.equal(alawToLinearSample(next) - alawToLinearSample(code), step);
    }
  }
});

test('round-trip error of any 16-bit sample stays within half a quantisation step', () => {
  for (let s = -32768; s <= 32767; s += 7) {
    const mag = Math.abs(s);
    // µ-law step on the 16-bit scale: 2^(seg+3) where seg comes from the biased magnitude.
    const biased = Math.min(mag, 32635) + 132;
    const muSeg = Math.max(0, Math.floor(Math.log2(biased)) - 7);
    const muErr = Math.abs(mulawToLinearSample(linearToMulawSample(s)) - Math.max(-32635, Math.min(32635, s)));
    assert.ok(muErr <= (1 << (muSeg + 3)) / 2 + 1, `µ-law ${s}: error ${muErr}`);
    const aSeg = mag < 256 ? 0 : Math.floor(Math.log2(mag)) - 7;
    const aStep = aSeg === 0 ? 16 : 16 << (aSeg - 1);
    const aErr = Math.abs(alawToLinearSample(linearToAlawSample(s)) - s);
    assert.ok(aErr <= aStep / 2 + 1, `A-law ${s}: error ${aErr}`);
  }
});

test('buffer encode/decode and law-to-law transcoding agree with the sample functions', () => {
  const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(20000 * Math.sin(i / 5)));
  const mu = encodeG711('PCMU', pcm);
  const a = encodeG711('PCMA', pcm);
  assert.deepEqual([...decodeG711('PCMU', mu)], [...mu].map(mulawToLinearSample));
  assert.deepEqual([...decodeG711('PCMA', a)], [...a].map(alawToLinearSample));
  const viaLinear = encodeG711('PCMA', decodeG711('PCMU', mu));
  assert.deepEqual([...transcodeG711('PCMU', 'PCMA', mu)], [...viaLinear]);
  assert.equal(transcodeG711('PCMA', 'PCMA', a), a);
});

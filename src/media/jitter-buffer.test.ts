import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer } from './jitter-buffer.js';

const frame = (v: number, n = 160): Int16Array => new Int16Array(n).fill(v);

test('plays frames in timestamp order after the initial delay; loss becomes silence', () => {
  const jb = new JitterBuffer({ delayMs: 40 });
  const out = new Int16Array(160);
  // Frames 1..5 with values 1..5, frame 3 lost, 4 and 2 swapped.
  for (const i of [1, 4, 2, 5]) jb.push(9, i * 160, frame(i));
  const got: number[] = [];
  for (let k = 0; k < 7; k++) {
    jb.pull(out);
    got.push(out[0]!);
  }
  // 2 frames of delay (silence), then 1, 2, (3 lost), 4, 5.
  assert.deepEqual(got, [0, 0, 1, 2, 0, 4, 5]);
});

test('handles any packet size (30 ms packets read as 20 ms frames)', () => {
  const jb = new JitterBuffer({ delayMs: 0 });
  const out = new Int16Array(160);
  jb.push(1, 0, frame(7, 240));
  jb.push(1, 240, frame(8, 240));
  const got: number[] = [];
  for (let k = 0; k < 3; k++) {
    jb.pull(out);
    got.push(out[0]!, out[159]!);
  }
  assert.deepEqual(got, [7, 7, 7, 8, 8, 8]);
});

test('a new SSRC or a big timestamp jump restarts the buffer; late packets are dropped', () => {
  const jb = new JitterBuffer({ delayMs: 0 });
  const out = new Int16Array(160);
  jb.push(1, 1000, frame(1));
  jb.push(1, 1160, frame(2));
  jb.pull(out);
  jb.push(1, 840, frame(9)); // late
  assert.equal(jb.late, 1);
  jb.push(2, 5, frame(3)); // new source
  jb.pull(out);
  assert.equal(out[0], 3);
  jb.push(2, 5 + 8000 * 5, frame(4)); // five seconds ahead
  jb.pull(out);
  assert.equal(out[0], 4);
  assert.equal(jb.resets, 2);
});

test('timestamps wrapping past 2^32 play on', () => {
  const jb = new JitterBuffer({ delayMs: 0 });
  const out = new Int16Array(160);
  const start = 0xffffffff - 200;
  for (let i = 0; i < 3; i++) jb.push(1, (start + i * 160) >>> 0, frame(i + 1));
  const got: number[] = [];
  for (let k = 0; k < 3; k++) {
    jb.pull(out);
    got.push(out[0]!);
  }
  assert.deepEqual(got, [1, 2, 3]);
});

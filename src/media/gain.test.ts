import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withGain } from './gain.js';

test('withGain: +6 dB doubles, −6 dB halves, and loud samples saturate instead of wrapping', () => {
  const s = Int16Array.from([1000, -1000, 20000, -20000]);
  assert.deepEqual([...withGain(s, 20 * Math.log10(2))], [2000, -2000, 32767, -32768]);
  assert.deepEqual([...withGain(s, -20 * Math.log10(2))], [500, -500, 10000, -10000]);
  assert.deepEqual([...withGain(s, 0)], [...s]);
});

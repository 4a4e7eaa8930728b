import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAudible, MIN_VOICED_MS, VOICED_RMS } from './voicemail-audibility.js';

const tone = (ms: number, amplitude: number) => Int16Array.from({ length: (8000 * ms) / 1000 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000)));

test('digital silence and faint noise are not a message; 200 ms of speech-level audio is', () => {
  assert.equal(isAudible(new Int16Array(8000 * 10), 8000), false);
  assert.equal(isAudible(tone(10_000, VOICED_RMS * 0.9 * Math.SQRT2), 8000), false, 'just under the threshold for 10 s');
  const silenceThenSpeech = new Int16Array(8000 * 5);
  silenceThenSpeech.set(tone(MIN_VOICED_MS, 3000), 8000 * 2);
  assert.equal(isAudible(silenceThenSpeech, 8000), true);
  const tooShort = new Int16Array(8000 * 5);
  tooShort.set(tone(MIN_VOICED_MS - 40, 3000), 8000 * 2);
  assert.equal(isAudible(tooShort, 8000), false, 'a click or a 160 ms burst is not a message');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcm16Wav, parseWav, wavSamples, WavFileWriter, mixToMono } from './wav.js';
import { decodeAudioFile } from './audio-file.js';
import { resample } from './resampler.js';
import { synthesizeTone } from './tones.js';
import { UnsupportedFormatError } from './errors.js';

test('16-bit PCM WAV round trip', () => {
  const s = Int16Array.from([0, 1, -1, 32767, -32768]);
  const w = parseWav(encodePcm16Wav(s, 8000));
  assert.equal(w.sampleRate, 8000);
  assert.equal(w.channels, 1);
  assert.deepEqual([...wavSamples(w)], [...s]);
  assert.throws(() => parseWav(Buffer.from('not a wav file at all')), UnsupportedFormatError);
});

test('streamed writer patches the sizes at close', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rs-wav-'));
  try {
    const w = new WavFileWriter(join(dir, 'x.wav'), 8000, 2);
    w.write(Int16Array.from([1, 2, 3, 4]));
    w.write(Int16Array.from([5, 6]));
    assert.equal(await w.close(), 12);
    const buf = await readFile(join(dir, 'x.wav'));
    assert.equal(buf.readUInt32LE(4), 36 + 12);
    assert.equal(buf.readUInt32LE(40), 12);
    const info = parseWav(buf);
    assert.equal(info.channels, 2);
    assert.deepEqual([...mixToMono(wavSamples(info), 2)], [2, 4, 6]); // (1+2)/2 rounds to 2
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function rms(s: Int16Array): number {
  let acc = 0;
  for (const v of s) acc += v * v;
  return Math.sqrt(acc / Math.max(1, s.length));
}

test('resampling 22.05 kHz → 8 kHz keeps an in-band tone and removes an out-of-band one', () => {
  const inBand = synthesizeTone({ frequencies: [1000], durationMs: 500, level: 0.5 }, 22050);
  const outBand = synthesizeTone({ frequencies: [6000], durationMs: 500, level: 0.5 }, 22050);
  const a = resample(inBand, 22050, 8000);
  const b = resample(outBand, 22050, 8000);
  assert.ok(Math.abs(a.length - 4000) <= 1);
  assert.ok(Math.abs(rms(a) / rms(inBand) - 1) < 0.05, `in-band ratio ${rms(a) / rms(inBand)}`);
  assert.ok(rms(b) / rms(outBand) < 0.02, `6 kHz leaked: ${rms(b) / rms(outBand)}`);
});

test('raw G.711 files decode by extension', () => {
  assert.deepEqual([...decodeAudioFile(new Uint8Array([0xff, 0xd5]), 'x.ulaw')].slice(0, 1), [0]);
  assert.deepEqual([...decodeAudioFile(new Uint8Array([0xd5]), 'x.alaw')], [8]);
  assert.throws(() => decodeAudioFile(new Uint8Array(4), 'x.mp3'), UnsupportedFormatError);
});

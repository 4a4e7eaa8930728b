/**
 * The pocketsphinx transcriber against the real engine (Debian's pocketsphinx, pocketsphinx-en-us): a
 * sentence spoken by a synthesizer, brought to the 8 kHz a phone recording has, comes back as text with
 * its words; the queue bounds concurrency; a missing engine, a timeout and a file that is not audio fail
 * with named errors. Skipped, loudly, where the engine is not installed.
 * The speech is flite's, not espeak-ng's (test/support/spoken-wav.ts says why).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spokenPhoneWav } from '../../test/support/spoken-wav.js';
import { resample } from './resampler.js';
import { encodePcm16Wav, mixToMono, parseWav, wavSamples } from './wav.js';
import { POCKETSPHINX_MODEL_DIR, PocketsphinxTranscriber, TranscriberMissingError, TranscriptionFailedError, to16kMono } from './transcriber.js';

function has(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ENGINE = has('pocketsphinx_continuous') && existsSync(join(POCKETSPHINX_MODEL_DIR, 'en-us.lm.bin'));
const FLITE = has('flite');
const skip = !ENGINE ? 'SKIPPED: pocketsphinx is not installed (apt-get install pocketsphinx pocketsphinx-en-us)' : !FLITE ? 'SKIPPED: flite is not installed (apt-get install flite)' : false;
if (skip) console.warn(`transcriber.test.ts: ${skip}`);

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-stt-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('to16kMono: resampling one second at a time gives exactly the whole-file result', async (t) => {
  const dir = tmp(t);
  const n = 8000 * 2 + 1234;
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(8000 * Math.sin(i / 7) + 3000 * Math.sin(i / 2.3) + ((i * 7919) % 2001) - 1000);
  writeFileSync(join(dir, 'in.wav'), encodePcm16Wav(x, 8000));
  const seconds = await to16kMono(join(dir, 'in.wav'), join(dir, 'out.wav'));
  assert.equal(seconds, n / 8000);
  const out = parseWav(readFileSync(join(dir, 'out.wav')));
  assert.equal(out.sampleRate, 16000);
  assert.deepEqual(wavSamples(out), resample(x, 8000, 16000));
  // A rate that does not divide 16 kHz (espeak-ng's 22 050 Hz), in stereo: also sample-exact.
  const st = new Int16Array(22050 * 2 * 2);
  for (let i = 0; i < st.length; i++) st[i] = Math.round(5000 * Math.sin(i / 11));
  writeFileSync(join(dir, 'st.wav'), encodePcm16Wav(st, 22050, 2));
  await to16kMono(join(dir, 'st.wav'), join(dir, 'st16.wav'));
  assert.deepEqual(wavSamples(parseWav(readFileSync(join(dir, 'st16.wav')))), resample(mixToMono(st, 2), 22050, 16000));
});

test('a spoken sentence at the phone rate comes back as text with its words', { skip }, async (t) => {
  const dir = tmp(t);
  const wav = spokenPhoneWav(dir, 'hello please call me back tomorrow morning');
  const r = await new PocketsphinxTranscriber().transcribe(wav);
  const words = r.text.split(/\s+/);
  for (const w of ['call', 'back', 'tomorrow', 'morning']) assert.ok(words.includes(w), `'${w}' in '${r.text}'`);
  assert.ok(r.audioSeconds > 1.5 && r.audioSeconds < 5, `audioSeconds ${r.audioSeconds}`);
});

test('the queue runs at most `concurrency` decoders; the others wait their turn', { skip }, async (t) => {
  const dir = tmp(t);
  const wav = spokenPhoneWav(dir, 'good morning');
  const stt = new PocketsphinxTranscriber({ concurrency: 1 });
  const all = [stt.transcribe(wav), stt.transcribe(wav), stt.transcribe(wav)];
  // Once the engine check is done, one runs and two wait.
  for (let i = 0; i < 100 && stt.load.running === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(stt.load, { running: 1, queued: 2 });
  const texts = await Promise.all(all);
  assert.equal(new Set(texts.map((x) => x.text)).size, 1, 'the same file gives the same text');
  assert.deepEqual(stt.load, { running: 0, queued: 0 });
});

test('a missing engine or model is a TranscriberMissingError naming the package, at the first use', async (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, 'x.wav'), encodePcm16Wav(new Int16Array(800), 8000));
  await assert.rejects(new PocketsphinxTranscriber({ modelDir: join(dir, 'no-model') }).transcribe(join(dir, 'x.wav')), (e: unknown) => e instanceof TranscriberMissingError && /pocketsphinx-en-us/.test(e.message));
  if (ENGINE) {
    await assert.rejects(new PocketsphinxTranscriber({ binary: join(dir, 'no-such-binary') }).transcribe(join(dir, 'x.wav')), (e: unknown) => e instanceof TranscriberMissingError && /install the Debian package pocketsphinx/.test(e.message));
  }
});

test('a decoder past its timeout is killed (TranscriptionFailedError); a file that is not audio is refused', { skip: ENGINE ? false : 'SKIPPED: pocketsphinx is not installed' }, async (t) => {
  const dir = tmp(t);
  writeFileSync(join(dir, 'long.wav'), encodePcm16Wav(new Int16Array(8000 * 5), 8000));
  const stt = new PocketsphinxTranscriber({ timeoutMs: 50 });
  await assert.rejects(stt.transcribe(join(dir, 'long.wav')), (e: unknown) => e instanceof TranscriptionFailedError && /longer than 50 ms/.test(e.message));
  assert.deepEqual(stt.load, { running: 0, queued: 0 }, 'the slot is given back');
  writeFileSync(join(dir, 'junk.wav'), 'not a wav at all');
  await assert.rejects(stt.transcribe(join(dir, 'junk.wav')), /not a RIFF\/WAVE file/);
});

/** Text-to-speech through espeak-ng, the cache, the shipped prompts and their replacement by files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { TextToSpeech } from '../../src/media/tts.js';
import { PromptLibrary, BUILTIN_PROMPTS } from '../../src/media/prompts.js';
import { parseWav, wavSamples, encodePcm16Wav } from '../../src/media/wav.js';
import { NotFoundError, ToolError } from '../../src/media/errors.js';
import { rms, tonePower } from './support/audio-analysis.js';

async function tmp(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'rs-tts-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

test('espeak-ng speech is rendered to 8 kHz mono 16-bit and cached by text+voice', { skip: missingTool('espeak-ng', 'espeak-ng') }, async (t) => {
  const dir = await tmp(t);
  const tts = new TextToSpeech({ cacheDir: dir });
  const p = await tts.render('press 1 to accept this call');
  const w = parseWav(await readFile(p));
  assert.deepEqual([w.encoding, w.sampleRate, w.channels], ['pcm16', 8000, 1]);
  const s = wavSamples(w);
  assert.ok(s.length / 8 > 1000 && s.length / 8 < 4000, `${s.length / 8} ms`);
  assert.ok(rms(s) > 500, 'speech is not silent');
  const mtime = (await stat(p)).mtimeMs;
  const [again, same] = await Promise.all([tts.render('press 1 to accept this call'), tts.render('press 1 to accept this call')]);
  assert.equal(again, p);
  assert.equal(same, p);
  assert.equal((await stat(p)).mtimeMs, mtime, 'served from the cache');
  assert.notEqual(await tts.render('press 1 to accept this call', 'en-gb'), p, 'the voice is part of the key');
  assert.notEqual(await tts.render('press 2'), p);
});

test('a missing espeak-ng is a ToolError that says what to install', async (t) => {
  const tts = new TextToSpeech({ cacheDir: await tmp(t), espeakPath: '/nonexistent/espeak-ng' });
  await assert.rejects(tts.render('hello'), (e: unknown) => e instanceof ToolError && /apt-get install espeak-ng/.test((e as Error).message));
});

test('shipped prompts: speech and synthesised tones; a file in the prompts dir replaces one', { skip: missingTool('espeak-ng', 'espeak-ng') }, async (t) => {
  const dir = await tmp(t);
  const promptsDir = join(dir, 'prompts-override');
  await mkdir(promptsDir);
  const lib = new PromptLibrary({ cacheDir: join(dir, 'cache'), promptsDir, tts: new TextToSpeech({ cacheDir: join(dir, 'cache') }) });
  for (const name of ['call-confirm', 'agent-pin', 'wrong-pin', 'voicemail-greeting', 'beep', 'ringback']) assert.ok(name in BUILTIN_PROMPTS);
  const beep = wavSamples(parseWav(await readFile(await lib.resolve('beep'))));
  assert.equal(beep.length, 3200);
  assert.ok(tonePower(beep, 1000) > 1000 * tonePower(beep, 440));
  const ring = wavSamples(parseWav(await readFile(await lib.resolve('ringback'))));
  assert.ok(rms(ring.subarray(0, 16000)) > 1000 && rms(ring.subarray(17000, 48000)) === 0, '2 s on, 4 s off');
  const pin = await lib.resolve('agent-pin');
  assert.match(pin, /tts/);
  await writeFile(join(promptsDir, 'agent-pin.wav'), encodePcm16Wav(new Int16Array(800), 8000));
  assert.equal(await lib.resolve('agent-pin'), join(promptsDir, 'agent-pin.wav'));
  await assert.rejects(lib.resolve('no-such-prompt'), NotFoundError);
  await assert.rejects(lib.resolve('../etc/passwd'), NotFoundError);
});

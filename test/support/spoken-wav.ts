/**
 * Speech for transcription tests: a sentence spoken by flite (CMU's synthesizer, `kal16` voice) as the
 * 8 kHz 16-bit mono WAV a call recording is. flite rather than espeak-ng: pocketsphinx's en-us model does
 * not recognise espeak-ng's formant speech (measured: "hello please call me back tomorrow morning" came
 * back as "are you really are you"); flite's diphone voice comes back nearly word for word.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resample } from '../../src/media/resampler.js';
import { encodePcm16Wav, mixToMono, parseWav, wavSamples } from '../../src/media/wav.js';

/** Mono 16-bit samples at 8 kHz of `text` spoken. */
export function spokenSamples(dir: string, text: string, name = 'speech'): Int16Array {
  const wide = join(dir, `${name}-16k.wav`);
  execFileSync('flite', ['-voice', 'kal16', '-t', text, '-o', wide]);
  const w = parseWav(readFileSync(wide));
  return resample(mixToMono(wavSamples(w), w.channels), w.sampleRate, 8000);
}

/** `text` spoken, written as an 8 kHz WAV in `dir`; returns its path. */
export function spokenPhoneWav(dir: string, text: string, name = 'speech'): string {
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, encodePcm16Wav(spokenSamples(dir, text, name), 8000));
  return path;
}

/**
 * Loads a playable file as 8 kHz mono 16-bit samples: WAV (any rate and channel count, converted) or raw
 * G.711 (`.ulaw`/`.pcmu`/`.ul`, `.alaw`/`.pcma`/`.al`, headerless, 8 kHz mono).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeG711 } from './g711.js';
import { mixToMono, parseWav, wavSamples } from './wav.js';
import { resample } from './resampler.js';
import { UnsupportedFormatError } from './errors.js';

export const TELEPHONE_RATE = 8000;

export function decodeAudioFile(buf: Uint8Array, name: string): Int16Array {
  const ext = extname(name).toLowerCase();
  if (ext === '.ulaw' || ext === '.pcmu' || ext === '.ul' || ext === '.mulaw') return decodeG711('PCMU', buf);
  if (ext === '.alaw' || ext === '.pcma' || ext === '.al') return decodeG711('PCMA', buf);
  if (ext === '.wav' || ext === '') {
    const w = parseWav(buf, name);
    return resample(mixToMono(wavSamples(w), w.channels), w.sampleRate, TELEPHONE_RATE);
  }
  throw new UnsupportedFormatError(`${name}: unknown audio file type '${ext}' (WAV, .ulaw, .alaw are played)`);
}

export async function loadAudioFile(path: string): Promise<Int16Array> {
  return decodeAudioFile(await readFile(path), path);
}

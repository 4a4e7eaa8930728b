/**
 * Whether a voicemail holds anything said: a caller who stays silent until they hang up (or the limit) left
 * no message, and a silent recording must not count as one (no `recording.finished`, no "voicemail"
 * disposition; docs/switch.md "Voicemail"). A message is audible when at least `MIN_VOICED_MS` of its
 * 20 ms frames have an RMS above `VOICED_RMS` (−50 dBFS): well above G.711 digital silence (RMS < 10) and
 * the comfort noise of common phones, well below speech (−20 to −35 dBFS).
 */
import { readFile } from 'node:fs/promises';
import { parseWav, wavSamples, mixToMono } from '../media/wav.js';

/** −50 dBFS on 16-bit samples: 32768 · 10^(−50/20) ≈ 104. */
export const VOICED_RMS = 104;
export const MIN_VOICED_MS = 200;
const FRAME_MS = 20;

/** Pure: true when `samples` (mono, `rate` Hz) hold at least MIN_VOICED_MS of frames above VOICED_RMS. */
export function isAudible(samples: Int16Array, rate: number): boolean {
  const frame = Math.round((rate * FRAME_MS) / 1000);
  const needed = Math.ceil(MIN_VOICED_MS / FRAME_MS);
  let voiced = 0;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += samples[i]! * samples[i]!;
    if (Math.sqrt(sum / frame) > VOICED_RMS && ++voiced >= needed) return true;
  }
  return false;
}

/** The recording at `path` (a WAV Ringside wrote) is audible; an unreadable file counts as audible, so a
 *  message is never thrown away for a reason other than silence. */
export async function recordingIsAudible(path: string): Promise<boolean> {
  try {
    const wav = parseWav(await readFile(path), path);
    return isAudible(mixToMono(wavSamples(wav), wav.channels), wav.sampleRate);
  } catch {
    return true;
  }
}

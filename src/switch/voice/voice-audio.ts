/**
 * The voice API's audio object (spec bandwidth §3.4) → what the media engine plays: a sentence is spoken by
 * the engine's TTS in the voice the request names (tts-voice.ts); a `fileUrl` is fetched and cached first
 * (media/audio-fetch.ts), so a URL that cannot be had is refused before anything is reported as playing.
 */
import type { PlayItem } from '../../media/player.js';
import type { AudioRequest, VoiceResult } from './voice-control.js';
import { espeakVoiceFor } from './tts-voice.js';
import { refuse } from './voice-refusals.js';

export interface LoadedAudio {
  item: PlayItem;
  /** `speech` reports as `speak` events, `file` as `playback` (spec bandwidth §2.7, §2.8). */
  source: 'file' | 'speech';
}

export interface VoiceAudio {
  load(audio: AudioRequest): Promise<VoiceResult<LoadedAudio>>;
}

/** Where fetched audio comes from: a local 8 kHz WAV path for a URL (the media engine's `fetchAudio`). */
export interface AudioFiles {
  fetch(url: string): Promise<string>;
}

export class FetchedVoiceAudio implements VoiceAudio {
  readonly #files: AudioFiles;

  constructor(files: AudioFiles) {
    this.#files = files;
  }

  async load(audio: AudioRequest): Promise<VoiceResult<LoadedAudio>> {
    if (audio.sentence) {
      const voice = espeakVoiceFor(audio);
      if (!voice.ok) return voice;
      return { ok: true, value: { item: { speak: audio.sentence, voice: voice.value }, source: 'speech' } };
    }
    if (audio.fileUrl) {
      try {
        return { ok: true, value: { item: { file: await this.#files.fetch(audio.fileUrl) }, source: 'file' } };
      } catch (err) {
        return refuse.audio((err as Error).message);
      }
    }
    return refuse.invalid('the audio needs a sentence or a fileUrl');
  }
}

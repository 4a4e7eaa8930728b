/**
 * Text-to-speech with espeak-ng, rendered once to an 8 kHz mono 16-bit WAV and cached under
 * `<cacheDir>/tts/<sha256(voice, speed, text)>.wav`. espeak-ng writes 22.05 kHz; our own resampler brings
 * it to 8 kHz (no sox needed at run time). Concurrent requests for the same sentence share one render.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError } from './errors.js';
import { decodeAudioFile, TELEPHONE_RATE } from './audio-file.js';
import { encodePcm16Wav } from './wav.js';

export interface TtsOptions {
  cacheDir: string;
  voice?: string;
  /** Words per minute (espeak-ng -s). */
  speed?: number;
  espeakPath?: string;
  timeoutMs?: number;
}

export class TextToSpeech {
  readonly cacheDir: string;
  readonly voice: string;
  readonly speed: number;
  readonly #espeak: string;
  readonly #timeoutMs: number;
  #inFlight = new Map<string, Promise<string>>();

  constructor(o: TtsOptions) {
    this.cacheDir = join(o.cacheDir, 'tts');
    this.voice = o.voice ?? 'en-us';
    this.speed = o.speed ?? 160;
    this.#espeak = o.espeakPath ?? 'espeak-ng';
    this.#timeoutMs = o.timeoutMs ?? 20_000;
  }

  /** Cache path for a sentence (the key covers everything that changes the audio). */
  pathFor(text: string, voice = this.voice): string {
    const key = createHash('sha256').update(`${voice}\n${this.speed}\n${text}`).digest('hex');
    return join(this.cacheDir, `${key}.wav`);
  }

  /** Renders (or finds in the cache) and returns the path of the 8 kHz WAV. */
  render(text: string, voice = this.voice): Promise<string> {
    if (!/^[A-Za-z0-9_+-]{1,40}$/.test(voice)) return Promise.reject(new ToolError(`invalid espeak-ng voice name '${voice}'`));
    const path = this.pathFor(text, voice);
    let p = this.#inFlight.get(path);
    if (!p) {
      p = this.#render(text, voice, path).finally(() => this.#inFlight.delete(path));
      this.#inFlight.set(path, p);
    }
    return p;
  }

  async #render(text: string, voice: string, path: string): Promise<string> {
    try {
      await stat(path);
      return path;
    } catch {
      // not cached yet
    }
    await mkdir(this.cacheDir, { recursive: true });
    const raw = `${path}.${process.pid}.${Date.now()}.espeak.wav`;
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await this.#runEspeak(text, voice, raw);
      const samples = decodeAudioFile(await readFile(raw), raw);
      await writeFile(tmp, encodePcm16Wav(samples, TELEPHONE_RATE));
      await rename(tmp, path); // atomic: readers never see half a file
      return path;
    } finally {
      await rm(raw, { force: true });
      await rm(tmp, { force: true });
    }
  }

  #runEspeak(text: string, voice: string, out: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // Text goes through stdin so that nothing in it is read as an option.
      const child = spawn(this.#espeak, ['--stdin', '-v', voice, '-s', String(this.speed), '-w', out], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.#timeoutMs);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new ToolError(`cannot run ${this.#espeak}: ${err.message} (apt-get install espeak-ng)`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new ToolError(`${this.#espeak} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(0, 200)}`));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(text.replace(/\s+/g, ' '));
    });
  }
}

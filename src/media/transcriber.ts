/**
 * Speech to text for the voice API's transcriptions (spec bandwidth §2.12, §3.9): one small interface, and
 * the embedded default on CMU pocketsphinx as Debian packages it (`pocketsphinx`, `pocketsphinx-en-us`:
 * `pocketsphinx_continuous` and the en-us model under /usr/share/pocketsphinx/model/en-us).
 *
 * The model is trained on 16 kHz speech and its feature settings (upper filter 6800 Hz) refuse 8 kHz input,
 * so a recording is resampled to 16 kHz mono first: in one-second chunks with a yield between them, so a
 * long recording never holds the event loop. Decoding runs in a child process, a bounded number at a time
 * (a queue), each with a timeout. A missing engine is a TranscriberMissingError at the first use.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import { MediaError } from './errors.js';
import { resample } from './resampler.js';
import { mixToMono, parseWav, wavSamples, WavFileWriter } from './wav.js';

export interface Transcript {
  text: string;
  /** Length of the audio transcribed, seconds (what a transcription is billed on). */
  audioSeconds: number;
}

/** Turns a WAV file into text. Implementations queue and bound their own work. */
export interface Transcriber {
  transcribe(wavPath: string): Promise<Transcript>;
}

/** The transcription engine is not installed (or its model is missing): says what to install. */
export class TranscriberMissingError extends MediaError {}

/** The engine ran and failed, or ran out of time. */
export class TranscriptionFailedError extends MediaError {}

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const MODEL_RATE = 16_000;
/** Input samples each side of a chunk, beyond the resampler's kernel (12 zero crossings / 0.9 cutoff). */
const KERNEL_PAD = 16;

export interface PocketsphinxOptions {
  /** Default `pocketsphinx_continuous` (on PATH). */
  binary?: string;
  /** Holds `en-us/` (acoustic model), `en-us.lm.bin`, `cmudict-en-us.dict`. */
  modelDir?: string;
  /** Decoders running at once (default 1: each one takes a CPU while it runs). */
  concurrency?: number;
  /** Per file, from the start of its decoding (default 10 min). */
  timeoutMs?: number;
  /** Where the 16 kHz copies are written (default the OS temp dir). */
  tmpDir?: string;
  logger?: Logger;
}

export class PocketsphinxTranscriber implements Transcriber {
  readonly #binary: string;
  readonly #modelDir: string;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #tmpDir: string;
  readonly #log: Logger | undefined;
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #checked: Promise<void> | undefined;

  constructor(o: PocketsphinxOptions = {}) {
    this.#binary = o.binary ?? 'pocketsphinx_continuous';
    this.#modelDir = o.modelDir ?? POCKETSPHINX_MODEL_DIR;
    this.#concurrency = Math.max(1, Math.trunc(o.concurrency ?? 1));
    this.#timeoutMs = o.timeoutMs ?? 600_000;
    this.#tmpDir = o.tmpDir ?? tmpdir();
    this.#log = o.logger;
  }

  /** Files waiting for a decoder, and decoding now. */
  get load(): { queued: number; running: number } {
    return { queued: this.#waiting.length, running: this.#running };
  }

  async transcribe(wavPath: string): Promise<Transcript> {
    await this.#engineReady();
    await this.#slot();
    const started = Date.now();
    try {
      this.#log?.info({ wavPath, running: this.#running, queued: this.#waiting.length }, 'transcribing');
      const t = await this.#run(wavPath);
      this.#log?.info({ wavPath, audioSeconds: t.audioSeconds, ms: Date.now() - started, chars: t.text.length }, 'transcribed');
      return t;
    } catch (err) {
      this.#log?.warn({ err, wavPath, ms: Date.now() - started }, 'transcription failed');
      throw err;
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  /** The binary and the model files, checked once: a missing package is named at the first use. */
  #engineReady(): Promise<void> {
    this.#checked ??= (async () => {
      const files = [join(this.#modelDir, 'en-us', 'mdef'), join(this.#modelDir, 'en-us.lm.bin'), join(this.#modelDir, 'cmudict-en-us.dict')];
      for (const f of files) {
        try {
          await access(f, constants.R_OK);
        } catch {
          throw new TranscriberMissingError(`the pocketsphinx en-us model is missing (${f}): install the Debian package pocketsphinx-en-us`);
        }
      }
      await new Promise<void>((resolve, reject) => {
        const p = spawn(this.#binary, ['-h'], { stdio: 'ignore' });
        p.on('error', (err: NodeJS.ErrnoException) => reject(new TranscriberMissingError(`${this.#binary} cannot be run (${err.code ?? err.message}): install the Debian package pocketsphinx`)));
        p.on('close', () => resolve());
      });
    })();
    // A failed check is not cached: installing the package fixes the next request without a restart.
    return this.#checked.catch((err: unknown) => {
      this.#checked = undefined;
      throw err;
    });
  }

  #slot(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.#waiting.push(() => {
        this.#running++;
        resolve();
      }),
    );
  }

  async #run(wavPath: string): Promise<Transcript> {
    const dir = await mkdtemp(join(this.#tmpDir, 'ringside-stt-'));
    try {
      const wide = join(dir, `${randomUUID()}.wav`);
      const audioSeconds = await to16kMono(wavPath, wide);
      const text = await this.#decode(wide);
      return { text, audioSeconds };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `pocketsphinx_continuous -infile`: one line per utterance on stdout, the log on stderr (kept short). */
  #decode(path: string): Promise<string> {
    const args = ['-infile', path, '-hmm', join(this.#modelDir, 'en-us'), '-lm', join(this.#modelDir, 'en-us.lm.bin'), '-dict', join(this.#modelDir, 'cmudict-en-us.dict'), '-logfn', '/dev/null'];
    return new Promise((resolve, reject) => {
      const p = spawn(this.#binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      p.stdout.on('data', (b: Buffer) => out.push(b));
      p.stderr.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-2000)));
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new TranscriptionFailedError(`${this.#binary} took longer than ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      p.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new TranscriberMissingError(`${this.#binary} cannot be run (${e.code ?? e.message}): install the Debian package pocketsphinx`));
      });
      p.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) return reject(new TranscriptionFailedError(`${this.#binary} exited ${code ?? signal}: ${err.trim().split('\n').at(-1) ?? ''}`));
        const lines = Buffer.concat(out).toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
        resolve(lines.join(' '));
      });
    });
  }
}

/**
 * Writes `src` as 16-bit mono 16 kHz WAV at `dest`; returns its length in seconds. The resampler is
 * run one output second at a time on a slice padded past its kernel, the slices starting on the input
 * samples that fall exactly on output samples, so the result equals resampling the whole file at once.
 */
export async function to16kMono(src: string, dest: string): Promise<number> {
  const wav = parseWav(await readFile(src), src);
  const mono = mixToMono(wavSamples(wav), wav.channels);
  const rate = wav.sampleRate;
  const writer = new WavFileWriter(dest, MODEL_RATE, 1);
  if (rate === MODEL_RATE) writer.write(mono);
  else {
    const ratio = rate / MODEL_RATE;
    // Output chunk starts n0 with n0·ratio an integer: multiples of K = 16000 / gcd(rate, 16000).
    const k = MODEL_RATE / gcd(rate, MODEL_RATE);
    const step = k * ratio;
    const pad = step * Math.ceil(Math.max(KERNEL_PAD, Math.ceil(12 / (0.9 * Math.min(1, 1 / ratio))) + 2) / step);
    const total = Math.floor(mono.length / ratio);
    for (let n0 = 0; n0 < total; n0 += MODEL_RATE) {
      const s0 = Math.round(n0 * ratio);
      const from = Math.max(0, s0 - pad);
      const to = Math.min(mono.length, Math.round((n0 + MODEL_RATE) * ratio) + pad);
      const out = resample(mono.subarray(from, to), rate, MODEL_RATE);
      const skip = Math.round((s0 - from) / ratio);
      writer.write(out.subarray(skip, skip + Math.min(MODEL_RATE, total - n0)));
      await yieldToLoop();
    }
  }
  await writer.close();
  return mono.length / rate;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

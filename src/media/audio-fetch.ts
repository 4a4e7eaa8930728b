/**
 * Remote audio for the voice API's `fileUrl` (spec bandwidth §3.4): fetched over HTTP(S), converted once to
 * an 8 kHz mono 16-bit WAV and cached under `<cacheDir>/audio/<sha256(url)>.wav`, the file the player plays
 * (PlayItem `{ file }`). WAV of any rate, channel count and encoding parseWav reads (PCM 8/16, µ-law,
 * A-law); MP3 is refused with its own message, as Ringside has no MP3 decoder.
 *
 * Bounds: one deadline for the whole fetch (connect, redirects, body), and a size limit counted on the
 * bytes received (a Content-Length above it is refused at once, but a missing or false one is not trusted).
 * Credentials in the URL (`https://user:pass@host/…`) are sent as Basic auth, to that origin only: a
 * redirect to another host does not get them. A cached file is reused for `maxAgeMs`, then fetched again
 * (no conditional requests: the files are small and the rule is easy to state). Concurrent fetches of one
 * URL share one download.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { urlToHttpOptions } from 'node:url';
import { AudioFetchError, UnsupportedFormatError } from './errors.js';
import { TELEPHONE_RATE } from './audio-file.js';
import { resample } from './resampler.js';
import { encodePcm16Wav, mixToMono, parseWav, wavSamples } from './wav.js';

export interface AudioFetcherOptions {
  /** The media cache root; files go to its `audio/` folder. */
  cacheDir: string;
  /** Deadline for one fetch, redirects and body included. Default 10 s. */
  timeoutMs?: number;
  /** Largest body accepted. Default 16 MiB. */
  maxBytes?: number;
  /** How long a cached file is used before it is fetched again. Default 5 min. */
  maxAgeMs?: number;
  /** Redirects followed. Default 3. */
  maxRedirects?: number;
  /** Clock for the cache age (tests). */
  now?: () => number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MP3_TYPES = /^audio\/(mpeg|mp3|mpeg3|x-mpeg|x-mp3|mpa)\b/i;

/** The URL with user name and password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      if (u.password) u.password = '***';
    }
    return u.href;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@'); // not parseable: still never show what precedes an @
  }
}

export class AudioFetcher {
  readonly cacheDir: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly maxRedirects: number;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(o: AudioFetcherOptions) {
    this.cacheDir = join(o.cacheDir, 'audio');
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxBytes = o.maxBytes ?? 16 * 1024 * 1024;
    this.maxAgeMs = o.maxAgeMs ?? 5 * 60_000;
    this.maxRedirects = o.maxRedirects ?? 3;
    this.#now = o.now ?? Date.now;
  }

  /** Where the converted file of `url` is cached. */
  pathFor(url: string): string {
    return join(this.cacheDir, `${createHash('sha256').update(url).digest('hex')}.wav`);
  }

  /** The path of an 8 kHz mono 16-bit WAV of `url`, fetched unless a fresh copy is cached. Rejects with an
   *  AudioFetchError naming the (redacted) URL. */
  fetch(url: string): Promise<string> {
    const path = this.pathFor(url);
    let p = this.#inFlight.get(path);
    if (!p) {
      p = this.#fetch(url, path).finally(() => this.#inFlight.delete(path));
      this.#inFlight.set(path, p);
    }
    return p;
  }

  async #fetch(url: string, path: string): Promise<string> {
    const shown = redactUrl(url);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new AudioFetchError(shown, 'bad-url', 'not a URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AudioFetchError(shown, 'bad-url', `${u.protocol} URLs are not fetched (http, https are)`);
    if (/\.mp3$/i.test(u.pathname)) throw mp3(shown);
    try {
      if (this.#now() - (await stat(path)).mtimeMs < this.maxAgeMs) return path;
    } catch {
      // not cached
    }
    const { body, contentType } = await this.#download(u, shown);
    const samples = decode(body, contentType, shown);
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, encodePcm16Wav(samples, TELEPHONE_RATE));
      await rename(tmp, path); // atomic: a player reading the previous copy never sees half a file
    } finally {
      await rm(tmp, { force: true });
    }
    return path;
  }

  async #download(first: URL, shown: string): Promise<{ body: Buffer; contentType: string }> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    const auth = first.username || first.password ? `${decodeURIComponent(first.username)}:${decodeURIComponent(first.password)}` : undefined;
    try {
      let url = first;
      for (let hop = 0; ; hop++) {
        const ownAuth = url.username || url.password ? undefined : url.origin === first.origin ? auth : undefined;
        const res = await request(url, ownAuth, ac.signal);
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status) && res.headers.location) {
          res.resume();
          if (hop >= this.maxRedirects) throw new AudioFetchError(shown, 'http-status', `more than ${this.maxRedirects} redirects`, status);
          url = new URL(res.headers.location, url);
          if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AudioFetchError(shown, 'bad-url', `redirected to a ${url.protocol} URL`);
          continue;
        }
        const contentType = res.headers['content-type'] ?? '';
        if (status < 200 || status > 299) {
          res.resume();
          throw new AudioFetchError(shown, 'http-status', `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`, status);
        }
        if (MP3_TYPES.test(contentType)) {
          res.destroy();
          throw mp3(shown);
        }
        const declared = Number(res.headers['content-length']);
        if (declared > this.maxBytes) {
          res.destroy();
          throw tooLarge(shown, this.maxBytes, `${declared} bytes announced`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > this.maxBytes) {
            res.destroy();
            throw tooLarge(shown, this.maxBytes, `more than ${this.maxBytes} bytes received`);
          }
          chunks.push(chunk);
        }
        return { body: Buffer.concat(chunks, size), contentType };
      }
    } catch (err) {
      if (err instanceof AudioFetchError) throw err;
      if (ac.signal.aborted) throw new AudioFetchError(shown, 'timeout', `no complete answer within ${this.timeoutMs} ms`);
      throw new AudioFetchError(shown, 'network', (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

function request(url: URL, auth: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const { auth: _ignored, ...target } = urlToHttpOptions(url);
    const options: http.RequestOptions = {
      ...target,
      signal,
      headers: { accept: 'audio/wav, audio/x-wav, audio/wave, audio/*;q=0.5, */*;q=0.1', 'user-agent': 'Ringside' },
    };
    if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    else if (auth !== undefined) options.auth = auth;
    const req = (url.protocol === 'https:' ? https : http).request(options, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** The body as 8 kHz mono samples, or an AudioFetchError saying what it is instead. */
function decode(body: Buffer, contentType: string, shown: string): Int16Array {
  if (body.subarray(0, 3).toString('latin1') === 'ID3' || (body.length >= 2 && body[0] === 0xff && (body[1]! & 0xe0) === 0xe0)) throw mp3(shown);
  try {
    const w = parseWav(body, 'the body');
    return resample(mixToMono(wavSamples(w), w.channels), w.sampleRate, TELEPHONE_RATE);
  } catch (err) {
    if (!(err instanceof UnsupportedFormatError)) throw err;
    const type = contentType ? ` (Content-Type ${contentType.slice(0, 80)})` : '';
    throw new AudioFetchError(shown, 'unsupported-format', `${err.message}${type}`);
  }
}

function mp3(shown: string): AudioFetchError {
  return new AudioFetchError(shown, 'unsupported-format', 'MP3 is not supported: give a WAV file (PCM, µ-law or A-law)');
}

function tooLarge(shown: string, max: number, detail: string): AudioFetchError {
  return new AudioFetchError(shown, 'too-large', `larger than the ${max}-byte limit (${detail})`);
}

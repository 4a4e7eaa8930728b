/**
 * RIFF/WAVE files: reading PCM 8/16-bit, A-law (format 6) and µ-law (format 7), WAVE_FORMAT_EXTENSIBLE
 * with those subformats; writing 16-bit PCM, streamed, with the sizes patched in when the file is closed.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { UnsupportedFormatError } from './errors.js';
import { decodeG711 } from './g711.js';

export interface WavInfo {
  encoding: 'pcm8' | 'pcm16' | 'alaw' | 'mulaw';
  sampleRate: number;
  channels: number;
  data: Uint8Array;
}

export function parseWav(buf: Uint8Array, name = 'WAV data'): WavInfo {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') {
    throw new UnsupportedFormatError(`${name} is not a RIFF/WAVE file`);
  }
  let fmt: { code: number; channels: number; rate: number; bits: number } | null = null;
  let data: Uint8Array | null = null;
  let o = 12;
  while (o + 8 <= b.length) {
    const id = b.toString('ascii', o, o + 4);
    let size = b.readUInt32LE(o + 4);
    const body = o + 8;
    // Streams written without final sizes (0 or 0xFFFFFFFF) run to the end of the file.
    if (id === 'data' && (size === 0 || size === 0xffffffff || body + size > b.length)) size = b.length - body;
    if (id === 'fmt ' && size >= 16) {
      let code = b.readUInt16LE(body);
      if (code === 0xfffe && size >= 40) code = b.readUInt16LE(body + 24); // extensible: first 2 bytes of the subformat GUID
      fmt = { code, channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      data = b.subarray(body, body + size);
    }
    o = body + size + (size & 1); // chunks are word aligned
  }
  if (!fmt || !data) throw new UnsupportedFormatError(`${name} has no fmt or data chunk`);
  const { code, channels, rate, bits } = fmt;
  if (channels < 1 || rate < 1000) throw new UnsupportedFormatError(`${name}: ${channels} channels at ${rate} Hz`);
  if (code === 1 && bits === 16) return { encoding: 'pcm16', sampleRate: rate, channels, data };
  if (code === 1 && bits === 8) return { encoding: 'pcm8', sampleRate: rate, channels, data };
  if (code === 6 && bits === 8) return { encoding: 'alaw', sampleRate: rate, channels, data };
  if (code === 7 && bits === 8) return { encoding: 'mulaw', sampleRate: rate, channels, data };
  throw new UnsupportedFormatError(`${name}: WAV format ${code} with ${bits} bits is not supported (PCM 8/16-bit, A-law, µ-law are)`);
}

/** Decodes to 16-bit samples, interleaved as in the file. */
export function wavSamples(w: WavInfo): Int16Array {
  switch (w.encoding) {
    case 'pcm16': {
      const n = Math.floor(w.data.length / 2);
      const out = new Int16Array(n);
      const v = new DataView(w.data.buffer, w.data.byteOffset, n * 2);
      for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, true);
      return out;
    }
    case 'pcm8':
      return Int16Array.from(w.data, (x) => (x - 128) << 8);
    case 'alaw':
      return decodeG711('PCMA', w.data);
    case 'mulaw':
      return decodeG711('PCMU', w.data);
  }
}

/** Averages interleaved channels into one. */
export function mixToMono(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const n = Math.floor(samples.length / channels);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += samples[i * channels + c]!;
    out[i] = Math.round(s / channels);
  }
  return out;
}

/** The 44-byte header of a 16-bit PCM WAV file (RIFF sizes are data size + 36). */
export function pcm16WavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A whole 16-bit PCM WAV file in memory. */
export function encodePcm16Wav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  const body = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) body.writeInt16LE(samples[i]!, i * 2);
  return Buffer.concat([pcm16WavHeader(sampleRate, channels, body.length), body]);
}

/** Streams 16-bit PCM to disk; `close()` writes the final sizes into the header. */
export class WavFileWriter {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  #stream: WriteStream;
  #bytes = 0;
  #closed: Promise<number> | null = null;
  #error: Error | null = null;

  constructor(path: string, sampleRate: number, channels: number) {
    this.path = path;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.#stream = createWriteStream(path);
    this.#stream.on('error', (err) => {
      this.#error = err;
    });
    this.#stream.write(pcm16WavHeader(sampleRate, channels, 0));
  }

  get dataBytes(): number {
    return this.#bytes;
  }

  get error(): Error | null {
    return this.#error;
  }

  /** Appends interleaved samples. */
  write(samples: Int16Array): void {
    if (this.#closed || this.#error) return;
    const b = Buffer.allocUnsafe(samples.length * 2);
    for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, i * 2);
    this.#bytes += b.length;
    this.#stream.write(b);
  }

  /** Finishes the file; resolves to the number of data bytes. */
  close(): Promise<number> {
    this.#closed ??= (async () => {
      await new Promise<void>((resolve, reject) => {
        this.#stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
      });
      if (this.#error) throw this.#error;
      const fh = await open(this.path, 'r+');
      try {
        const sizes = Buffer.alloc(4);
        sizes.writeUInt32LE(36 + this.#bytes);
        await fh.write(sizes, 0, 4, 4);
        sizes.writeUInt32LE(this.#bytes);
        await fh.write(sizes, 0, 4, 40);
      } finally {
        await fh.close();
      }
      return this.#bytes;
    })();
    return this.#closed;
  }
}

/**
 * Records one leg (mono: what the party says) or a two-party conversation (stereo: left = first leg,
 * right = second leg) to a 16-bit PCM 8 kHz WAV under `<dataDir>/recordings/<id>.wav`. Each channel goes
 * through a JitterBuffer and is read on a 20 ms FrameClock, so packets from the two legs line up in time
 * and gaps become silence. A recording has no latency constraint, so the buffers run 500 ms behind and
 * the clock catches up on every missed tick: an event-loop stall shorter than that loses no audio (the
 * timers of a stalled loop fire before its queued packets are read). `stop()` drains what is buffered.
 *
 * Also here: the id → file mapping and an HTTP-agnostic streaming helper (status, headers, body, with
 * single byte ranges, RFC 9110 14) for the lead to mount at a stable URL.
 */
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FrameClock } from './frame-clock.js';
import { JitterBuffer } from './jitter-buffer.js';
import { WavFileWriter } from './wav.js';
import { NotFoundError } from './errors.js';
import { TypedEmitter } from './typed-emitter.js';

const FRAME = 160;
const RECORDING_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidRecordingId(id: string): boolean {
  return RECORDING_ID.test(id) && !id.includes('..');
}

/** Maps a recording id to its file; throws NotFoundError for ids that could escape the directory. */
export function recordingPath(dataDir: string, recordingId: string): string {
  if (!isValidRecordingId(recordingId)) throw new NotFoundError(`invalid recording id '${recordingId}'`);
  return join(dataDir, 'recordings', `${recordingId}.wav`);
}

export interface RecordingInfo {
  recordingId: string;
  path: string;
  channels: number;
  durationMs: number;
  startedAt: number;
  status: 'complete' | 'error';
  error?: string;
}

export type RecorderEvents = {
  finished: [info: RecordingInfo];
};

export class Recorder extends TypedEmitter<RecorderEvents> {
  readonly id: string;
  readonly path: string;
  readonly channels: number;
  readonly startedAt = Date.now();
  readonly #buffers: JitterBuffer[];
  readonly #clock: FrameClock;
  readonly #maxFrames: number;
  #writer: WavFileWriter | null = null;
  #frames = 0;
  #stopping: Promise<RecordingInfo> | null = null;
  readonly #frame = new Int16Array(FRAME);

  constructor(o: { id: string; path: string; channels: 1 | 2; maxDurationMs?: number }) {
    super();
    this.id = o.id;
    this.path = o.path;
    this.channels = o.channels;
    this.#buffers = Array.from({ length: o.channels }, () => new JitterBuffer({ delayMs: 500, maxDelayMs: 900 }));
    this.#maxFrames = Math.ceil((o.maxDurationMs ?? 4 * 3600_000) / 20);
    this.#clock = new FrameClock(() => this.#tick(), { maxCatchUp: 500 });
  }

  async start(): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    this.#writer = new WavFileWriter(this.path, 8000, this.channels);
    this.#clock.start();
  }

  /** Decoded audio heard on channel `channel` (0 = left/mono). */
  feed(channel: number, ssrc: number, timestamp: number, samples: Int16Array): void {
    this.#buffers[channel]?.push(ssrc, timestamp, samples);
  }

  get durationMs(): number {
    return this.#frames * 20;
  }

  #tick(): void {
    if (!this.#stopping) this.#writeFrame();
  }

  #writeFrame(): void {
    const w = this.#writer;
    if (!w) return;
    const out = new Int16Array(FRAME * this.channels);
    for (let c = 0; c < this.channels; c++) {
      this.#buffers[c]!.pull(this.#frame);
      for (let i = 0; i < FRAME; i++) out[i * this.channels + c] = this.#frame[i]!;
    }
    w.write(out);
    this.#frames++;
    if (this.#frames >= this.#maxFrames) void this.stop();
  }

  /** Stops and finalises the file; safe to call more than once. */
  stop(): Promise<RecordingInfo> {
    this.#stopping ??= (async () => {
      this.#clock.stop();
      // Drain: what is still buffered was heard before the stop.
      for (let i = 0; i < 60 && this.#buffers.some((b) => b.buffered > 0); i++) this.#writeFrame();
      const base = { recordingId: this.id, path: this.path, channels: this.channels, durationMs: this.durationMs, startedAt: this.startedAt };
      let info: RecordingInfo;
      try {
        if (this.#writer) await this.#writer.close();
        info = { ...base, status: 'complete' };
      } catch (err) {
        info = { ...base, status: 'error', error: (err as Error).message };
      }
      this.emit('finished', info);
      return info;
    })();
    return this.#stopping;
  }
}

export interface RecordingResponse {
  status: 200 | 206 | 404 | 416;
  headers: Record<string, string>;
  body: Readable | null;
}

/**
 * Everything an HTTP handler needs to serve a recording: `GET <stable url>/:id` → status, headers and a
 * body stream. `range` is the request's Range header, if any (one `bytes=a-b` range is honoured).
 */
export async function openRecording(dataDir: string, recordingId: string, range?: string): Promise<RecordingResponse> {
  let path: string;
  let size: number;
  try {
    path = recordingPath(dataDir, recordingId);
    const s = await stat(path);
    if (!s.isFile()) throw new NotFoundError(recordingId);
    size = s.size;
  } catch {
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: null };
  }
  const headers: Record<string, string> = { 'content-type': 'audio/wav', 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=3600' };
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] || m[2])) {
    let start = m[1] ? Number(m[1]) : size - Number(m[2]);
    let end = m[1] ? (m[2] ? Number(m[2]) : size - 1) : size - 1;
    start = Math.max(0, start);
    end = Math.min(end, size - 1);
    if (start > end || start >= size) return { status: 416, headers: { 'content-range': `bytes */${size}` }, body: null };
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
    headers['content-length'] = String(end - start + 1);
    return { status: 206, headers, body: createReadStream(path, { start, end }) };
  }
  headers['content-length'] = String(size);
  return { status: 200, headers, body: createReadStream(path) };
}

/**
 * Plays a playlist to one leg: 160-sample (20 ms) frames paced by FrameClock against absolute time, so
 * the peer gets 50 packets/s with timestamps +160 each and no drift. Items load ahead of time (the next one
 * while the current one plays); if an item is not ready when its turn comes, silence is sent meanwhile so
 * the stream keeps its pace. Each item starts on a frame boundary (an item's last frame is padded with
 * silence, at most 20 ms between items).
 */
import { TypedEmitter } from './typed-emitter.js';
import { FrameClock } from './frame-clock.js';
import type { ToneSpec } from './tones.js';

export const FRAME_SAMPLES = 160;

export type PlayItem =
  | { file: string }
  | { prompt: string }
  | { speak: string; voice?: string }
  | { tone: ToneSpec }
  | { silenceMs: number }
  | { samples: Int16Array };

export type PlaybackOutcome = 'done' | 'stopped' | 'error';

export type PlayerEvents = {
  started: [];
  item: [index: number];
  finished: [outcome: PlaybackOutcome, error?: Error];
};

export interface PlayerOptions {
  items: PlayItem[];
  /** Turns an item into 8 kHz samples (file read, TTS render, tone synthesis). */
  load: (item: PlayItem) => Promise<Int16Array>;
  /** Sends one frame; `frameIndex` × 160 is its timestamp in the player's timeline. */
  send: (frame: Int16Array, frameIndex: number) => void;
  /** Repeat the playlist until stopped (ringback, hold music). */
  loop?: boolean;
}

export class Player extends TypedEmitter<PlayerEvents> {
  readonly #o: PlayerOptions;
  readonly #clock: FrameClock;
  readonly #loaded = new Map<number, Promise<Int16Array>>();
  #item = 0;
  #current: Int16Array | null = null;
  #pos = 0;
  #waiting = false;
  #done = false;
  readonly #frame = new Int16Array(FRAME_SAMPLES);

  constructor(o: PlayerOptions) {
    super();
    this.#o = o;
    this.#clock = new FrameClock((n) => this.#tick(n));
  }

  get finished(): boolean {
    return this.#done;
  }

  /** Starts once the first item is loaded; resolves with the outcome. */
  play(): Promise<PlaybackOutcome> {
    const result = new Promise<PlaybackOutcome>((resolve) => this.once('finished', (o) => resolve(o)));
    if (this.#o.items.length === 0) {
      this.#finish('done');
      return result;
    }
    this.#load(0)
      .then((s) => {
        if (this.#done) return;
        this.#current = s;
        this.#pos = 0;
        this.#load(1).catch(() => undefined);
        this.emit('started');
        this.emit('item', 0);
        this.#clock.start();
      })
      .catch((err: Error) => this.#finish('error', err));
    return result;
  }

  stop(): void {
    this.#finish('stopped');
  }

  #load(i: number): Promise<Int16Array> {
    const n = this.#o.items.length;
    const idx = this.#o.loop ? i % n : i;
    if (idx >= n) return Promise.resolve(new Int16Array(0));
    let p = this.#loaded.get(idx);
    if (!p) {
      p = this.#o.load(this.#o.items[idx]!);
      this.#loaded.set(idx, p);
      p.catch(() => undefined);
    }
    return p;
  }

  #tick(frameIndex: number): void {
    if (this.#done) return;
    const f = this.#frame;
    f.fill(0);
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.#current) {
      const take = Math.min(FRAME_SAMPLES - filled, this.#current.length - this.#pos);
      f.set(this.#current.subarray(this.#pos, this.#pos + take), filled);
      filled += take;
      this.#pos += take;
      if (this.#pos >= this.#current.length) this.#advance();
    }
    if (filled > 0 || this.#waiting) this.#o.send(f, frameIndex);
    if (!this.#current && !this.#waiting) this.#finish('done');
  }

  #advance(): void {
    this.#item++;
    this.#current = null;
    this.#pos = 0;
    if (!this.#o.loop && this.#item >= this.#o.items.length) return;
    this.#waiting = true;
    const index = this.#item;
    this.#load(index)
      .then((s) => {
        if (this.#done || this.#item !== index) return;
        this.#waiting = false;
        this.#current = s;
        this.emit('item', this.#o.loop ? index % this.#o.items.length : index);
        this.#load(index + 1).catch(() => undefined);
        if (s.length === 0) this.#advance();
      })
      .catch((err: Error) => this.#finish('error', err));
  }

  #finish(outcome: PlaybackOutcome, error?: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#clock.stop();
    if (error) this.emit('finished', outcome, error);
    else this.emit('finished', outcome);
  }
}

/**
 * Conference mixing in 20 ms frames: every member's audio is decoded into its JitterBuffer; each tick
 * sums all contributing members and sends each member the sum minus its own contribution (so nobody hears
 * themself), clipped to 16 bits and encoded in the member's codec by its endpoint.
 *
 * Muted: still hears the others, is not heard. Held: neither hears (nothing is sent to it) nor is heard.
 *
 * Sources (`addSource`): inputs with no output — audio played into the conference (the voice API's
 * conference audio, join/leave tones). Every member that is not held hears them; they hear nothing.
 */
import { FrameClock } from './frame-clock.js';
import { JitterBuffer } from './jitter-buffer.js';
import { TypedEmitter } from './typed-emitter.js';

export const MIX_FRAME = 160;

function clip(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/**
 * Pure mixing step. `inputs[i]` is member i's frame, or null if it contributes nothing (muted, held,
 * silent). Returns each member's output frame: the clipped sum of everyone else.
 */
export function mixFrames(inputs: (Int16Array | null)[], frameSize = MIX_FRAME): Int16Array[] {
  const sum = new Int32Array(frameSize);
  for (const f of inputs) {
    if (!f) continue;
    for (let i = 0; i < frameSize; i++) sum[i]! += f[i]!;
  }
  return inputs.map((f) => {
    const out = new Int16Array(frameSize);
    if (f) for (let i = 0; i < frameSize; i++) out[i] = clip(sum[i]! - f[i]!);
    else for (let i = 0; i < frameSize; i++) out[i] = clip(sum[i]!);
    return out;
  });
}

export interface ConferenceMemberState {
  memberId: string;
  muted: boolean;
  held: boolean;
}

interface Member extends ConferenceMemberState {
  buffer: JitterBuffer;
  send: (frame: Int16Array, frameIndex: number) => void;
}

export type ConferenceEvents = {
  empty: [];
};

export class Conference extends TypedEmitter<ConferenceEvents> {
  readonly id: string;
  readonly #members = new Map<string, Member>();
  readonly #sources = new Map<string, JitterBuffer>();
  readonly #clock: FrameClock;

  constructor(id: string) {
    super();
    this.id = id;
    this.#clock = new FrameClock((n) => this.#tick(n));
  }

  get size(): number {
    return this.#members.size;
  }

  members(): ConferenceMemberState[] {
    return [...this.#members.values()].map(({ memberId, muted, held }) => ({ memberId, muted, held }));
  }

  has(memberId: string): boolean {
    return this.#members.has(memberId);
  }

  /** Adds a member; `send` delivers its mixed frames (the endpoint encodes and paces nothing further). */
  join(memberId: string, send: (frame: Int16Array, frameIndex: number) => void, state: { muted?: boolean; held?: boolean } = {}): void {
    this.#members.set(memberId, { memberId, muted: state.muted ?? false, held: state.held ?? false, buffer: new JitterBuffer(), send });
    if (!this.#clock.running) this.#clock.start();
  }

  /** Decoded audio from a member. */
  feed(memberId: string, ssrc: number, timestamp: number, samples: Int16Array): void {
    this.#members.get(memberId)?.buffer.push(ssrc, timestamp, samples);
  }

  leave(memberId: string): boolean {
    const had = this.#members.delete(memberId);
    if (this.#members.size === 0) {
      this.#clock.stop();
      if (had) this.emit('empty');
    }
    return had;
  }

  setMuted(memberId: string, muted: boolean): void {
    const m = this.#members.get(memberId);
    if (m) m.muted = muted;
  }

  setHeld(memberId: string, held: boolean): void {
    const m = this.#members.get(memberId);
    if (m) m.held = held;
  }

  close(): void {
    this.#clock.stop();
    this.#members.clear();
    this.#sources.clear();
  }

  /** An input without output (audio played into the conference); frames arrive by `feedSource`. */
  addSource(sourceId: string): void {
    this.#sources.set(sourceId, new JitterBuffer({ delayMs: 20 }));
  }

  /** A source's frame `frameIndex` (its own 20 ms timeline, from 0). */
  feedSource(sourceId: string, frameIndex: number, samples: Int16Array): void {
    this.#sources.get(sourceId)?.push(0, (frameIndex * MIX_FRAME) >>> 0, samples);
  }

  removeSource(sourceId: string): void {
    this.#sources.delete(sourceId);
  }

  #tick(frameIndex: number): void {
    const list = [...this.#members.values()];
    const inputs = list.map((m) => {
      const f = new Int16Array(MIX_FRAME);
      // Always drain the buffer so a muted member's audio does not pile up.
      const got = m.buffer.pull(f);
      return got && !m.muted && !m.held ? f : null;
    });
    // Sources are summed like members; their outputs (after the members') are not sent anywhere.
    for (const b of this.#sources.values()) {
      const f = new Int16Array(MIX_FRAME);
      inputs.push(b.pull(f) ? f : null);
    }
    const outputs = mixFrames(inputs);
    list.forEach((m, i) => {
      if (!m.held) m.send(outputs[i]!, frameIndex);
    });
  }
}

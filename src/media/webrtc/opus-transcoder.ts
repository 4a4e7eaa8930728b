/**
 * Opus (RFC 6716, RTP payload RFC 7587) for a WebRTC leg, so it talks with the rest of Ringside, which works
 * in 8 kHz PCM: libopus compiled to WebAssembly (`opusscript`: no native addon to build, nothing to
 * download), its encoder and decoder both run at 8 kHz (libopus resamples internally, so no resampler of
 * ours is in the path). RTP timestamps of Opus are always 48 kHz (RFC 7587 §4.1): ×6 on the way out.
 *
 * Outgoing audio arrives in whatever packet size the other leg sends (G.711 phones may send 10, 20, 30 ms);
 * it is cut into 20 ms Opus frames, a size libopus accepts (RFC 6716 §2.1.4).
 */
import OpusScript from 'opusscript';

export const OPUS_FRAME_SAMPLES = 160; // 20 ms at 8 kHz
/** 48 kHz RTP clock / 8 kHz PCM. */
export const OPUS_TS_FACTOR = 6;

export interface OpusFrame {
  payload: Buffer;
  /** RTP timestamp of the frame's first sample, 8 kHz units of the source's timeline. */
  timestamp: number;
}

export class OpusTranscoder {
  readonly #codec = new OpusScript(8000, 1, OpusScript.Application.VOIP);
  #pending = new Int16Array(0);
  #pendingTs = 0;
  #source: string | null = null;
  #closed = false;
  decodeFailures = 0;

  constructor() {
    // OPUS_SET_COMPLEXITY(5) (RFC 6716 §2.1.5 trade-off): half the CPU of the default 10 for narrowband
    // speech that is transcoded from G.711 anyway (bench/webrtc-media.bench.ts).
    this.#codec.encoderCTL(4010, 5);
  }

  /** One Opus packet to 8 kHz PCM (a packet may hold 2.5-120 ms); null if libopus refuses it. */
  decode(payload: Uint8Array): Int16Array | null {
    if (this.#closed || payload.length === 0) return null;
    try {
      const pcm = this.#codec.decode(Buffer.from(payload.buffer, payload.byteOffset, payload.length));
      return new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
    } catch {
      this.decodeFailures++;
      return null;
    }
  }

  /**
   * 8 kHz PCM from `source`, starting at `timestamp` (8 kHz): the 20 ms frames now complete. A change of
   * source, or a gap in its timestamps, drops the partial frame (its few ms are not worth a stitched frame).
   */
  encode(samples: Int16Array, timestamp: number, source: string): OpusFrame[] {
    if (this.#closed) return [];
    if (source !== this.#source || ((this.#pendingTs + this.#pending.length) >>> 0) !== (timestamp >>> 0)) {
      this.#source = source;
      this.#pending = new Int16Array(0);
      this.#pendingTs = timestamp;
    }
    let buf = samples;
    if (this.#pending.length > 0) {
      buf = new Int16Array(this.#pending.length + samples.length);
      buf.set(this.#pending);
      buf.set(samples, this.#pending.length);
    }
    const frames: OpusFrame[] = [];
    let off = 0;
    for (; off + OPUS_FRAME_SAMPLES <= buf.length; off += OPUS_FRAME_SAMPLES) {
      const frame = buf.subarray(off, off + OPUS_FRAME_SAMPLES);
      const payload = this.#codec.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), OPUS_FRAME_SAMPLES);
      frames.push({ payload, timestamp: (this.#pendingTs + off) >>> 0 });
    }
    this.#pending = buf.slice(off);
    this.#pendingTs = (this.#pendingTs + off) >>> 0;
    return frames;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#codec.delete();
  }
}

/**
 * G.711 (ITU-T G.711, 1988) µ-law and A-law companding, written from the segment rules of the
 * recommendation: 8 segments of 16 quantisation steps, step size doubling from one segment to the next.
 * Tables are computed at load from these rules (no copied tables): 256-entry decode tables and 64 Ki-entry
 * encode tables indexed by the 16-bit sample, so that encode/decode are one lookup each.
 */

export type G711Law = 'PCMU' | 'PCMA';

/** µ-law works on 14-bit magnitudes with a bias of 33 (132 on the 16-bit scale, G.711 Table 2a). */
const MU_BIAS = 0x84;
const MU_CLIP = 32635;

function segmentOf(value: number): number {
  // The highest set bit among bits 7..14 gives the segment (0..7): floor(log2(value)) - 7.
  let seg = 0;
  for (let v = value >> 8; v > 0 && seg < 7; v >>= 1) seg++;
  return seg;
}

/** One 16-bit linear sample to a µ-law byte (bits inverted on the line, G.711 §3). */
export function linearToMulawSample(sample: number): number {
  let s = sample | 0;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > MU_CLIP) s = MU_CLIP;
  s += MU_BIAS;
  const seg = segmentOf(s);
  const mantissa = (s >> (seg + 3)) & 0x0f;
  return ~(sign | (seg << 4) | mantissa) & 0xff;
}

/** One µ-law byte to a 16-bit linear sample (the decision value in the middle of the step). */
export function mulawToLinearSample(byte: number): number {
  const u = ~byte & 0xff;
  const seg = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MU_BIAS) << seg) - MU_BIAS;
  return (u & 0x80 ? -magnitude : magnitude) | 0; // | 0: no -0 for the negative zero code
}

/** One 16-bit linear sample to an A-law byte (even bits inverted on the line: XOR 0x55, G.711 §2). */
export function linearToAlawSample(sample: number): number {
  const s = sample | 0;
  // A-law is sign-magnitude on 13 bits; negative values use the one's complement magnitude.
  const sign = s >= 0 ? 0x80 : 0;
  const magnitude = s >= 0 ? s : -s - 1;
  let byte: number;
  if (magnitude < 256) {
    byte = sign | (magnitude >> 4);
  } else {
    const seg = Math.min(segmentOf(magnitude), 7);
    const mantissa = (magnitude >> (seg + 3)) & 0x0f;
    byte = sign | (seg << 4) | mantissa;
  }
  return byte ^ 0x55;
}

/** One A-law byte to a 16-bit linear sample. */
export function alawToLinearSample(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  const seg = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = seg === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (seg - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function buildDecode(fn: (b: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let b = 0; b < 256; b++) t[b] = fn(b);
  return t;
}

function buildEncode(fn: (s: number) => number): Uint8Array {
  const t = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = fn(i - 32768);
  return t;
}

const MULAW_DECODE = buildDecode(mulawToLinearSample);
const ALAW_DECODE = buildDecode(alawToLinearSample);
const MULAW_ENCODE = buildEncode(linearToMulawSample);
const ALAW_ENCODE = buildEncode(linearToAlawSample);
/** Direct law-to-law tables for the relay (decode then encode, G.711 Appendix: transcoding is lossy). */
const MULAW_TO_ALAW = new Uint8Array(256).map((_, b) => linearToAlawSample(mulawToLinearSample(b)));
const ALAW_TO_MULAW = new Uint8Array(256).map((_, b) => linearToMulawSample(alawToLinearSample(b)));

export function decodeG711(law: G711Law, payload: Uint8Array, out = new Int16Array(payload.length)): Int16Array {
  const t = law === 'PCMU' ? MULAW_DECODE : ALAW_DECODE;
  for (let i = 0; i < payload.length; i++) out[i] = t[payload[i]!]!;
  return out;
}

export function encodeG711(law: G711Law, samples: Int16Array, out = new Uint8Array(samples.length)): Uint8Array {
  const t = law === 'PCMU' ? MULAW_ENCODE : ALAW_ENCODE;
  for (let i = 0; i < samples.length; i++) out[i] = t[samples[i]! + 32768]!;
  return out;
}

/** PCMU↔PCMA without going through linear buffers (one lookup per byte). */
export function transcodeG711(from: G711Law, to: G711Law, payload: Uint8Array): Uint8Array {
  if (from === to) return payload;
  const t = from === 'PCMU' ? MULAW_TO_ALAW : ALAW_TO_MULAW;
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = t[payload[i]!]!;
  return out;
}

/** The byte a law uses for digital silence (linear 0). */
export function g711Silence(law: G711Law): number {
  return law === 'PCMU' ? 0xff : 0xd5;
}

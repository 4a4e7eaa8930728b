/**
 * Sample-rate conversion by windowed-sinc interpolation (Blackman window, 12 zero crossings), with the
 * cutoff at 90 % of the lower Nyquist frequency so that e.g. espeak-ng's 22.05 kHz speech does not alias
 * when brought down to the 8 kHz telephone rate.
 */
const ZERO_CROSSINGS = 12;

export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return input;
  const ratio = fromRate / toRate;
  const cutoff = 0.9 * Math.min(1, toRate / fromRate); // in cycles per input sample × 2
  const half = ZERO_CROSSINGS / cutoff; // kernel half-width in input samples
  const outLen = Math.floor(input.length / ratio);
  const out = new Int16Array(outLen);
  for (let n = 0; n < outLen; n++) {
    const t = n * ratio;
    const k0 = Math.max(0, Math.ceil(t - half));
    const k1 = Math.min(input.length - 1, Math.floor(t + half));
    let acc = 0;
    let norm = 0;
    for (let k = k0; k <= k1; k++) {
      const x = t - k;
      const arg = Math.PI * cutoff * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
      const c = sinc * w;
      acc += input[k]! * c;
      norm += c;
    }
    const v = norm !== 0 ? acc / norm : 0;
    out[n] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
  }
  return out;
}

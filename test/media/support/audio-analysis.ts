/** Small signal measurements for tests: tone power (Goertzel), RMS, normalised cross-correlation. */

/** Power of one frequency in a block (Goertzel algorithm), normalised by length. */
export function tonePower(samples: Int16Array, freq: number, rate = 8000): number {
  const w = (2 * Math.PI * freq) / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (samples.length * samples.length);
}

export function rms(samples: Int16Array): number {
  let acc = 0;
  for (const v of samples) acc += v * v;
  return Math.sqrt(acc / Math.max(1, samples.length));
}

/**
 * Best normalised cross-correlation of `b` against `a` over lags 0..maxLag (b delayed relative to a),
 * computed on `len` samples. 1.0 = identical shape.
 */
export function bestCorrelation(a: Int16Array, b: Int16Array, maxLag: number, len: number): { lag: number; r: number } {
  let best = { lag: 0, r: -1 };
  for (let lag = 0; lag <= maxLag; lag++) {
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    const n = Math.min(len, a.length, b.length - lag);
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const y = b[i + lag]!;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    const r = saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
    if (r > best.r) best = { lag, r };
  }
  return best;
}

export function sine(freq: number, ms: number, level = 8000, rate = 8000): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(level * Math.sin((2 * Math.PI * freq * i) / rate)));
}

export function frames(samples: Int16Array, size = 160): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i + size <= samples.length; i += size) out.push(samples.subarray(i, i + size));
  return out;
}

/**
 * Tone synthesis for the prompts that are tones, not speech: a sum of sines with an on/off cadence
 * (e.g. North American ringback, 440 + 480 Hz, 2 s on / 4 s off, ITU-T E.180 Supplement 2).
 */
export interface ToneSpec {
  frequencies: number[];
  durationMs: number;
  /** Peak level of the sum, 0-1 of full scale. */
  level?: number;
  /** Alternating on/off milliseconds repeated over the duration; continuous when absent. */
  cadenceMs?: number[];
}

export function synthesizeTone(spec: ToneSpec, sampleRate = 8000): Int16Array {
  const n = Math.round((spec.durationMs * sampleRate) / 1000);
  const out = new Int16Array(n);
  const amp = ((spec.level ?? 0.3) * 32767) / Math.max(1, spec.frequencies.length);
  const cadence = spec.cadenceMs && spec.cadenceMs.length ? spec.cadenceMs : null;
  const period = cadence ? cadence.reduce((a, b) => a + b, 0) : 0;
  const ramp = Math.round(sampleRate * 0.005); // 5 ms fades avoid clicks at the edges
  for (let i = 0; i < n; i++) {
    let on = true;
    let posInOn = i;
    let onLen = n;
    if (cadence) {
      let t = ((i * 1000) / sampleRate) % period;
      on = false;
      for (let c = 0; c < cadence.length; c++) {
        if (t < cadence[c]!) {
          on = c % 2 === 0;
          onLen = Math.round((cadence[c]! * sampleRate) / 1000);
          posInOn = Math.round((t * sampleRate) / 1000);
          break;
        }
        t -= cadence[c]!;
      }
    }
    if (!on) continue;
    let v = 0;
    for (const f of spec.frequencies) v += Math.sin((2 * Math.PI * f * i) / sampleRate);
    const edge = Math.min(1, posInOn / ramp, (onLen - posInOn) / ramp);
    out[i] = Math.round(v * amp * Math.max(0, edge));
  }
  return out;
}

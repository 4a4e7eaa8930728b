/** Gain applied to 16-bit samples (the voice API's audio `volume`, spec bandwidth §3.4). */

/** A copy of `samples` with `db` of gain, saturated to 16 bits (a boost clips rather than wraps). */
export function withGain(samples: Int16Array, db: number): Int16Array {
  const k = 10 ** (db / 20);
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i]! * k)));
  return out;
}

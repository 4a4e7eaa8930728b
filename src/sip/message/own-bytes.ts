/**
 * Bytes a message keeps — a body for the life of a session, a serialized response a transaction resends
 * for 64*T1 — get memory of their own. Buffer.from and allocUnsafe cut small buffers out of one shared
 * 8 KiB pool chunk, and a single live slice keeps its whole chunk: a few hundred bytes kept from each call
 * would hold 8 KiB each. An exact-size buffer of its own costs ~0.3 µs more to make.
 */

/** A copy of `src` in a buffer of its own. */
export function ownCopy(src: Uint8Array): Buffer {
  if (src.length === 0) return Buffer.alloc(0);
  const out = Buffer.allocUnsafeSlow(src.length);
  out.set(src);
  return out;
}

/** `text` as UTF-8 in a buffer of its own. */
export function ownBytes(text: string): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  out.write(text, 0, 'utf8');
  return out;
}

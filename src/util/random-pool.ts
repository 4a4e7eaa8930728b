import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random bytes from a pooled buffer: one crypto call per 4 KiB instead of one per id
 * (each `randomBytes` call costs a native round trip and a buffer; ids are made several per call).
 */
const POOL = Buffer.alloc(4096);
let offset = POOL.length;

/** `bytes` random bytes (at most the pool's size) as a view valid until the next call: read it at once. */
export function randomView(bytes: number): Buffer {
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const view = POOL.subarray(offset, offset + bytes);
  offset += bytes;
  return view;
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  return randomView(bytes).toString('hex');
}

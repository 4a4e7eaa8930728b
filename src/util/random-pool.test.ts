import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomHex, randomView } from './random-pool.js';

test('pooled random ids: the asked length, across pool refills, never the same twice', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const hex = randomHex(16);
    assert.match(hex, /^[0-9a-f]{32}$/);
    seen.add(hex);
  }
  assert.equal(seen.size, 2000, '2,000 ids of 128 bits over ~8 refills of the pool');
  // Bytes are spread: over 64 KiB every byte value shows up.
  const values = new Set<number>();
  for (let i = 0; i < 8192; i++) for (const b of randomView(8)) values.add(b);
  assert.equal(values.size, 256);
});

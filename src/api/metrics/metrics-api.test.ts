import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback } from './metrics-api.js';

test('loopback is 127.0.0.0/8, ::1 and mapped 127.x; nothing else', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(a), true, a);
  for (const a of [undefined, '10.0.0.1', '::', '0.0.0.0', '::ffff:10.0.0.1', '128.0.0.1', '127.0.0.1.evil', 'fe80::1']) assert.equal(isLoopback(a), false, String(a));
});

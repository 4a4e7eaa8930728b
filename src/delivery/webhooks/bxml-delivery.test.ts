import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveredByCall } from './bxml-delivery.js';

test('the engine skips what a BXML call sends itself, and nothing of a REST call', () => {
  const names = ['incomingcall', 'answer', 'speak', 'dtmf', 'gather', 'redirect', 'transferComplete', 'hangup', 'error', 'recording', 'transcription'];
  const skipped = (mode: Parameters<typeof deliveredByCall>[0]) => names.filter((n) => deliveredByCall(mode, n));
  assert.deepEqual(skipped(undefined), []);
  assert.deepEqual(skipped('probing'), ['incomingcall', 'answer']);
  assert.deepEqual(skipped('off'), ['incomingcall', 'answer']);
  assert.deepEqual(skipped('active'), ['incomingcall', 'answer', 'speak', 'dtmf', 'gather', 'redirect', 'transferComplete']);
});

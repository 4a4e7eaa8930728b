import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipInfoDtmf } from './dtmf-sip-info.js';
import { UnsupportedFormatError } from './errors.js';

test('application/dtmf-relay bodies', () => {
  assert.deepEqual(parseSipInfoDtmf('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n'), { digit: '5', durationMs: 160 });
  assert.deepEqual(parseSipInfoDtmf('Application/DTMF-Relay; charset=x', 'signal = #\nduration=250'), { digit: '#', durationMs: 250 });
  assert.deepEqual(parseSipInfoDtmf('application/dtmf-relay', 'Signal=10\r\n'), { digit: '*', durationMs: 160 });
  assert.deepEqual(parseSipInfoDtmf('application/dtmf-relay', 'Signal=a\r\nDuration=x\r\n'), { digit: 'A', durationMs: 160 });
});

test('application/dtmf bodies', () => {
  assert.deepEqual(parseSipInfoDtmf('application/dtmf', '7'), { digit: '7', durationMs: 160 });
  assert.deepEqual(parseSipInfoDtmf('application/dtmf', ' 11 \r\n'), { digit: '#', durationMs: 160 });
});

test('anything else is an UnsupportedFormatError naming the problem', () => {
  assert.throws(() => parseSipInfoDtmf('application/dtmf-relay', 'Duration=160'), UnsupportedFormatError);
  assert.throws(() => parseSipInfoDtmf('application/dtmf', 'xy'), UnsupportedFormatError);
  assert.throws(() => parseSipInfoDtmf('application/sdp', 'v=0'), /does not carry DTMF/);
});

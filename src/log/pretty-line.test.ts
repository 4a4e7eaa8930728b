import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prettyLine } from './pretty-line.js';

test('a JSON log line becomes time, level, message and flattened fields', () => {
  const line = JSON.stringify({ level: 30, time: '2026-12-07T09:41:21.623Z', pid: 1, name: 'ringside', http: { host: '127.0.0.1', port: 8080 }, note: 'two words', msg: 'ringside started' });
  assert.equal(prettyLine(line), '09:41:21.623 INFO  ringside started  http.host=127.0.0.1 http.port=8080 note="two words"');
});

test('an error keeps its stack, indented under the line', () => {
  const line = JSON.stringify({ level: 50, time: '2026-12-07T09:41:21.623Z', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' }, msg: 'request failed' });
  assert.equal(prettyLine(line), '09:41:21.623 ERROR request failed  err.type=Error err.message=boom\n    Error: boom\n        at x');
});

test('a line that is not JSON passes unchanged', () => {
  assert.equal(prettyLine('not json'), 'not json');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypedEmitter } from './typed-emitter.js';

type Events = { digit: [d: string]; done: [] };

test('a listener that throws does not stop the others; the error is re-emitted as listenererror', () => {
  const e = new TypedEmitter<Events>();
  const seen: string[] = [];
  const errors: [string, unknown][] = [];
  e.on('digit', () => {
    throw new Error('boom');
  });
  e.on('digit', (d) => seen.push(d));
  e.on('listenererror', (ev, err) => errors.push([ev, err]));
  assert.equal(e.emit('digit', '5'), true);
  assert.deepEqual(seen, ['5']);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]![0], 'digit');
  // A throwing error handler is contained too.
  e.on('listenererror', () => {
    throw new Error('again');
  });
  assert.doesNotThrow(() => e.emit('digit', '6'));
  assert.deepEqual(seen, ['5', '6']);
});

test('once and off', () => {
  const e = new TypedEmitter<Events>();
  let n = 0;
  e.once('done', () => n++);
  e.emit('done');
  e.emit('done');
  assert.equal(n, 1);
  const l = (): void => {
    n++;
  };
  e.on('done', l).off('done', l);
  assert.equal(e.emit('done'), false);
});

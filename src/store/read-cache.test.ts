import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache } from './read-cache.js';

test('a value is loaded once, frozen to its leaves, and loaded again after delete or clear', () => {
  const cache = new ReadCache();
  let loads = 0;
  const load = () => (loads++, { user: { name: 'Alice', tags: ['a'] } });
  const v = cache.get('k', load)!;
  assert.equal(cache.get('k', load), v);
  assert.equal(loads, 1);
  assert.ok(Object.isFrozen(v) && Object.isFrozen(v.user) && Object.isFrozen(v.user.tags));
  cache.delete('k');
  cache.get('k', load);
  cache.clear();
  cache.get('k', load);
  assert.equal(loads, 3);
});

test('what is not found is not kept, and the cache never holds more than its bound', () => {
  const cache = new ReadCache(3);
  let loads = 0;
  for (let i = 0; i < 2; i++) assert.equal(cache.get('missing', () => void loads++), undefined);
  assert.equal(loads, 2, 'a missing row is asked for each time');
  for (let i = 0; i < 10; i++) cache.get(`k${i}`, () => i);
  assert.ok(cache.size <= 3);
});

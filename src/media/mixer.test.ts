import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conference, mixFrames } from './mixer.js';

const f = (v: number): Int16Array => new Int16Array(160).fill(v);

test('each member hears the sum of the others, not itself', () => {
  const [a, b, c] = mixFrames([f(100), f(200), f(400)]);
  assert.equal(a![0], 600);
  assert.equal(b![0], 500);
  assert.equal(c![0], 300);
});

test('sums are clipped to 16 bits', () => {
  const out = mixFrames([f(30000), f(30000), f(30000)]);
  assert.equal(out[0]![0], 32767);
  const neg = mixFrames([f(-30000), f(-30000), f(-30000)]);
  assert.equal(neg[0]![0], -32768);
});

test('a member that contributes nothing (muted, held) still hears everyone', () => {
  const [a, b, m] = mixFrames([f(100), f(200), null]);
  assert.equal(a![0], 200);
  assert.equal(b![0], 100);
  assert.equal(m![0], 300);
});

test('Conference: muted members are not heard, held members neither hear nor are heard', async () => {
  const conf = new Conference('c1');
  const heard = new Map<string, number[]>();
  const send = (id: string) => (frame: Int16Array): void => {
    heard.set(id, [...(heard.get(id) ?? []), frame[80]!]);
  };
  for (const id of ['a', 'b', 'c']) conf.join(id, send(id));
  conf.setMuted('b', true);
  conf.setHeld('c', true);
  // Feed 10 frames of constant audio from each member (timestamps advancing by 160).
  const level: Record<string, number> = { a: 1000, b: 2000, c: 4000 };
  for (let i = 0; i < 10; i++) for (const id of ['a', 'b', 'c']) conf.feed(id, 1, i * 160, f(level[id]!));
  await new Promise((r) => setTimeout(r, 160));
  conf.close();
  const last = (id: string): number | undefined => heard.get(id)?.filter((v) => v !== 0).at(-1);
  assert.equal(last('a'), undefined); // b is muted and c held: a hears nothing
  assert.equal(last('b'), 1000); // b hears a only
  assert.equal(heard.get('c'), undefined); // c, held, is sent nothing
});

test('Conference: a source (audio played into the conference) is heard by every member not held, and hears nothing', async () => {
  const conf = new Conference('c2');
  const heard = new Map<string, number[]>();
  const send = (id: string) => (frame: Int16Array): void => {
    heard.set(id, [...(heard.get(id) ?? []), frame[80]!]);
  };
  for (const id of ['a', 'b', 'h']) conf.join(id, send(id));
  conf.setHeld('h', true);
  conf.addSource('tone');
  for (let i = 0; i < 10; i++) {
    conf.feedSource('tone', i, f(700));
    conf.feed('a', 1, i * 160, f(1000));
  }
  await new Promise((r) => setTimeout(r, 160));
  conf.removeSource('tone');
  conf.close();
  const levels = (id: string): Set<number> => new Set(heard.get(id)?.filter((v) => v !== 0));
  assert.ok(levels('a').has(700) && !levels('a').has(1700), 'a hears the source, not itself');
  assert.ok(levels('b').has(1700), 'b hears a and the source together');
  assert.equal(heard.get('h'), undefined);
});

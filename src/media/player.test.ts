import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Player, type PlayItem } from './player.js';

function load(item: PlayItem): Promise<Int16Array> {
  if ('samples' in item) return Promise.resolve(item.samples);
  if ('silenceMs' in item) return Promise.resolve(new Int16Array(item.silenceMs * 8));
  return Promise.reject(new Error(`cannot load ${JSON.stringify(item)}`));
}

test('a playlist plays its items in order, in 160-sample frames, frame indexes +1', async () => {
  const sent: { first: number; n: number }[] = [];
  const p = new Player({
    items: [{ samples: new Int16Array(320).fill(1) }, { samples: new Int16Array(240).fill(2) }, { samples: new Int16Array(80).fill(3) }],
    load,
    send: (f, n) => sent.push({ first: f[0]!, n }),
  });
  assert.equal(await p.play(), 'done');
  // Each item starts on a frame boundary: item 2's last frame (80 samples) is padded with silence.
  assert.deepEqual(sent.map((s) => s.first), [1, 1, 2, 2, 3]);
  assert.deepEqual(sent.map((s) => s.n), [0, 1, 2, 3, 4]);
});

test('stop() ends with `stopped`; a failing item ends with `error`; empty is `done`', async () => {
  const long = new Player({ items: [{ silenceMs: 5000 }], load, send: () => undefined });
  const r = long.play();
  setTimeout(() => long.stop(), 60);
  assert.equal(await r, 'stopped');
  const errors: Error[] = [];
  const bad = new Player({ items: [{ samples: new Int16Array(160) }, { file: '/nope.wav' }], load, send: () => undefined });
  bad.on('finished', (_o, e) => e && errors.push(e));
  assert.equal(await bad.play(), 'error');
  assert.match(errors[0]!.message, /cannot load/);
  assert.equal(await new Player({ items: [], load, send: () => undefined }).play(), 'done');
});

test('loop repeats the playlist until stopped', async () => {
  let frames = 0;
  const p = new Player({ items: [{ samples: new Int16Array(160) }], load, send: () => frames++, loop: true });
  const r = p.play();
  await new Promise((res) => setTimeout(res, 150));
  p.stop();
  assert.equal(await r, 'stopped');
  assert.ok(frames >= 5, `${frames} frames`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTMF_OUT_PATTERN, dtmfSteps, sendDtmfString, type DtmfStep } from './dtmf-out.js';

test('dtmfSteps splits into digit runs and pauses (spec bandwidth §3.5: , and w 500 ms, W 1000 ms)', () => {
  const cases: [string, DtmfStep[]][] = [
    ['1', [{ digits: '1' }]],
    ['1234#', [{ digits: '1234#' }]],
    ['*9,1', [{ digits: '*9' }, { pauseMs: 500 }, { digits: '1' }]],
    ['1w2W3', [{ digits: '1' }, { pauseMs: 500 }, { digits: '2' }, { pauseMs: 1000 }, { digits: '3' }]],
    [',,wW', [{ pauseMs: 2500 }]],
    ['W1', [{ pauseMs: 1000 }, { digits: '1' }]],
    ['ABCD0#*', [{ digits: 'ABCD0#*' }]],
    ['12,', [{ digits: '12' }, { pauseMs: 500 }]],
  ];
  for (const [s, want] of cases) assert.deepEqual(dtmfSteps(s), want, s);
});

test('dtmfSteps refuses what the pattern refuses: empty, over 92 characters, other characters', () => {
  assert.deepEqual(dtmfSteps('1'.repeat(92)), [{ digits: '1'.repeat(92) }]);
  for (const bad of ['', '1'.repeat(93), 'a', 'E', '1 2', '1-2', 'x', 'p']) {
    assert.equal(DTMF_OUT_PATTERN.test(bad), false, bad);
    assert.throws(() => dtmfSteps(bad), RangeError, bad);
  }
});

/** A fake sleep on a manual clock: the test moves time; an abort rejects as node:timers/promises does. */
function manualClock() {
  let now = 0;
  const waiting: { until: number; resolve: () => void }[] = [];
  return {
    get now() {
      return now;
    },
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve, reject) => {
        const w = { until: now + ms, resolve };
        waiting.push(w);
        signal?.addEventListener('abort', () => {
          waiting.splice(waiting.indexOf(w), 1);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        });
      });
    },
    async advance(ms: number): Promise<void> {
      now += ms;
      for (const w of waiting.filter((x) => x.until <= now)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
      await new Promise((r) => setImmediate(r));
    },
    get pending(): number {
      return waiting.length;
    },
  };
}

test('sendDtmfString sends each run after the pauses before it, in order', async () => {
  const clock = manualClock();
  const sent: [number, string][] = [];
  const done = sendDtmfString('12,3W#', {
    sendDigits: async (d) => void sent.push([clock.now, d]),
    sleep: (ms, signal) => clock.sleep(ms, signal),
  });
  await clock.advance(0);
  assert.deepEqual(sent, [[0, '12']]);
  await clock.advance(499);
  assert.deepEqual(sent, [[0, '12']]);
  await clock.advance(1);
  assert.deepEqual(sent, [[0, '12'], [500, '3']]);
  await clock.advance(1000);
  assert.equal(await done, true);
  assert.deepEqual(sent, [[0, '12'], [500, '3'], [1500, '#']]);
});

test('sendDtmfString stops at an abort during a pause and sends nothing after it', async () => {
  const clock = manualClock();
  const ac = new AbortController();
  const sent: string[] = [];
  const done = sendDtmfString('1W2', { sendDigits: async (d) => void sent.push(d), sleep: (ms, s) => clock.sleep(ms, s), signal: ac.signal });
  await clock.advance(300);
  ac.abort();
  assert.equal(await done, false);
  await clock.advance(5000);
  assert.deepEqual(sent, ['1']);
  assert.equal(clock.pending, 0);
});

test('sendDtmfString finishes the run being sent, then stops; an abort before the start sends nothing', async () => {
  const ac = new AbortController();
  const sent: string[] = [];
  const r = await sendDtmfString('12,3', {
    sendDigits: async (d) => {
      sent.push(d);
      ac.abort(); // hang-up while the first run goes out
    },
    sleep: async () => assert.fail('no pause after an abort'),
    signal: ac.signal,
  });
  assert.equal(r, false);
  assert.deepEqual(sent, ['12']);
  assert.equal(await sendDtmfString('9', { sendDigits: async () => assert.fail('sent after abort'), signal: AbortSignal.abort() }), false);
});

test('sendDtmfString with the default sleep: real pauses, cut short by an abort', async () => {
  const sent: string[] = [];
  const t0 = Date.now();
  assert.equal(await sendDtmfString('1,2', { sendDigits: async (d) => void sent.push(d) }), true);
  assert.ok(Date.now() - t0 >= 490, 'the comma paused ~500 ms');
  assert.deepEqual(sent, ['1', '2']);
  const t1 = Date.now();
  const r = await sendDtmfString('3W4', { sendDigits: async (d) => void sent.push(d), signal: AbortSignal.timeout(30) });
  assert.equal(r, false);
  assert.ok(Date.now() - t1 < 500, 'the 1 s pause was cut short');
  assert.deepEqual(sent, ['1', '2', '3']);
});

test('sendDtmfString passes on a send failure', async () => {
  await assert.rejects(
    sendDtmfString('1,2', {
      sendDigits: async () => {
        throw new Error('leg gone');
      },
    }),
    /leg gone/,
  );
});

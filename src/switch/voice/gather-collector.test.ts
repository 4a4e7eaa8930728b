import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatherCollector, type GatherCollectorOptions, type GatherResult, type GatherTimers } from './gather-collector.js';

/** A manual clock: timers fire only when the test advances time. */
class ManualTimers implements GatherTimers {
  now = 0;
  #next = 1;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

function collector(o: GatherCollectorOptions = {}) {
  const timers = new ManualTimers();
  const results: GatherResult[] = [];
  const firsts: number[] = [];
  const c = new GatherCollector({ timers, onResult: (r) => results.push(r), onFirstDigit: () => firsts.push(timers.now), ...o });
  return { c, timers, results, firsts };
}

function press(c: GatherCollector, digits: string): void {
  for (const d of digits) c.digit(d);
}

test('terminating digit (default #) ends it and is not part of digits (spec bandwidth §2.10)', async () => {
  const { c, results } = collector();
  press(c, '4821#');
  assert.deepEqual(results, [{ reason: 'terminating-digit', digits: '4821', terminatingDigit: '#' }]);
  assert.deepEqual(await c.result, results[0]);
});

test('any of several terminating digits ends it; a terminator as first digit gives no digits', () => {
  const a = collector({ terminatingDigits: '*5' });
  press(a.c, '1#25');
  assert.deepEqual(a.results, [{ reason: 'terminating-digit', digits: '1#2', terminatingDigit: '5' }]);
  const b = collector({ terminatingDigits: '*5' });
  press(b.c, '*');
  assert.deepEqual(b.results, [{ reason: 'terminating-digit', digits: '', terminatingDigit: '*' }]);
  const none = collector({ terminatingDigits: '', maxDigits: 3 });
  press(none.c, '#*#');
  assert.deepEqual(none.results, [{ reason: 'max-digits', digits: '#*#' }]);
});

test('maxDigits ends it at the last digit; the terminator wins over maxDigits when it is pressed', () => {
  const a = collector({ maxDigits: 3 });
  press(a.c, '123');
  assert.deepEqual(a.results, [{ reason: 'max-digits', digits: '123' }]);
  const b = collector({ maxDigits: 3 });
  press(b.c, '12#');
  assert.deepEqual(b.results, [{ reason: 'terminating-digit', digits: '12', terminatingDigit: '#' }]);
});

test('inter-digit timeout runs from the start, before the first digit (spec bandwidth §2.10)', () => {
  const { c, timers, results } = collector({ interDigitTimeoutMs: 3000 });
  timers.advance(2999);
  assert.equal(results.length, 0);
  timers.advance(1);
  assert.deepEqual(results, [{ reason: 'inter-digit-timeout', digits: '' }]);
  assert.equal(c.digit('1'), false, 'inert after the result');
  assert.equal(timers.pending.size, 0);
});

test('each digit restarts the inter-digit timer (default 5 s)', () => {
  const { c, timers, results } = collector();
  timers.advance(4000);
  c.digit('1');
  timers.advance(4000);
  c.digit('2');
  timers.advance(4999);
  assert.equal(results.length, 0);
  timers.advance(1);
  assert.deepEqual(results, [{ reason: 'inter-digit-timeout', digits: '12' }]);
  assert.equal(timers.now, 13_000);
});

test('deferTimer: no timeout while the prompt plays; startTimer() starts it once', () => {
  const { c, timers, results } = collector({ deferTimer: true, interDigitTimeoutMs: 1000 });
  timers.advance(60_000);
  assert.equal(results.length, 0);
  c.startTimer();
  timers.advance(500);
  c.startTimer(); // a second call does not extend it
  timers.advance(500);
  assert.deepEqual(results, [{ reason: 'inter-digit-timeout', digits: '' }]);
});

test('deferTimer: the first digit interrupts the prompt and arms the timer; the prompt ending after does not extend it', () => {
  const { c, timers, results, firsts } = collector({ deferTimer: true, interDigitTimeoutMs: 1000 });
  timers.advance(2000);
  c.digit('7');
  assert.deepEqual(firsts, [2000]);
  timers.advance(600);
  c.startTimer(); // the interrupted prompt reports its end
  timers.advance(400);
  assert.deepEqual(results, [{ reason: 'inter-digit-timeout', digits: '7' }]);
});

test('onFirstDigit is called once, at the first digit, before the result it causes', () => {
  const order: string[] = [];
  const c = new GatherCollector({ timers: new ManualTimers(), maxDigits: 1, onFirstDigit: () => order.push('first'), onResult: (r) => order.push(r.reason) });
  c.digit('5');
  c.digit('6');
  assert.deepEqual(order, ['first', 'max-digits']);
  const { c: c2, firsts } = collector();
  press(c2, '123');
  assert.equal(firsts.length, 1);
});

test('hang-up and stop give hung-up and cancelled with the digits so far; exactly one result', async () => {
  const a = collector();
  press(a.c, '98');
  a.c.hangUp();
  a.c.stop();
  a.c.digit('#');
  a.timers.advance(10_000);
  assert.deepEqual(a.results, [{ reason: 'hung-up', digits: '98' }]);
  assert.deepEqual(a.c.done, { reason: 'hung-up', digits: '98' });
  const b = collector();
  b.c.digit('1');
  b.c.stop();
  b.c.hangUp();
  b.c.startTimer();
  b.timers.advance(10_000);
  assert.deepEqual(b.results, [{ reason: 'cancelled', digits: '1' }]);
  assert.deepEqual(await b.c.result, { reason: 'cancelled', digits: '1' });
  assert.equal(b.timers.pending.size, 0);
});

test('stopping from onFirstDigit ends the gather without taking the digit', () => {
  const timers = new ManualTimers();
  const results: GatherResult[] = [];
  const c: GatherCollector = new GatherCollector({ timers, onFirstDigit: () => c.stop(), onResult: (r) => results.push(r) });
  assert.equal(c.digit('3'), true);
  assert.deepEqual(results, [{ reason: 'cancelled', digits: '' }]);
});

test('digits: A-D and a-d taken, other characters refused without effect', () => {
  const { c, timers, results } = collector({ interDigitTimeoutMs: 1000 });
  timers.advance(900);
  assert.equal(c.digit('x'), false);
  assert.equal(c.digit('12'), false);
  assert.equal(c.digit(''), false);
  timers.advance(100);
  assert.deepEqual(results, [{ reason: 'inter-digit-timeout', digits: '' }], 'a refused character does not restart the timer');
  const d = collector({ terminatingDigits: 'd' });
  press(d.c, 'a*B0d');
  assert.deepEqual(d.results, [{ reason: 'terminating-digit', digits: 'A*B0', terminatingDigit: 'D' }]);
});

test('options outside the spec are refused (spec bandwidth §3.5: maxDigits at most 30)', () => {
  for (const o of [{ maxDigits: 0 }, { maxDigits: 31 }, { maxDigits: 2.5 }, { interDigitTimeoutMs: 0 }, { interDigitTimeoutMs: NaN }, { terminatingDigits: '#x' }]) {
    assert.throws(() => new GatherCollector({ timers: new ManualTimers(), ...o }), RangeError, JSON.stringify(o));
  }
  const { c, results } = collector({ maxDigits: 30 });
  press(c, '1'.repeat(30));
  assert.deepEqual(results, [{ reason: 'max-digits', digits: '1'.repeat(30) }]);
});

test('with the real timers', async () => {
  const c = new GatherCollector({ interDigitTimeoutMs: 30 });
  c.digit('1');
  assert.deepEqual(await c.result, { reason: 'inter-digit-timeout', digits: '1' });
});

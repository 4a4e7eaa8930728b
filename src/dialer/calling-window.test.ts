/**
 * Calling windows (calling-window.ts): inside or not, windows across midnight, the next opening across the
 * DST changes of Riga and New York (the skipped and the repeated hour), and, on random windows, zones and
 * instants, the next opening against a minute-by-minute scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstInstantAtWall, inWindow, nextOpening, windowHours } from './calling-window.js';
import type { CallingWindow } from './campaign-types.js';
import { WEEKDAYS } from './campaign-types.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const office: CallingWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' };

test('inside a daytime window, [from, to) in local time', () => {
  assert.equal(inWindow(office, 'Europe/Riga', ms('2026-12-07T06:59:00Z')), false); // Mon 08:59 EET
  assert.equal(inWindow(office, 'Europe/Riga', ms('2026-12-07T07:00:00Z')), true); // Mon 09:00
  assert.equal(inWindow(office, 'Europe/Riga', ms('2026-12-07T15:59:59Z')), true); // Mon 17:59
  assert.equal(inWindow(office, 'Europe/Riga', ms('2026-12-07T16:00:00Z')), false); // Mon 18:00
  assert.equal(inWindow(office, 'Europe/Riga', ms('2026-12-05T10:00:00Z')), false); // Saturday
});

test('a window whose end is before its start spans midnight into the next day', () => {
  const night: CallingWindow = { days: ['mon'], from: '22:00', to: '06:00' };
  assert.deepEqual(windowHours(night).weekly, [
    { days: ['mon'], from: '22:00', to: '24:00' },
    { days: ['tue'], from: '00:00', to: '06:00' },
  ]);
  assert.equal(inWindow(night, 'UTC', ms('2026-12-07T21:59:00Z')), false); // Mon 21:59
  assert.equal(inWindow(night, 'UTC', ms('2026-12-07T22:00:00Z')), true);
  assert.equal(inWindow(night, 'UTC', ms('2026-12-08T05:59:00Z')), true); // Tue 05:59
  assert.equal(inWindow(night, 'UTC', ms('2026-12-08T06:00:00Z')), false);
  assert.equal(inWindow(night, 'UTC', ms('2026-12-08T23:00:00Z')), false, 'Tuesday night is not Monday night');
  assert.equal(inWindow(night, 'UTC', ms('2026-12-07T03:00:00Z')), false, 'Monday 03:00 belongs to Sunday night');
  assert.equal(iso(nextOpening(night, 'UTC', ms('2026-12-08T07:00:00Z'))), '2026-12-14T22:00:00.000Z');
  const sunToMon: CallingWindow = { days: ['sun'], from: '20:00', to: '00:00' };
  assert.deepEqual(windowHours(sunToMon).weekly, [{ days: ['sun'], from: '20:00', to: '24:00' }], 'ending at midnight adds nothing the next day');
});

test('next opening: now when inside; else the next start, over the weekend', () => {
  assert.equal(nextOpening(office, 'Europe/Riga', ms('2026-12-07T08:00:30Z')), ms('2026-12-07T08:00:30Z'));
  assert.equal(iso(nextOpening(office, 'Europe/Riga', ms('2026-12-07T05:00:00Z'))), '2026-12-07T07:00:00.000Z'); // Mon 07:00 → 09:00
  assert.equal(iso(nextOpening(office, 'Europe/Riga', ms('2026-12-11T16:30:00Z'))), '2026-12-14T07:00:00.000Z'); // Fri 18:30 → Mon
  assert.equal(iso(nextOpening({ ...office, days: ['wed'] }, 'Europe/Riga', ms('2026-12-09T16:00:00Z'))), '2026-12-16T07:00:00.000Z', 'a week on');
  assert.equal(nextOpening({ ...office, days: [] }, 'Europe/Riga', 0), undefined, 'no days: never');
  assert.equal(nextOpening({ ...office, to: '09:00' }, 'Europe/Riga', 0), undefined, 'from = to: never');
});

test('next opening across the spring change: 09:00 in Riga is 07:00 UTC before and 06:00 UTC after', () => {
  // EET (+2) until Sunday 2026-03-29 01:00 UTC, then EEST (+3).
  assert.equal(iso(nextOpening(office, 'Europe/Riga', ms('2026-03-27T17:00:00Z'))), '2026-03-30T06:00:00.000Z');
  assert.equal(iso(nextOpening(office, 'Europe/Riga', ms('2026-10-23T17:00:00Z'))), '2026-10-26T07:00:00.000Z', 'and back in October');
});

test('New York: a window opening in the skipped hour opens at the jump; in the repeated hour, the first time round', () => {
  // EST (-5) until Sunday 2026-03-08 07:00 UTC (02:00 → 03:00), EDT (-4) until Sunday 2026-11-01 06:00 UTC (02:00 → 01:00).
  const sunday = (from: string, to: string): CallingWindow => ({ days: ['sun'], from, to });
  assert.equal(iso(nextOpening(sunday('02:30', '05:00'), 'America/New_York', ms('2026-03-07T17:00:00Z'))), '2026-03-08T07:00:00.000Z'); // 03:00 EDT
  assert.equal(iso(nextOpening(sunday('02:10', '02:50'), 'America/New_York', ms('2026-03-07T17:00:00Z'))), '2026-03-15T06:10:00.000Z', 'wholly skipped: next Sunday');
  assert.equal(iso(nextOpening(sunday('01:30', '04:00'), 'America/New_York', ms('2026-10-31T17:00:00Z'))), '2026-11-01T05:30:00.000Z'); // 01:30 EDT
  assert.equal(inWindow(sunday('01:30', '04:00'), 'America/New_York', ms('2026-11-01T06:15:00Z')), false, '01:15 EST, the second time round: before 01:30');
  assert.equal(inWindow(sunday('01:30', '04:00'), 'America/New_York', ms('2026-11-01T06:30:00Z')), true, '01:30 EST: open again');
});

test('firstInstantAtWall: ordinary, skipped and repeated wall times', () => {
  const wall = (s: string) => ms(`${s}Z`);
  assert.equal(iso(firstInstantAtWall('Europe/Riga', wall('2026-07-01T09:00:00'))), '2026-07-01T06:00:00.000Z');
  assert.equal(iso(firstInstantAtWall('America/New_York', wall('2026-03-08T02:30:00'))), '2026-03-08T07:00:00.000Z');
  assert.equal(iso(firstInstantAtWall('America/New_York', wall('2026-11-01T01:30:00'))), '2026-11-01T05:30:00.000Z');
  assert.equal(iso(firstInstantAtWall('Asia/Kathmandu', wall('2026-07-01T09:00:00'))), '2026-07-01T03:15:00.000Z', '+05:45');
});

const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const window: fc.Arbitrary<CallingWindow> = fc
  .record({ days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }), from: clock, to: clock })
  .filter((w) => w.from !== w.to);
const zone = fc.constantFrom('UTC', 'Europe/Riga', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago', 'Pacific/Chatham');
// Instants around the 2026 DST changes of those zones, and elsewhere in the year.
const instant = fc.oneof(
  fc.constantFrom('2026-03-06', '2026-03-27', '2026-04-03', '2026-09-04', '2026-10-23', '2026-10-30').chain((d) => fc.integer({ min: 0, max: 3 * 24 * 60 }).map((m) => ms(`${d}T00:00:00Z`) + m * 60_000)),
  fc.integer({ min: ms('2026-01-01T00:00:00Z') / 60_000, max: ms('2026-12-31T00:00:00Z') / 60_000 }).map((m) => m * 60_000),
);

test('random windows, zones and instants: the next opening is open, not before the instant, and no minute between is open', () => {
  fc.assert(
    fc.property(window, zone, instant, (w, tz, at) => {
      const t = nextOpening(w, tz, at);
      assert.notEqual(t, undefined);
      assert.ok(t! >= at);
      assert.equal(inWindow(w, tz, t!), true);
      for (let m = at; m < t!; m += 60_000) assert.equal(inWindow(w, tz, m), false, `open at ${iso(m)} before ${iso(t)}`);
    }),
    { numRuns: 60 },
  );
});

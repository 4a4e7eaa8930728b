import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOpen, isValidTimezone, localTime, parseClock } from './office-hours.js';
import type { OfficeHours } from './flow-types.js';

const weekdays: OfficeHours = { weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] };
const at = (iso: string) => new Date(iso);

test('Europe/Riga: 09:00 local is 07:00 UTC before the spring change and 06:00 UTC after it', () => {
  // EET (+2) until Sunday 2026-03-29 01:00 UTC, then EEST (+3).
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-03-27T06:59:00Z')), false); // Fri 08:59
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-03-27T07:00:00Z')), true); // Fri 09:00
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-03-30T05:59:00Z')), false); // Mon 08:59
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-03-30T06:00:00Z')), true); // Mon 09:00
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-03-30T13:59:00Z')), true); // Mon 16:59
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-03-30T14:00:00Z')), false); // Mon 17:00
});

test('Europe/Riga: a range across the spring-forward hour follows the wall clock', () => {
  const night: OfficeHours = { weekly: [{ days: ['sun'], from: '02:00', to: '05:00' }] };
  assert.equal(isOpen(night, 'Europe/Riga', at('2026-03-29T00:30:00Z')), true); // 02:30 EET
  assert.equal(isOpen(night, 'Europe/Riga', at('2026-03-29T01:30:00Z')), true); // 04:30 EEST
  assert.equal(isOpen(night, 'Europe/Riga', at('2026-03-29T02:00:00Z')), false); // 05:00 EEST
  // Autumn: EEST until 2026-10-25 01:00 UTC; 09:00 local is then 07:00 UTC again.
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-10-23T06:00:00Z')), true); // Fri 09:00 EEST
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-10-26T06:00:00Z')), false); // Mon 08:00 EET
  assert.equal(isOpen(weekdays, 'Europe/Riga', at('2026-10-26T07:00:00Z')), true); // Mon 09:00 EET
});

test('America/New_York: 09:00 local moves from 14:00 to 13:00 UTC in March and back in November', () => {
  // EST (-5) until Sunday 2026-03-08 07:00 UTC, EDT (-4) until Sunday 2026-11-01 06:00 UTC.
  assert.equal(isOpen(weekdays, 'America/New_York', at('2026-03-06T13:30:00Z')), false); // Fri 08:30 EST
  assert.equal(isOpen(weekdays, 'America/New_York', at('2026-03-09T13:30:00Z')), true); // Mon 09:30 EDT
  assert.equal(isOpen(weekdays, 'America/New_York', at('2026-10-30T13:30:00Z')), true); // Fri 09:30 EDT
  assert.equal(isOpen(weekdays, 'America/New_York', at('2026-11-02T13:30:00Z')), false); // Mon 08:30 EST
  assert.equal(isOpen(weekdays, 'America/New_York', at('2026-11-02T14:00:00Z')), true); // Mon 09:00 EST
});

test('America/New_York: the repeated autumn hour is open both times; the skipped spring hour never occurs', () => {
  const oneAm: OfficeHours = { weekly: [{ days: ['sun'], from: '01:00', to: '02:00' }] };
  assert.equal(isOpen(oneAm, 'America/New_York', at('2026-11-01T05:30:00Z')), true); // 01:30 EDT
  assert.equal(isOpen(oneAm, 'America/New_York', at('2026-11-01T06:30:00Z')), true); // 01:30 EST
  assert.equal(isOpen(oneAm, 'America/New_York', at('2026-11-01T07:00:00Z')), false); // 02:00 EST
  const twoAm: OfficeHours = { weekly: [{ days: ['sun'], from: '02:00', to: '03:00' }] };
  assert.equal(isOpen(twoAm, 'America/New_York', at('2026-03-08T06:59:00Z')), false); // 01:59 EST
  assert.equal(isOpen(twoAm, 'America/New_York', at('2026-03-08T07:00:00Z')), false); // 03:00 EDT
});

test('a holiday closes the whole local date, judged in the timezone, not in UTC', () => {
  const hours: OfficeHours = {
    weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '00:00', to: '24:00' }],
    holidays: ['2026-12-25'],
  };
  assert.equal(isOpen(hours, 'America/New_York', at('2026-12-25T03:00:00Z')), true); // Thu 24th 22:00 EST
  assert.equal(isOpen(hours, 'America/New_York', at('2026-12-25T05:00:00Z')), false); // Fri 25th 00:00 EST
  assert.equal(isOpen(hours, 'America/New_York', at('2026-12-26T04:59:00Z')), false); // Fri 25th 23:59 EST
  assert.equal(isOpen(hours, 'Europe/Riga', at('2026-12-24T22:00:00Z')), false); // Fri 25th 00:00 EET
  assert.equal(isOpen(hours, 'Europe/Riga', at('2026-12-24T21:59:00Z')), true); // Thu 24th 23:59 EET
});

test('a night shift is two ranges, and 24:00 ends a day', () => {
  const night: OfficeHours = {
    weekly: [
      { days: ['mon'], from: '22:00', to: '24:00' },
      { days: ['tue'], from: '00:00', to: '06:00' },
    ],
  };
  assert.equal(isOpen(night, 'UTC', at('2026-12-07T21:59:00Z')), false);
  assert.equal(isOpen(night, 'UTC', at('2026-12-07T23:59:00Z')), true);
  assert.equal(isOpen(night, 'UTC', at('2026-12-08T00:00:00Z')), true);
  assert.equal(isOpen(night, 'UTC', at('2026-12-08T06:00:00Z')), false);
});

test('localTime, parseClock and isValidTimezone', () => {
  assert.deepEqual(localTime('Europe/Riga', at('2026-12-07T22:30:00Z')), { date: '2026-12-08', weekday: 'tue', minutes: 30 });
  assert.equal(parseClock('00:00'), 0);
  assert.equal(parseClock('24:00'), 1440);
  for (const bad of ['24:01', '9:00', '12:60', '', 'noon']) assert.equal(parseClock(bad), undefined, bad);
  assert.equal(isValidTimezone('Europe/Riga'), true);
  assert.equal(isValidTimezone('Mars/Olympus_Mons'), false);
  assert.equal(isValidTimezone(''), false);
  assert.equal(isValidTimezone('+02:00'), false);
});

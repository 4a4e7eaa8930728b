/**
 * A campaign's calling window (docs/call-centre.md, "A campaign": `window`): whether contacts may be called
 * at an instant, and the next instant they may. Pure: the caller passes the clock and the timezone (the
 * window's, else the account's).
 *
 * The wall clock is the office-hours one (config/call-flow/office-hours.ts: Intl.DateTimeFormat, so DST
 * needs no arithmetic; dialer/ may import switch/, both rank 4 in scripts/layers.mjs). A window is turned
 * into office-hours ranges: `from`–`to` on `days`; when `to` is before `from` it spans midnight, so it
 * becomes `from`–`24:00` on `days` and `00:00`–`to` on the day after each of them (Monday 22:00–06:00 is
 * open until Tuesday 06:00). Ranges are `[from, to)`.
 *
 * The next opening is found exactly, not by stepping: for each local date ahead it takes each range's
 * start and converts that wall time to an instant — the first instant whose wall time is at or past it.
 * So on the spring-forward day a window opening in the skipped hour (02:30 in New York) opens when the clock
 * jumps (03:00 EDT); on the autumn day one opening in the repeated hour opens the first time round.
 */
import { isOpen, localTime, parseClock } from '../config/call-flow/office-hours.js';
import type { OfficeHours, WeeklyRange } from '../config/call-flow/flow-types.js';
import type { CallingWindow, Weekday } from './campaign-types.js';
import { WEEKDAYS } from './campaign-types.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The window as office-hours ranges (never spanning midnight). */
export function windowHours(window: CallingWindow): OfficeHours {
  const from = parseClock(window.from);
  const to = parseClock(window.to);
  if (from === undefined || to === undefined) throw new RangeError(`calling window ${window.from}–${window.to}: not HH:MM`);
  if (from <= to) return { weekly: [{ days: [...window.days], from: window.from, to: window.to }] };
  const weekly: WeeklyRange[] = [{ days: [...window.days], from: window.from, to: '24:00' }];
  if (to > 0) weekly.push({ days: window.days.map(nextDay), from: '00:00', to: window.to });
  return { weekly };
}

/** May contacts be called at `at` (ms since the epoch)? */
export function inWindow(window: CallingWindow, timezone: string, at: number): boolean {
  return isOpen(windowHours(window), timezone, new Date(at));
}

/** The first instant at or after `at` inside the window; undefined when the window never opens (no days,
 *  or `from` = `to`, which the REST refuses). */
export function nextOpening(window: CallingWindow, timezone: string, at: number): number | undefined {
  const hours = windowHours(window);
  if (isOpen(hours, timezone, new Date(at))) return at;
  const today = localTime(timezone, new Date(at)).date;
  // Eight local dates cover every weekday once after today's.
  for (let d = 0; d <= 8; d++) {
    const date = addDays(today, d);
    const weekday = weekdayOf(date);
    let best: number | undefined;
    for (const range of hours.weekly) {
      if (!range.days.includes(weekday)) continue;
      const start = firstInstantAtWall(timezone, Date.parse(`${date}T00:00:00Z`) + parseClock(range.from)! * MINUTE);
      // A range wholly inside a skipped DST hour never opens; one opening before `at` is today's, gone.
      if (start >= at && (best === undefined || start < best) && isOpen(hours, timezone, new Date(start))) best = start;
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

/** The first instant whose wall time in `timezone` is at or past `wall` (a wall time written as if UTC). */
export function firstInstantAtWall(timezone: string, wall: number): number {
  // At most one offset change lies within a day of `wall`: the instant is `wall` minus one of the two offsets.
  const candidates = [wall - offsetAt(timezone, wall - DAY), wall - offsetAt(timezone, wall + DAY)].sort((a, b) => a - b);
  for (const t of candidates) if (wallAt(timezone, t) === wall) return t;
  // `wall` is skipped (spring forward): the answer is the jump, between the two candidates. Search by minute.
  let lo = candidates[0]!; // wall time before `wall`
  let hi = candidates[1]!; // wall time past it
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (wallAt(timezone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The wall time at `t` (to the minute), written as if it were UTC. */
function wallAt(timezone: string, t: number): number {
  const local = localTime(timezone, new Date(t));
  return Date.parse(`${local.date}T00:00:00Z`) + local.minutes * MINUTE;
}

/** Wall time minus true time at `t`: +3 h in Riga in summer. */
function offsetAt(timezone: string, t: number): number {
  const minute = Math.floor(t / MINUTE) * MINUTE;
  return wallAt(timezone, minute) - minute;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function weekdayOf(date: string): Weekday {
  // 1970-01-01 was a Thursday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY) + 3) % 7]!;
}

function nextDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 1) % 7]!;
}

/**
 * Office hours of a `time` node, evaluated at an instant in an IANA timezone. Pure: the caller passes the
 * clock. The local wall time comes from Intl.DateTimeFormat, so DST changes need no arithmetic here: at
 * 09:30 local it is 09:30 local whether the offset is +2 or +3.
 *
 * Ranges are [from, to) in local wall time and never span midnight (validate-flow.ts refuses `from >= to`).
 * On a DST day a wall time that does not exist (02:30 in New York on the spring-forward day) is simply
 * never seen; a repeated one (01:30 in the autumn) is open or closed both times alike.
 */
import type { OfficeHours, Weekday } from './flow-types.js';

export interface LocalTime {
  /** `YYYY-MM-DD` in the timezone. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0–1439. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    // Throws RangeError for an unknown timezone (validate-flow.ts checks that before anything runs).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when `timezone` is an IANA zone this Node knows. A bare offset (`+02:00`, which newer Intl
 *  accepts) is refused: it has no DST rules, so it would be wrong half the year. */
export function isValidTimezone(timezone: string): boolean {
  if (!/^[A-Za-z]/.test(timezone)) return false;
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** `HH:MM` (or `24:00`) → minutes since midnight; undefined when ill-formed. */
export function parseClock(text: string): number | undefined {
  const m = /^([0-9]{2}):([0-9]{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return 1440;
  if (h > 23 || min > 59) return undefined;
  return h * 60 + min;
}

/** The wall clock in `timezone` at `at`. */
export function localTime(timezone: string, at: Date): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timezone).formatToParts(at)) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: (parts.weekday ?? '').toLowerCase().slice(0, 3) as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Is the office open at `at`? Holidays close the whole local date. */
export function isOpen(spec: OfficeHours, timezone: string, at: Date): boolean {
  const local = localTime(timezone, at);
  if (spec.holidays?.includes(local.date)) return false;
  return spec.weekly.some((range) => {
    if (!range.days.includes(local.weekday)) return false;
    const from = parseClock(range.from);
    const to = parseClock(range.to);
    return from !== undefined && to !== undefined && local.minutes >= from && local.minutes < to;
  });
}

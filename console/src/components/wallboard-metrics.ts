/**
 * The wallboard's figures from report entries (docs/realtime-api.md "Reports"): pure functions, so the
 * charts are a view of data anyone can recompute. Wait = answer − start for answered calls.
 */
import type { ReportEntry } from '../api/types';

export interface MinuteSeries {
  /** unix seconds of each minute */
  minutes: number[];
  answered: number[];
  missed: number[];
  /** average wait of the minute's answered calls, seconds (null: none answered) */
  avgWait: (number | null)[];
}

export interface GroupFigures {
  key: string;
  label: string;
  answered: number;
  missed: number;
  avgWait: number | null;
}

const isCall = (e: ReportEntry) => e.type === 'voicecall' && e.direction !== 'originate';
const answered = (e: ReportEntry) => Boolean(e.answer_time);
const waitSeconds = (e: ReportEntry) => (e.answer_time && e.start_time ? (Date.parse(e.answer_time) - Date.parse(e.start_time)) / 1000 : null);

export function perMinute(entries: ReportEntry[], now: number, minutes = 60): MinuteSeries {
  const end = Math.floor(now / 60_000) * 60;
  const out: MinuteSeries = { minutes: [], answered: [], missed: [], avgWait: [] };
  const waits: number[][] = [];
  for (let i = minutes - 1; i >= 0; i--) {
    out.minutes.push(end - i * 60);
    out.answered.push(0);
    out.missed.push(0);
    waits.push([]);
  }
  for (const e of entries.filter(isCall)) {
    const t = Math.floor(Date.parse(e.start_time ?? e.date) / 60_000) * 60;
    const i = out.minutes.indexOf(t);
    if (i < 0) continue;
    if (answered(e)) {
      out.answered[i]!++;
      const w = waitSeconds(e);
      if (w !== null) waits[i]!.push(w);
    } else out.missed[i]!++;
  }
  out.avgWait = waits.map((w) => (w.length ? w.reduce((a, b) => a + b, 0) / w.length : null));
  return out;
}

function group(entries: ReportEntry[], keyOf: (e: ReportEntry) => { key: string; label: string } | null): GroupFigures[] {
  const map = new Map<string, GroupFigures & { waits: number[] }>();
  for (const e of entries.filter(isCall)) {
    const k = keyOf(e);
    if (!k) continue;
    const g = map.get(k.key) ?? { ...k, answered: 0, missed: 0, avgWait: null, waits: [] };
    if (answered(e)) {
      g.answered++;
      const w = waitSeconds(e);
      if (w !== null) g.waits.push(w);
    } else g.missed++;
    map.set(k.key, g);
  }
  return [...map.values()]
    .map(({ waits, ...g }) => ({ ...g, avgWait: waits.length ? waits.reduce((a, b) => a + b, 0) / waits.length : null }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

export function perLine(entries: ReportEntry[]): GroupFigures[] {
  return group(entries, (e) => (e.line_id ? { key: e.line_id, label: e.line_name ?? e.line_id } : { key: '-', label: '(no line)' }));
}

/** Per user: who answered (answered calls) or whom it rang (missed). */
export function perUser(entries: ReportEntry[], names: Map<number, string>): GroupFigures[] {
  return group(entries, (e) => {
    const id = e.answered_by_user_id ?? e.user_id;
    return id === null || id === undefined ? null : { key: String(id), label: names.get(id) ?? `user ${id}` };
  });
}

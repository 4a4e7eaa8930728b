/**
 * History for a login that must see only its own records. `/reports/call-data` answers account-wide for a
 * `user` not flagged "own records only" (the call-tracking provider's rule, report-routes.ts), so the
 * console never asks it for such a login: it reads the realtime event history instead (`GET /events`),
 * which the server filters to the events whose audience includes the user, and turns each call's end
 * event and each text into a history row.
 */
import { get } from './client';
import type { ReportEntry } from './types';

const NAMES = ['voice.incoming.end', 'voice.outgoing.end', 'voice.internal.end', 'voice.originate.end', 'messaging.incoming.sms', 'messaging.outgoing.sms', 'messaging.incoming.mms', 'messaging.outgoing.mms'];

interface Logged {
  position: number;
  name: string;
  payload: Record<string, unknown>;
}

const s = (v: unknown) => (typeof v === 'string' ? v : undefined);

function toEntry(e: Logged): ReportEntry {
  const p = e.payload;
  const voice = e.name.startsWith('voice.');
  const start = s(p.startTimestamp) ?? s(p.eventTimestamp) ?? '';
  const end = s(p.endTimestamp);
  return {
    call_id: s(p.uniqueId) ?? String(e.position),
    type: voice ? 'voicecall' : e.name.endsWith('.mms') ? 'mms' : 'sms',
    direction: s(p.direction) ?? e.name.split('.')[1] ?? '',
    from: s(p.from) ?? '',
    to: s(p.to) ?? '',
    date: start,
    line_name: s(p.lineName) ?? null,
    start_time: start,
    answer_time: s(p.answerTimestamp) ?? null,
    ...(end ? { end_time: end, duration: Math.round((Date.parse(end) - Date.parse(start)) / 1000) } : {}),
    ...(voice ? { disposition: s(p.disposition) ?? '' } : { message: s(p.message) ?? s(p.text) ?? '', status: s(p.status) ?? '' }),
  };
}

/** Every call and text of the logged-in user in the event log, oldest first (at most `pages` × 1000). */
export async function ownHistory(pages = 10): Promise<ReportEntry[]> {
  const out: ReportEntry[] = [];
  let after = 0;
  for (let i = 0; i < pages; i++) {
    const page = await get<{ events: Logged[]; next: number; more: boolean }>(`/events?dialect=realtime&limit=1000&after=${after}&name=${NAMES.join(',')}`);
    out.push(...page.events.map(toEntry));
    if (!page.more) break;
    after = page.next;
  }
  return out;
}

/**
 * Checks one session's teltel events against the invariants of spec teltel §6. Property tests run it on
 * thousands of random sessions; it can equally audit a stored event stream. Returns problems, empty if none.
 */
import type { WireEvent } from '../dialect.js';

const CONSTANT_KEYS = ['session_id', 'call_id', 'accountcode', 'direction', 'type', 'subtype'] as const;
const SUBJECT_EVENTS = new Set(['READY', 'JOIN', 'LEAVE']);

/** `data` without the per-dial extension keys, as a comparable string (absent and `{}` are the same). */
function constantData(p: Record<string, unknown>): string {
  const d = (p.data ?? {}) as Record<string, unknown>;
  const { dial_id: _d, target: _t, ...rest } = d;
  return JSON.stringify(rest);
}

export function teltelProblems(events: readonly Pick<WireEvent, 'name' | 'id' | 'payload'>[]): string[] {
  const problems: string[] = [];
  if (events.length === 0) return problems;
  const first = events[0]!.payload;
  const at = (i: number, e: Pick<WireEvent, 'name'>) => `#${i} ${e.name}`;
  // §6 rule 1: START exactly once and first; COMPLETED exactly once and last.
  if (events[0]!.name !== 'START') problems.push('first event is not START');
  if (events[events.length - 1]!.name !== 'COMPLETED') problems.push('last event is not COMPLETED');
  if (events.filter((e) => e.name === 'START').length !== 1) problems.push('START is not sent exactly once');
  if (events.filter((e) => e.name === 'COMPLETED').length !== 1) problems.push('COMPLETED is not sent exactly once');

  const ids = new Set<string>();
  const pendingDials = new Map<string, string>();
  const seenDials = new Set<string>();
  /** Per party (subject_type:subject): 'ready' | 'joined' | 'left'. */
  const party = new Map<string, 'ready' | 'joined' | 'left'>();
  let lastTime = '';
  let participants = 0;
  let answered = false;
  const type = first.type;
  const legged = type === 'callback' || type === 'autodialer';

  for (const [i, e] of events.entries()) {
    const p = e.payload;
    const where = at(i, e);
    if (ids.has(e.id)) problems.push(`${where}: duplicate id ${e.id}`);
    ids.add(e.id);
    if (p.id !== e.id || p.event !== e.name) problems.push(`${where}: payload id/event differ from the wire event`);
    // §6 rule 2: constant fields, timestamps never decrease.
    for (const k of CONSTANT_KEYS) if (p[k] !== first[k]) problems.push(`${where}: ${k} changed from ${String(first[k])} to ${String(p[k])}`);
    if (constantData(p) !== constantData(first)) problems.push(`${where}: data changed`);
    const ts = String(p.timestamp);
    if (ts < lastTime) problems.push(`${where}: timestamp goes backwards`);
    lastTime = ts;

    // §6 rule 3: RING/RINGRESULT pairs by data.dial_id.
    const data = (p.data ?? {}) as Record<string, unknown>;
    if (e.name === 'RING') {
      const dial = String(data.dial_id);
      if (seenDials.has(dial)) problems.push(`${where}: dial_id ${dial} rung twice`);
      seenDials.add(dial);
      pendingDials.set(dial, JSON.stringify(data));
    } else if (e.name === 'RINGRESULT') {
      const dial = String(data.dial_id);
      const ring = pendingDials.get(dial);
      if (ring === undefined) problems.push(`${where}: RINGRESULT without a pending RING (${dial})`);
      else if (ring !== JSON.stringify(data)) problems.push(`${where}: RINGRESULT data differs from its RING's`);
      pendingDials.delete(dial);
      if (p.state === 'ANSWER') answered = true;
    }

    // §6 rule 4: per party READY → JOIN → LEAVE (JOIN/LEAVE alternate when a party rejoins).
    if (SUBJECT_EVENTS.has(e.name)) {
      const who = `${String(p.subject_type)}:${String(p.subject)}`;
      const st = party.get(who);
      if (e.name === 'READY') {
        if (st !== undefined) problems.push(`${where}: second READY for ${who}`);
        party.set(who, 'ready');
      } else if (e.name === 'JOIN') {
        if (st !== 'ready' && st !== 'left') problems.push(`${where}: JOIN of ${who} while ${st ?? 'not ready'}`);
        party.set(who, 'joined');
        participants += 1;
      } else {
        if (st !== 'joined') problems.push(`${where}: LEAVE of ${who} while ${st ?? 'not ready'}`);
        party.set(who, 'left');
        participants -= 1;
      }
    }
    // §6 rule 5: participants after the event, never negative; RING/RINGRESULT/READY repeat it.
    if (p.participants !== participants) problems.push(`${where}: participants ${String(p.participants)}, expected ${participants}`);
    if (participants < 0) problems.push(`${where}: participants negative`);

    // §6 rule 6: attribute placement.
    const has = (k: string) => Object.prototype.hasOwnProperty.call(p, k);
    if (has('state') !== (e.name === 'RINGRESULT')) problems.push(`${where}: state misplaced`);
    for (const k of ['subject_type', 'subject'])
      if (has(k) !== SUBJECT_EVENTS.has(e.name)) problems.push(`${where}: ${k} misplaced`);
    if (has('subject_user') !== (SUBJECT_EVENTS.has(e.name) && p.subject_type === 'sip')) problems.push(`${where}: subject_user iff subject_type=sip`);
    for (const k of ['hanged_by', 'hanged_value', 'is_answered'])
      if (has(k) !== (e.name === 'COMPLETED')) problems.push(`${where}: ${k} misplaced`);
    if (has('hanged_user') !== (e.name === 'COMPLETED' && p.hanged_by === 'sip')) problems.push(`${where}: hanged_user iff hanged_by=sip`);
    if (has('audio_url') && e.name !== 'COMPLETED') problems.push(`${where}: audio_url misplaced`);
    if (has('leg') !== legged) problems.push(`${where}: leg iff callback/autodialer`);
    if (has('subtype') !== (type === 'autodialer')) problems.push(`${where}: subtype iff autodialer`);
    if (('campaign_id' in data || 'contact_id' in data) !== (type === 'autodialer')) problems.push(`${where}: campaign/contact iff autodialer`);
    if ('callback' in data !== (type === 'callback')) problems.push(`${where}: data.callback iff callback`);
    if (('dial_id' in data || 'target' in data) !== (e.name === 'RING' || e.name === 'RINGRESULT'))
      problems.push(`${where}: dial_id/target only on RING/RINGRESULT`);

    if (e.name === 'COMPLETED') {
      if (pendingDials.size > 0) problems.push(`${where}: RINGs without RINGRESULT: ${[...pendingDials.keys()].join(', ')}`);
      for (const [who, st] of party) if (st === 'joined') problems.push(`${where}: ${who} still joined`);
      if (p.participants !== 0) problems.push(`${where}: participants not 0`);
      // §6 rule 8.
      if (p.is_answered !== answered) problems.push(`${where}: is_answered ${String(p.is_answered)} but ANSWER seen: ${answered}`);
      if (has('audio_url') && !answered) problems.push(`${where}: audio_url on an unanswered call`);
    }
  }
  return problems;
}

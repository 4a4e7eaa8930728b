/**
 * One RealTime `accountevent` frame (docs/realtime-api.md, spec realtime §4) as one readable line: the
 * event's own time, its topic, and the fields a newcomer needs to follow the call — who called whom, the
 * line, the user and leg concerned, and on `end` the outcome. Pure: the tour prints what this returns.
 */

/** A frame as the WebSocket delivers it: the event payload plus `type` and `eventId`. */
export type RealtimeFrame = Record<string, unknown>;

/** `voice.incoming.start` from the envelope fields (spec realtime §3.1 topic form). */
export function topicOf(e: RealtimeFrame): string {
  return `${String(e.category)}.${String(e.subCategory)}.${String(e.eventName)}`;
}

/** The width the longest topic (`voice.incoming.agentpin-timeout`) needs, so the columns line up. */
const TOPIC_WIDTH = 31;

/** `2026-11-21T15:00:04+00:00` → `15:00:04`; anything else is shown as it came. */
export function clockTime(timestamp: unknown): string {
  const s = String(timestamp ?? '');
  const m = /T(\d{2}:\d{2}:\d{2})/.exec(s);
  return m ? m[1]! : s;
}

/** Leg ids are `<session id>.<n>` (32 hex digits): `5f0c1a….3` keeps them apart without the noise. */
export function shortLegId(legId: string): string {
  const m = /^([0-9a-f]{6})[0-9a-f]{10,}\.(\d+)$/i.exec(legId);
  return m ? `${m[1]}….${m[2]}` : legId;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The user an event carries: `Bob (502)`, or the id alone when the name is unknown. */
function userOf(e: RealtimeFrame): string | undefined {
  const id = text(e.userId);
  if (id === undefined) return undefined;
  const data = e.userData as { name?: unknown } | undefined;
  const name = text(data?.name);
  return name === undefined ? `user ${id}` : `${name} (${id})`;
}

/** The essentials of an event after its topic, joined with ` · `. */
export function eventEssentials(e: RealtimeFrame): string {
  const parts: string[] = [];
  const topic = topicOf(e);
  const from = text(e.from);
  const to = text(e.to);
  if (topic.startsWith('messaging.update.')) {
    if (text(e.optOutNumber)) parts.push(`${String(e.optOutNumber)} opted out of ${to ?? '?'}`);
  } else if (from !== undefined || to !== undefined) parts.push(`${from ?? '?'} → ${to ?? '?'}`);
  const destination = text(e.destination);
  if (destination !== undefined && destination !== to) parts.push(`destination ${destination}`);
  if (text(e.lineName)) parts.push(`line ${String(e.lineName)}`);
  const user = userOf(e);
  if (user) parts.push(user);
  if (text(e.pinEntered)) parts.push(`PIN ${String(e.pinEntered)}`);
  if (text(e.legId)) parts.push(`leg ${shortLegId(String(e.legId))}`);
  if (String(e.eventName) === 'start' && text(e.uniqueId)) parts.push(`call ${String(e.uniqueId)}`);
  if (String(e.eventName) === 'end') {
    const outcome = [text(e.disposition) ?? 'ended'];
    if (typeof e.duration === 'number') outcome.push(`${e.duration} s`);
    if (typeof e.billableSeconds === 'number' && e.billableSeconds > 0) outcome.push(`${e.billableSeconds} s talking`);
    if (e.hasVoicemail === true) outcome.push('voicemail left');
    parts.push(outcome.join(', '));
  }
  if (typeof e.body === 'string') parts.push(JSON.stringify(e.body.length > 40 ? `${e.body.slice(0, 40)}…` : e.body));
  return parts.join(' · ');
}

/** `15:00:04  voice.incoming.answer            +15557654321 → +15550100 · line Main · Bob (502) · leg 5f0c1a….3` */
export function eventLine(e: RealtimeFrame): string {
  return `${clockTime(e.eventTimestamp)}  ${topicOf(e).padEnd(TOPIC_WIDTH)}  ${eventEssentials(e)}`;
}

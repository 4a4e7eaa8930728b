/**
 * A live call as the console shows it (`GET /console/calls`, docs/console.md): one session of the switch's
 * snapshot (switch/live-sessions.ts) in the console's words. Required properties first, optional ones last,
 * in the schema and the view alike (the serializer writes required properties first).
 */
import type { LiveLeg, LiveSession } from '../../switch/live-sessions.js';

export const LIVE_CALL_SCHEMA_ID = 'console-live-call';

const epochMs = { type: 'integer', description: 'milliseconds since the epoch' } as const;

const liveLegSchema = {
  type: 'object',
  required: ['legId', 'role', 'partyKind', 'number', 'state', 'createdAt'],
  properties: {
    legId: { type: 'string' },
    role: { type: 'string', enum: ['caller', 'callee', 'contact', 'operator'] },
    partyKind: { type: 'string', enum: ['phone', 'sip', 'local'], description: 'phone: a number over a trunk; sip: a user\'s device; local: Ringside itself' },
    number: { type: 'string', description: 'E.164 for phones, the extension or SIP user for devices' },
    state: { type: 'string', enum: ['dialing', 'ringing', 'answered', 'ended'] },
    createdAt: epochMs,
    name: { type: 'string', description: 'display name, when known (caller-supplied: render it as text)' },
    userId: { type: 'integer', description: "the user whose device or number the leg reaches" },
    answeredAt: epochMs,
  },
} as const;

export const liveCallSchema = {
  $id: LIVE_CALL_SCHEMA_ID,
  type: 'object',
  description: 'one session in progress with its legs',
  required: ['sessionId', 'kind', 'direction', 'from', 'to', 'state', 'startedAt', 'legs'],
  properties: {
    sessionId: { type: 'string', description: 'the session (RealTime trackingId, teltel session_id)' },
    kind: { type: 'string', enum: ['inbound', 'outbound', 'internal', 'originate', 'dialer', 'application'] },
    direction: { type: 'string', enum: ['incoming', 'outgoing', 'internal', 'originate'] },
    from: { type: 'string', description: 'who started it: a number or extension (`local` for an originate)' },
    to: { type: 'string', description: 'what was dialled' },
    state: { type: 'string', enum: ['ringing', 'answered', 'ending'], description: 'ending: Ringside was asked to hang it up, or a party hung up and the others follow' },
    startedAt: epochMs,
    legs: { type: 'array', items: liveLegSchema, description: 'in the order they were created; ended legs stay' },
    lineId: { type: 'string' },
    lineName: { type: 'string' },
    answeredAt: epochMs,
  },
} as const;

/** Users' ids are numbers everywhere else in the console's API; facts carry them as text. */
export function numericUserId(id: string | undefined): number | undefined {
  return id !== undefined && /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}

function direction(s: LiveSession): 'incoming' | 'outgoing' | 'internal' | 'originate' {
  switch (s.kind) {
    case 'inbound':
      return 'incoming';
    case 'outbound':
      return 'outgoing';
    case 'internal':
      return 'internal';
    case 'application':
      // An application's inbound call names the application; a call made by `POST /calls` does not.
      return s.application?.id !== undefined ? 'incoming' : 'outgoing';
    default:
      return 'originate';
  }
}

function legView(l: LiveLeg) {
  const userId = numericUserId(l.userId);
  return {
    legId: l.legId,
    role: l.role,
    partyKind: l.partyKind,
    number: l.number,
    state: l.state,
    createdAt: l.createdAt,
    ...(l.name !== undefined ? { name: l.name } : {}),
    ...(userId !== undefined ? { userId } : {}),
    ...(l.answeredAt !== undefined ? { answeredAt: l.answeredAt } : {}),
  };
}

export function liveCallView(s: LiveSession) {
  return {
    sessionId: s.sessionId,
    kind: s.kind,
    direction: direction(s),
    from: s.from.number,
    to: s.to.number,
    state: s.state,
    startedAt: s.startedAt,
    legs: s.legs.map(legView),
    ...(s.line ? { lineId: s.line.id, lineName: s.line.name } : {}),
    ...(s.answeredAt !== undefined ? { answeredAt: s.answeredAt } : {}),
  };
}

/** Whether the session concerns the user: one of its legs reaches them. */
export function concernsUser(s: LiveSession, userId: number): boolean {
  return s.legs.some((l) => numericUserId(l.userId) === userId);
}

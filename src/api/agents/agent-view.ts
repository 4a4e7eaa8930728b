/**
 * An agent as `GET /agents` shows it (docs/call-centre.md, "Agents"): the user, what they set (stored:
 * available, paused, logged-out) and their presence now, which is `busy` while they have a call up on one
 * of their devices, whatever they set. Busy is read from the switch's live sessions (switch/live-sessions.ts)
 * of this node: a device leg of theirs that is answered, or that is placing a call.
 */
import type { AgentPresence, AgentPresenceRecord, UserRecord } from '../../store/store.js';
import type { LiveSession } from '../../switch/live-sessions.js';
import { ownRecord } from '../../switch/routing/agent-presence.js';

export const AGENT_SCHEMA_ID = 'agent';

export const SETTABLE_PRESENCES = ['available', 'paused', 'logged-out'] as const satisfies readonly AgentPresence[];

export const agentSchema = {
  $id: AGENT_SCHEMA_ID,
  type: 'object',
  description: 'a user of the account as an agent',
  required: ['userId', 'name', 'presence', 'since', 'setPresence'],
  properties: {
    userId: { type: 'integer' },
    name: { type: 'string' },
    presence: { type: 'string', enum: ['available', 'busy', 'paused', 'logged-out'], description: 'now: busy while a call is up on one of their devices, else what they set' },
    since: { type: ['integer', 'null'], description: 'ms since the epoch: when the call that makes them busy started, else when they set their presence; null when they never did (available by default)' },
    setPresence: { type: 'string', enum: [...SETTABLE_PRESENCES], description: 'what they set (PUT /agents/{userId}/presence, feature codes *50 / *51 / *52); busy is shown over it' },
    extension: { type: 'string' },
  },
} as const;

export interface AgentView {
  userId: number;
  name: string;
  presence: AgentPresence | 'busy';
  since: number | null;
  setPresence: AgentPresence;
  extension?: string;
}

/** When each user of these sessions got busy: the earliest of their device legs that is up. */
export function busySince(sessions: readonly LiveSession[]): Map<number, number> {
  const busy = new Map<number, number>();
  for (const s of sessions)
    for (const leg of s.legs) {
      if (leg.partyKind !== 'sip' || leg.userId === undefined || !/^\d{1,15}$/.test(leg.userId) || leg.state === 'ended') continue;
      // A device placing a call is busy from its INVITE; one being rung only once it answers.
      const at = leg.state === 'answered' ? (leg.answeredAt ?? leg.createdAt) : leg.role === 'caller' ? leg.createdAt : undefined;
      if (at === undefined) continue;
      const id = Number(leg.userId);
      busy.set(id, Math.min(at, busy.get(id) ?? at));
    }
  return busy;
}

export function agentView(user: UserRecord, record: AgentPresenceRecord | undefined, busyAt: number | undefined): AgentView {
  const own = ownRecord(user, record);
  return {
    userId: user.id,
    name: user.name,
    presence: busyAt !== undefined ? 'busy' : (own?.presence ?? 'available'),
    since: busyAt ?? own?.since ?? null,
    setPresence: own?.presence ?? 'available',
    ...(user.extension !== undefined ? { extension: user.extension } : {}),
  };
}

/**
 * Agent presence as routing reads it (docs/call-centre.md, "Agents"): what the agent set, stored per user
 * (Store.setAgentPresence); a user who never set one is available. Only `available` agents are rung by a
 * line's or ring group's ring-all / round-robin; direct calls to an extension ignore presence. `busy` is
 * not decided here: it is derived from the calls in progress where it is shown (api/agents/).
 */
import type { AgentPresence, AgentPresenceRecord, UserRecord } from '../../store/store.js';

/** The record, when it is this user's: one left from another account (the id was reprovisioned
 *  elsewhere) is not. */
export function ownRecord(user: Pick<UserRecord, 'id' | 'accountId'>, record: AgentPresenceRecord | undefined): AgentPresenceRecord | undefined {
  return record && record.userId === user.id && record.accountId === user.accountId ? record : undefined;
}

/** What the user set, else `available`. */
export function presenceOf(user: Pick<UserRecord, 'id' | 'accountId'>, record: AgentPresenceRecord | undefined): AgentPresence {
  return ownRecord(user, record)?.presence ?? 'available';
}

/** Whether a line's or ring group's hunt rings this agent. */
export const takesGroupCalls = (presence: AgentPresence): boolean => presence === 'available';

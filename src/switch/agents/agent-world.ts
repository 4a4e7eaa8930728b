/**
 * A small world for the agent pool's and the call queue's tests: users and presences in memory behind the
 * two Store methods the pool reads, and the real LiveSessions fed with the facts of calls the tests start
 * and end. Test code only (like store/store-contract.ts).
 *
 * Why a fake store: the property tests run thousands of reserve/release/presence steps, and what the pool
 * needs of the store (a user, the account's presences) is exactly what store-contract.ts already proves for
 * SQLite and PostgreSQL; agent-pool.test.ts also runs the pool over a real SqliteStore once.
 */
import type { AgentPresence, AgentPresenceRecord, UserRecord } from '../../store/store.js';
import type { Fact } from '../../events/model/facts.js';
import { LiveSessions } from '../live-sessions.js';
import { AgentPool } from './agent-pool.js';

export interface WorldUser {
  id: number;
  accountId: string;
  /** The provisioning flag (default true). */
  available?: boolean;
}

export class AgentWorld {
  readonly users = new Map<number, UserRecord>();
  readonly presence = new Map<number, AgentPresenceRecord>();
  readonly live = new LiveSessions({ record: async () => undefined });
  /** How many store reads the pool made (a test of the poll's cost can read it). */
  reads = 0;
  #calls = 0;

  readonly store = {
    getUser: async (id: number): Promise<UserRecord | undefined> => {
      this.reads++;
      return this.users.get(id);
    },
    listAgentPresence: async (accountId: string): Promise<AgentPresenceRecord[]> => {
      this.reads++;
      return [...this.presence.values()].filter((r) => r.accountId === accountId);
    },
  };

  constructor(users: readonly WorldUser[]) {
    for (const u of users) this.addUser(u);
  }

  addUser(u: WorldUser): void {
    this.users.set(u.id, { id: u.id, accountId: u.accountId, name: `U${u.id}`, email: `u${u.id}@x.test`, role: 'user', pin: `9${u.id}`, available: u.available ?? true, ownRecordsOnly: false, passwordHash: 'x' });
  }

  pool(now?: () => number): AgentPool {
    return new AgentPool({ store: this.store, live: this.live, ...(now ? { now } : {}) });
  }

  setPresence(userId: number, presence: AgentPresence, accountId = this.users.get(userId)?.accountId ?? 'acme'): void {
    this.presence.set(userId, { accountId, userId, presence, since: 0 });
  }

  /** A call of the user's device, up until `endCall`: returns its session id. */
  async startCall(userId: number, accountId = this.users.get(userId)?.accountId ?? 'acme'): Promise<string> {
    const sessionId = `s${++this.#calls}`.padEnd(32, '0');
    await this.live.record(
      { type: 'session.started', sessionId, at: 0, accountId, accountcode: accountId, kind: 'inbound', callId: sessionId, from: { kind: 'phone', number: '+15550001' }, to: { kind: 'phone', number: '+15550100' } },
      { type: 'leg.created', sessionId, at: 0, legId: `${sessionId}.1`, role: 'caller', direction: 'in', party: { kind: 'phone', number: '+15550001' } },
      { type: 'leg.created', sessionId, at: 0, legId: `${sessionId}.2`, role: 'callee', direction: 'out', party: { kind: 'sip', number: String(userId), userId: String(userId) } },
    );
    return sessionId;
  }

  async endCall(sessionId: string): Promise<void> {
    const ended: Fact = { type: 'session.ended', sessionId, at: 0, hangupBy: { kind: 'local', number: 'local' }, cause: 'normal' };
    await this.live.record(ended);
  }
}

/**
 * What the autodialer (src/dialer/campaign-runner.ts) drives in the switch: one attempt at a time, each a
 * DialerCall planned by routing/dialer-routing.ts, and the campaign's agents through the agent pool
 * (agents/agent-pool.ts: an agent is offered one call at a time, whatever offers it — a queue, a line, a
 * campaign).
 */
import type { Campaign, Contact, Store } from '../store/store.js';
import type { AgentPool } from './agents/agent-pool.js';
import { DialerCall, type DialerOutcome } from './dialer-call.js';
import type { AgentOffer } from './dialer-plan.js';
import type { DialerAttemptInput, DialerRouting } from './routing/dialer-routing.js';
import type { SessionDeps } from './session-deps.js';

export interface DialerSwitch {
  /** Plans and starts one attempt; `outcome` resolves with its result when it is over. `answered` fires
   *  when the contact answers. Throws when it cannot be planned now (no trunk, the caller ID gone). */
  attempt(input: DialerAttemptInput, events: { answered(): void }): Promise<{ sessionId: string; outcome: Promise<DialerOutcome> }>;
  /** Reserves a free agent among the campaign's for this contact; undefined when none is free. */
  reserveAgent(campaign: Campaign, contact: Contact): Promise<AgentOffer | undefined>;
  /** How many of the campaign's agents are free now. */
  freeAgents(campaign: Campaign): Promise<number>;
}

export interface DialerAttemptsDeps {
  store: Pick<Store, 'getUser' | 'listRingGroups'>;
  routing: DialerRouting;
  pool: AgentPool;
  session: () => SessionDeps;
  /** Runs the call as one of the switch's (close aborts it, the console sees it). */
  run: (call: DialerCall) => void;
}

export class DialerAttempts implements DialerSwitch {
  readonly #d: DialerAttemptsDeps;

  constructor(deps: DialerAttemptsDeps) {
    this.#d = deps;
  }

  async attempt(input: DialerAttemptInput, events: { answered(): void }): Promise<{ sessionId: string; outcome: Promise<DialerOutcome> }> {
    const plan = await this.#d.routing.plan(input);
    const call = new DialerCall(this.#d.session(), plan, { contactAnswered: events.answered });
    const outcome = new Promise<DialerOutcome>((resolve) => {
      void call.done.then(() => resolve(call.outcome));
    });
    this.#d.run(call);
    return { sessionId: call.sessionId, outcome };
  }

  async reserveAgent(campaign: Campaign, contact: Contact): Promise<AgentOffer | undefined> {
    const lease = await this.#d.pool.reserve(campaign.accountId, await this.#candidates(campaign), 'longest-idle', `campaign/${campaign.id}`);
    if (!lease) return undefined;
    const user = await this.#d.store.getUser(lease.userId);
    if (!user) {
      lease.release();
      return undefined;
    }
    return { side: await this.#d.routing.agentSide(user, contact), release: () => lease.release() };
  }

  async freeAgents(campaign: Campaign): Promise<number> {
    return (await this.#d.pool.free(campaign.accountId, await this.#candidates(campaign))).length;
  }

  /** The campaign's agents: its users, else its ring group's members. */
  async #candidates(campaign: Campaign): Promise<number[]> {
    if (campaign.agents && campaign.agents.length > 0) return campaign.agents;
    if (campaign.ringGroup === undefined) return [];
    return (await this.#d.store.listRingGroups(campaign.accountId)).find((g) => g.id === campaign.ringGroup)?.members ?? [];
  }
}

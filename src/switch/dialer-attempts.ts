/**
 * What the autodialer (src/dialer/campaign-runner.ts) drives in the switch: one attempt at a time, each a
 * DialerCall planned by routing/dialer-routing.ts, and the campaign's agents through the agent pool
 * (agents/agent-pool.ts: an agent is offered one call at a time, whatever offers it — a queue, a line, a
 * campaign).
 */
import type { Campaign, Contact, Store } from '../store/store.js';
import type { AgentPool } from './agents/agent-pool.js';
import { DialerCall, type AttemptEnd } from './dialer-call.js';
import type { AgentOffer } from './dialer-plan.js';
import type { DialerAttemptInput, DialerRouting } from './routing/dialer-routing.js';
import type { SessionDeps } from './session-deps.js';
import type { FlowCallDeps } from './flow-call.js';

export interface DialerSwitch {
  /** Plans and starts one attempt; `outcome` resolves with its result when it is over. `answered` fires
   *  when the contact answers, `connected` when an agent joined it. Throws when it cannot be planned now
   *  (no trunk, the caller ID gone). */
  attempt(input: DialerAttemptInput, events: { answered(): void; connected(): void }): Promise<{ sessionId: string; outcome: Promise<AttemptEnd> }>;
  /** Reserves a free agent among the campaign's for this contact (none of `except`, user ids); undefined
   *  when none is free. */
  reserveAgent(campaign: Campaign, contact: Contact, except?: ReadonlySet<string>): Promise<AgentOffer | undefined>;
  /** How many of the campaign's agents are free now. */
  freeAgents(campaign: Campaign): Promise<number>;
  /** Calls `listener` whenever some agent may have become free (the agent pool's `onChange`); returns the
   *  unsubscribe. */
  onAgentChange?(listener: () => void): () => void;
}

export interface DialerAttemptsDeps {
  store: Pick<Store, 'getUser' | 'listRingGroups'>;
  routing: DialerRouting;
  pool: AgentPool;
  session: () => SessionDeps;
  /** Runs the call as one of the switch's (close aborts it, the console sees it). */
  run: (call: DialerCall) => void;
  /** What a contact-callflow attempt's flow runs with. */
  flowDeps: () => FlowCallDeps;
}

export class DialerAttempts implements DialerSwitch {
  readonly #d: DialerAttemptsDeps;

  constructor(deps: DialerAttemptsDeps) {
    this.#d = deps;
  }

  async attempt(input: DialerAttemptInput, events: { answered(): void; connected(): void }): Promise<{ sessionId: string; outcome: Promise<AttemptEnd> }> {
    const plan = await this.#d.routing.plan(input);
    const call = new DialerCall(this.#d.session(), plan, { contactAnswered: events.answered, connected: events.connected, ...(plan.flow ? { flowDeps: this.#d.flowDeps() } : {}) });
    const outcome = new Promise<AttemptEnd>((resolve) => {
      void call.done.then(() => resolve(call.end));
    });
    this.#d.run(call);
    return { sessionId: call.sessionId, outcome };
  }

  async reserveAgent(campaign: Campaign, contact: Contact, except?: ReadonlySet<string>): Promise<AgentOffer | undefined> {
    const candidates = (await this.#candidates(campaign)).filter((id) => !except?.has(String(id)));
    const lease = await this.#d.pool.reserve(campaign.accountId, candidates, 'longest-idle', `campaign/${campaign.id}`);
    if (!lease) return undefined;
    const user = await this.#d.store.getUser(lease.userId);
    if (!user) {
      lease.release();
      return undefined;
    }
    return { side: await this.#d.routing.agentSide(user, contact), release: () => lease.release() };
  }

  onAgentChange(listener: () => void): () => void {
    return this.#d.pool.onChange(() => listener());
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

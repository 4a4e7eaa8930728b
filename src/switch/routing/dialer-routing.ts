/**
 * How one autodialer attempt is planned (issue 14; docs/call-centre.md "Autodialer"): the contact through
 * the account's trunk showing the campaign's caller ID, and an agent's devices (one leg, its INVITE forked
 * to every registered device, ring-plan.ts) showing the contact's number and name — what the agent needs
 * to greet them. References are checked again here: a campaign was valid when written, but its caller ID,
 * trunk or agents may have changed since (docs/compatibility.md, "Autodialer data").
 */
import type { Party } from '../../events/model/facts.js';
import type { Campaign, Contact, UserRecord } from '../../store/store.js';
import { newCallId } from '../../util/ids.js';
import type { AgentOffer, DialerPlan } from '../dialer-plan.js';
import type { OriginateSide } from '../originate-plan.js';
import { accountNumbers, deviceParty, deviceTargets, lineOfNumber, lineRef, presenting, trunkOf, trunkTarget, userRef, type RoutingDeps } from './targets.js';

/** How long a contact rings before the attempt counts as not answered. */
export const CONTACT_RING_MS = 30_000;
/** How long an agent's phones ring before the next agent is tried. */
export const AGENT_RING_MS = 15_000;

/** Why an attempt cannot be planned now (the contact stays as it is; the dialer logs it and goes on). */
export class DialerRefused extends Error {
  override name = 'DialerRefused';
}

/** What the dialer needs of an attempt besides the plan: who the agents are. */
export interface DialerAttemptInput {
  campaign: Campaign;
  contact: Contact;
  /** operator-contact: the agent reserved for this attempt. */
  agent?: AgentOffer;
  /** predictive: where the answered contact's agent comes from. */
  agents?: DialerPlan['agents'];
  abandonAfterMs?: number;
}

export class DialerRouting {
  readonly #deps: RoutingDeps;

  constructor(deps: RoutingDeps) {
    this.#deps = deps;
  }

  /** The plan of one attempt; throws DialerRefused when the campaign cannot dial now. */
  async plan(input: DialerAttemptInput): Promise<DialerPlan> {
    const { campaign, contact } = input;
    const deps = this.#deps;
    const account = await deps.store.getAccount(campaign.accountId);
    if (!account) throw new DialerRefused(`no account ${campaign.accountId}`);
    if (!(await accountNumbers(deps, account)).includes(campaign.callerId)) throw new DialerRefused(`caller ID ${campaign.callerId} is no longer a number of the account`);
    const trunk = await trunkOf(deps, account);
    if (!trunk) throw new DialerRefused('the account has no trunk to reach contacts through');
    const localParty: Party = { kind: 'local', number: campaign.callerId };
    const contactParty: Party = { kind: 'phone', number: contact.phoneNumber, ...(contact.name ? { name: contact.name } : {}) };
    const contactSide: OriginateSide = {
      target: { ...trunkTarget(deps, contact.phoneNumber, campaign.callerId, trunk), party: contactParty, callerId: campaign.callerId, role: 'contact' },
      timeoutMs: Math.min(CONTACT_RING_MS, deps.outgoingRingMs),
    };
    let flow: DialerPlan['flow'];
    if (campaign.mode === 'contact-callflow') {
      const found = campaign.callFlowId === undefined ? undefined : await deps.store.getFlow(account.id, campaign.callFlowId);
      if (!found) throw new DialerRefused(`the campaign's call flow ${String(campaign.callFlowId)} is not a flow of the account`);
      flow = { flow: found, account };
    }
    const line = await lineOfNumber(deps, account, campaign.callerId);
    const first: Party = campaign.mode === 'operator-contact' && input.agent ? input.agent.side.target.party : contactParty;
    const userIds = (campaign.agents ?? []).map(String);
    return {
      start: {
        accountId: account.id,
        accountcode: account.accountcode,
        kind: 'dialer',
        callId: newCallId(),
        from: localParty,
        to: first,
        ...(line ? { line: lineRef(line) } : {}),
        ...(userIds.length > 0 ? { userIds } : {}),
        dialer: { campaignId: Number(campaign.id), contactId: Number(contact.id), mode: campaign.mode },
      },
      contact: contactSide,
      localParty,
      ...(input.agent ? { agent: input.agent } : {}),
      ...(input.agents ? { agents: input.agents } : {}),
      ...(input.abandonAfterMs !== undefined ? { abandonAfterMs: input.abandonAfterMs } : {}),
      ...(flow ? { flow } : {}),
    };
  }

  /** An agent's side of an attempt: every registered device of the user, showing the contact. */
  async agentSide(user: UserRecord, contact: Pick<Contact, 'phoneNumber' | 'name'>): Promise<OriginateSide> {
    const targets = await deviceTargets(this.#deps, user, presenting(this.#deps, contact.phoneNumber, contact.name));
    return {
      target: { party: deviceParty(user), user: userRef(user), role: 'operator', callerId: contact.phoneNumber, requests: targets.flatMap((t) => t.requests) },
      timeoutMs: AGENT_RING_MS,
    };
  }
}

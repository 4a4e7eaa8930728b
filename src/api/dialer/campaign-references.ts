/**
 * What a campaign names must exist in the caller's account (docs/call-centre.md, "Autodialer: campaigns
 * and contacts"): its caller ID is one of the account's numbers, its agents are users of the account, its
 * ring group and its call flow are the account's. Checked before anything is stored; the message names the field.
 */
import type { Store } from '../../store/store.js';
import type { CampaignInput } from '../../dialer/campaign-types.js';
import { toE164 } from '../../switch/dial-plan.js';
import { ApiError } from '../shared/api-error.js';
import { isValidTimezone } from '../../config/call-flow/office-hours.js';

/** The input with its caller ID normalised, or an ApiError: 400 for an inconsistent campaign, 422
 *  `invalid_reference` for a name that does not exist in the account. */
export async function checkCampaign(store: Store, accountId: string, input: CampaignInput): Promise<CampaignInput> {
  const bad = (message: string) => new ApiError(400, 'bad_request', message);
  const dangling = (message: string) => new ApiError(422, 'invalid_reference', message);
  const callerId = toE164(input.callerId);
  if (callerId === undefined) throw bad(`body.callerId: ${JSON.stringify(input.callerId)} is not an E.164 number`);
  if (input.agents !== undefined && input.ringGroup !== undefined) throw bad('body: give agents or ringGroup, not both');
  if (input.mode !== 'contact-callflow' && input.agents === undefined && input.ringGroup === undefined) throw bad(`body: mode ${input.mode} needs agents or ringGroup (who takes the answered contacts)`);
  if (input.mode === 'contact-callflow' && input.callFlowId === undefined) throw bad('body: mode contact-callflow needs callFlowId');
  if (input.window.from === input.window.to) throw bad('body.window: from and to are the same time: the window would be empty');
  if (input.window.timezone !== undefined && !isValidTimezone(input.window.timezone)) throw bad(`body.window.timezone: unknown time zone ${JSON.stringify(input.window.timezone)}`);

  const number = await store.findNumber(callerId);
  if (!number || number.accountId !== accountId) throw dangling(`body.callerId: ${callerId} is not a number of account ${accountId}`);
  for (const [k, userId] of (input.agents ?? []).entries()) {
    const user = await store.getUser(userId);
    if (!user || user.accountId !== accountId) throw dangling(`body.agents[${k}]: no user ${userId} in account ${accountId}`);
  }
  if (input.ringGroup !== undefined && !(await store.listRingGroups(accountId)).some((g) => g.id === input.ringGroup)) {
    throw dangling(`body.ringGroup: no ring group ${JSON.stringify(input.ringGroup)} in account ${accountId}`);
  }
  if (input.callFlowId !== undefined && !(await store.getFlow(accountId, input.callFlowId))) {
    throw dangling(`body.callFlowId: no call flow ${JSON.stringify(input.callFlowId)} in account ${accountId}`);
  }
  return { ...input, callerId };
}

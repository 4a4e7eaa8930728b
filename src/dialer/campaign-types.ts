/**
 * The autodialer's data (docs/call-centre.md, "Autodialer: campaigns and contacts"): a campaign and the
 * contacts it dials. The records are the store's (store/store.ts: the store layer is below this one);
 * here they are with the value lists schemas and parsers check against. No dialling here: the dialer
 * reads and updates these records.
 */
import type { AttemptResult, CampaignMode, CampaignState, ContactState, Weekday } from '../store/store.js';
import { ATTEMPT_RESULTS, CAMPAIGN_MODES, CAMPAIGN_STATES, CAMPAIGN_WEEKDAYS as WEEKDAYS, CONTACT_STATES } from '../config/campaign-schema.js';

export type {
  AttemptResult,
  CallingWindow,
  Campaign,
  CampaignInput,
  CampaignMode,
  CampaignState,
  Contact,
  ContactAttempt,
  ContactInput,
  ContactPage,
  ContactQuery,
  ContactState,
  Pacing,
  RetryRule,
  RetryRules,
  Weekday,
} from '../store/store.js';

/** Every value of each union, in the order documents list them (config/campaign-schema.ts, which the
 *  config file's schema needs too; the Exact checks below keep them equal to the store's types). */
export { CAMPAIGN_MODES, CAMPAIGN_STATES, CONTACT_STATES, ATTEMPT_RESULTS, CAMPAIGN_WEEKDAYS as WEEKDAYS } from '../config/campaign-schema.js';

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// A value added to a union but not to its list (or the other way) fails to compile here.
export const LISTS_COMPLETE: [
  Exact<(typeof CAMPAIGN_MODES)[number], CampaignMode>,
  Exact<(typeof CAMPAIGN_STATES)[number], CampaignState>,
  Exact<(typeof CONTACT_STATES)[number], ContactState>,
  Exact<(typeof ATTEMPT_RESULTS)[number], AttemptResult>,
  Exact<(typeof WEEKDAYS)[number], Weekday>,
] = [true, true, true, true, true];

/**
 * The autodialer's data (docs/call-centre.md, "Autodialer: campaigns and contacts"): a campaign and the
 * contacts it dials. The records are the store's (store/store.ts: the store layer is below this one);
 * here they are with the value lists schemas and parsers check against. No dialling here: the dialer
 * reads and updates these records.
 */
import type { AttemptResult, CampaignMode, CampaignState, ContactState, Weekday } from '../store/store.js';

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

/** Every value of each union, in the order documents list them (`satisfies` + the Exact checks below keep
 *  them equal to the store's types). */
export const CAMPAIGN_MODES = ['predictive', 'contact-callflow', 'operator-contact'] as const satisfies readonly CampaignMode[];
export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'finished'] as const satisfies readonly CampaignState[];
export const CONTACT_STATES = ['pending', 'dialling', 'done', 'failed', 'exhausted'] as const satisfies readonly ContactState[];
export const ATTEMPT_RESULTS = ['answered', 'busy', 'no-answer', 'failed', 'abandoned'] as const satisfies readonly AttemptResult[];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// A value added to a union but not to its list (or the other way) fails to compile here.
export const LISTS_COMPLETE: [
  Exact<(typeof CAMPAIGN_MODES)[number], CampaignMode>,
  Exact<(typeof CAMPAIGN_STATES)[number], CampaignState>,
  Exact<(typeof CONTACT_STATES)[number], ContactState>,
  Exact<(typeof ATTEMPT_RESULTS)[number], AttemptResult>,
  Exact<(typeof WEEKDAYS)[number], Weekday>,
] = [true, true, true, true, true];

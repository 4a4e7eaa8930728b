/**
 * The autodialer's data (docs/call-centre.md, "Autodialer: campaigns and contacts"): a campaign and the
 * contacts it dials. Runtime state: kept across restarts and never touched by a re-seed from the config
 * file. No dialling here: the dialer reads and updates these records.
 */

export const CAMPAIGN_MODES = ['predictive', 'contact-callflow', 'operator-contact'] as const;
export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'finished'] as const;
export const CONTACT_STATES = ['pending', 'dialling', 'done', 'failed', 'exhausted'] as const;
export const ATTEMPT_RESULTS = ['answered', 'busy', 'no-answer', 'failed', 'abandoned'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export type CampaignMode = (typeof CAMPAIGN_MODES)[number];
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
export type ContactState = (typeof CONTACT_STATES)[number];
export type AttemptResult = (typeof ATTEMPT_RESULTS)[number];
export type Weekday = (typeof WEEKDAYS)[number];

/** When contacts may be called: local time `from`–`to` (`HH:MM`, 24 h) on `days`, in `timezone` (IANA;
 *  default the account's). `to` earlier than `from` spans midnight. */
export interface CallingWindow {
  timezone?: string;
  days: Weekday[];
  from: string;
  to: string;
}

export interface RetryRule {
  afterMinutes: number;
}

/** When a contact is tried again, per result of its last attempt, and how often at most. */
export interface RetryRules {
  busy: RetryRule;
  noAnswer: RetryRule;
  failed: RetryRule;
  maxAttempts: number;
}

/** Predictive mode: contacts dialled per free agent, and the abandon rate it must stay under. */
export interface Pacing {
  ratio?: number;
  maxAbandonPercent?: number;
}

/** What a client sets (POST and PUT /campaigns). */
export interface CampaignInput {
  name: string;
  mode: CampaignMode;
  state?: CampaignState;
  /** An E.164 number of the account, presented to contacts. */
  callerId: string;
  /** Who takes the answered contacts: users of the account, or one ring group (its id). */
  agents?: number[];
  ringGroup?: string;
  /** The call flow run for an answered contact (`contact-callflow`). */
  callFlowId?: string;
  window: CallingWindow;
  retry: RetryRules;
  pacing?: Pacing;
}

export interface Campaign extends CampaignInput {
  id: string;
  accountId: string;
  state: CampaignState;
  createdAt: number;
  updatedAt: number;
}

export interface ContactAttempt {
  at: number;
  result: AttemptResult;
}

/** What a client gives for a contact (JSON or a CSV row). */
export interface ContactInput {
  phoneNumber: string;
  name?: string;
  /** Free key/values shown to the agent and passed to the call flow. */
  fields?: Record<string, string>;
}

export interface Contact extends ContactInput {
  id: string;
  campaignId: string;
  accountId: string;
  state: ContactState;
  attempts: ContactAttempt[];
  nextAttemptAt?: number;
  createdAt: number;
}

/** A page of a campaign's contacts, oldest first (the order they were added). */
export interface ContactQuery {
  state?: ContactState;
  offset: number;
  limit: number;
}

export interface ContactPage {
  contacts: Contact[];
  /** How many match the query in all pages. */
  total: number;
}

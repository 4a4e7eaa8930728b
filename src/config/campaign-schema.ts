/**
 * The autodialer's campaign as written (docs/call-centre.md, "Autodialer"): the JSON Schema both the REST
 * (api/dialer/dialer-schemas.ts) and the config file's example campaigns (`accounts[].campaigns`) check
 * against, and the value lists it names. Here, in the config layer, because the config file may not
 * import the dialer; dialer/campaign-types.ts re-exports the lists with compile-time checks against the
 * store's types.
 */

export const CAMPAIGN_MODES = ['predictive', 'contact-callflow', 'operator-contact'] as const;
export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'finished'] as const;
export const CONTACT_STATES = ['pending', 'dialling', 'done', 'failed', 'exhausted'] as const;
export const ATTEMPT_RESULTS = ['answered', 'busy', 'no-answer', 'failed', 'abandoned'] as const;
export const CAMPAIGN_WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Limits of one contact as written (JSON, CSV, the config file). */
export const CONTACT_FIELD_LIMITS = { maxNameLength: 200, maxFields: 100, maxFieldLength: 2000 } as const;

const HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const retryRule = {
  type: 'object',
  additionalProperties: false,
  required: ['afterMinutes'],
  properties: { afterMinutes: { type: 'integer', minimum: 0, maximum: 525_600, description: 'minutes after the attempt' } },
} as const;

/** The settable part of a campaign (REST POST and PUT; the config file's example campaigns). */
export const campaignInputProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  mode: { type: 'string', enum: [...CAMPAIGN_MODES] },
  state: { type: 'string', enum: [...CAMPAIGN_STATES], description: 'default draft' },
  callerId: { type: 'string', minLength: 1, maxLength: 32, description: 'an E.164 number of the account' },
  agents: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, description: 'user ids of the account (or ringGroup)' },
  ringGroup: { type: 'string', minLength: 1, maxLength: 200, description: 'a ring group id of the account (or agents)' },
  callFlowId: { type: 'string', minLength: 1, maxLength: 200, description: 'the call flow an answered contact runs (contact-callflow)' },
  window: {
    type: 'object',
    additionalProperties: false,
    required: ['days', 'from', 'to'],
    description: 'when contacts may be called: from–to local time on days; to before from spans midnight',
    properties: {
      days: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { type: 'string', enum: [...CAMPAIGN_WEEKDAYS] } },
      from: { type: 'string', pattern: HH_MM },
      to: { type: 'string', pattern: HH_MM },
      timezone: { type: 'string', minLength: 1, maxLength: 64, description: "IANA time zone; default the account's" },
    },
  },
  retry: {
    type: 'object',
    additionalProperties: false,
    required: ['busy', 'noAnswer', 'failed', 'maxAttempts'],
    properties: { busy: retryRule, noAnswer: retryRule, failed: retryRule, maxAttempts: { type: 'integer', minimum: 1, maximum: 100 } },
  },
  pacing: {
    type: 'object',
    additionalProperties: false,
    description: 'predictive mode',
    properties: {
      ratio: { type: 'number', minimum: 1, maximum: 10, description: 'contacts dialled per free agent' },
      maxAbandonPercent: { type: 'number', minimum: 0, maximum: 100 },
    },
  },
} as const;

export const campaignInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'mode', 'callerId', 'window', 'retry'],
  properties: campaignInputProperties,
} as const;

export const contactInputProperties = {
  phoneNumber: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164, or 10/11-digit North American (normalised)' },
  name: { type: 'string', minLength: 1, maxLength: CONTACT_FIELD_LIMITS.maxNameLength },
  fields: { type: 'object', maxProperties: CONTACT_FIELD_LIMITS.maxFields, additionalProperties: { type: 'string', maxLength: CONTACT_FIELD_LIMITS.maxFieldLength }, description: 'free key/values' },
} as const;

/** An example campaign in the config file: a campaign as written, with its first contacts. Created when
 *  the file seeds the store and no campaign of that name exists; runtime state from then on. */
export const campaignSeedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'mode', 'callerId', 'window', 'retry'],
  properties: {
    ...campaignInputProperties,
    contacts: { type: 'array', maxItems: 1000, default: [], items: { type: 'object', additionalProperties: false, required: ['phoneNumber'], properties: contactInputProperties } },
  },
} as const;

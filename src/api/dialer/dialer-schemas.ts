/**
 * JSON Schemas of the dialer family (dialer/campaign-types.ts): what a client sends (strict: unknown
 * properties are a 400) and what it gets back (shared by `$ref`).
 */
import { CONTACT_LIMITS } from '../../dialer/contact-csv.js';
import { ATTEMPT_RESULTS, CAMPAIGN_MODES, CAMPAIGN_STATES, CONTACT_STATES, WEEKDAYS } from '../../dialer/campaign-types.js';

export const CAMPAIGN_SCHEMA_ID = 'dialer-campaign';
export const CONTACT_SCHEMA_ID = 'dialer-contact';
export const ROW_PROBLEM_SCHEMA_ID = 'dialer-row-problem';

const HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const retryRule = {
  type: 'object',
  additionalProperties: false,
  required: ['afterMinutes'],
  properties: { afterMinutes: { type: 'integer', minimum: 0, maximum: 525_600, description: 'minutes after the attempt' } },
} as const;

/** The settable part of a campaign (POST, PUT). */
const campaignInputProperties = {
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
      days: { type: 'array', minItems: 1, maxItems: 7, uniqueItems: true, items: { type: 'string', enum: [...WEEKDAYS] } },
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

export const campaignSchema = {
  $id: CAMPAIGN_SCHEMA_ID,
  type: 'object',
  required: ['id', 'name', 'mode', 'state', 'callerId', 'window', 'retry', 'createdAt', 'updatedAt'],
  // Required first: the response keeps the order the schema lists (route-schemas.test.ts).
  properties: {
    id: { type: 'string' },
    name: campaignInputProperties.name,
    mode: campaignInputProperties.mode,
    state: campaignInputProperties.state,
    callerId: campaignInputProperties.callerId,
    window: campaignInputProperties.window,
    retry: campaignInputProperties.retry,
    createdAt: { type: 'integer', description: 'ms since the epoch' },
    updatedAt: { type: 'integer', description: 'ms since the epoch' },
    agents: campaignInputProperties.agents,
    ringGroup: campaignInputProperties.ringGroup,
    callFlowId: campaignInputProperties.callFlowId,
    pacing: campaignInputProperties.pacing,
  },
} as const;

const contactInputProperties = {
  phoneNumber: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164, or 10/11-digit North American (normalised)' },
  name: { type: 'string', minLength: 1, maxLength: CONTACT_LIMITS.maxNameLength },
  fields: { type: 'object', maxProperties: CONTACT_LIMITS.maxFields, additionalProperties: { type: 'string', maxLength: CONTACT_LIMITS.maxFieldLength }, description: 'free key/values' },
} as const;

export const contactInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['phoneNumber'],
  properties: contactInputProperties,
} as const;

export const contactSchema = {
  $id: CONTACT_SCHEMA_ID,
  type: 'object',
  required: ['id', 'campaignId', 'phoneNumber', 'state', 'attempts', 'createdAt'],
  properties: {
    id: { type: 'string' },
    campaignId: { type: 'string' },
    phoneNumber: { type: 'string', description: 'E.164' },
    state: { type: 'string', enum: [...CONTACT_STATES] },
    attempts: {
      type: 'array',
      items: { type: 'object', required: ['at', 'result'], properties: { at: { type: 'integer' }, result: { type: 'string', enum: [...ATTEMPT_RESULTS] } } },
    },
    createdAt: { type: 'integer', description: 'ms since the epoch' },
    name: contactInputProperties.name,
    fields: contactInputProperties.fields,
    nextAttemptAt: { type: 'integer', description: 'ms since the epoch' },
  },
} as const;

export const rowProblemSchema = {
  $id: ROW_PROBLEM_SCHEMA_ID,
  type: 'object',
  required: ['row', 'problem'],
  description: 'a CSV row not imported; rows are numbered as a spreadsheet shows them (the header is row 1)',
  properties: { row: { type: 'integer' }, problem: { type: 'string' }, column: { type: 'string' } },
} as const;

/**
 * JSON Schemas of the dialer family (dialer/campaign-types.ts): what a client sends (strict: unknown
 * properties are a 400) and what it gets back (shared by `$ref`).
 */
import { ATTEMPT_RESULTS, CONTACT_STATES } from '../../dialer/campaign-types.js';
import { campaignInputProperties, campaignInputSchema, contactInputProperties } from '../../config/campaign-schema.js';

export { campaignInputSchema };

export const CAMPAIGN_SCHEMA_ID = 'dialer-campaign';
export const CONTACT_SCHEMA_ID = 'dialer-contact';
export const ROW_PROBLEM_SCHEMA_ID = 'dialer-row-problem';

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

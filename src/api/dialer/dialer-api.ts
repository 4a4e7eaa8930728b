/**
 * The autodialer's data (docs/call-centre.md, "Autodialer: campaigns and contacts"): campaigns and their
 * contacts, CRUD, and a contact list imported from CSV with a per-row report. An account-wide principal
 * only (manager or admin without own-records-only, or voice-API credentials), scoped to its account.
 * Validated strictly as the admin family is (admin/strict-validation.ts). No dialling here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/store.js';
import type { Campaign, CampaignInput, Contact, ContactInput, ContactState } from '../../dialer/campaign-types.js';
import { CONTACT_STATES } from '../../dialer/campaign-types.js';
import { CSV_LIMITS, parseContactCsv } from '../../dialer/contact-csv.js';
import { toE164 } from '../../switch/dial-plan.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { authPlugin, principalOf } from '../shared/auth-plugin.js';
import { strictValidator } from '../admin/strict-validation.js';
import { ELEVATED_ONLY } from '../admin/admin-auth.js';
import { checkCampaign } from './campaign-references.js';
import {
  CAMPAIGN_SCHEMA_ID,
  CONTACT_SCHEMA_ID,
  ROW_PROBLEM_SCHEMA_ID,
  campaignInputSchema,
  campaignSchema,
  contactInputSchema,
  contactSchema,
  rowProblemSchema,
} from './dialer-schemas.js';

export interface DialerApiOptions {
  store: Store;
  /** The clock records are stamped with (tests). */
  now?: () => number;
}

const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;
const campaignParams = { type: 'object', required: ['id'], properties: { id: { ...ID, description: 'the campaign' } } } as const;
const contactParams = { type: 'object', required: ['id', 'contactId'], properties: { id: { ...ID, description: 'the campaign' }, contactId: { ...ID, description: 'the contact' } } } as const;
const campaignRef = { $ref: `${CAMPAIGN_SCHEMA_ID}#` } as const;
const noContent = { type: 'null', description: 'done' } as const;

const contactsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: [...CONTACT_STATES] },
    page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

const contactsPage = {
  type: 'object',
  required: ['contacts', 'page', 'pageSize', 'total'],
  properties: { contacts: { type: 'array', items: { $ref: `${CONTACT_SCHEMA_ID}#` } }, page: { type: 'integer' }, pageSize: { type: 'integer' }, total: { type: 'integer', description: 'contacts matching, in all pages' } },
} as const;

const contactsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['contacts'],
  properties: { contacts: { type: 'array', minItems: 1, maxItems: 1000, items: contactInputSchema, description: 'one or many; all are added or none (CSV import for more)' } },
} as const;

const importReply = {
  type: 'object',
  required: ['imported', 'rejected'],
  properties: { imported: { type: 'integer', description: 'contacts added' }, rejected: { type: 'array', items: { $ref: `${ROW_PROBLEM_SCHEMA_ID}#` } } },
} as const;

export async function dialerApi(app: FastifyInstance, { store, now = Date.now }: DialerApiOptions): Promise<void> {
  app.addSchema(campaignSchema);
  app.addSchema(contactSchema);
  app.addSchema(rowProblemSchema);
  app.setValidatorCompiler(strictValidator);
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_LIMITS.maxBytes }, (_req, body, done) => done(null, body));
  await app.register(authPlugin, { store, stage: 'onRequest' });

  const auth = { auth: ELEVATED_ONLY };
  const accountOf = (req: FastifyRequest): string => principalOf(req).accountId;
  const campaignOf = async (req: FastifyRequest): Promise<Campaign> => {
    const { id } = req.params as { id: string };
    const c = await store.getCampaign(accountOf(req), id);
    if (!c) throw new ApiError(404, 'not_found', `no campaign ${JSON.stringify(id)} in account ${accountOf(req)}`);
    return c;
  };

  app.get('/campaigns', { config: auth, schema: { summary: 'Campaigns of the account', response: { 200: { type: 'object', required: ['campaigns'], properties: { campaigns: { type: 'array', items: campaignRef } } }, ...errorReplies } } }, async (req) => ({
    campaigns: await store.listCampaigns(accountOf(req)),
  }));

  app.post('/campaigns', { config: auth, schema: { summary: 'Create a campaign (state draft unless given)', body: campaignInputSchema, response: { 201: campaignRef, ...errorReplies } } }, async (req, reply) => {
    const accountId = accountOf(req);
    const input = await checkCampaign(store, accountId, req.body as CampaignInput);
    const at = now();
    const campaign: Campaign = { ...input, id: String(await store.allocateDialerIds('campaign', 1)), accountId, state: input.state ?? 'draft', createdAt: at, updatedAt: at };
    await store.putCampaign(campaign);
    req.log.info({ accountId, campaignId: campaign.id }, 'campaign created');
    return reply.code(201).header('location', `/campaigns/${campaign.id}`).send(campaign);
  });

  app.get('/campaigns/:id', { config: auth, schema: { summary: 'A campaign', params: campaignParams, response: { 200: campaignRef, ...errorReplies } } }, async (req) => campaignOf(req));

  app.put('/campaigns/:id', { config: auth, schema: { summary: 'Replace a campaign (its state kept unless given)', params: campaignParams, body: campaignInputSchema, response: { 200: campaignRef, ...errorReplies } } }, async (req) => {
    const old = await campaignOf(req);
    const input = await checkCampaign(store, old.accountId, req.body as CampaignInput);
    const campaign: Campaign = { ...input, id: old.id, accountId: old.accountId, state: input.state ?? old.state, createdAt: old.createdAt, updatedAt: now() };
    await store.putCampaign(campaign);
    return campaign;
  });

  app.delete('/campaigns/:id', { config: auth, schema: { summary: 'Delete a campaign and its contacts (not while running)', params: campaignParams, response: { 204: noContent, ...errorReplies } } }, async (req, reply) => {
    const c = await campaignOf(req);
    if (c.state === 'running') throw new ApiError(409, 'conflict', `campaign ${c.id} is running: pause or finish it first`);
    await store.deleteCampaign(c.accountId, c.id);
    return reply.code(204).send();
  });

  app.get('/campaigns/:id/contacts', { config: auth, schema: { summary: "A page of a campaign's contacts, in the order they were added", params: campaignParams, querystring: contactsQuery, response: { 200: contactsPage, ...errorReplies } } }, async (req) => {
    const c = await campaignOf(req);
    const { state, page, pageSize } = req.query as { state?: ContactState; page: number; pageSize: number };
    const found = await store.listContacts(c.accountId, c.id, { ...(state ? { state } : {}), offset: (page - 1) * pageSize, limit: pageSize });
    return { ...found, page, pageSize };
  });

  app.post('/campaigns/:id/contacts', { config: auth, schema: { summary: 'Add contacts (all or none)', params: campaignParams, body: contactsBody, response: { 201: { type: 'object', required: ['contacts'], properties: { contacts: { type: 'array', items: { $ref: `${CONTACT_SCHEMA_ID}#` } } } }, ...errorReplies } } }, async (req, reply) => {
    const c = await campaignOf(req);
    const given = (req.body as { contacts: ContactInput[] }).contacts;
    const seen = new Map((await store.listContactNumbers(c.accountId, c.id)).map((n) => [n, -1]));
    const inputs = given.map((input, k) => {
      const phoneNumber = toE164(input.phoneNumber);
      if (phoneNumber === undefined) throw new ApiError(400, 'bad_request', `body.contacts[${k}].phoneNumber: ${JSON.stringify(input.phoneNumber)} is not an E.164 number`);
      const earlier = seen.get(phoneNumber);
      if (earlier !== undefined) throw new ApiError(409, 'conflict', `body.contacts[${k}].phoneNumber: ${phoneNumber} ${earlier < 0 ? 'is already a contact of the campaign' : `repeats body.contacts[${earlier}]`}`);
      seen.set(phoneNumber, k);
      return { ...input, phoneNumber };
    });
    const contacts = await newContacts(c, inputs, now());
    await addAll(contacts);
    return reply.code(201).send({ contacts });
  });

  app.post(
    '/campaigns/:id/contacts/import',
    {
      config: auth,
      bodyLimit: CSV_LIMITS.maxBytes,
      schema: {
        summary: `Import contacts from CSV (header row with phone_number; name; other columns become fields; at most ${CSV_LIMITS.maxBytes} bytes and ${CSV_LIMITS.maxRows} rows). Good rows are added, bad ones reported by row.`,
        consumes: ['text/csv'],
        params: campaignParams,
        body: { type: 'string', description: 'the CSV text (RFC 4180, UTF-8)' },
        response: { 200: importReply, ...errorReplies },
      },
    },
    async (req) => {
      const c = await campaignOf(req);
      const result = parseContactCsv(req.body as string, await store.listContactNumbers(c.accountId, c.id));
      if (!result.ok) throw result.reason === 'too_large' ? new ApiError(413, 'body_too_large', result.message) : new ApiError(400, 'bad_csv', result.message);
      const at = now();
      await addAll(await newContacts(c, result.accepted.map((r) => r.contact), at));
      req.log.info({ accountId: c.accountId, campaignId: c.id, imported: result.accepted.length, rejected: result.rejected.length }, 'contacts imported');
      return { imported: result.accepted.length, rejected: result.rejected };
    },
  );

  app.delete('/campaigns/:id/contacts/:contactId', { config: auth, schema: { summary: 'Delete a contact', params: contactParams, response: { 204: noContent, ...errorReplies } } }, async (req, reply) => {
    const c = await campaignOf(req);
    const { contactId } = req.params as { contactId: string };
    if (!(await store.deleteContact(c.accountId, c.id, contactId))) throw new ApiError(404, 'not_found', `no contact ${JSON.stringify(contactId)} in campaign ${c.id}`);
    return reply.code(204).send();
  });

  /** Adds contacts in one transaction; a number added meanwhile by another request fails them all. */
  async function addAll(contacts: Contact[]): Promise<void> {
    try {
      await store.addContacts(contacts);
    } catch (err) {
      if (/unique|duplicate/i.test(String((err as Error).message))) throw new ApiError(409, 'conflict', 'a phone number was added to the campaign meanwhile: nothing was added, try again');
      throw err;
    }
  }

  /** New contacts with fresh integer ids (teltel `contact_id`, spec teltel §2.3). */
  async function newContacts(c: Campaign, inputs: ContactInput[], at: number): Promise<Contact[]> {
    const first = inputs.length > 0 ? await store.allocateDialerIds('contact', inputs.length) : 0;
    return inputs.map((input, k) => ({ ...input, id: String(first + k), campaignId: c.id, accountId: c.accountId, state: 'pending', attempts: [], createdAt: at }));
  }
}

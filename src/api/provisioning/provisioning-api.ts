/**
 * The provisioning family (docs/provisioning.md): users, numbers, lines, ring groups, trunks, API
 * credentials and call flows of the caller's account over REST, changed without a restart. Account-wide principals only
 * (as webhooks: admin/admin-auth.ts ELEVATED_ONLY); trunks, which every account shares, for the admin role
 * only. Validated strictly (admin/strict-validation.ts): an unknown property is a 400 naming it.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../auth/principal.js';
import type { ProvisioningResource, Store } from '../../store/store.js';
import { ACCOUNT_SCHEMES, authPlugin, type RouteAuth } from '../shared/auth-plugin.js';
import { ApiError } from '../shared/api-error.js';
import { strictValidator } from '../admin/strict-validation.js';
import { ELEVATED_ONLY } from '../admin/admin-auth.js';
import { PROVISIONING_BODIES } from './provisioning-bodies.js';
import { PROVISIONING_VIEW_SCHEMAS, apiCredentialView, flowView, lineView, numberView, ringGroupView, trunkView, userView } from './provisioning-views.js';
import { flowBodyProblem, flowBodySchema } from './flow-body.js';
import { resourceRoutes, type ResourceSpec } from './resource-routes.js';

export interface ProvisioningApiOptions {
  store: Store;
  /** After each accepted write (e.g. trunk registrations follow a trunk's change: app/sip-service.ts). */
  changed?: (resource: ProvisioningResource) => void;
}

const idKey = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } as const;
const text = (raw: string) => raw;

const ADMIN_ONLY_MESSAGE = 'trunks are shared by every account: they need a user with the admin role (a manager or API credentials get 403)';
const adminOnly = (p: Principal): string | undefined => (p.kind === 'user' && p.user.role === 'admin' ? undefined : ADMIN_ONLY_MESSAGE);
/** What the OpenAPI document says of the trunks' routes (the role itself is checked by `adminOnly`). */
const TRUNK_AUTH: RouteAuth = { schemes: ACCOUNT_SCHEMES, elevated: ADMIN_ONLY_MESSAGE };

/** Only an admin makes, changes or removes an admin: a manager (or API credentials) making one would
 *  gain what only admins have (trunks, which every account shares). */
const adminUsers = (p: Principal, value: Record<string, unknown> | undefined, current: { role: string } | undefined): ApiError | undefined =>
  (value?.role === 'admin' || current?.role === 'admin') && !(p.kind === 'user' && p.user.role === 'admin')
    ? new ApiError(403, 'forbidden', 'only a user with the admin role may create, change or delete an admin')
    : undefined;

/** The account's voice-API credentials (its `voiceApi` section, stored as the credential named
 *  `voiceApi`) belong to the file: the voice API's user id goes with them. */
const voiceApiCredential = (_p: Principal, value: Record<string, unknown> | undefined, current: { name?: string } | undefined): ApiError | undefined =>
  current?.name === 'voiceApi' || value?.name === 'voiceApi'
    ? new ApiError(409, 'read_only', "the account's voice-API credentials come from the configuration file (voiceApi): change them there")
    : undefined;

const SPECS: { [R in ProvisioningResource]: ResourceSpec<R> } = {
  users: {
    resource: 'users', segment: 'users', list: 'users', keyName: 'id', singular: 'user', auth: ELEVATED_ONLY,
    keySchema: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' }, body: PROVISIONING_BODIES.users,
    viewSchemaId: PROVISIONING_VIEW_SCHEMAS.user.$id, view: userView,
    parseKey: (raw) => (/^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : undefined),
    get: async (store, accountId, id) => {
      const u = await store.getUser(id);
      return u?.accountId === accountId ? u : undefined;
    },
    all: (store, accountId) => store.listUsers(accountId),
    allowWrite: adminUsers,
  },
  numbers: {
    resource: 'numbers', segment: 'numbers', list: 'numbers', keyName: 'number', singular: 'number', auth: ELEVATED_ONLY,
    keySchema: { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164; `+` URL-encoded as %2B' }, body: PROVISIONING_BODIES.numbers,
    viewSchemaId: PROVISIONING_VIEW_SCHEMAS.number.$id, view: numberView, parseKey: text,
    get: async (store, accountId, number) => {
      const n = await store.findNumber(number);
      return n?.accountId === accountId ? n : undefined;
    },
    all: (store, accountId) => store.listNumbers(accountId),
  },
  lines: {
    resource: 'lines', segment: 'lines', list: 'lines', keyName: 'id', singular: 'line', auth: ELEVATED_ONLY,
    keySchema: idKey, body: PROVISIONING_BODIES.lines, viewSchemaId: PROVISIONING_VIEW_SCHEMAS.line.$id, view: lineView, parseKey: text,
    get: (store, accountId, id) => store.getLine(accountId, id),
    all: (store, accountId) => store.listLines(accountId),
  },
  ringGroups: {
    resource: 'ringGroups', segment: 'ring-groups', list: 'ringGroups', keyName: 'id', singular: 'ring group', auth: ELEVATED_ONLY,
    keySchema: idKey, body: PROVISIONING_BODIES.ringGroups, viewSchemaId: PROVISIONING_VIEW_SCHEMAS.ringGroup.$id, view: ringGroupView, parseKey: text,
    get: async (store, accountId, id) => (await store.listRingGroups(accountId)).find((g) => g.id === id),
    all: (store, accountId) => store.listRingGroups(accountId),
  },
  trunks: {
    resource: 'trunks', segment: 'trunks', list: 'trunks', keyName: 'name', singular: 'trunk', auth: TRUNK_AUTH, allow: adminOnly,
    keySchema: idKey, body: PROVISIONING_BODIES.trunks, viewSchemaId: PROVISIONING_VIEW_SCHEMAS.trunk.$id, view: trunkView, parseKey: text,
    get: (store, _accountId, name) => store.getTrunk(name),
    all: (store) => store.listTrunks(),
  },
  apiCredentials: {
    resource: 'apiCredentials', segment: 'api-credentials', list: 'apiCredentials', keyName: 'token', singular: 'API credential', auth: ELEVATED_ONLY,
    keySchema: { type: 'string', minLength: 8, maxLength: 128 }, body: PROVISIONING_BODIES.apiCredentials,
    viewSchemaId: PROVISIONING_VIEW_SCHEMAS.apiCredential.$id, view: apiCredentialView, parseKey: text,
    // POST without token or secret: both are generated; the secret is answered once, in the 201.
    newKey: (body) => ({ ...body, token: body.token ?? `rs_${randomBytes(12).toString('hex')}`, secret: body.secret ?? randomBytes(24).toString('base64url') }),
    created: (view, body) => ({ ...view, secret: body.secret }),
    get: async (store, accountId, token) => {
      const c = await store.findApiCredential(token);
      return c?.accountId === accountId ? c : undefined;
    },
    all: (store, accountId) => store.listApiCredentials(accountId),
    allowWrite: voiceApiCredential,
  },
  flows: {
    resource: 'flows', segment: 'flows', list: 'flows', keyName: 'id', singular: 'flow', auth: ELEVATED_ONLY,
    keySchema: idKey, body: flowBodySchema, checkBody: flowBodyProblem,
    viewSchemaId: PROVISIONING_VIEW_SCHEMAS.flow.$id, view: flowView, parseKey: text,
    get: (store, accountId, id) => store.getFlow(accountId, id),
    all: (store, accountId) => store.listFlows(accountId),
  },
};

export async function provisioningApi(app: FastifyInstance, { store, changed }: ProvisioningApiOptions): Promise<void> {
  for (const schema of Object.values(PROVISIONING_VIEW_SCHEMAS)) app.addSchema(schema);
  app.setValidatorCompiler(strictValidator);
  await app.register(authPlugin, { store, stage: 'onRequest' });
  for (const spec of Object.values(SPECS)) await app.register(resourceRoutes, { spec: spec as ResourceSpec<ProvisioningResource>, store, ...(changed ? { changed } : {}) });
}

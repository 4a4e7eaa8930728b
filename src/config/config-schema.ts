/**
 * JSON Schema of the provisioning file. ajv applies the defaults, so a minimal file grows into the full
 * model of config-types.ts. Every object refuses unknown keys: a typo is an error, never ignored.
 */
import { campaignSeedSchema } from './campaign-schema.js';

const e164 = { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$' } as const;
const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } as const;
const userId = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;
const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://' } as const;
/** A stored password hash (store/password-hash.ts), as `ringside export-config` writes it. */
const scryptHash = { type: 'string', pattern: '^scrypt\\$[0-9]+\\$[A-Za-z0-9_-]+\\$[A-Za-z0-9_-]+$', maxLength: 512 } as const;
const seconds = (def: number, max: number) => ({ type: 'integer', minimum: 1, maximum: max, default: def }) as const;

export const userSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'email', 'pin'],
  // The login password, or its stored hash (what `ringside export-config` writes: the store keeps no plaintext).
  anyOf: [
    { properties: { password: { type: 'string' } }, required: ['password'] },
    { properties: { passwordHash: { type: 'string' } }, required: ['passwordHash'] },
  ],
  properties: {
    id: userId,
    name: { type: 'string', minLength: 1, maxLength: 128 },
    email: { type: 'string', format: 'email' },
    password: { type: 'string', minLength: 4, maxLength: 256 },
    passwordHash: scryptHash,
    role: { enum: ['admin', 'manager', 'user'], default: 'user' },
    extension: { type: 'string', pattern: '^[0-9]{2,6}$' },
    pin: { type: 'string', pattern: '^[0-9]{4,8}$' },
    sip: {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'password'],
      properties: {
        username: { type: 'string', pattern: '^[A-Za-z0-9_.!~*\'()&=+$,;?/-]{1,64}$' },
        password: { type: 'string', minLength: 4, maxLength: 256 },
      },
    },
    phoneNumber: e164,
    outgoingCallerId: e164,
    available: { type: 'boolean', default: true },
    ownRecordsOnly: { type: 'boolean', default: false },
  },
} as const;

export const lineSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'number', 'ring'],
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 128 },
    type: { enum: ['general', 'yard-sign'], default: 'general' },
    number: e164,
    ring: {
      type: 'object',
      additionalProperties: false,
      required: ['strategy'],
      properties: {
        strategy: { enum: ['ring-all', 'round-robin', 'forward', 'ring-group', 'voicemail', 'flow'] },
        users: { type: 'array', items: userId, uniqueItems: true, default: [] },
        // The original platform forwards to at most 10 numbers (spec realtime §1, Line).
        forwardTo: { type: 'array', items: e164, maxItems: 10, uniqueItems: true, default: [] },
        ringGroup: id,
        // strategy `flow`: the id of a flow of the same account (cross-check.ts).
        flow: id,
        timeoutSeconds: seconds(30, 600),
        fallback: { enum: ['voicemail', 'hangup'], default: 'voicemail' },
      },
    },
    confirmCalls: { type: 'boolean', default: false },
    agentPinEntry: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    voicemail: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        mailboxUser: userId,
        maxSeconds: seconds(120, 3600),
      },
    },
  },
} as const;

export const ringGroupSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'number', 'members'],
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 128 },
    number: { type: 'string', pattern: '^[0-9]{2,6}$' },
    strategy: { enum: ['ring-all', 'round-robin'], default: 'ring-all' },
    members: { type: 'array', items: userId, minItems: 1, uniqueItems: true },
    timeoutSeconds: seconds(30, 600),
  },
} as const;

export const numberSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['number'],
  properties: {
    number: e164,
    name: { type: 'string', maxLength: 128 },
    application: id,
    sms: { type: 'boolean', default: true },
  },
} as const;

const application = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 128 },
    incomingCallUrl: httpUrl,
    incomingCallFallbackUrl: httpUrl,
    incomingMessageUrl: httpUrl,
    incomingMessageFallbackUrl: httpUrl,
    callbackHttpMethod: { enum: ['GET', 'POST'], default: 'POST' },
    // spec bandwidth §1.2: timeout in ms, default and maximum 10000.
    callbackTimeoutMs: { type: 'integer', minimum: 1, maximum: 10000, default: 10000 },
    autoAnswer: { type: 'boolean', default: true },
  },
} as const;

const webhook = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'url', 'dialect'],
  properties: {
    id,
    url: httpUrl,
    fallbackUrl: httpUrl,
    secret: { type: 'string', minLength: 8, maxLength: 256 },
    dialect: { enum: ['realtime', 'teltel', 'bandwidth'] },
    method: { enum: ['POST', 'GET'], default: 'POST' },
    events: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, default: [] },
  },
} as const;

export const apiCredentialSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  anyOf: [
    { properties: { secret: { type: 'string' } }, required: ['secret'] },
    { properties: { secretHash: { type: 'string' } }, required: ['secretHash'] },
  ],
  properties: {
    token: { type: 'string', minLength: 8, maxLength: 128 },
    secret: { type: 'string', minLength: 8, maxLength: 256 },
    secretHash: scryptHash,
    name: { type: 'string', maxLength: 128 },
  },
} as const;

/** spec bandwidth §0: `/v1/users/{userId}/…` with Basic `apiToken:apiSecret` (ids like `u-demo`). */
const voiceApi = {
  type: 'object',
  additionalProperties: false,
  required: ['userId', 'apiToken'],
  anyOf: [
    { properties: { apiSecret: { type: 'string' } }, required: ['apiSecret'] },
    { properties: { apiSecretHash: { type: 'string' } }, required: ['apiSecretHash'] },
  ],
  properties: {
    userId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    apiToken: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^:]+$' },
    apiSecret: { type: 'string', minLength: 1, maxLength: 256 },
    apiSecretHash: scryptHash,
  },
} as const;

const account = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id,
    accountcode: { type: 'string', minLength: 1, maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    timezone: { type: 'string', default: 'UTC' },
    defaultCallerId: e164,
    textFromNumber: e164,
    trunk: id,
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { incomingCallSeconds: seconds(14400, 86400), outgoingCallSeconds: seconds(14400, 86400) },
    },
    agentPin: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        entry: { enum: ['digits', 'pound', 'double-pound'], default: 'pound' },
        waitSeconds: seconds(10, 120),
        maxPrompts: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
      },
    },
    users: { type: 'array', items: userSchema, default: [] },
    numbers: { type: 'array', items: numberSchema, default: [] },
    lines: { type: 'array', items: lineSchema, default: [] },
    ringGroups: { type: 'array', items: ringGroupSchema, default: [] },
    applications: { type: 'array', items: application, default: [] },
    webhooks: { type: 'array', items: webhook, default: [] },
    apiCredentials: { type: 'array', items: apiCredentialSchema, default: [] },
    // Each flow is checked by cross-check.ts with the flow's own schema (call-flow/flow-schema.ts) node by
    // node, then as a graph (validate-flow.ts): its errors then name the node, which ajv's `oneOf` here would not.
    flows: { type: 'array', items: { type: 'object' }, maxItems: 1000, default: [] },
    // Example campaigns: created once when the file seeds the store (app/storage.ts seedCampaigns).
    campaigns: { type: 'array', items: campaignSeedSchema, maxItems: 100 },
    voiceApi,
  },
} as const;

export const trunkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'host'],
  properties: {
    name: id,
    host: { type: 'string', minLength: 1, maxLength: 253 },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 5060 },
    transport: { enum: ['udp', 'tcp', 'tls'], default: 'udp' },
    inboundAddresses: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'password'],
      properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 }, realm: { type: 'string' } },
    },
    register: { type: 'boolean', default: false },
    registerExpiresSeconds: seconds(600, 86400),
  },
} as const;

export const provisioningSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['accounts'],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        publicUrl: httpUrl,
        // What peers are told to reach us at (docs/phones.md, "Addresses"); the flags/environment win.
        sipAddress: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9.:-]+$' },
        mediaAddress: { anyOf: [{ type: 'string', format: 'ipv4' }, { type: 'string', format: 'ipv6' }] },
        sipRealm: { type: 'string', minLength: 1, default: 'ringside' },
        // SIP proxies in front of Ringside (Kamailio: docs/scale-out.md) whose Via stamps are believed: a request
        // from one of them comes from the previous hop's address for trunks, digest limits and media.
        trustedProxies: { type: 'array', items: { anyOf: [{ type: 'string', format: 'ipv4' }, { type: 'string', format: 'ipv6' }] }, uniqueItems: true, default: [] },
        // RFC 8760 §2.4: challenges in order of preference. MD5 alone by default: common phones (baresip 1.0,
        // sipp) fail when a SHA-256 challenge is offered at all or first (docs/compatibility.md).
        sipDigestAlgorithms: { type: 'array', items: { enum: ['SHA-256', 'MD5'] }, minItems: 1, uniqueItems: true, default: ['MD5'] },
        // Digest brute-force limits (docs/security.md): wrong digests checked per window, per source and per user.
        sipDigestLimits: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            maxFailuresPerSource: { type: 'integer', minimum: 1, maximum: 10000, default: 10 },
            maxFailuresPerUser: { type: 'integer', minimum: 1, maximum: 10000, default: 20 },
            windowSeconds: seconds(60, 86400),
            trustedSourceHours: { type: 'integer', minimum: 0, maximum: 8760, default: 24 },
          },
        },
      },
    },
    trunks: { type: 'array', items: trunkSchema, default: [] },
    accounts: { type: 'array', items: account, minItems: 1 },
  },
} as const;

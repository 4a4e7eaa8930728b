/**
 * What the OpenAPI document says of each route beyond its schemas, decided from what the route declares:
 * its family (a tag, by path), its operationId (from method + path unless the route declares one), and
 * who may call it (`config.auth`, shared/auth-plugin.ts → security requirements). Pure: tested without a
 * server. OpenAPI 3.1: https://spec.openapis.org/oas/v3.1.0 (§4.8.10 Operation, §4.8.27 Security Scheme).
 */
import type { RouteAuth } from '../shared/auth-plugin.js';
import type { AuthScheme } from '../../auth/credentials.js';

/** One tag per REST family (api/index.ts), in the order the document lists them. */
export const FAMILY_TAGS = [
  { name: 'realtime', description: 'RealTime-compatible REST (the call-tracking provider\'s API, spec realtime §5; docs/realtime-api.md). Parameters may come in the query string, a form body or a JSON body; the route checks presence and answers `missing_parameters` / `bad_parameter`. Its events are delivered over the WebSocket API at `/` (not described here: OpenAPI has no WebSocket operations) and, when subscribed, by webhook (`webhooks`, tag `realtime events`).' },
  { name: 'admin', description: 'Ringside\'s own admin/provisioning REST: health, webhook subscriptions, dead letters and replay, event history (REST and Server-Sent Events) (docs/webhooks.md). Requests are validated strictly: an unknown property is a 400 naming it.' },
  { name: 'provisioning', description: 'Users, numbers, lines, ring groups, trunks, API credentials and call flows of the caller\'s account, changed without a restart (docs/provisioning.md). Account-wide principals only; trunks need the admin role. Single resources carry a strong `ETag`; PUT and DELETE honour `If-Match` (412 when stale). 409 `conflict` for a duplicate, 422 `invalid_reference` for a dangling reference, 422 `invalid` for a call flow\'s graph problem (naming the node and output). Validated strictly: an unknown property is a 400 naming it (in a call flow, naming the node).' },
  { name: 'voice', description: 'Voice-API-compatible call-control REST (spec bandwidth §0, §3; docs/voice-api.md) under `/v1/users/{userId}`, answering errors in its provider\'s shape (`voice-api-error`). As the provider does, requests may give booleans and numbers as strings (`"true"`, `"30"`) and enum values in any case; the schemas here give the canonical types. Per-account rate limit: 429 with `X-RateLimit-Reset` (epoch ms).' },
  { name: 'call-centre', description: 'Call-centre-compatible REST (the call-centre provider\'s v2 API, spec teltel §7; docs/call-centre.md): the callback (click-to-call) API. `X-API-KEY: <token>:<secret>`, one of the account\'s API credentials; errors in its provider\'s shape (`teltel-api-error`, one `errors[]` entry per problem). Its events are the teltel webhooks (`webhooks`, tag `call-centre webhooks`).' },
  { name: 'carrier', description: 'Carrier-facing: texts arriving from a SIP trunk\'s provider over HTTP (docs/messaging.md, "In from a carrier").' },
  { name: 'recordings', description: 'Call recordings as WAV files, by their unguessable file name (docs/switch.md).' },
  { name: 'metrics', description: 'Prometheus text exposition (docs/metrics.md).' },
  { name: 'console', description: 'What the operator console served at `/` needs besides the public APIs (docs/console.md): who is logged in, calls in progress with their legs (hang up, blind transfer), registered devices. Scoped to the account; a principal without an account-wide role sees only what concerns its user. Requests are validated strictly.' },
  { name: 'agents', description: 'Agents of the caller\'s account and their presence: `available`, `busy` (a call is up on one of their devices), `paused`, `logged-out` (docs/call-centre.md, "Agents"). Paused and logged-out agents are left out of line and ring-group ringing. An account-wide principal sees and sets everyone of its account; another user only itself. Validated strictly: an unknown property is a 400 naming it.' },
  { name: 'dialer', description: 'The autodialer\'s data (docs/call-centre.md, "Autodialer: campaigns and contacts"): campaigns (mode, caller ID, agents or ring group, calling window, retry rules, pacing) and their contacts, added as JSON or imported from CSV with a per-row report. Dialling is not built yet. Account-wide principals only, scoped to the account. Validated strictly: an unknown property is a 400 naming it.' },
  { name: 'reference', description: 'This document, its interactive reference at `/docs`, and the JSON Schemas of every wire event. No credentials: they describe the API, they expose no data.' },
] as const;

export type Family = (typeof FAMILY_TAGS)[number]['name'];

/** The family of a route by its path (a new top-level path must be added here, or the document test fails). */
export function familyOf(url: string): Family | undefined {
  const first = url.split('/')[1] ?? '';
  if (url.startsWith('/v1/users/')) return 'voice';
  if (url === '/voice/originate') return 'realtime';
  if (url.startsWith('/v2/')) return 'call-centre';
  const byFirst: Record<string, Family> = {
    auth: 'realtime', sms: 'realtime', mms: 'realtime', reports: 'realtime',
    health: 'admin', webhooks: 'admin', events: 'admin', provisioning: 'provisioning',
    carrier: 'carrier', recordings: 'recordings', metrics: 'metrics',
    console: 'console',
    agents: 'agents',
    campaigns: 'dialer',
    'openapi.json': 'reference', schemas: 'reference',
  };
  return byFirst[first];
}

/** The voice family's common prefix, which every one of its operationIds replaces by `Voice`. */
const VOICE_PREFIX = /^\/v1\/users\/:userId(?=\/|$)/;

/**
 * `getVoiceCallsByCallId`, `postSmsSend`, `getReportsCallDataByAccountIdByCallId`: the method, then each
 * literal segment in PascalCase and each parameter as `By<Name>`. Stable while the path is.
 */
export function operationIdOf(method: string, url: string): string {
  const path = url.replace(VOICE_PREFIX, '/voice');
  const words = path
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => segment.split(/(?=:)/))
    .map((part) => (part.startsWith(':') ? `By${pascal(part.slice(1))}` : pascal(part)));
  return method.toLowerCase() + words.join('');
}

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The `:name` path of fastify as an OpenAPI path template `{name}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * A route whose body may be absent sets this in its schema (`[BODY_OPTIONAL]: true`): @fastify/swagger says
 * every body is required, and the document then says it is not. Routes taking provider parameters
 * (shared/request-params.ts), which may all come in the query string, get it without asking.
 */
export const BODY_OPTIONAL = 'x-ringside-body-optional';

/** Security schemes, one per way a REST request authenticates (auth/credentials.ts, api/metrics). */
export const SECURITY_SCHEMES = {
  bearerToken: { type: 'http', scheme: 'bearer', description: 'A token from `POST /auth/login` (or `POST /auth/refresh`): `Authorization: Bearer <token>`.' },
  userBasic: { type: 'http', scheme: 'basic', description: "A user's login: `Authorization: Basic base64(email:password)`." },
  integrator: { type: 'http', scheme: 'Integrator', description: 'spec realtime §5.1: `Authorization: Integrator base64(email:password)`, checked as a user login; the request must then carry `account_id`, the credentials\' own account.' },
  voiceApiBasic: { type: 'http', scheme: 'basic', description: "Voice-API credentials (an account's `voiceApi.apiToken` / `apiSecret`): `Authorization: Basic base64(token:secret)`. Account-wide: they count as an elevated principal." },
  teltelApiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY', description: "The call-centre API's key (spec teltel §7): one of the account's API credentials written `<token>:<secret>` (docs/compatibility.md, \"Callback API\"). Account-wide." },
  carrierBasic: { type: 'http', scheme: 'basic', description: "A trunk's `auth` credentials. Without them, a request is accepted only from one of the trunk's inbound addresses (an address is no OpenAPI security scheme: hence the empty alternative)." },
  metricsToken: { type: 'http', scheme: 'bearer', description: '`RINGSIDE_METRICS_TOKEN`. Without it configured, only loopback clients may scrape (hence the empty alternative).' },
} as const;

export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;
export type SecurityRequirement = Partial<Record<SecuritySchemeName, string[]>>;

const BY_AUTH_SCHEME: Record<AuthScheme, SecuritySchemeName[]> = {
  bearer: ['bearerToken'],
  'basic-user': ['userBasic', 'integrator'],
  'basic-api': ['voiceApiBasic'],
  carrier: ['carrierBasic'],
};

/**
 * OpenAPI security requirements of a route's `config.auth`: alternatives, any one of which suffices.
 * `public` → `[]` (no credentials). A carrier may also call from its trunk's address: `{}`.
 */
export function securityOf(auth: RouteAuth): SecurityRequirement[] {
  if (auth === 'public') return [];
  const alternatives: SecurityRequirement[] = auth.schemes.flatMap((s) => BY_AUTH_SCHEME[s].map((name) => ({ [name]: [] })));
  if (auth.schemes.includes('carrier')) alternatives.push({});
  return alternatives;
}

/** What a route's description says of its role requirement, and of its refusals. */
export function authNote(auth: RouteAuth): string | undefined {
  if (auth === 'public') return undefined;
  if (auth.elevated) return `Needs an elevated principal (manager or admin without own-records-only, or voice-API credentials); others get 403 \`forbidden\`: "${auth.elevated}".`;
  return undefined;
}

/** The error responses of each error shape, described once (shared/api-error.ts, voice/voice-error.ts). */
export const ERROR_DESCRIPTIONS = {
  'api-error': {
    '4XX': 'Refused: `{success: false, error, message}`. `error` is a snake_case code a client can branch on — e.g. 400 `bad_request` / `bad_json` / `missing_parameters` / `bad_parameter`, 401 `not_authenticated` / `invalid_token` / `invalid_credentials` / `bad_credentials`, 403 `forbidden`, 404 `not_found`, 413 `body_too_large`, 415 `unsupported_media_type`, 429 `too_many_failures` (with `Retry-After`); `message` says what to fix.',
    '5XX': 'Failed: `{success: false, error, message}` — 500 `internal_error` (details in the server log, never in the answer), 502 when a carrier refused, 503 when a service the route needs is unavailable.',
  },
  'teltel-api-error': {
    '4XX': "Refused, in the call-centre provider's shape `{errors: [{title, detail, source?}]}`, one entry per problem (docs/call-centre.md): 401 `Unauthorized` (missing or wrong `X-API-KEY`), 422 `Invalid <field>` (a bad number, a caller ID the account does not own, an unknown extension, a schema failure; `source.pointer` names the member), 400 `Invalid JSON`, 413, 415, 429 (with `Retry-After`).",
    '5XX': "Failed, in the provider's shape: 500 `Internal error` (details in the server log), 503 when the account has no trunk for a phone leg or Ringside is stopping.",
  },
  'voice-api-error': {
    '4XX': "Refused, in the voice-API provider's shape `{category, code, message, details}` (docs/voice-api.md, \"Errors\"): 400 `bad-request` / `validation-error` (details name the field), 401 `authentication`, 403 `authorization` / `access-denied` or `forbidden`, 404 `not-found`, 409 `conflict`, 429 `limit` / `too-many-requests` (with `X-RateLimit-Reset`, epoch ms).",
    '5XX': "Failed, in the provider's shape: 500 `backend` / `internal-error` (details in the server log), 503 `unavailable` when the switch's call control is not running.",
  },
} as const;

/** A kind of mounted route the document leaves out, and why. */
export interface Undescribed {
  match: (method: string, url: string) => boolean;
  why: string;
}

/** Also outside the API's own rules (no credentials, files as they are, HEAD included): route-schemas.test.ts skips them. */
export const CONSOLE_ROUTES: Undescribed = {
  match: (_method, url) => url === '/' || url === '/*',
  why: 'the built console\'s page and files at / (api/console/console-assets.ts): the reader of the API, not part of it',
};

export const HEAD_ROUTES: Undescribed = {
  match: (method, url) => method === 'HEAD' && !CONSOLE_ROUTES.match(method, url),
  why: "HEAD routes fastify adds beside every GET (exposeHeadRoutes): the GET's operation describes them (RFC 9110 9.3.2: the same answer without its body); listing them would double every generated client's methods",
};

/** Also outside the API's own rules (no `config.auth`, no response schemas): route-schemas.test.ts skips them. */
export const REFERENCE_UI_ROUTES: Undescribed = {
  match: (_method, url) => url === '/docs' || url.startsWith('/docs/'),
  why: "the interactive reference's own page, assets and copy of this document (@fastify/swagger-ui, served from the package): the reader of the API, not part of it",
};

/**
 * Routes fastify mounts that the document does not describe. The document test checks every mounted route
 * is either described or matched here, and that nothing else is left out.
 */
export const UNDESCRIBED_ROUTES: readonly Undescribed[] = [HEAD_ROUTES, REFERENCE_UI_ROUTES, CONSOLE_ROUTES];

/** Paths served on the HTTP port that are no fastify routes at all: WebSocket upgrades (app/ringside.ts). */
export const WEBSOCKET_PATHS = [
  { path: '/', what: 'the RealTime WebSocket API (docs/realtime-api.md): `authrequest`, user and account event streams' },
  { path: '--sip-ws-path (default /sip)', what: 'SIP over WebSocket (RFC 7118) for browser phones (docs/phones.md)' },
] as const;

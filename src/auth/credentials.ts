/**
 * Credentials → who a request acts for, for each scheme the REST APIs take (spec realtime §5.1, bandwidth
 * §0, docs/messaging.md "In from a carrier"). No HTTP framework here: the API's auth plugin hands over the
 * `Authorization` header and the peer address, and turns a refusal into its error reply.
 */
import type { Store } from '../store/store.js';
import { principalForToken, type CarrierPrincipal, type Principal } from './principal.js';
import { VerifiedSecrets } from './verified-secrets.js';
import { BasicFailures } from './basic-failures.js';

/**
 * - `bearer`: `Authorization: Bearer <token from POST /auth/login>`.
 * - `basic-user`: `Authorization: Basic base64(email:password)`, a user's login.
 * - `basic-api`: `Authorization: Basic base64(token:secret)`, voice-API credentials (account-wide).
 * - `carrier`: a trunk's `auth` credentials as Basic, else a request from one of the trunk's addresses.
 */
export type AuthScheme = 'bearer' | 'basic-user' | 'basic-api' | 'carrier';
export type AccountScheme = Exclude<AuthScheme, 'carrier'>;

/** What every account-facing REST route accepts. */
export const ACCOUNT_SCHEMES: readonly AccountScheme[] = ['bearer', 'basic-user', 'basic-api'];

/** Every refusal is a 401 naming what was wrong (429 for a source past its failed Basic checks); the role
 *  check (403) is the caller's. */
export interface AuthRefusal {
  ok: false;
  status: 401 | 429;
  error: string;
  message: string;
  /** With 429: when the source may try again (ms). */
  retryAfterMs?: number;
}
export type Identified<P> = { ok: true; principal: P } | AuthRefusal;

const refuse = (error: string, message: string): AuthRefusal => ({ ok: false, status: 401, error, message });

/** `Scheme value`: the scheme lowercased, and the value when the header has one. */
export function parseAuthorization(header: string): { scheme: string; value?: string } {
  const space = header.indexOf(' ');
  if (space < 0) return { scheme: header.toLowerCase() };
  return { scheme: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() };
}

/** base64(name:secret), split at the first colon; undefined without one. */
function basicPair(value: string): { name: string; secret: string } | undefined {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Per store (one per running Ringside): the secrets verified lately, and failed Basic checks per source. */
const basicState = new WeakMap<Store, { verified: VerifiedSecrets; failures: BasicFailures }>();

function basicStateOf(store: Store): { verified: VerifiedSecrets; failures: BasicFailures } {
  let s = basicState.get(store);
  if (!s) basicState.set(store, (s = { verified: new VerifiedSecrets(), failures: new BasicFailures() }));
  return s;
}

/** A user or voice-API credentials, by the schemes a route accepts. `source`: the peer address, which
 *  failed Basic checks are counted against. */
export async function identifyAccount(authorization: string | undefined, schemes: readonly AccountScheme[], store: Store, source = ''): Promise<Identified<Principal>> {
  if (!authorization) return refuse('not_authenticated', 'missing Authorization header (Bearer token, Basic or Integrator credentials)');
  const { scheme, value = '' } = parseAuthorization(authorization);
  if (scheme === 'bearer' && schemes.includes('bearer')) {
    const principal = await principalForToken(value, store);
    if (!principal) return refuse('invalid_token', 'the bearer token is unknown or expired; log in again or refresh it');
    return { ok: true, principal };
  }
  // spec realtime §5.1: `Integrator base64(user:pass)` is checked as Basic; the API then requires `account_id`
  // on the request (api/shared/auth-plugin.ts), since an integrator names the account it acts in.
  // The call-tracking families only (they take user logins); the voice API's provider has no such scheme.
  if ((scheme === 'basic' || (scheme === 'integrator' && schemes.includes('basic-user'))) && (schemes.includes('basic-user') || schemes.includes('basic-api'))) {
    const pair = basicPair(value);
    if (!pair) return refuse('bad_credentials', `${scheme === 'basic' ? 'Basic' : 'Integrator'} credentials must be base64(user:password)`);
    const { verified, failures } = basicStateOf(store);
    const wait = failures.retryAfterMs(source);
    const user = schemes.includes('basic-user') ? await store.findUserByEmail(pair.name) : undefined;
    // A login name that is a user's is never also tried as an API token.
    const credential = user || !schemes.includes('basic-api') ? undefined : await store.findApiCredential(pair.name);
    const key = user ? `user\u0000${user.id}\u0000${user.passwordHash}` : credential ? `api\u0000${credential.token}\u0000${credential.secretHash}` : undefined;
    let ok = key !== undefined && verified.known(key, pair.secret);
    if (!ok && wait > 0) return { ok: false, status: 429, error: 'too_many_failures', message: `too many failed Basic credential checks from this address; try again in ${Math.ceil(wait / 1000)} s`, retryAfterMs: wait };
    if (!ok && user) ok = await store.verifyUserPassword(user, pair.secret);
    else if (!ok && credential) ok = await store.verifyApiSecret(credential, pair.secret);
    if (ok && key !== undefined) verified.remember(key, pair.secret);
    if (ok && user) return { ok: true, principal: { kind: 'user', user, accountId: user.accountId, via: 'basic' } };
    if (ok && credential) return { ok: true, principal: { kind: 'api', credential, accountId: credential.accountId } };
    failures.fail(source);
    return refuse('invalid_credentials', 'user name or password is wrong');
  }
  return refuse('not_authenticated', `unsupported Authorization scheme '${scheme}'`);
}

/** A carrier: its trunk's credentials (Basic), or else the address it calls from. */
export async function identifyCarrier(authorization: string | undefined, remoteAddress: string | undefined, store: Store): Promise<Identified<CarrierPrincipal>> {
  const trunks = await store.listTrunks();
  const header = authorization === undefined ? undefined : parseAuthorization(authorization);
  if (header?.scheme === 'basic' && header.value !== undefined) {
    // Trunk passwords are never empty (config schema), so credentials without a colon match none.
    const pair = basicPair(header.value);
    const trunk = pair && trunks.find((t) => t.auth && t.auth.username === pair.name && t.auth.password === pair.secret);
    if (trunk) return { ok: true, principal: { kind: 'carrier', trunk } };
    return refuse('invalid_credentials', 'unknown carrier credentials');
  }
  const ip = remoteAddress?.replace(/^::ffff:/, '');
  const trunk = trunks.find((t) => (t.inboundAddresses.length ? t.inboundAddresses : [t.host]).includes(ip ?? ''));
  if (trunk) return { ok: true, principal: { kind: 'carrier', trunk } };
  return refuse('not_authenticated', `texts are accepted from a carrier trunk's address or with its credentials; ${ip} is neither`);
}

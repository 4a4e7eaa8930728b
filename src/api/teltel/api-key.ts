/**
 * `X-API-KEY` (spec teltel §7) → who a call-centre API request acts for. The key is one of the account's
 * API credentials written `<token>:<secret>` (docs/compatibility.md, "Callback API"): the token alone is
 * no secret (the provisioning API lists it and puts it in URLs), so the key carries both. It is checked
 * exactly as those credentials are over HTTP Basic (auth/credentials.ts): the same cache of verified
 * secrets and the same count of failures per source address (429 past it).
 */
import type { Store } from '../../store/store.js';
import type { Principal } from '../../auth/principal.js';
import { identifyAccount } from '../../auth/credentials.js';
import { TeltelApiError } from './teltel-error.js';

const unauthorized = (detail: string) => new TeltelApiError(401, [{ title: 'Unauthorized', detail }]);

/** The account principal of an `X-API-KEY` header value; throws the family's 401 (or 429). */
export async function principalOfApiKey(header: string | string[] | undefined, store: Store, source: string): Promise<Principal> {
  if (header === undefined || header === '') throw unauthorized('missing X-API-KEY header: send one of the account\'s API credentials as <token>:<secret>');
  if (Array.isArray(header)) throw unauthorized('send one X-API-KEY header');
  if (!header.includes(':')) throw unauthorized('X-API-KEY must be <token>:<secret>, one of the account\'s API credentials');
  const identified = await identifyAccount(`Basic ${Buffer.from(header, 'utf8').toString('base64')}`, ['basic-api'], store, source);
  if (identified.ok) return identified.principal;
  if (identified.status === 429) {
    const wait = Math.ceil((identified.retryAfterMs ?? 1000) / 1000);
    throw new TeltelApiError(429, [{ title: 'Too many requests', detail: identified.message }], { 'retry-after': String(wait) });
  }
  throw unauthorized('the API key is unknown, or its secret is wrong');
}

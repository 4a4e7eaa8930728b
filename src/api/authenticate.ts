/**
 * Who is calling a REST endpoint: a bearer token from `POST /auth/login`, HTTP Basic with a user's login,
 * or HTTP Basic with voice-API credentials (token:secret). Spec realtime §5.1, bandwidth §0.
 */
import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import { principalForToken, type Principal } from '../auth/principal.js';

export { hasElevatedRole, principalForToken, type Principal } from '../auth/principal.js';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly statusCode: 401 | 403,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function authenticate(req: FastifyRequest, store: Store): Promise<Principal> {
  const header = req.headers.authorization;
  if (!header) throw new AuthError(401, 'not_authenticated', 'missing Authorization header (Bearer token or Basic credentials)');
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space < 0 ? undefined : space).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer') {
    const principal = await principalForToken(value, store);
    if (!principal) throw new AuthError(401, 'invalid_token', 'the bearer token is unknown or expired; log in again or refresh it');
    return principal;
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AuthError(401, 'bad_credentials', 'Basic credentials must be base64(user:password)');
    const name = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const user = await store.findUserByEmail(name);
    if (user && (await store.verifyUserPassword(user, secret))) return { kind: 'user', user, accountId: user.accountId, via: 'basic' };
    const credential = user ? undefined : await store.findApiCredential(name);
    if (credential && (await store.verifyApiSecret(credential, secret))) return { kind: 'api', credential, accountId: credential.accountId };
    throw new AuthError(401, 'invalid_credentials', 'user name or password is wrong');
  }
  throw new AuthError(401, 'not_authenticated', `unsupported Authorization scheme '${scheme}'`);
}

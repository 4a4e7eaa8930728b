/**
 * `POST /auth/login` and `POST /auth/refresh` (spec realtime §5.2). Parameters come as JSON, form or
 * query; the response shapes are the provider's.
 */
import type { FastifyInstance } from 'fastify';
import type { IssuedTokens, Store } from '../../store/store.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { missing, params, providerParams } from '../shared/request-params.js';
import { successBody } from '../shared/success-body.js';

/** Token lifetimes: one hour (the documented `tokenLifetime: 3600`), refresh 30 days (the docs' example
 *  refresh expiry is ~29 days after the token's). */
export const TOKEN_LIFETIME_SECONDS = 3600;
export const REFRESH_LIFETIME_SECONDS = 30 * 86400;

const time = { type: 'string', description: 'YYYY-MM-DDTHH:MM:SS+00:00' } as const;

/** The provider's login answer; `auth_only=1` answers `{"success": true}` alone. */
const tokensBody = successBody(
  {
    guid: { type: 'string', description: 'the session; the same across refreshes' },
    token: { type: 'string', description: 'Authorization: Bearer <token>, and the WebSocket authrequest' },
    tokenExpiration: time,
    tokenLifetime: { type: 'integer', description: 'seconds' },
    refreshToken: { type: 'string', description: 'for POST /auth/refresh; works once' },
    refreshTokenExpiration: time,
  },
  { optional: ['guid', 'token', 'tokenExpiration', 'tokenLifetime', 'refreshToken', 'refreshTokenExpiration'] },
);

const loginParams = providerParams({
  username: { description: "the user's e-mail (required)" },
  password: { description: 'required' },
  account_id: { description: "optional; must be the user's account" },
  auth_only: { description: 'optional; 1 = only check the credentials (no session)' },
});

const refreshParams = providerParams({ refresh_token: { description: 'required; from login or the last refresh' } });

export interface AuthRouteOptions {
  store: Store;
}

export async function authRoutes(app: FastifyInstance, { store }: AuthRouteOptions): Promise<void> {
  const config = { auth: 'public' } as const;

  app.post('/auth/login', { config, schema: { ...loginParams, response: { 200: tokensBody, ...errorReplies } } }, async (req) => {
    const p = params(req);
    const absent = missing(p, ['username', 'password']);
    if (absent.length) throw new ApiError(400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    const user = await store.findUserByEmail(p.username!);
    if (!user || !(await store.verifyUserPassword(user, p.password!))) throw new ApiError(401, 'invalid_credentials', 'user name or password is wrong');
    if (p.account_id !== undefined && p.account_id !== user.accountId) throw new ApiError(403, 'forbidden', `user ${p.username} has no access to account ${p.account_id}`);
    if (p.auth_only === '1') return { success: true };
    return tokens(await store.createAuthSession(user.id, user.accountId, TOKEN_LIFETIME_SECONDS, REFRESH_LIFETIME_SECONDS));
  });

  app.post('/auth/refresh', { config, schema: { ...refreshParams, response: { 200: tokensBody, ...errorReplies } } }, async (req) => {
    const p = params(req);
    if (p.refresh_token === undefined) throw new ApiError(400, 'missing_parameters', 'missing required parameter(s): refresh_token');
    const issued = await store.refreshAuthSession(p.refresh_token, TOKEN_LIFETIME_SECONDS, REFRESH_LIFETIME_SECONDS);
    if (!issued) throw new ApiError(401, 'invalid_refresh_token', 'the refresh token is unknown, expired or already used');
    return tokens(issued);
  });
}

function tokens(t: IssuedTokens) {
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + '+00:00';
  return {
    success: true,
    guid: t.session.guid,
    token: t.token,
    tokenExpiration: iso(t.session.tokenExpiresAt),
    tokenLifetime: TOKEN_LIFETIME_SECONDS,
    refreshToken: t.refreshToken,
    refreshTokenExpiration: iso(t.session.refreshExpiresAt),
  };
}

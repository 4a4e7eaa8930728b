/**
 * `POST /auth/login` and `POST /auth/refresh` (spec realtime §5.2). Parameters come as JSON, form or
 * query; the response shapes are the provider's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IssuedTokens, Store } from '../store/store.js';
import { params, missing } from './request-params.js';
import { fail } from './reply.js';

/** Token lifetimes: one hour (the documented `tokenLifetime: 3600`), refresh 30 days (the docs' example
 *  refresh expiry is ~29 days after the token's). */
export const TOKEN_LIFETIME_SECONDS = 3600;
export const REFRESH_LIFETIME_SECONDS = 30 * 86400;

export function registerAuthRoutes(app: FastifyInstance, store: Store): void {
  app.post('/auth/login', async (req, reply) => {
    const p = params(req);
    const absent = missing(p, ['username', 'password']);
    if (absent.length) return fail(reply, 400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    const user = await store.findUserByEmail(p.username!);
    if (!user || !(await store.verifyUserPassword(user, p.password!))) return fail(reply, 401, 'invalid_credentials', 'user name or password is wrong');
    if (p.account_id !== undefined && p.account_id !== user.accountId) return fail(reply, 403, 'forbidden', `user ${p.username} has no access to account ${p.account_id}`);
    if (p.auth_only === '1') return { success: true };
    return tokens(await store.createAuthSession(user.id, user.accountId, TOKEN_LIFETIME_SECONDS, REFRESH_LIFETIME_SECONDS));
  });

  app.post('/auth/refresh', async (req: FastifyRequest, reply) => {
    const p = params(req);
    if (p.refresh_token === undefined) return fail(reply, 400, 'missing_parameters', 'missing required parameter(s): refresh_token');
    const issued = await store.refreshAuthSession(p.refresh_token, TOKEN_LIFETIME_SECONDS, REFRESH_LIFETIME_SECONDS);
    if (!issued) return fail(reply, 401, 'invalid_refresh_token', 'the refresh token is unknown, expired or already used');
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

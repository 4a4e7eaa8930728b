/**
 * The one way a REST request is authenticated. Every route declares who may call it in its config:
 *
 *   app.get('/webhooks', { config: { auth: { schemes: ACCOUNT_SCHEMES, elevated: 'this API needs …' } }, schema }, handler)
 *   app.post('/carrier/messages', { config: { auth: { schemes: ['carrier'] } }, … })
 *   app.post('/auth/login', { config: { auth: 'public' }, … })
 *
 * and the plugin adds the check to each route as it is registered: it sets `request.principal`, or answers
 * 401 with what was wrong (auth/credentials.ts), or 403 `forbidden` with the route's `elevated` message
 * when the route needs an account-wide role (auth/principal.ts `hasElevatedRole`). A route that declares
 * nothing fails at registration, so none is left open by accident.
 *
 * A family registers this plugin once, with the stage its routes check credentials at (the plugin is not
 * encapsulated: its hook applies to the routes of the family that registered it).
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Store } from '../../store/store.js';
import { hasElevatedRole, type Principal, type RequestPrincipal } from '../../auth/principal.js';
import { identifyAccount, identifyCarrier, parseAuthorization, type AccountScheme, type AuthScheme } from '../../auth/credentials.js';
import { ApiError } from './api-error.js';
import { params } from './request-params.js';

export { ACCOUNT_SCHEMES, type AuthScheme } from '../../auth/credentials.js';

/** Who may call a route: anyone, or whoever authenticates by one of `schemes`. */
export type RouteAuth =
  | 'public'
  | {
      /** `carrier` stands alone: a carrier is not an account principal. */
      schemes: readonly AuthScheme[];
      /** Only elevated principals (manager or admin without own-records-only, or voice-API credentials);
       *  others get 403 `forbidden` with this message, which says what needs the role. */
      elevated?: string;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (api/shared/auth-plugin.ts). Every API route declares it. */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** Who the request acts for, set by the auth plugin before the handler runs; null on public routes. */
    principal: RequestPrincipal | null;
  }
}

export interface AuthPluginOptions {
  store: Store;
  /**
   * When credentials are checked. `onRequest`: before the body is read, so an unauthenticated client
   * learns nothing of the API's shapes. `preHandler`: after the body is parsed, so a malformed body is
   * answered first — the order the call-tracking family has always answered in.
   */
  stage: 'onRequest' | 'preHandler';
}

async function authPlugin(app: FastifyInstance, { store, stage }: AuthPluginOptions): Promise<void> {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
  app.addHook('onRoute', (route: RouteOptions) => {
    const auth = route.config?.auth;
    const where = `${String(route.method)} ${route.url}`;
    if (auth === undefined) throw new Error(`${where} declares no config.auth ('public' or the schemes it accepts)`);
    if (auth === 'public') return;
    if (auth.schemes.length === 0) throw new Error(`${where}: config.auth.schemes is empty; use 'public'`);
    if (auth.schemes.includes('carrier') && auth.schemes.length > 1) throw new Error(`${where}: the carrier scheme cannot be combined with account schemes`);
    const check = async (req: FastifyRequest): Promise<void> => {
      req.principal = await authenticate(req, auth, store);
    };
    const existing = route[stage];
    // First of the stage's hooks: nothing of the route runs for a caller it refuses.
    route[stage] = existing === undefined ? [check] : [check, ...(Array.isArray(existing) ? existing : [existing])];
  });
}
// Not encapsulated (what the fastify-plugin package marks): the hook and decorator belong to the
// registering family.
Object.assign(authPlugin, { [Symbol.for('skip-override')]: true });
export { authPlugin };

async function authenticate(req: FastifyRequest, auth: Exclude<RouteAuth, 'public'>, store: Store): Promise<RequestPrincipal> {
  const identified = auth.schemes[0] === 'carrier' ? await identifyCarrier(req.headers.authorization, req.socket.remoteAddress, store) : await identifyAccount(req.headers.authorization, auth.schemes as readonly AccountScheme[], store, req.socket.remoteAddress ?? '');
  if (!identified.ok) {
    const wait = identified.retryAfterMs;
    // RFC 9110 10.2.3 Retry-After; X-RateLimit-Reset (epoch ms) for the voice API's clients (spec bandwidth §0).
    const headers: Record<string, string> = wait === undefined ? {} : { 'retry-after': String(Math.ceil(wait / 1000)), 'x-ratelimit-reset': String(Date.now() + wait) };
    throw new ApiError(identified.status, identified.error, identified.message, headers);
  }
  const p = identified.principal;
  // spec realtime §5.1: with Integrator credentials, `account_id` is required on every call. Ringside's
  // credentials belong to one account each, so it must be that one (docs/compatibility.md).
  if (p.kind !== 'carrier' && req.headers.authorization !== undefined && parseAuthorization(req.headers.authorization).scheme === 'integrator') {
    const accountId = params(req).account_id;
    if (accountId === undefined || accountId === '') throw new ApiError(400, 'missing_parameters', 'missing required parameter(s): account_id (required with Integrator credentials)');
    if (accountId !== p.accountId) throw new ApiError(403, 'forbidden', `no access to account ${accountId}`);
  }
  if (auth.elevated !== undefined && (p.kind === 'carrier' || !hasElevatedRole(p))) throw new ApiError(403, 'forbidden', auth.elevated);
  return p;
}

/** The account principal of a route that takes account schemes. */
export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p || p.kind === 'carrier') throw new ApiError(401, 'not_authenticated', 'not authenticated');
  return p;
}


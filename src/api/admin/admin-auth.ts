import { ACCOUNT_SCHEMES, type RouteAuth } from '../shared/auth-plugin.js';

/** Webhook subscriptions and dead letters: an account-wide principal only (docs/webhooks.md, "REST
 *  reference"), which then sees its own account and nothing else. */
export const ELEVATED_ONLY: RouteAuth = {
  schemes: ACCOUNT_SCHEMES,
  elevated: 'this API needs the manager or admin role (without own-records-only) or voice-API credentials',
};

/** Event history: any principal of the account; what it sees depends on its role. */
export const ANY_ACCOUNT_PRINCIPAL: RouteAuth = { schemes: ACCOUNT_SCHEMES };

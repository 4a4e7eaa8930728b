/**
 * Who a request or socket acts for, and what they may see. Shared by the REST APIs and the WebSocket API.
 */
import type { ApiCredentialRecord, Store, TrunkRecord, UserRecord } from '../store/store.js';

/** Someone acting in one account: a user (bearer token or Basic login) or voice-API credentials. */
export type Principal =
  | { kind: 'user'; user: UserRecord; accountId: string; via: 'bearer' | 'basic' }
  | { kind: 'api'; credential: ApiCredentialRecord; accountId: string };

/** A carrier delivering texts over HTTP, known by its trunk (docs/messaging.md, "In from a carrier"). It
 *  acts in no account: the number a text is addressed to decides that. */
export interface CarrierPrincipal {
  kind: 'carrier';
  trunk: TrunkRecord;
}

/** Whoever a REST request was authenticated as. */
export type RequestPrincipal = Principal | CarrierPrincipal;

/** Resolves a bearer token from `POST /auth/login` (REST `Authorization: Bearer`, WebSocket `authrequest`). */
export async function principalForToken(token: string, store: Store): Promise<Principal | undefined> {
  if (!token) return undefined;
  const session = await store.findAuthSession(token);
  if (!session) return undefined;
  const user = await store.getUser(session.userId);
  if (!user) return undefined;
  return { kind: 'user', user, accountId: session.accountId, via: 'bearer' };
}

/** Account-wide visibility: Manager or Admin, not restricted to own records (spec realtime §2.3 Proposed). */
export function hasElevatedRole(p: Principal): boolean {
  if (p.kind === 'api') return true;
  return (p.user.role === 'admin' || p.user.role === 'manager') && !p.user.ownRecordsOnly;
}
